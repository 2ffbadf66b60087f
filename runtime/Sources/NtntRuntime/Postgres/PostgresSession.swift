// A blocking libpq session of its own, for transactions: `begin` pins one so that every
// statement up to `commit`/`rollback` runs on the same backend, outside the shared pipelines.
// Its calls block the worker that holds the transaction, which is what a transaction means.

#if canImport(Glibc)
import Glibc
#endif
import CLibPQ

/// A failure talking to PostgreSQL; `message` is libpq's or the server's, trimmed.
public struct PostgresError: Error {
    public let message: String
    /// The connection is unusable afterwards (it will be discarded).
    public let connectionBroken: Bool
}

/// One PostgreSQL session in blocking mode.
final class PostgresSession {
    private let conn: OpaquePointer
    private let settings: PostgresSettings
    private var statements: [String: String] = [:]

    /// Connects (blocking) and applies the session settings. Throws with libpq's message.
    init(settings: PostgresSettings) throws {
        self.settings = settings
        guard let c = PQconnectdb(settings.url) else {
            throw PostgresError(message: "out of memory", connectionBroken: true)
        }
        conn = c
        silenceNotices(c)
        if PQstatus(c) != CONNECTION_OK {
            let message = PostgresSession.errorText(c)
            PQfinish(c)
            throw PostgresError(message: message, connectionBroken: true)
        }
        for sql in settings.sessionSetup { try command(sql) }
    }

    deinit { PQfinish(conn) }

    var isBroken: Bool { PQstatus(conn) != CONNECTION_OK }

    static func errorText(_ c: OpaquePointer?) -> String {
        guard let c, let p = PQerrorMessage(c) else { return "unknown error" }
        return trimmed(String(cString: p)) ?? "unknown error"
    }

    static func resultError(_ r: OpaquePointer) -> String? {
        guard let p = PQresultErrorMessage(r) else { return nil }
        return trimmed(String(cString: p))
    }

    private static func trimmed(_ text: String) -> String? {
        var s = text
        while let last = s.last, last == "\n" || last == " " { s.removeLast() }
        return s.isEmpty ? nil : s
    }

    /// The error of a result that is not TUPLES_OK/COMMAND_OK, or nil.
    private func failure(of r: OpaquePointer?) -> PostgresError? {
        guard let r else { return PostgresError(message: PostgresSession.errorText(conn), connectionBroken: isBroken) }
        let status = PQresultStatus(r)
        if status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK { return nil }
        return PostgresError(message: PostgresSession.resultError(r) ?? PostgresSession.errorText(conn), connectionBroken: isBroken)
    }

    /// The server-side name of the prepared statement for `sql`, preparing it on first use.
    private func statementName(_ sql: String, parameterCount: Int) throws -> String {
        if let name = statements[sql] { return name }
        let name = "ntnt_\(statements.count)"
        let r = PQprepare(conn, name, sql, Int32(parameterCount), nil)
        defer { if let r { PQclear(r) } }
        if let e = failure(of: r) { throw e }
        statements[sql] = name
        return name
    }

    /// Executes `sql` with `params`; returns the rows and the affected-row count.
    func execute(_ sql: String, _ params: [Value]) throws -> ResultTable {
        let texts = try PostgresValues.encodeParameters(params)
        let name = settings.prepare ? try statementName(sql, parameterCount: texts.count) : nil
        let result: OpaquePointer? = withParameterPointers(texts) { ptrs in
            if let name { return PQexecPrepared(conn, name, Int32(ptrs.count), ptrs, nil, nil, 0) }
            return PQexecParams(conn, sql, Int32(ptrs.count), nil, ptrs, nil, nil, 0)
        }
        defer { if let result { PQclear(result) } }
        if let e = failure(of: result) { throw e }
        return PostgresValues.decode(result!)
    }

    /// Runs a plain command (BEGIN, COMMIT, ROLLBACK, SET).
    /// Runs a statement without parameters; returns its command tag ("COMMIT", "ROLLBACK", …).
    @discardableResult
    func command(_ sql: String) throws -> String {
        let r = PQexec(conn, sql)
        defer { if let r { PQclear(r) } }
        if let e = failure(of: r) { throw e }
        return r.flatMap { PQcmdStatus($0) }.map { String(cString: $0) } ?? ""
    }
}

/// Runs `body` with C string pointers for `texts` (nil = NULL), valid during the call.
func withParameterPointers<R>(_ texts: [String?], _ body: ([UnsafePointer<CChar>?]) throws -> R) rethrows -> R {
    var storage: [UnsafeMutablePointer<CChar>?] = texts.map { $0.map { strdup($0) } ?? nil }
    defer { for p in storage { free(p) } }
    return try storage.withUnsafeMutableBufferPointer { buf in
        try body(buf.map { UnsafePointer($0) })
    }
}

/// Server notices (`NOTICE: table … does not exist, skipping`) are not errors; libpq would
/// print them on stderr.
func silenceNotices(_ c: OpaquePointer) {
    PQsetNoticeProcessor(c, { _, _ in }, nil)
}
