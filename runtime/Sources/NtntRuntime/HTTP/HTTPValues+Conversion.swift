// Between HTTP and ntnt values: the request map handlers receive and the response map they
// return (LANGUAGE.md §10.7).

#if canImport(Glibc)
import Glibc
#endif
import CNtntSys

/// The fields of a request Map a handler reads, so the server builds only those (a field that
/// is not built is never read: the compiler proved it).
public struct RequestFields: OptionSet, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let method = RequestFields(rawValue: 1 << 0)
    public static let path = RequestFields(rawValue: 1 << 1)
    public static let url = RequestFields(rawValue: 1 << 2)
    public static let query = RequestFields(rawValue: 1 << 3)
    public static let queryParams = RequestFields(rawValue: 1 << 4)
    public static let params = RequestFields(rawValue: 1 << 5)
    public static let headers = RequestFields(rawValue: 1 << 6)
    public static let body = RequestFields(rawValue: 1 << 7)
    public static let ip = RequestFields(rawValue: 1 << 8)
    public static let id = RequestFields(rawValue: 1 << 9)
    public static let all = RequestFields(rawValue: (1 << 10) - 1)

    /// The request Map's key of each field.
    static let names: [(String, RequestFields)] = [
        ("body", .body), ("headers", .headers), ("id", .id), ("ip", .ip), ("method", .method), ("params", .params),
        ("path", .path), ("query", .query), ("query_params", .queryParams), ("url", .url),
    ]

    /// The fields named (names that are not request fields are ignored: no request has them).
    public init(names: some Sequence<String>) {
        var f: RequestFields = []
        for n in names { if let (_, field) = RequestFields.names.first(where: { $0.0 == n }) { f.insert(field) } }
        self = f
    }
}

/// What the server may assume of a function registered as a handler or middleware (from the
/// program analysis of both backends).
public struct HandlerFacts: Sendable {
    /// Calling it may block: it must run on a worker, not on an event loop.
    public var blocks: Bool
    /// The request fields it reads.
    public var fields: RequestFields
    /// Its response is always the same (computed once, at start-up).
    public var isConstant: Bool
    /// The request fields it needs as middleware: fewer than `fields` when it passes its
    /// request on unchanged (`… ; req`), which replaces nothing, where a handler returning its
    /// request answers with the whole Map.
    public var middlewareFields: RequestFields

    public init(blocks: Bool, fields: RequestFields, isConstant: Bool, middlewareFields: RequestFields? = nil) {
        self.blocks = blocks
        self.fields = fields
        self.isConstant = isConstant
        self.middlewareFields = middlewareFields ?? fields
    }

    /// What is assumed of a function nothing is known about.
    public static let unknown = HandlerFacts(blocks: true, fields: .all, isConstant: false)
}

extension HTTPRequest {
    /// The request as an ntnt Map with the fields `fields` (LANGUAGE.md §10.7: method, path,
    /// url, query, query_params, params, headers, body, ip, id); `.unit` when none is read.
    public func makeValue(parameters: [(name: String, value: String)], fields: RequestFields) -> Value {
        if fields.isEmpty { return .unit }
        var keys: [String] = []
        var values: [Value] = []
        keys.reserveCapacity(10)
        values.reserveCapacity(10)
        func add(_ key: String, _ value: Value) {
            keys.append(key)
            values.append(value)
        }
        // In ascending key order (each key once), so the map needs no sorting.
        if fields.contains(.body) { add("body", .string(String(decoding: body, as: UTF8.self))) }
        if fields.contains(.headers) {
            var headerMap = ValueMap()
            for (n, v) in headers { headerMap[n] = .string(v) }
            add("headers", .map(headerMap))
        }
        if fields.contains(.id) { add("id", .string(requestID ?? header("x-request-id") ?? makeUUID())) }
        if fields.contains(.ip) { add("ip", .string(remoteAddress)) }
        if fields.contains(.method) { add("method", .string(method)) }
        if fields.contains(.params) {
            var params = ValueMap()
            for (n, v) in parameters { params[n] = .string(v) }
            add("params", .map(params))
        }
        if fields.contains(.path) { add("path", .string(String(path))) }
        if fields.contains(.query) { add("query", .string(String(query))) }
        if fields.contains(.queryParams) { add("query_params", .map(parseURLEncoded(String(query)))) }
        if fields.contains(.url) { add("url", .string(target)) }
        return .map(ValueMap(sortedKeys: keys, values: values))
    }

    /// The whole request as an ntnt Map.
    public func makeValue(parameters: [(name: String, value: String)]) -> Value {
        makeValue(parameters: parameters, fields: .all)
    }
}

/// A random (version 4) UUID, from the calling thread's generator (no syscall per id).
public func makeUUID() -> String {
    var bytes = [UInt8](repeating: 0, count: 16)
    var a = ntnt_random_u64(), b = ntnt_random_u64()
    for i in 0..<8 { bytes[i] = UInt8(truncatingIfNeeded: a); a >>= 8 }
    for i in 8..<16 { bytes[i] = UInt8(truncatingIfNeeded: b); b >>= 8 }
    bytes[6] = (bytes[6] & 0x0F) | 0x40
    bytes[8] = (bytes[8] & 0x3F) | 0x80
    let hex = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(36)
    for (i, b) in bytes.enumerated() {
        if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
        out.append(hex[Int(b >> 4)])
        out.append(hex[Int(b & 15)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// Why a handler's return value is not a response.
public struct InvalidResponseError: Error {
    public let message: String
}

extension HTTPResponse {
    /// Builds a response from a handler's return value: a Map with `status` (default 200),
    /// `headers` (default none) and `body` (default `""`).
    static let invalidStatus = InvalidResponseError(message: "response status must be an Int from 100 to 999")

    /// A response status as handlers may give it (the builders' answers are checked alike).
    static func checkedStatus(_ code: Int) throws -> Int {
        guard code >= 100, code <= 999 else { throw invalidStatus }
        return code
    }

    public init(value: Value) throws {
        guard case .map(let m) = value else {
            throw InvalidResponseError(message: "handler returned \(value.typeName), not a response Map")
        }
        var status = 200
        if let s = m["status"] {
            guard case .int(let code) = s else { throw HTTPResponse.invalidStatus }
            status = try HTTPResponse.checkedStatus(code)
        }
        var headers: [(name: String, value: String)] = []
        if case .map(let h)? = m["headers"] {
            headers.reserveCapacity(h.count)
            for i in 0..<h.count {
                let name = h.keys[i]
                // Builders already use lower-case names; only lower-case when needed.
                let lower = name.utf8.contains { $0 >= 65 && $0 <= 90 } ? name.lowercased() : name
                headers.append((lower, templateText(h.values[i])))
            }
        }
        var body: [UInt8] = []
        switch m["body"] {
        case .string(let s)?: body = Array(s.utf8)
        case nil, .none?, .unit?: break
        case let other?: body = Array(other.displayString.utf8)
        }
        self.init(status: status, headers: headers, body: body)
    }
}
