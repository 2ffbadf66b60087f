// Automatic query batching for loops (issue: a loop of 20 independent queries is 20 round
// trips). The program analysis (NtntSema.QueryBatching) marks loops whose every iteration
// starts with a read-only query whose parameters are computed without effects; such a loop
// runs in two passes over the same code:
//
// 1. Collect: each iteration runs until its first query call, which does not execute but
//    throws `PrefetchCollected` with its connection, SQL and parameters (the random draws made
//    on the way are recorded). Nothing before it has an effect, so this pass is invisible.
// 2. The loop itself, unchanged, after all collected statements went out as one pipeline
//    (`Database.executeBatch`). Iteration k replays its recorded draws, so it computes the
//    same parameters again, and its query call takes the prefetched rows — only when its
//    connection, SQL and parameters are exactly the collected ones; otherwise (and for any
//    other query) it runs as always. Sequential behaviour is therefore kept by construction:
//    the analysis only decides where batching is worth trying.
//
// Batching is not attempted inside a transaction (a pinned connection), for SQL that is not a
// plain SELECT, or past `limit` iterations; a failed batch leaves every iteration to run its
// query itself (so an error appears at the iteration that causes it).

import CNtntSys

/// Thrown by a query call in the collect pass: the statement the iteration would run. Not a
/// `RuntimeError`, so `otherwise` and trace frames let it through to the loop.
public struct PrefetchCollected: Error {
    let handle: DatabaseHandle
    let sql: String
    let params: [Value]
}

/// Thrown by an effect (a statement that is not the iteration's first query, `print`) in the
/// collect pass: the pass stops there. The analysis rules this out; this is the safety net.
public struct PrefetchStopped: Error {}

public final class QueryPrefetch {
    struct Entry {
        let params: [Value]
        let draws: [UInt64]
        var taken = false
    }

    /// Iterations prefetched at most per loop (the rest run their queries one by one).
    static let limit = 1000

    private let parent: UnsafeMutableRawPointer?
    private var collecting = false
    private var stopped = false
    private var handle: DatabaseHandle?
    private var sql = ""
    private var entries: [Entry] = []
    private var rows: [ResultTable]?
    private var iteration = -1
    /// Where the C side copies an iteration's recorded draws (one buffer per loop, not per iteration).
    private var scratch = [UInt64](repeating: 0, count: 64)

    private init(parent: UnsafeMutableRawPointer?) { self.parent = parent }

    /// Starts prefetching for a loop on this thread (innermost loop wins); pair with `end`.
    public static func begin() -> QueryPrefetch {
        let p = QueryPrefetch(parent: ntnt_prefetch_get())
        ntnt_prefetch_set(Unmanaged.passUnretained(p).toOpaque())
        return p
    }

    /// The loop is done (or left): the enclosing loop's prefetch is current again.
    public func end() {
        if collecting { _ = stopCollecting() }
        ntnt_rng_replay_end()
        ntnt_prefetch_set(parent)
    }

    // MARK: - Collect pass

    /// Before an iteration of the collect pass; false when collecting has stopped.
    public func startIteration() -> Bool {
        guard !stopped, entries.count < Self.limit else { return false }
        collecting = true
        ntnt_rng_record_begin()
        return true
    }

    /// The iteration's first query; false to stop the pass.
    public func collected(_ c: PrefetchCollected) -> Bool {
        collecting = false
        let n = ntnt_rng_record_end(&scratch, 64)
        if handle == nil {
            guard !c.handle.isInTransaction, Self.isPlainSelect(c.sql) else { stopped = true; return false }
            handle = c.handle
            sql = c.sql
        }
        guard n >= 0, c.handle === handle, c.sql == sql else {
            stopped = true
            return false
        }
        entries.append(Entry(params: c.params, draws: n == 0 ? [] : Array(scratch.prefix(Int(n)))))
        return true
    }

    /// The iteration ended without a query, or failed before it: collecting stops (the
    /// iterations collected so far are still sent). Always false, for `break` in generated code.
    @discardableResult
    public func stopCollecting() -> Bool {
        if collecting {
            collecting = false
            _ = ntnt_rng_record_end(&scratch, 64)
        }
        stopped = true
        return false
    }

