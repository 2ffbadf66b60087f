// One libpq connection: prepared statements cached by SQL text, typed results, and pipeline
// batches (many queries, one round trip).
//
// All calls block; they run on worker threads, never on an event loop. Results come back in
// text format and are converted by column type OID (LANGUAGE.md §10.8), so NULL, ints,
// floats, booleans and JSON arrive as the matching ntnt values.

#if canImport(Glibc)
import Glibc
#endif
import CLibPQ

/// A failure talking to PostgreSQL; `message` is libpq's, trimmed.
public struct PostgresError: Error {
    public let message: String
    /// The connection is unusable afterwards (it will be discarded).
    public let connectionBroken: Bool
}

/// A single PostgreSQL session.
final class PostgresConnection {
    private let conn: OpaquePointer
    private var statements: [String: String] = [:]
    /// True while a transaction (begin) holds this connection.
    var inTransaction = false

    /// Connects (blocking). Throws with libpq's message on failure.
    init(url: String) throws {
        guard let c = PQconnectdb(url) else {
            throw PostgresError(message: "out of memory", connectionBroken: true)
        }
        if PQstatus(c) != CONNECTION_OK {
            let message = PostgresConnection.errorText(c)
            PQfinish(c)
            throw PostgresError(message: message, connectionBroken: true)
        }
        conn = c
        // Fixed, predictable output formats for dates and times.
        if let r = PQexec(conn, "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'") { PQclear(r) }
    }

    deinit { PQfinish(conn) }

    var isBroken: Bool { PQstatus(conn) != CONNECTION_OK }

    static func errorText(_ c: OpaquePointer?) -> String {
        guard let c, let p = PQerrorMessage(c) else { return "unknown error" }
        var s = String(cString: p)
        while let last = s.last, last == "\n" || last == " " { s.removeLast() }
        return s.isEmpty ? "unknown error" : s
    }

    private func failure() -> PostgresError {
        PostgresError(message: PostgresConnection.errorText(conn), connectionBroken: isBroken)
    }

    /// The server-side name of the prepared statement for `sql`, preparing it on first use.
    private func statementName(_ sql: String, parameterCount: Int) throws -> String {
        if let name = statements[sql] { return name }
        let name = "ntnt_\(statements.count)"
        guard let r = PQprepare(conn, name, sql, Int32(parameterCount), nil) else { throw failure() }
        defer { PQclear(r) }
        if PQresultStatus(r) != PGRES_COMMAND_OK {
            throw PostgresError(message: PostgresConnection.resultError(r) ?? PostgresConnection.errorText(conn), connectionBroken: isBroken)
        }
        statements[sql] = name
        return name
    }

    static func resultError(_ r: OpaquePointer) -> String? {
        guard let p = PQresultErrorMessage(r) else { return nil }
        var s = String(cString: p)
        while let last = s.last, last == "\n" || last == " " { s.removeLast() }
        return s.isEmpty ? nil : s
    }

    /// Text forms of the parameters (nil = NULL).
    static func encodeParameters(_ params: [Value]) throws -> [String?] {
        try params.enumerated().map { i, v in
            switch v {
            case .none, .unit: return nil
            case .bool(let b): return b ? "true" : "false"
            case .int(let n): return String(n)
            case .float(let d): return d.isFinite ? formatFloatForJSON(d) : (d.isNaN ? "NaN" : (d > 0 ? "Infinity" : "-Infinity"))
            case .string(let s): return s
            case .some(let x), .ok(let x): return try encodeParameters([x])[0]
            case .array, .map: return JSONWriter.stringify(v)
            default: throw PostgresError(message: "parameter \(i + 1) has unsupported type \(v.typeName)", connectionBroken: false)
            }
        }
    }

    /// Runs `body` with C string pointers for the parameters.
    private func withParameterPointers<R>(_ texts: [String?], _ body: ([UnsafePointer<CChar>?]) throws -> R) rethrows -> R {
        var storage: [UnsafeMutablePointer<CChar>?] = texts.map { $0.map { strdup($0) } ?? nil }
        defer { for p in storage { free(p) } }
        return try storage.withUnsafeMutableBufferPointer { buf in
            try body(buf.map { UnsafePointer($0) })
        }
    }

    /// Executes `sql` with `params`; returns the rows and the affected-row count.
    func execute(_ sql: String, _ params: [Value]) throws -> (rows: [Value], affected: Int) {
        let texts = try PostgresConnection.encodeParameters(params)
        let name = try statementName(sql, parameterCount: texts.count)
        let result: OpaquePointer? = withParameterPointers(texts) { ptrs in
            PQexecPrepared(conn, name, Int32(ptrs.count), ptrs, nil, nil, 0)
        }
        guard let r = result else { throw failure() }
        defer { PQclear(r) }
        return try PostgresConnection.decode(r, conn: self)
    }

    /// Runs a plain command (BEGIN, COMMIT, ROLLBACK).
    func command(_ sql: String) throws {
        guard let r = PQexec(conn, sql) else { throw failure() }
        defer { PQclear(r) }
        let status = PQresultStatus(r)
        if status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK {
            throw PostgresError(message: PostgresConnection.resultError(r) ?? PostgresConnection.errorText(conn), connectionBroken: isBroken)
        }
    }

