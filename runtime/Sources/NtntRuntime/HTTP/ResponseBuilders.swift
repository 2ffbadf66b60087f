// The std/http/server builders as typed responses, for compiled route handlers that return a
// builder's answer directly: the same argument checks (in the same order), the same status
// check and the same bytes on the wire as the builder's Map after `HTTPResponse(value:)`, but
// no Map is made and the builders' fixed headers are formatted once.

/// The builders' fixed header lines (`name: value\r\n` each), in the order their header Maps
/// give them, so a typed answer and the Map's answer are the same bytes.
enum FixedHeaders {
    static func format(_ headers: Value) -> [UInt8] {
        guard case .map(let m) = headers else { return [] }
        var out: [UInt8] = []
        for i in 0..<m.count { HTTPResponseWriter.appendHeaderLine(m.keys[i], templateText(m.values[i]), to: &out) }
        return out
    }

    static let text = format(Builtins.textHeaderMap)
    static let html = format(Builtins.htmlHeaderMap)
    static let json = format(Builtins.jsonHeaderMap)
    static let plain = format(Builtins.plainHeaderMap)
}

/// `text`, `html`, `json`, `status`, `error`, `not_found` and `redirect` answering directly.
public enum ResponseBuilder {
    /// `json(x, status)` with the JSON text of `x` already written.
    public static func json(_ body: [UInt8], status: Value?) throws -> HTTPResponse {
        try make(status: statusArgument(status, "json", default: 200), FixedHeaders.json, body)
    }

    /// `json(x, status)`.
    public static func json(value: Value, status: Value?) throws -> HTTPResponse {
        let code = try statusArgument(status, "json", default: 200)
        var body: [UInt8] = []
        body.reserveCapacity(64)
        JSONWriter.write(value, to: &body)
        return try make(status: code, FixedHeaders.json, body)
    }

    /// `text(body, status)`.
    public static func text(_ body: Value, status: Value?) throws -> HTTPResponse {
        let code = try statusArgument(status, "text", default: 200)
        return try make(status: code, FixedHeaders.text, try bodyArgument(body, "text"))
    }

    /// `html(body, status)`.
    public static func html(_ body: Value, status: Value?) throws -> HTTPResponse {
        let code = try statusArgument(status, "html", default: 200)
        return try make(status: code, FixedHeaders.html, try bodyArgument(body, "html"))
    }

    /// `status(code, body)`.
    public static func status(_ code: Value, _ body: Value) throws -> HTTPResponse {
        let c = try Builtins.statusArgument(code, "status", default: 0)
        return try make(status: c, FixedHeaders.plain, try bodyArgument(body, "status"))
    }

    /// `error(body)` (500) and `not_found(body)` (404); nil: the builder's default text.
    public static func error(_ body: Value?) throws -> HTTPResponse {
        try make(status: 500, FixedHeaders.plain, body.map { try bodyArgument($0, "error") } ?? Array("Internal Server Error".utf8))
    }

    public static func notFound(_ body: Value?) throws -> HTTPResponse {
        try make(status: 404, FixedHeaders.plain, body.map { try bodyArgument($0, "not_found") } ?? Array("Not Found".utf8))
    }

    /// `redirect(location, status)`.
    public static func redirect(_ location: Value, status: Value?) throws -> HTTPResponse {
        let code = try statusArgument(status, "redirect", default: 302)
        guard case .string(let target) = location else { throw typeError("redirect", "String", location) }
        return HTTPResponse(status: try HTTPResponse.checkedStatus(code), headers: [("location", target)], body: [])
    }

    private static func make(status: Int, _ head: [UInt8], _ body: [UInt8]) throws -> HTTPResponse {
        HTTPResponse(status: try HTTPResponse.checkedStatus(status), fixedHeaders: head, body: body)
    }

    private static func statusArgument(_ s: Value?, _ fn: String, default d: Int) throws -> Int {
        try Builtins.statusArgument(s, fn, default: d)
    }

    private static func bodyArgument(_ v: Value, _ fn: String) throws -> [UInt8] {
        Array(try Builtins.bodyArgument(v, fn).utf8)
    }
}
