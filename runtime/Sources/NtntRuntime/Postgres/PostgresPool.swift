// A bounded, lazy pool of PostgreSQL connections, shared by all workers.
//
// Connections are opened on demand up to `maxSize`; a caller beyond that waits for one to be
// released. A connection that broke is closed instead of returned, and because a broken one
// usually means the server restarted, the idle ones are dropped too — so after a database
// restart only the requests already in flight see an error, and the next ones reconnect.

/// The pool for one database URL.
public final class PostgresPool {
    public let url: String
    public let maxSize: Int
    private let monitor = Monitor()
    private var idle: [PostgresConnection] = []
    private var open = 0

    init(url: String, maxSize: Int) {
        self.url = url
        self.maxSize = max(1, maxSize)
    }

    /// Pools by URL: every `connect(url)` of a program shares one pool per database.
    nonisolated(unsafe) private static var pools: [String: PostgresPool] = [:]
    private static let poolsLock = Monitor()

    /// The pool for `url`, created on first use with `NTNT_DB_POOL` connections at most.
    static func shared(url: String) -> PostgresPool {
        poolsLock.withLock {
            if let p = pools[url] { return p }
            let p = PostgresPool(url: url, maxSize: environmentInt("NTNT_DB_POOL") ?? 16)
            pools[url] = p
            return p
        }
    }

    /// Takes a connection, opening one if the pool is below its limit, else waiting.
    func acquire() throws -> PostgresConnection {
        monitor.lock()
        while true {
            if let c = idle.popLast() {
                monitor.unlock()
                return c
            }
            if open < maxSize {
                open += 1
                monitor.unlock()
                do {
                    return try PostgresConnection(url: url)
                } catch {
                    monitor.withLock { open -= 1 }
                    monitor.signal()
                    throw error
                }
            }
            monitor.wait()
        }
    }

    /// Returns a connection; a broken one is closed, along with the idle ones.
    func release(_ c: PostgresConnection) {
        var stale: [PostgresConnection] = []
        monitor.lock()
        if c.isBroken {
            open -= 1 + idle.count
            stale = idle
            idle.removeAll()
        } else {
            idle.append(c)
        }
        monitor.unlock()
        monitor.broadcast()
        _ = stale  // closed here, outside the lock, when the array is released
    }

    /// Runs `body` with a pooled connection.
    func with<R>(_ body: (PostgresConnection) throws -> R) throws -> R {
        let c = try acquire()
        defer { release(c) }
        return try body(c)
    }
}

/// The value `connect` returns: the pool, and for a transaction the connection it pinned.
public final class DatabaseHandle: OpaqueHandle {
    let pool: PostgresPool
    /// Set by `begin`: every statement of the transaction runs on this session.
    private(set) var pinned: PostgresConnection?
    private let lock = Monitor()

    init(pool: PostgresPool, pinned: PostgresConnection? = nil) {
        self.pool = pool
        self.pinned = pinned
    }

    deinit {
        // A transaction that was neither committed nor rolled back: roll it back and give the
        // connection back, so a forgotten commit cannot leak a connection.
        if let c = pinned {
            try? c.command("ROLLBACK")
            c.inTransaction = false
            pool.release(c)
        }
    }

    /// Runs `body` on the pinned connection, or on a pooled one.
    func with<R>(_ body: (PostgresConnection) throws -> R) throws -> R {
        if let c = lock.withLock({ pinned }) {
            return try lock.withLock { try body(c) }
        }
        return try pool.with(body)
    }

    /// Ends the transaction: releases the pinned connection.
    func unpin() -> PostgresConnection? {
        lock.withLock {
            let c = pinned
            pinned = nil
            return c
        }
    }
}
