// What a program's top level registers for its server (routes, middleware, static folders),
// and how one request is answered from it (LANGUAGE.md §10.7). Both backends use this: the
// interpreter with interpreted handlers, compiled programs with compiled ones.

#if canImport(Glibc)
import Glibc
#endif

/// Routes, middleware and static folders registered by a program.
public final class AppRegistry {
    public var routes: [(method: String, pattern: String, handler: Value)] = []
    public var middleware: [Value] = []
    public var staticMounts: [StaticMount] = []

    public init() {}

    /// `serve_static(prefix, dir)` and `use_middleware(f)`; `dir` resolves against `base`.
    public func register(_ name: String, _ args: [Value], base: String) throws {
        switch name {
        case "serve_static":
            guard case .string(let prefix) = args[0], case .string(let dir) = args[1] else {
                throw RuntimeError("serve_static(): expected a prefix and a directory String")
            }
            let directory = dir.hasPrefix("/") || base.isEmpty ? dir : base + "/" + dir
            staticMounts.append(StaticMount(prefix: prefix, directory: directory))
        case "use_middleware":
            guard case .function = args[0] else { throw typeError("use_middleware", "a function", args[0]) }
            middleware.append(args[0])
        default:
            throw RuntimeError("\(name)(): not available")
        }
    }
}

/// How an error from a handler is reported and answered.
public struct HandlerErrorReport {
    /// The report for stderr (`runtime error: …`).
    public var text: String
    /// A failed `requires`: the client's fault, answered 400 with the message.
    public var isPrecondition: Bool
    public var message: String

    public init(text: String, isPrecondition: Bool, message: String) {
        self.text = text
        self.isPrecondition = isPrecondition
        self.message = message
    }

    /// The report of the runtime's own errors.
    public static func describe(_ error: any Error) -> HandlerErrorReport {
        switch error {
        case let e as RuntimeError:
            return HandlerErrorReport(text: "runtime error: \(e.message)", isPrecondition: e.kind == .precondition, message: e.message)
        case let e as InvalidResponseError:
            return HandlerErrorReport(text: "runtime error: \(e.message)", isPrecondition: false, message: e.message)
        default:
            return HandlerErrorReport(text: "runtime error: \(error)", isPrecondition: false, message: "\(error)")
        }
    }
}

/// A compiled handler's entry over a `RequestView`.
public typealias TypedEntry = (RequestView) throws -> Value
/// A compiled route handler's entry over a `RequestView`, answering with a typed response.
public typealias ResponseEntry = (RequestView) throws -> HTTPResponse

/// Answers requests from a registry: route → middleware → handler → response.
public struct AppDispatcher {
    private var router = Router<Int>()
    /// The program's generated route matcher, when it describes the registered routes.
    private var compiledRoutes: CompiledRoutes?
    private var handlers: [Value] = []
    /// Typed entries of compiled route handlers: called with a `RequestView` instead of a Map,
    /// answering with a typed response (no response Map either).
    private var responseEntries: [ResponseEntry?] = []
    /// Routes whose handler (and every middleware) cannot block.
    private var inlineSafe: [Bool] = []
    /// The request fields each route's handler and the middleware read.
    private var requestFields: [RequestFields] = []
    /// Responses of constant handlers, computed once.
    private var constantResponses: [HTTPResponse?] = []
    private let middleware: [Value]
    private let middlewareEntries: [TypedEntry?]
    private let staticMounts: [StaticMount]
    private let quiet: Bool

    /// `rebind` maps registered function values to this worker's copies (identity if shared).
    /// `facts` tells what the program analysis proved of a registered function value (whether
    /// it blocks, the request fields it reads, whether its response is constant); `call` runs
    /// constant handlers once, here, so their response is reused for every request.
    public init(registry: AppRegistry, quiet: Bool, rebind: (Value) -> Value = { $0 },
                facts: (Value) -> HandlerFacts = { _ in .unknown },
                call: ((Value, [Value]) throws -> Value)? = nil, compiledRoutes: CompiledRoutes? = nil) {
        if let c = compiledRoutes, c.describes(registry.routes) { self.compiledRoutes = c }
        let middlewareFacts = registry.middleware.map(facts)
        let middlewareSafe = middlewareFacts.allSatisfy { !$0.blocks }
        // Middleware receives the request first and may pass it on replaced; it needs what it
        // reads itself, and the handler what the handler reads.
        let middlewareFields = middlewareFacts.reduce(RequestFields()) { $0.union($1.middlewareFields) }
        for (i, r) in registry.routes.enumerated() {
            router.add(method: r.method, pattern: r.pattern, handler: i)
            let handler = rebind(r.handler)
            handlers.append(handler)
            responseEntries.append(AppDispatcher.responseEntry(handler))
            let f = facts(r.handler)
            inlineSafe.append(middlewareSafe && !f.blocks)
            requestFields.append(f.fields.union(middlewareFields))
            var constant: HTTPResponse?
            if f.isConstant, let call, let result = try? call(handler, [.unit]) {
                constant = try? HTTPResponse(value: result)
            }
            constantResponses.append(constant)
        }
        middleware = registry.middleware.map(rebind)
        middlewareEntries = middleware.map(AppDispatcher.typedEntry)
        staticMounts = registry.staticMounts
        self.quiet = quiet
    }

