// std/http/server as values (§10.7): response builders, form parsing and the route
// registration builtins. Responses are plain Maps `{status, headers, body}`, so handlers can
// build and inspect them like any other value; the server turns them into bytes.

extension Builtins {
    static let noCache: Value = .string("no-cache, no-store, must-revalidate")
    static let textPlain: Value = .string("text/plain; charset=utf-8")
    // The builders' fixed header maps, made once (a response shares them until it is changed).
    static let textHeaders: [(String, Value)] = [("content-type", textPlain), ("cache-control", noCache)]
    static let htmlHeaders: [(String, Value)] = [("content-type", .string("text/html; charset=utf-8")),
                                                 ("cache-control", noCache), ("pragma", .string("no-cache"))]
    static let jsonHeaders: [(String, Value)] = [("content-type", .string("application/json")), ("cache-control", noCache)]
    static let plainHeaders: [(String, Value)] = [("content-type", textPlain)]
    static let textHeaderMap = Value.map(ValueMap(textHeaders))
    static let htmlHeaderMap = Value.map(ValueMap(htmlHeaders))
    static let jsonHeaderMap = Value.map(ValueMap(jsonHeaders))
    static let plainHeaderMap = Value.map(ValueMap(plainHeaders))

    /// A response map with the given status, headers and body.
    public static func makeResponse(status: Int, headers: [(String, Value)], body: String) -> Value {
        makeResponse(status: status, headerMap: .map(ValueMap(headers)), body: body)
    }

    /// A response map with a header map already made.
    @inlinable
    public static func makeResponse(status: Int, headerMap: Value, body: String) -> Value {
        .map(ValueMap(sortedKeys: ["body", "headers", "status"], values: [.string(body), headerMap, .int(status)]))
    }

    /// `json(map { … }, status)` compiled with the map's JSON text written directly: the same
    /// response (and the same status errors) as the builder.
    public static func jsonResponse(_ body: [UInt8], status: Value?) throws -> Value {
        let code = try statusArgument(status, "json", default: 200)
        return makeResponse(status: code, headerMap: jsonHeaderMap, body: String(decoding: body, as: UTF8.self))
    }

    /// A builder's body argument (the Map builders and `ResponseBuilder` check it alike).
    static func bodyArgument(_ v: Value, _ fn: String) throws -> String {
        if case .string(let s) = v { return s }
        throw RuntimeError("\(fn)(): body must be a String")
    }

    /// A builder's optional status argument.
    static func statusArgument(_ s: Value?, _ fn: String, default d: Int) throws -> Int {
        guard let s else { return d }
        if case .int(let n) = s { return n }
        throw typeError(fn, "Int", s)
    }

    private static func bodyArg(_ a: [Value], _ i: Int, _ fn: String) throws -> String {
        try bodyArgument(a[i], fn)
    }

    private static func statusArg(_ a: [Value], _ i: Int, _ fn: String, default d: Int) throws -> Int {
        try statusArgument(a.count > i ? a[i] : nil, fn, default: d)
    }

    static let httpFunctions: [BuiltinFunction] = [
        BuiltinFunction("text", arity: 1...2) { a, _ in
            makeResponse(status: try statusArg(a, 1, "text", default: 200),
                         headerMap: textHeaderMap, body: try bodyArg(a, 0, "text"))
        },
        BuiltinFunction("html", arity: 1...2) { a, _ in
            makeResponse(status: try statusArg(a, 1, "html", default: 200),
                         headerMap: htmlHeaderMap, body: try bodyArg(a, 0, "html"))
        },
        BuiltinFunction("json", arity: 1...2) { a, _ in
            makeResponse(status: try statusArg(a, 1, "json", default: 200),
                         headerMap: jsonHeaderMap, body: JSONWriter.stringify(a[0]))
        },
        BuiltinFunction("redirect", arity: 1...2) { a, _ in
            makeResponse(status: try statusArg(a, 1, "redirect", default: 302),
                         headers: [("location", .string(try a.string(0, "redirect")))], body: "")
        },
        BuiltinFunction("status", arity: 2...2) { a, _ in
            makeResponse(status: try a.int(0, "status"), headerMap: plainHeaderMap, body: try bodyArg(a, 1, "status"))
        },
        BuiltinFunction("not_found", arity: 0...1) { a, _ in
            makeResponse(status: 404, headerMap: plainHeaderMap, body: a.isEmpty ? "Not Found" : try bodyArg(a, 0, "not_found"))
        },
        BuiltinFunction("error", arity: 0...1) { a, _ in
            makeResponse(status: 500, headerMap: plainHeaderMap,
                         body: a.isEmpty ? "Internal Server Error" : try bodyArg(a, 0, "error"))
        },
        BuiltinFunction("response", arity: 3...3) { a, _ in
            let given = try a.map(1, "response")
            var headers: [(String, Value)] = []
            for i in 0..<given.count { headers.append((given.keys[i].lowercased(), given.values[i])) }
            return makeResponse(status: try a.int(0, "response"), headers: headers, body: try bodyArg(a, 2, "response"))
        },
        BuiltinFunction("parse_form", arity: 1...1) { a, _ in
            .map(parseURLEncoded(try bodyText(a[0], "parse_form")))
        },
    ]

