// The shared pipelined connections from many threads at once, on the project's PostgreSQL
// cluster (`make test` starts it): every thread gets exactly its own statement's result,
// a failing statement fails alone, batches keep their order.

import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import NtntRuntime

@Suite struct PipelineTests {
    static let url = environmentString("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:54329/ntnt"

    /// Runs `body(thread)` on `count` threads and waits for all of them.
    static func onThreads(_ count: Int, _ body: @escaping (Int) -> Void) {
        let threads = (0..<count).map { i in NativeThread(stackSize: 1 << 20) { body(i) } }
        for t in threads { t.join() }
    }

    @Test func everyThreadGetsItsOwnResult() {
        let database = Database.shared(url: Self.url)
        let lock = Monitor()
        var wrong: [String] = []
        Self.onThreads(48) { thread in
            for i in 0..<150 {
                let n = thread * 1000 + i
                let sql = i % 5 == 4 ? "SELECT $1::int AS n, 'x' AS tag" : "SELECT $1::int AS n"
                do {
                    let rows = try database.execute(sql, [.int(n)]).rows
                    guard rows.count == 1, case .map(let m) = rows[0], case .int(n)? = m["n"] else {
                        lock.withLock { wrong.append("thread \(thread) asked \(n), got \(rows)") }
                        continue
                    }
                } catch {
                    lock.withLock { wrong.append("thread \(thread): \(error)") }
                }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.count): \(wrong.prefix(3))")
    }

    @Test func aFailingStatementFailsAloneAndBatchesKeepTheirOrder() {
        let database = Database.shared(url: Self.url)
        let lock = Monitor()
        var problems: [String] = []
        Self.onThreads(16) { thread in
            for i in 0..<40 {
                do {
                    if thread == 0 {
                        do {
                            _ = try database.execute("SELECT $1::int / 0 AS n", [.int(i)])
                            lock.withLock { problems.append("division by zero succeeded") }
                        } catch let e as PostgresError {
                            if !e.message.contains("division by zero") { lock.withLock { problems.append(e.message) } }
                        }
                    } else {
                        let sets: [[Value]] = (0..<5).map { [.int(thread * 100 + i * 5 + $0)] }
                        let rows = try database.executeBatch("SELECT $1::int AS n", sets)
                        let got = rows.map { r -> Int in
                            if case .map(let m) = r.firstRow, case .int(let n)? = m["n"] { return n }
                            return -1
                        }
                        if got != (0..<5).map({ thread * 100 + i * 5 + $0 }) { lock.withLock { problems.append("batch \(sets) gave \(got)") } }
                    }
                } catch {
                    lock.withLock { problems.append("thread \(thread): \(error)") }
                }
            }
        }
        #expect(problems.isEmpty, "\(problems.count): \(problems.prefix(3))")
    }
}

/// Which statements a batched loop may send ahead of time (QueryPrefetch.isPlainSelect).
@Suite struct PlainSelectTests {
    @Test func readsAreSentAheadOfTime() {
        for sql in ["SELECT id, randomnumber FROM world WHERE id = $1", "  (select 1)", "\n\tSeLeCt * FROM t",
                    "SELECT 'forum' AS t", "SELECT info FROM t"] {
            #expect(QueryPrefetch.isPlainSelect(sql), "\(sql)")
        }
    }

    @Test func writesLocksAndSideEffectsAreNot() {
        for sql in ["UPDATE world SET randomnumber = 1", "SELECT 1; DELETE FROM t", "SELECT * FROM t FOR UPDATE",
                    "select * from t for share", "SELECT * FROM t FOR NO KEY UPDATE", "SELECT nextval('s')",
                    "SELECT SETVAL('s', 1)", "SELECT pg_advisory_lock(1)", "SELECT pg_sleep(1)",
                    "SELECT * INTO copy FROM t", "WITH x AS (SELECT 1) SELECT * FROM x", "", "sel"] {
            #expect(!QueryPrefetch.isPlainSelect(sql), "\(sql)")
        }
    }
}
