// std/db/postgres (LANGUAGE.md §10.8): connect, query, query_one, execute, query_batch,
// begin/commit/rollback, close. Every operation returns a Result value; nothing here throws
// for a database failure, so a handler can always decide what to answer.

extension Builtins {
    static func handle(_ v: Value, _ fn: String) throws -> DatabaseHandle {
        if case .connection(let h) = v, let d = h as? DatabaseHandle { return d }
        throw typeError(fn, "a connection", v)
    }

    static func parameterArray(_ a: [Value], _ i: Int, _ fn: String) throws -> [Value] {
        guard a.count > i else { return [] }
        if case .array(let xs) = a[i] { return xs }
        throw typeError(fn, "an Array of parameters", a[i])
    }

    static let postgresFunctions: [BuiltinFunction] = [
        BuiltinFunction("connect", arity: 1...1) { a, _ in
            let url = try a.string(0, "connect")
            let database = Database.shared(url: url)
            // Reach the server now, even though connections are otherwise opened lazily.
            do {
                _ = try database.execute("SELECT 1", [])
            } catch let e as PostgresError {
                return .err(.string("Connection failed: \(e.message)"))
            }
            return .ok(.connection(DatabaseHandle(database: database)))
        },
        BuiltinFunction("query", arity: 2...3) { a, _ in
            switch try RowQuery.answer(a, "query") {
            case .ok(let table): return .ok(.array(table.rows))
            case .err(let e): return .err(e)
            }
        },
        BuiltinFunction("query_one", arity: 2...3) { a, _ in
            switch try RowQuery.answer(a, "query_one") {
            case .ok(let table): return .ok(table.firstRow)
            case .err(let e): return .err(e)
            }
        },
        BuiltinFunction("execute", arity: 2...3) { a, _ in
            let db = try handle(a[0], "execute")
            try QueryPrefetch.guardEffect()
            let sql = try a.string(1, "execute"), params = try parameterArray(a, 2, "execute")
            do {
                return .ok(.int(try db.execute(sql, params).affected))
            } catch let e as PostgresError {
                return .err(.string("Execute failed: \(e.message)"))
            }
        },
        BuiltinFunction("query_batch", arity: 3...3) { a, _ in
            let db = try handle(a[0], "query_batch")
            try QueryPrefetch.guardEffect()
            let sql = try a.string(1, "query_batch")
            let sets = try a.array(2, "query_batch").enumerated().map { i, v -> [Value] in
                if case .array(let xs) = v { return xs }
                throw RuntimeError("query_batch(): parameter set \(i + 1) must be an Array, got \(v.typeName)")
            }
            do {
                return .ok(.array(try db.executeBatch(sql, sets).map { .array($0.rows) }))
            } catch let e as PostgresError {
                return .err(.string("Query failed: \(e.message)"))
            }
        },
        BuiltinFunction("begin", arity: 1...1) { a, _ in
            let db = try handle(a[0], "begin")
            try QueryPrefetch.guardEffect()
            do {
                let s = try db.database.sessions.acquire()
                do {
                    try s.command("BEGIN")
                } catch {
                    db.database.sessions.release(s)
                    throw error
                }
                return .ok(.connection(DatabaseHandle(database: db.database, pinned: s)))
            } catch let e as PostgresError {
                return .err(.string("Query failed: \(e.message)"))
            }
        },
        BuiltinFunction("commit", arity: 1...1) { a, _ in try endTransaction(a[0], "COMMIT", "commit") },
        BuiltinFunction("rollback", arity: 1...1) { a, _ in try endTransaction(a[0], "ROLLBACK", "rollback") },
        BuiltinFunction("close", arity: 1...1) { a, _ in
            let db = try handle(a[0], "close")
            if let s = db.unpin() {
                try? s.command("ROLLBACK")
                db.database.sessions.release(s)
            }
            return .bool(true)
        },
    ]

    static func endTransaction(_ v: Value, _ sql: String, _ fn: String) throws -> Value {
        let db = try handle(v, fn)
        try QueryPrefetch.guardEffect()
        guard let s = db.unpin() else { return .err(.string("\(fn)(): no transaction in progress")) }
        defer { db.database.sessions.release(s) }
        do {
            // PostgreSQL answers COMMIT of a transaction an earlier statement broke with
            // "ROLLBACK", not an error: nothing was saved, so that is an Err here.
            if try s.command(sql) == "ROLLBACK" && sql == "COMMIT" {
                return .err(.string("commit(): the transaction was rolled back because a statement in it failed"))
            }
            return .bool(true)
        } catch let e as PostgresError {
            return .err(.string("Query failed: \(e.message)"))
        }
    }
}