    static let serverFunctions: [BuiltinFunction] = {
        var fs: [BuiltinFunction] = []
        for method in ["get", "post", "put", "patch", "delete"] {
            fs.append(BuiltinFunction(method, arity: 2...2) { a, ctx in
                let pattern = try a.string(0, method)
                guard case .function = a[1] else { throw typeError(method, "a handler function", a[1]) }
                try ctx.registerRoute(method.uppercased(), pattern, a[1])
                return .unit
            })
        }
        fs.append(BuiltinFunction("listen", arity: 1...1) { a, ctx in try ctx.serverCall("listen", a) })
        fs.append(BuiltinFunction("serve_static", arity: 2...2) { a, ctx in try ctx.serverCall("serve_static", a) })
        fs.append(BuiltinFunction("use_middleware", arity: 1...1) { a, ctx in try ctx.serverCall("use_middleware", a) })
        return fs
    }()
}

/// Decodes `application/x-www-form-urlencoded` text (also query strings): split on `&`, then
/// on the first `=`; `+` is a space, `%XX` is decoded; a part without `=` maps to `""`.
public func parseURLEncoded(_ text: String) -> ValueMap {
    var m = ValueMap()
    for part in text.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
        if let eq = part.firstIndex(of: UInt8(ascii: "=")) {
            m[percentDecode(part[part.startIndex..<eq], plusAsSpace: true)] =
                .string(percentDecode(part[part.index(after: eq)...], plusAsSpace: true))
        } else {
            m[percentDecode(part, plusAsSpace: true)] = .string("")
        }
    }
    return m
}

/// Percent-decodes bytes; invalid escapes are kept as is, invalid UTF-8 is repaired.
public func percentDecode<C: Collection>(_ bytes: C, plusAsSpace: Bool) -> String where C.Element == UInt8 {
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var i = bytes.startIndex
    func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 65...70: return c - 55
        case 97...102: return c - 87
        default: return nil
        }
    }
    while i != bytes.endIndex {
        let c = bytes[i]
        if c == UInt8(ascii: "%") {
            let j = bytes.index(after: i)
            if j != bytes.endIndex, let hi = hex(bytes[j]) {
                let k = bytes.index(after: j)
                if k != bytes.endIndex, let lo = hex(bytes[k]) {
                    out.append(hi << 4 | lo)
                    i = bytes.index(after: k)
                    continue
                }
            }
            out.append(c)
        } else if c == UInt8(ascii: "+") && plusAsSpace {
            out.append(0x20)
        } else {
            out.append(c)
        }
        i = bytes.index(after: i)
    }
    return String(decoding: out, as: UTF8.self)
}

/// Percent-encodes UTF-8 bytes except `A-Za-z0-9-_.~` (uppercase hex), the `url_encode` filter.
public func percentEncode(_ s: String) -> String {
    let hexDigits = Array("0123456789ABCDEF".utf8)
    var out: [UInt8] = []
    for b in s.utf8 {
        switch b {
        case 48...57, 65...90, 97...122, UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
            out.append(b)
        default:
            out.append(UInt8(ascii: "%"))
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 15)])
        }
    }
    return String(decoding: out, as: UTF8.self)
}
