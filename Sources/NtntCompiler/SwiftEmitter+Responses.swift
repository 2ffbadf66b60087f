// What a route's response entry returns: a typed `HTTPResponse`. A return of a response
// builder's call (`json`, `text`, `html`, `status`, `error`, `not_found`, `redirect` of
// std/http/server, by any name bound to it) makes the response directly; any other value is
// converted exactly as the server converts a handler's answer.

import NtntSema
import NtntSyntax

/// A JSON body written straight into bytes: the buffer's name and the status argument.
struct JSONBody {
    var bytes: String
    var status: String
}

extension SwiftEmitter {
    /// The builders that answer directly, with the argument counts they take.
    static let responseBuilders: [String: ClosedRange<Int>] = [
        "json": 1...2, "text": 1...2, "html": 1...2, "redirect": 1...2, "status": 2...2, "error": 0...1, "not_found": 0...1,
    ]

    /// Returns a function's value: as it is, or as a typed response in a response entry.
    func returnLine(_ value: String) {
        line(returnsResponse ? "return try HTTPResponse(value: \(value))" : "return \(value)")
    }

    /// `e` as an `HTTPResponse` (the value a response entry returns).
    func responseExpr(_ e: Expr) throws -> String {
        if case let .call(callee, args, _) = e, let std = stdCallee(callee), std.path == "std/http/server",
           let arity = Self.responseBuilders[std.name], arity.contains(args.count) {
            return try responseBuilder(std, args)
        }
        return "(try HTTPResponse(value: \(try expr(e))))"
    }

    private func responseBuilder(_ std: (path: String, name: String, namespace: Bool), _ args: [Expr]) throws -> String {
        if std.namespace { line("try requireCallable(\(stdFunctionConstant(std)))") }
        if std.name == "json", let body = try jsonBody(args) {
            return "(try ResponseBuilder.json(\(body.bytes), status: \(body.status)))"
        }
        let xs = try builtinArguments(std.name, args)
        let second = xs.count > 1 ? xs[1] : "nil"
        switch std.name {
        case "json": return "(try ResponseBuilder.json(value: \(xs[0]), status: \(second)))"
        case "text": return "(try ResponseBuilder.text(\(xs[0]), status: \(second)))"
        case "html": return "(try ResponseBuilder.html(\(xs[0]), status: \(second)))"
        case "redirect": return "(try ResponseBuilder.redirect(\(xs[0]), status: \(second)))"
        case "status": return "(try ResponseBuilder.status(\(xs[0]), \(xs[1])))"
        case "error": return "(try ResponseBuilder.error(\(xs.first ?? "nil")))"
        default: return "(try ResponseBuilder.notFound(\(xs.first ?? "nil")))"
        }
    }
}
