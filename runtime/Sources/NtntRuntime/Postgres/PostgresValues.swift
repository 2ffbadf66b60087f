// Values across the wire: ntnt parameters to their text forms, and text-format results to
// ntnt values by column type OID (LANGUAGE.md §10.8), so NULL, ints, floats, booleans and JSON
// arrive as the matching values. Shared by the pipelined connections and transaction sessions.

import CLibPQ

enum PostgresValues {
    /// Text forms of the parameters (nil = NULL).
    static func encodeParameters(_ params: [Value]) throws -> [String?] {
        try params.enumerated().map { i, v in
            switch v {
            case .none, .unit: return nil
            case .bool(let b): return b ? "true" : "false"
            case .int(let n): return String(n)
            case .float(let d): return d.isFinite ? formatFloatForJSON(d) : (d.isNaN ? "NaN" : (d > 0 ? "Infinity" : "-Infinity"))
            case .string(let s): return s
            case .some(let x), .ok(let x): return try PostgresValues.encodeParameters([x])[0]
            case .array, .map: return JSONWriter.stringify(v)
            default: throw PostgresError(message: "parameter \(i + 1) has unsupported type \(v.typeName)", connectionBroken: false)
            }
        }
    }

    /// The answer of a successful result (TUPLES_OK or COMMAND_OK): its columns and cells.
    static func decode(_ r: OpaquePointer) -> ResultTable {
        let affected = Int(String(cString: PQcmdTuples(r))) ?? 0
        let rowCount = Int(PQntuples(r))
        let columnCount = Int(PQnfields(r))
        var names: [String] = []
        var types: [UInt32] = []
        names.reserveCapacity(columnCount)
        types.reserveCapacity(columnCount)
        for c in 0..<columnCount {
            names.append(String(cString: PQfname(r, Int32(c))))
            types.append(UInt32(PQftype(r, Int32(c))))
        }
        var cells: [Value] = []
        cells.reserveCapacity(rowCount * columnCount)
        for row in 0..<Int32(rowCount) {
            for c in 0..<Int32(columnCount) {
                if PQgetisnull(r, row, c) == 1 {
                    cells.append(.none)
                } else {
                    let p = PQgetvalue(r, row, c)!
                    let length = Int(PQgetlength(r, row, c))
                    cells.append(decodeField(UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), length, type: types[Int(c)]))
                }
            }
        }
        return ResultTable(columns: names, types: types, rowCount: rowCount, cells: cells, affected: affected)
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
