// One database as the program sees it: statements of all requests go through a few shared
// pipelined connections (PipelineDriver); a transaction pins a blocking session of its own
// from a small bounded pool (SessionPool). Every `connect(url)` of a program shares one
// Database per URL.

/// The shared state for one database URL.
final class Database {
    let settings: PostgresSettings
    private let driver: PipelineDriver
    let sessions: SessionPool

    private init(url: String) {
        settings = PostgresSettings(url: url)
        driver = PipelineDriver(settings: settings)
        sessions = SessionPool(settings: settings)
    }

    nonisolated(unsafe) private static var databases: [String: Database] = [:]
    private static let databasesLock = Monitor()

    /// The database for `url`, created on first use.
    static func shared(url: String) -> Database {
        databasesLock.withLock {
            if let d = databases[url] { return d }
            let d = Database(url: url)
            databases[url] = d
            return d
        }
    }

    private func run(_ sql: String, _ parameterSets: [[String?]]) throws -> StatementTicket {
        let deadline = monotonicMillis() + settings.timeoutMillis + 1000
        let ticket = StatementTicket(sql: sql, parameterSets: parameterSets, deadline: deadline)
        try driver.execute(ticket)
        return ticket
    }

    /// Executes `sql` once on a shared connection; the rows and the affected-row count.
    func execute(_ sql: String, _ params: [Value]) throws -> ResultTable {
        let ticket = try run(sql, [try PostgresValues.encodeParameters(params)])
        defer { ticket.clearResults() }
        guard let r = ticket.results.first ?? nil else {
            throw PostgresError(message: "no result from the database", connectionBroken: false)
        }
        return r
    }

    /// Executes `sql` once per parameter set, all in one round trip; the answer of each.
    func executeBatch(_ sql: String, _ paramSets: [[Value]]) throws -> [ResultTable] {
        if paramSets.isEmpty { return [] }
        let ticket = try run(sql, try paramSets.map { try PostgresValues.encodeParameters($0) })
        defer { ticket.clearResults() }
        return try ticket.results.map { r in
            guard let r else { throw PostgresError(message: "no result from the database", connectionBroken: false) }
            return r
        }
    }
}

/// Blocking sessions for transactions, opened on demand up to a limit; a caller beyond it
/// waits for one to be released. A broken session is closed, and the idle ones with it (a
/// broken one usually means the server restarted).
final class SessionPool {
    private let settings: PostgresSettings
    private let monitor = Monitor()
    private var idle: [PostgresSession] = []
    private var open = 0

    init(settings: PostgresSettings) {
        self.settings = settings
    }

    /// Takes a session, opening one if the pool is below its limit, else waiting.
    func acquire() throws -> PostgresSession {
        let deadline = monotonicMillis() + settings.timeoutMillis
        monitor.lock()
        while true {
            if let s = idle.popLast() {
                monitor.unlock()
                return s
            }
            if open < settings.transactionSessions {
                open += 1
                monitor.unlock()
                do {
                    return try PostgresSession(settings: settings)
                } catch {
                    monitor.withLock { open -= 1 }
                    monitor.signal()
                    throw error
                }
            }
            if !monitor.wait(until: deadline) {
                monitor.unlock()
                throw PostgresError(message: "timed out waiting for a transaction connection", connectionBroken: false)
            }
        }
    }

    /// Returns a session; a broken one is closed, along with the idle ones.
    func release(_ s: PostgresSession) {
        var stale: [PostgresSession] = []
        monitor.lock()
        if s.isBroken {
            open -= 1 + idle.count
            stale = idle
            idle.removeAll()
        } else {
            idle.append(s)
        }
        monitor.unlock()
        monitor.signal()
        _ = stale  // closed here, outside the lock, when the array is released
    }
}

/// The value `connect` returns: the database, and for a transaction the session it pinned.
public final class DatabaseHandle: OpaqueHandle {
    let database: Database
    /// Set by `begin`: every statement of the transaction runs on this session.
    private(set) var pinned: PostgresSession?
    private let lock = Monitor()

    init(database: Database, pinned: PostgresSession? = nil) {
        self.database = database
        self.pinned = pinned
    }

    deinit {
        // A transaction that was neither committed nor rolled back: roll it back and give the
        // session back, so a forgotten commit cannot leak a connection.
        if let s = pinned {
            try? s.command("ROLLBACK")
            database.sessions.release(s)
        }
    }

    func execute(_ sql: String, _ params: [Value]) throws -> ResultTable {
        if let s = lock.withLock({ pinned }) {
            return try lock.withLock { try s.execute(sql, params) }
        }
        return try database.execute(sql, params)
    }

    func executeBatch(_ sql: String, _ paramSets: [[Value]]) throws -> [ResultTable] {
        if let s = lock.withLock({ pinned }) {
            // One transaction, one session: the statements run one after another.
            return try lock.withLock { try paramSets.map { try s.execute(sql, $0) } }
        }
        return try database.executeBatch(sql, paramSets)
    }

    /// Inside `begin` … `commit`: statements go to the pinned session, never to a pipeline.
    var isInTransaction: Bool { lock.withLock { pinned != nil } }

    /// Ends the transaction: releases the pinned session.
    func unpin() -> PostgresSession? {
        lock.withLock {
            let s = pinned
            pinned = nil
            return s
        }
    }
}
