// The generated route matcher: when every route of the program is registered once, in program
// order, with a literal pattern, the compiler lists them and prints one matching pass in
// Swift (per segment count, literal segments compared as bytes, parameters captured), so a
// request is routed without the runtime's table. The runtime uses it only when the program
// registered exactly this list (`CompiledRoutes`); what the table cannot describe keeps the
// runtime's router. Handlers need not be known: only methods and patterns are matched.

import NtntSema
import NtntSyntax

struct GeneratedRouter {
    enum Segment: Equatable {
        case literal(String)
        case parameter(String)
    }

    struct Route {
        var method: String
        var pattern: String
        var segments: [Segment]
    }

    /// The routes, in registration order (nil when the runtime's router is used).
    let routes: [Route]?
    /// Why the runtime's router is used, and where (nil when generated).
    let reason: (text: String, loc: SourceLoc)?

    init(_ entries: [RouteEntry]) {
        var routes: [Route] = []
        for e in entries {
            guard case .route(let method) = e.kind else { continue }
            guard e.isUnconditional, let pattern = e.pattern else {
                let why = e.pattern == nil ? "a route's pattern is computed at run time" : "a route is registered conditionally or from a function"
                (self.routes, reason) = (nil, (why, e.reasonLoc))
                return
            }
            guard let segments = GeneratedRouter.segments(pattern) else {
                (self.routes, reason) = (nil, ("pattern \"\(pattern)\" has non-ASCII text, a '%' or over \(GeneratedRouter.maxSegments) segments", e.loc))
                return
            }
            routes.append(Route(method: method, pattern: pattern, segments: segments))
        }
        // A program that serves nothing needs no router.
        (self.routes, reason) = (routes.isEmpty ? nil : routes, nil)
    }

    /// `PathSegments.capacity` in the runtime.
    static let maxSegments = 8

    /// A pattern's segments by the runtime router's rules (split on `/`, empty ones dropped,
    /// `{name}` captures). Nil when the generated pass could differ from the runtime's: non-ASCII
    /// text (the runtime splits patterns by Character), a `%` (literals are percent-decoded).
    static func segments(_ pattern: String) -> [Segment]? {
        guard pattern.utf8.allSatisfy({ $0 < 0x80 && $0 != UInt8(ascii: "%") }) else { return nil }
        let parts = pattern.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count <= maxSegments else { return nil }
        return parts.map { s in
            s.count >= 2 && s.first == "{" && s.last == "}" ? .parameter(String(s.dropFirst().dropLast())) : .literal(String(s))
        }
    }

    /// Prints the table and its matching pass as file-level declarations named after `prefix`;
    /// returns the table's Swift name (nil when the runtime's router is used).
    func write(prefix: String, to out: SwiftCodeWriter) -> String? {
        guard let routes else { return nil }
        let pass = "\(prefix)_routePass"
        let table = "\(prefix)_routes"
        out.line("/// The program's routes, matched by `\(pass)` (used when it registers exactly these).")
        out.line("private let \(table) = CompiledRoutes(table: [")
        out.indented {
            for r in routes { out.line("(\(SwiftCodeWriter.literal(r.method)), \(SwiftCodeWriter.literal(r.pattern))),") }
        }
        out.line("], pass: \(pass))")
        out.line("")
        out.line("/// The first route for `wanted` matching `path`, in registration order.")
        out.block("private func \(pass)(_ wanted: String, _ path: PathSegments, _ otherMethod: inout Bool) -> RouteMatch?") {
            let counts = Set(routes.map(\.segments.count)).sorted()
            out.line("switch path.count {")
            for n in counts {
                out.line("case \(n):")
                out.indented {
                    for (index, r) in routes.enumerated() where r.segments.count == n {
                        var checks: [String] = []
                        var parameters: [String] = []
                        for (i, s) in r.segments.enumerated() {
                            switch s {
                            case .literal(let l): checks.append("path.is(\(i), \(SwiftCodeWriter.literal(l)))")
                            case .parameter(let name): parameters.append("(\(SwiftCodeWriter.literal(name)), path.string(\(i)))")
                            }
                        }
                        let found = "return .found(index: \(index), parameters: [\(parameters.joined(separator: ", "))])"
                        let method = "if wanted == \(SwiftCodeWriter.literal(r.method)) { \(found) }"
                        if checks.isEmpty {
                            out.line(method)
                            out.line("otherMethod = true")
                        } else {
                            out.block("if \(checks.joined(separator: " && "))") {
                                out.line(method)
                                out.line("otherMethod = true")
                            }
                        }
                    }
                }
            }
            out.line("default: break")
            out.line("}")
            out.line("return nil")
        }
        return table
    }
}
