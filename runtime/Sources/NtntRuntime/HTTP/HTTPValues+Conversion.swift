// Between HTTP and ntnt values: the request map handlers receive and the response map they
// return (LANGUAGE.md §10.7).

#if canImport(Glibc)
import Glibc
#endif

/// What a handler reads of its request, so the server builds only that.
public enum RequestUse: Sendable {
    /// The handler ignores its argument.
    case none
    /// Only `req.params`.
    case params
    /// Only the body (`parse_json(req)`, `parse_form(req)`).
    case body
    case full
}

extension HTTPRequest {
    /// The request as an ntnt Map: method, path, url, query, query_params, params, headers,
    /// body, ip, id (or only what `use` says the handler reads).
    public func makeValue(parameters: [(name: String, value: String)], use: RequestUse) -> Value {
        switch use {
        case .none:
            return .unit
        case .params:
            var params = ValueMap()
            for (n, v) in parameters { params[n] = .string(v) }
            return .map(ValueMap([("params", .map(params))]))
        case .body:
            return .map(ValueMap([("body", .string(String(decoding: body, as: UTF8.self)))]))
        case .full:
            return makeValue(parameters: parameters)
        }
    }

    /// The request as an ntnt Map: method, path, url, query, query_params, params, headers,
    /// body, ip, id.
    public func makeValue(parameters: [(name: String, value: String)]) -> Value {
        var headerMap = ValueMap()
        for (n, v) in headers { headerMap[n] = .string(v) }
        var params = ValueMap()
        for (n, v) in parameters { params[n] = .string(v) }
        let q = query
        let id = header("x-request-id") ?? makeUUID()
        return .map(ValueMap([
            ("body", .string(String(decoding: body, as: UTF8.self))),
            ("headers", .map(headerMap)),
            ("id", .string(id)),
            ("ip", .string(remoteAddress)),
            ("method", .string(method)),
            ("params", .map(params)),
            ("path", .string(String(path))),
            ("query", .string(String(q))),
            ("query_params", .map(parseURLEncoded(String(q)))),
            ("url", .string(target)),
        ]))
    }
}

/// A random (version 4) UUID.
public func makeUUID() -> String {
    var bytes = (0..<16).map { _ in UInt8.random(in: 0...255) }
    bytes[6] = (bytes[6] & 0x0F) | 0x40
    bytes[8] = (bytes[8] & 0x3F) | 0x80
    let hex = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
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
    public init(value: Value) throws {
        guard case .map(let m) = value else {
            throw InvalidResponseError(message: "handler returned \(value.typeName), not a response Map")
        }
        var status = 200
        if let s = m["status"] {
            guard case .int(let code) = s, code >= 100, code <= 999 else {
                throw InvalidResponseError(message: "response status must be an Int from 100 to 999")
            }
            status = code
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