    /// Runs `sql` once per parameter set in one pipeline (one network round trip).
    func executeBatch(_ sql: String, _ paramSets: [[Value]]) throws -> [[Value]] {
        if paramSets.isEmpty { return [] }
        let encoded = try paramSets.map { try PostgresConnection.encodeParameters($0) }
        let name = try statementName(sql, parameterCount: encoded[0].count)
        guard PQenterPipelineMode(conn) == 1 else { throw failure() }
        var sendFailed = false
        for texts in encoded {
            let ok = withParameterPointers(texts) { ptrs in
                PQsendQueryPrepared(conn, name, Int32(ptrs.count), ptrs, nil, nil, 0)
            }
            if ok != 1 { sendFailed = true; break }
        }
        if sendFailed || PQpipelineSync(conn) != 1 {
            let e = failure()
            _ = PQexitPipelineMode(conn)
            throw e
        }
        var results: [[Value]] = []
        results.reserveCapacity(encoded.count)
        var firstError: PostgresError? = nil
        // Each query yields its result then a NULL; the sync point ends the pipeline.
        while true {
            guard let r = PQgetResult(conn) else {
                if isBroken { firstError = firstError ?? failure(); break }
                continue
            }
            let status = PQresultStatus(r)
            if status == PGRES_PIPELINE_SYNC {
                PQclear(r)
                break
            }
            if status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK {
                if let rows = try? PostgresConnection.decode(r, conn: self).rows { results.append(rows) }
            } else if firstError == nil {
                firstError = PostgresError(message: PostgresConnection.resultError(r) ?? PostgresConnection.errorText(conn), connectionBroken: isBroken)
            }
            PQclear(r)
        }
        _ = PQexitPipelineMode(conn)
        if let e = firstError { throw e }
        return results
    }

    // MARK: - Results

    static func decode(_ r: OpaquePointer, conn: PostgresConnection) throws -> (rows: [Value], affected: Int) {
        let status = PQresultStatus(r)
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK else {
            throw PostgresError(message: resultError(r) ?? errorText(conn.conn), connectionBroken: conn.isBroken)
        }
        let affected = Int(String(cString: PQcmdTuples(r))) ?? 0
        let rowCount = Int(PQntuples(r))
        let columnCount = Int(PQnfields(r))
        if rowCount == 0 { return ([], affected) }
        var names: [String] = []
        var types: [UInt32] = []
        for c in 0..<columnCount {
            names.append(String(cString: PQfname(r, Int32(c))))
            types.append(UInt32(PQftype(r, Int32(c))))
        }
        // Column names sorted once; each row is then built in key order without searching.
        let order = (0..<columnCount).sorted { compareKeys(names[$0], names[$1]) < 0 }
        var rows: [Value] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var m = ValueMap()
            for c in order {
                let value: Value
                if PQgetisnull(r, Int32(row), Int32(c)) == 1 {
                    value = .none
                } else {
                    let p = PQgetvalue(r, Int32(row), Int32(c))!
                    let length = Int(PQgetlength(r, Int32(row), Int32(c)))
                    value = decodeField(UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), length, type: types[c])
                }
                m.appendSorted(names[c], value)
            }
            rows.append(.map(m))
        }
        return (rows, affected)
    }

    /// Converts one text-format field by its type OID.
    static func decodeField(_ p: UnsafePointer<UInt8>, _ length: Int, type: UInt32) -> Value {
        let bytes = UnsafeBufferPointer(start: p, count: length)
        switch type {
        case 20, 21, 23, 26:  // int8, int2, int4, oid
            var n = 0
            var negative = false
            for (i, b) in bytes.enumerated() {
                if i == 0 && b == UInt8(ascii: "-") { negative = true; continue }
                n = n &* 10 &+ Int(b &- 48)
            }
            return .int(negative ? -n : n)
        case 700, 701, 1700:  // float4, float8, numeric
            let text = String(decoding: bytes, as: UTF8.self)
            if let d = Double(text) { return .float(d) }
            switch text {
            case "NaN": return .float(.nan)
            case "Infinity": return .float(.infinity)
            case "-Infinity": return .float(-.infinity)
            default: return .string(text)
            }
        case 16:  // bool
            return .bool(length > 0 && p[0] == UInt8(ascii: "t"))
        case 114, 3802:  // json, jsonb
            switch JSONParser.parse(bytes: Array(bytes)) {
            case .success(let v): return v
            case .failure: return .string(String(decoding: bytes, as: UTF8.self))
            }
        case 1114:  // timestamp: `2024-01-02 03:04:05[.fff]` → `2024-01-02T03:04:05[.fff]`
            var s = Array(bytes)
            if s.count > 10 && s[10] == 0x20 { s[10] = UInt8(ascii: "T") }
            return .string(String(decoding: s, as: UTF8.self))
        case 1184:  // timestamptz in UTC: `… 03:04:05+00` → RFC 3339 `…T03:04:05+00:00`
            var s = Array(bytes)
            if s.count > 10 && s[10] == 0x20 { s[10] = UInt8(ascii: "T") }
            if s.count >= 3, s[s.count - 3] == UInt8(ascii: "+") || s[s.count - 3] == UInt8(ascii: "-") {
                s.append(contentsOf: ":00".utf8)
            }
            return .string(String(decoding: s, as: UTF8.self))
        default:  // text, varchar, char, name, uuid, date and every other type: their text form
            return .string(String(decoding: bytes, as: UTF8.self))
        }
    }
}