    /// Sends the collected statements as one pipeline. A failure sends nothing more: every
    /// iteration then runs its own query, and meets the error where sequential code would.
    public func send() {
        guard let handle, entries.count > 1 else { return }
        rows = try? handle.database.executeBatch(sql, entries.map(\.params))
    }

    /// `max(0, to - from)` (`+ 1` when inclusive) for a `while i < n` loop over Ints; 0 for
    /// anything else (then nothing is prefetched).
    public static func count(from: Value, to: Value, inclusive: Bool) -> Int {
        guard case .int(let a) = from, case .int(let b) = to else { return 0 }
        let (d, overflow) = b.subtractingReportingOverflow(a)
        if overflow { return 0 }
        return max(0, inclusive ? d + 1 : d)
    }

    // MARK: - The loop

    /// At the start of each iteration of the loop itself.
    public func enterIteration() {
        iteration += 1
        ntnt_rng_replay_end()
        guard rows != nil, iteration < entries.count else { return }
        entries[iteration].draws.withUnsafeBufferPointer { ntnt_rng_replay_begin($0.baseAddress, Int32($0.count)) }
    }

    /// The prefetched rows for this statement of the current iteration, once.
    private func take(_ h: DatabaseHandle, _ s: String, _ params: [Value]) -> ResultTable? {
        ntnt_rng_replay_end()
        guard let rows, iteration >= 0, iteration < entries.count, !entries[iteration].taken,
              h === handle, s == sql, entries[iteration].params.count == params.count else { return nil }
        for (a, b) in zip(entries[iteration].params, params) where !Value.equals(a, b) { return nil }
        entries[iteration].taken = true
        return rows[iteration]
    }

    // MARK: - The database builtins' side

    /// Called by `query` and `query_one` before running a statement: in the collect pass the
    /// statement is collected (thrown); in the loop, prefetched rows when they are this
    /// statement's; nil to run it. One thread-local load when no loop is being prefetched.
    static func intercept(_ h: DatabaseHandle, _ s: String, _ params: [Value]) throws -> ResultTable? {
        guard let p = ntnt_prefetch_get() else { return nil }
        let prefetch = Unmanaged<QueryPrefetch>.fromOpaque(p).takeUnretainedValue()
        if prefetch.collecting { throw PrefetchCollected(handle: h, sql: s, params: params) }
        return prefetch.take(h, s, params)
    }

    /// Called by builtins with effects (statements other than the first query, `print`): they
    /// must not run in the collect pass.
    static func guardEffect() throws {
        guard let p = ntnt_prefetch_get() else { return }
        if Unmanaged<QueryPrefetch>.fromOpaque(p).takeUnretainedValue().collecting { throw PrefetchStopped() }
    }

    /// A single SELECT without locking clauses or functions with effects: running it early (or
    /// once more than the loop needs) cannot be observed.
    /// Runs once per batched loop, so it scans bytes (ASCII case folded) rather than
    /// lower-casing and searching Strings, which cost 15 % of /queries in a profile.
    static func isPlainSelect(_ sql: String) -> Bool {
        var sql = sql
        return sql.withUTF8 { bytes in
            var start = 0
            while start < bytes.count, [0x20, 0x0A, 0x09, 0x28].contains(bytes[start]) { start += 1 }
            guard matches(bytes, at: start, "select") else { return false }
            for i in start..<bytes.count {
                if bytes[i] == UInt8(ascii: ";") { return false }
                for word in riskyWords where matches(bytes, at: i, word) { return false }
            }
            return true
        }
    }

    private static let riskyWords: [StaticString] = [
        " for update", " for share", " for no key update", " for key share", "nextval", "setval",
        "pg_advisory", "pg_notify", "pg_sleep", "txid_current", "lo_", "dblink", "into "]

    /// Whether `bytes[at...]` starts with `word` (lower-case ASCII), ignoring ASCII case.
    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, at: Int, _ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard at + n <= bytes.count else { return false }
        let w = word.utf8Start
        for k in 0..<n {
            var b = bytes[at + k]
            if b >= 0x41 && b <= 0x5A { b |= 0x20 }
            if b != w[k] { return false }
        }
        return true
    }
}