    /// The typed entry of a compiled middleware (a `requestEntry` is never a route's: a
    /// function typed as middleware may not be typed as a handler), if it has one.
    static func typedEntry(_ v: Value) -> TypedEntry? {
        guard case .function(let fv) = v, let c = fv as? CompiledFunction else { return nil }
        return c.requestEntry
    }

    /// The typed response entry of a compiled route handler, if it has one.
    static func responseEntry(_ v: Value) -> ResponseEntry? {
        guard case .function(let fv) = v, let c = fv as? CompiledFunction else { return nil }
        return c.responseEntry
    }

    /// True when answering `request` cannot block: a non-blocking route, or a 404/405 answer
    /// (static files are read from disk, so GETs that may hit them are not inline).
    public func canRunInline(_ request: inout HTTPRequest) -> Bool {
        switch route(&request) {
        case .found(let index, _): return inlineSafe[index]
        case .methodNotAllowed: return true
        case .notFound: return staticMounts.isEmpty
        }
    }

    /// Answers `request`; `call` runs an ntnt function, `describe` explains its errors.
    public func handle(_ request: HTTPRequest, call: (Value, [Value]) throws -> Value,
                       describe: (any Error) -> HandlerErrorReport) -> HTTPResponse {
        let started = quiet ? 0 : monotonicNanoseconds()
        let response = dispatch(request, call: call, describe: describe)
        if !quiet {
            let micros = (monotonicNanoseconds() - started) / 1000
            writeStandardError("\(request.method) \(request.target) \(response.status) \(micros / 1000).\(micros % 1000 / 100)ms\n")
        }
        return response
    }

    /// The request's route, matched once and remembered in the request.
    private func route(_ request: inout HTTPRequest) -> RouteMatch {
        if let m = request.routeMatch { return m }
        if let c = compiledRoutes {
            let m = c.match(method: request.method, path: request.path)
            request.routeMatch = m
            return m
        }
        let m: RouteMatch
        switch router.match(method: request.method, path: request.path) {
        case let .found(index, parameters): m = .found(index: index, parameters: parameters)
        case .methodNotAllowed: m = .methodNotAllowed
        case .notFound: m = .notFound
        }
        request.routeMatch = m
        return m
    }

    private func dispatch(_ request: HTTPRequest, call: (Value, [Value]) throws -> Value,
                          describe: (any Error) -> HandlerErrorReport) -> HTTPResponse {
        var request = request
        let path = request.path
        switch route(&request) {
        case .found(let index, let parameters):
            if middleware.isEmpty, let constant = constantResponses[index] { return constant }
            // One id per request, whichever Maps and views of it are made.
            if requestFields[index].contains(.id) { request.requestID = request.header("x-request-id") ?? makeUUID() }
            // Typed entries read the request through a view; everything else gets the request
            // Map with the fields the route's handler and middleware read, built on first need.
            var view: RequestView?
            var requestValue: Value?
            var replaced = false
            do {
                for i in 0..<middleware.count {
                    let result: Value
                    if !replaced, let entry = middlewareEntries[i] {
                        let v = view ?? RequestView(request, parameters: parameters)
                        view = v
                        result = try entry(v)
                    } else {
                        let r = requestValue ?? request.makeValue(parameters: parameters, fields: requestFields[index])
                        requestValue = r
                        result = try call(middleware[i], [r])
                    }
                    if case .map(let map) = result {
                        if map["status"] != nil { return try HTTPResponse(value: result) }
                        // The very request it was given, passed on: nothing is replaced (the
                        // handler reads the same fields, id included, from the request).
                        if case .map(let given)? = requestValue, given.isSameStorage(as: map) { continue }
                        requestValue = result
                        replaced = true
                    }
                }
                // A constant handler's answer does not depend on the (possibly replaced) request.
                if let constant = constantResponses[index] { return constant }
                if !replaced, let entry = responseEntries[index] {
                    return try entry(view ?? RequestView(request, parameters: parameters))
                }
                let r = requestValue ?? request.makeValue(parameters: parameters, fields: requestFields[index])
                return try HTTPResponse(value: try call(handlers[index], [r]))
            } catch {
                let report = describe(error)
                writeStandardError("\(report.text)\n\(request.method) \(path)\n")
                if report.isPrecondition { return .plainText(400, "Bad Request: \(report.message)") }
                return .plainText(500, "Internal Server Error")
            }
        case .methodNotAllowed:
            return .plainText(405, "Method Not Allowed: \(request.method) \(path)")
        case .notFound:
            if request.method == "GET" || request.method == "HEAD" {
                for mount in staticMounts {
                    if let r = mount.response(for: path) { return r }
                }
            }
            return .plainText(404, "Not Found: \(request.method) \(path)")
        }
    }
}

/// Nanoseconds on the monotonic clock.
public func monotonicNanoseconds() -> Int {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int(ts.tv_sec) * 1_000_000_000 + Int(ts.tv_nsec)
}

/// Writes all bytes to a file descriptor (short texts in one write, so log lines stay whole).
public func writeAllBytes(_ fd: Int32, _ bytes: [UInt8]) {
    bytes.withUnsafeBufferPointer { p in
        var offset = 0
        while offset < p.count {
            let n = write(fd, p.baseAddress! + offset, p.count - offset)
            if n <= 0 { if n < 0 && errno == EINTR { continue }; break }
            offset += n
        }
    }
}

/// Writes text to stderr.
public func writeStandardError(_ text: String) {
    writeAllBytes(2, Array(text.utf8))
}
