// Route matching (LANGUAGE.md §10.7): a request path is split on `/` (empty segments
// ignored), each segment percent-decoded, and matched against routes of the same method and
// segment count whose literal segments are equal; `{name}` segments capture. The first
// registered match wins. A path that only other methods route is a 405, not a 404.

/// One segment of a route pattern.
enum RouteSegment {
    case literal(String)
    case parameter(String)
}

/// Matches request paths to handlers of type `Handler`.
public struct Router<Handler> {
    struct Route {
        let method: String
        let segments: [RouteSegment]
        let handler: Handler
    }

    private var routes: [Route] = []

    public init() {}

    /// The outcome of matching a request.
    public enum Match {
        case found(Handler, parameters: [(name: String, value: String)])
        case methodNotAllowed
        case notFound
    }

    /// Registers `handler` for `method` (upper-case) and `pattern` (`/users/{id}`).
    public mutating func add(method: String, pattern: String, handler: Handler) {
        let segments = pattern.split(separator: "/", omittingEmptySubsequences: true).map { s -> RouteSegment in
            if s.count >= 2 && s.first == "{" && s.last == "}" { return .parameter(String(s.dropFirst().dropLast())) }
            return .literal(percentDecode(s.utf8, plusAsSpace: false))
        }
        routes.append(Route(method: method, segments: segments, handler: handler))
    }

    public var isEmpty: Bool { routes.isEmpty }

    /// Finds the route for `method` and `path` (without query). HEAD falls back to GET routes.
    public func match(method: String, path: Substring) -> Match {
        let segments = splitPath(path)
        var pathMatchedOtherMethod = false
        for pass in 0..<2 {
            let wanted = pass == 0 ? method : "GET"
            if pass == 1 && method != "HEAD" { break }
            for route in routes where route.segments.count == segments.count {
                var params: [(name: String, value: String)] = []
                var ok = true
                for (seg, actual) in zip(route.segments, segments) {
                    switch seg {
                    case .literal(let l): if l != actual { ok = false }
                    case .parameter(let name): params.append((name, actual))
                    }
                    if !ok { break }
                }
                guard ok else { continue }
                if route.method == wanted { return .found(route.handler, parameters: params) }
                pathMatchedOtherMethod = true
            }
        }
        return pathMatchedOtherMethod ? .methodNotAllowed : .notFound
    }
}

/// Splits a request path into percent-decoded segments, dropping empty ones.
public func splitPath(_ path: Substring) -> [String] {
    path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true).map { percentDecode($0, plusAsSpace: false) }
}
