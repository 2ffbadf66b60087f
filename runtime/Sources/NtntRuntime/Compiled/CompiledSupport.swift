// What transpiled programs call into: function values, captured-variable cells, the call
// dispatcher with the recursion limit, and the entry point that turns errors into the same
// report and exit status as `ntnt run`.

#if canImport(Glibc)
import Glibc
#endif
import CNtntSys

/// A compiled ntnt function or closure as a value.
public final class CompiledFunction: FunctionValue {
    public let minArity: Int
    public let maxArity: Int
    public let body: ([Value]) throws -> Value
    /// What the compiler proved of the function, for when it is registered as a handler.
    public let facts: HandlerFacts
    /// For a typed middleware: the same function over a `RequestView` (the request Map is
    /// never built; each field is made when read).
    public let requestEntry: ((RequestView) throws -> Value)?
    /// For a typed route handler: the same function over a `RequestView` answering with a
    /// typed response (the response Map is never built either).
    public let responseEntry: ResponseEntry?
    /// For a function declared at a module's top level: the module instance it closes over and
    /// its number there, so a worker's copy of the module can re-create it over the copy.
    public let owner: ObjectIdentifier?
    public let moduleFunctionIndex: Int

    public init(name: String?, arity: ClosedRange<Int>, facts: HandlerFacts = .unknown,
                requestEntry: ((RequestView) throws -> Value)? = nil,
                responseEntry: ResponseEntry? = nil,
                owner: ObjectIdentifier? = nil, moduleFunctionIndex: Int = -1,
                _ body: @escaping ([Value]) throws -> Value) {
        minArity = arity.lowerBound
        maxArity = arity.upperBound
        self.body = body
        self.facts = facts
        self.requestEntry = requestEntry
        self.responseEntry = responseEntry
        self.owner = owner
        self.moduleFunctionIndex = moduleFunctionIndex
        super.init(name: name)
    }
}

/// A variable that closures share (captured by reference).
public final class Cell {
    public var value: Value?
    @inlinable public init(_ value: Value? = nil) { self.value = value }

    /// The value, or `Undefined variable: NAME` when its `let` has not run yet.
    @inlinable
    public func get(_ name: String) throws -> Value {
        if let v = value { return v }
        throw RuntimeError("Undefined variable: \(name)")
    }
}

/// `return` at the top level of a compiled program (ends it with status 0).
public struct CompiledProgramExit: Error {
    public init() {}
}

/// The state of a compiled program: builtin context, output, what it registered to serve.
/// Shared by all worker threads; the call depth is per thread (a C thread-local).
public final class CompiledRuntime {
    public static let maxCallDepth = 10_000
    public let context: CallContext
    public let output: OutputBuffer
    public let registry = AppRegistry()
    /// The entry file's directory (static folders resolve against it).
    public var entryDirectory = ""
    public var serveOptions = ServeOptions.fromCommandLine(CommandLine.arguments)
    /// Makes a copy of the entry module's variables for one worker (LANGUAGE.md §10.7: module
    /// variables are per worker, as under `ntnt run`); set by the generated program.
    public var makeWorkerCopy: (() -> WorkerModuleCopy)?
    /// The route table the compiler generated (set by the generated program when it has one).
    public var compiledRoutes: CompiledRoutes?

    public init(output: OutputBuffer) {
        self.output = output
        let context = CallContext(invoke: { _, _ in .unit }, writeLine: { _ in })
        self.context = context
        context.writeLine = { line in output.writeLine(line) }
        context.invoke = { [unowned self] f, args in try self.call(f, args) }
        context.registerRoute = { [unowned self] method, pattern, handler in
            self.registry.routes.append((method, pattern, handler))
        }
        context.serverCall = { [unowned self] name, args in try self.serverCall(name, args) }
    }

    /// Counts a call against the recursion limit (per thread).
    @inlinable
    public func enter() throws {
        if ntnt_depth_enter(CompiledRuntime.maxCallDepth) == 0 {
            throw RuntimeError("Maximum recursion depth exceeded")
        }
    }

    @inlinable
    public func leave() { ntnt_depth_leave() }

    func serverCall(_ name: String, _ args: [Value]) throws -> Value {
        switch name {
        case "serve_static", "use_middleware":
            try registry.register(name, args, base: entryDirectory)
            return .unit
        case "listen":
            guard case .int(let requested) = args[0] else { throw typeError("listen", "Int", args[0]) }
            let port = serveOptions.port ?? requested
            guard port > 0 && port < 65536 else { throw RuntimeError("listen(): port must be between 1 and 65535") }
            let config = serveOptions.configuration(port: port, workerStackSize: 64 << 20)
            output.flush()
            output.autoFlush = true
            let registry = self.registry
            let quiet = serveOptions.quiet
            let compiledRoutes = self.compiledRoutes
            func dispatcher(rebind: @escaping (Value) -> Value) -> AppDispatcher {
                AppDispatcher(registry: registry, quiet: quiet, rebind: rebind, facts: { v in
                    if case .function(let f) = v, let c = f as? CompiledFunction { return c.facts }
                    return .unknown
                }, call: { [unowned self] f, args in try self.call(f, args) }, compiledRoutes: compiledRoutes)
            }
            // Route matching is the same for every worker (same registry, same order).
            let matcher = dispatcher(rebind: { $0 })
            let makeWorkerCopy = self.makeWorkerCopy
            let server = HTTPServer(configuration: config, canRunInline: matcher.canRunInline) { [unowned self] _ in
                let copy = makeWorkerCopy?() ?? (self, { $0 })
                let worker = dispatcher(rebind: copy.rebind)
                return { request in
                    withExtendedLifetime(copy.instance) {
                        worker.handle(request, call: { f, a in try self.call(f, a) }, describe: HandlerErrorReport.describe)
                    }
                }
            }
            try server.serveProgram(routeCount: registry.routes.count, mode: ", compiled")
            throw CompiledProgramExit()
        default:
            throw RuntimeError("\(name)(): not available")
        }
    }

    /// Calls any function value.
    public func call(_ f: Value, _ args: [Value]) throws -> Value {
        guard case .function(let fv) = f else {
            throw RuntimeError("Cannot call a value of type \(f.typeName)")
        }
        if let c = fv as? CompiledFunction {
            if args.count < c.minArity || args.count > c.maxArity {
                throw arityError(name: c.name ?? "<fn>", min: c.minArity, max: c.maxArity, got: args.count)
            }
            return try c.body(args)
        }
        if let b = fv as? BuiltinFunction { return try b.call(args, context) }
        throw RuntimeError("Cannot call a value of type \(f.typeName)")
    }
}

/// Program output (`print`), for both backends: large writes to stdout, or one write per line
/// in servers (where several worker threads print, so each line goes out whole at once).
/// Tests pass their own `write` to capture output.
public final class OutputBuffer {
    private var buffer: [UInt8] = []
    private let write: ([UInt8]) -> Void
    public var autoFlush = false

    public init(write: @escaping ([UInt8]) -> Void = { writeAllBytes(1, $0) }) {
        self.write = write
        buffer.reserveCapacity(1 << 16)
    }

    public func writeLine(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if autoFlush || buffer.count >= 1 << 16 { flush() }
    }

    public func flush() {
        if !buffer.isEmpty {
            write(buffer)
            buffer.removeAll(keepingCapacity: true)
        }
    }
}

/// Raises `Undefined variable: NAME`.
public func undefinedVariable(_ name: String) throws -> Value {
    throw RuntimeError("Undefined variable: \(name)")
}

extension Optional where Wrapped == Value {
    /// The value, or a runtime error with `message`.
    public func orThrow(_ message: String) throws -> Value {
        guard let v = self else { throw RuntimeError(message) }
        return v
    }
}

/// A top-level function's value.
public func makeTopLevelFunction(_ name: String?, _ arity: ClosedRange<Int>, facts: HandlerFacts = .unknown,
                                  requestEntry: ((RequestView) throws -> Value)? = nil,
                                  responseEntry: ResponseEntry? = nil,
                                  owner: AnyObject, index: Int,
                                  _ body: @escaping ([Value]) throws -> Value) -> Value {
    .function(CompiledFunction(name: name, arity: arity, facts: facts, requestEntry: requestEntry, responseEntry: responseEntry,
                               owner: ObjectIdentifier(owner), moduleFunctionIndex: index, body))
}

/// A server worker's own copy of the entry module (what keeps it alive, and the map from the
/// original's function values to the copy's).
public typealias WorkerModuleCopy = (instance: AnyObject, rebind: (Value) -> Value)

/// `e?`: the payload of Some/Ok, or nil when the enclosing function must return `e` itself.
@inlinable
public func tryUnwrapValue(_ v: Value) -> Value? {
    switch v {
    case .some(let x), .ok(let x): return x
    case .none, .err: return nil
    default: return v
    }
}

/// `let … otherwise` classification: `.bind(v)` or `.otherwise(err)`.
public enum OtherwiseOutcome {
    case bind(Value)
    case otherwise(Value)
}

@inlinable
public func classifyOtherwise(_ v: Value) -> OtherwiseOutcome {
    switch v {
    case .ok(let x), .some(let x): return .bind(x)
    case .err(let e): return .otherwise(e)
    case .none: return .otherwise(.unit)
    default: return .bind(v)
    }
}

/// Builds a range value, checking the bounds are Ints.
@inlinable
public func makeRange(_ a: Value, _ b: Value, inclusive: Bool) throws -> Value {
    guard case .int(let l) = a, case .int(let h) = b else { throw RuntimeError("Range bounds must be integers") }
    return .range(lower: l, upper: h, inclusive: inclusive)
}

/// The elements `for x in v` visits (§4.6): array elements, map keys, range Ints, else none.
public func iterationValues(_ v: Value) -> [Value] {
    switch v {
    case .array(let xs): return xs
    case .map(let m): return m.keys.map(Value.string)
    case let .range(lower, upper, inclusive):
        let hi = inclusive ? upper : upper &- 1
        return lower <= hi ? (lower...hi).map(Value.int) : []
    default: return []
    }
}

/// The elements a template `#for` visits (§7): maps give `[key, value]` pairs.
public func templateIterationValues(_ v: Value) -> [Value] {
    switch v {
    case .map(let m): return (0..<m.count).map { .array([.string(m.keys[$0]), m.values[$0]]) }
    default: return iterationValues(v)
    }
}

/// A map literal entry's key: a String, or an Int as its decimal text.
@inlinable
public func mapKey(_ k: Value) throws -> String {
    switch k {
    case .string(let s): return s
    case .int(let i): return String(i)
    default: throw RuntimeError("Map keys must be strings or integers")
    }
}

/// Member access that knows modules (§5.4).
public func memberValue(_ base: Value, _ name: String) throws -> Value {
    if case .module(let m) = base {
        guard let v = m.members[name] else { throw RuntimeError("Module '\(m.path)' has no member '\(name)'") }
        return v
    }
    return base.member(name)
}

/// The callee of `base.name(…)`: only modules have callable members.
public func methodCallee(_ base: Value, _ name: String) throws -> Value {
    guard case .module = base else { throw RuntimeError("Unknown method '\(name)' (call it as \(name)(value, ...))") }
    return try memberValue(base, name)
}

/// Int arithmetic for variables the compiler proved to be Ints, with ntnt's errors (§5.2).
@inlinable
public func intArithmetic(_ op: BinaryOperator, _ x: Int, _ y: Int) throws -> Int {
    let (r, o): (Int, Bool)
    switch op {
    case .add: (r, o) = x.addingReportingOverflow(y)
    case .subtract: (r, o) = x.subtractingReportingOverflow(y)
    case .multiply: (r, o) = x.multipliedReportingOverflow(by: y)
    case .divide:
        if y == 0 { throw RuntimeError("Division by zero") }
        (r, o) = x.dividedReportingOverflow(by: y)
    case .remainder:
        if y == 0 { throw RuntimeError("Division by zero") }
        (r, o) = x.remainderReportingOverflow(dividingBy: y)
    default:
        throw RuntimeError("Cannot apply '\(op.rawValue)' to Int and Int")
    }
    if o { throw RuntimeError("Integer overflow") }
    return r
}

/// The Int inside a value the compiler expects to be an Int.
@inlinable
public func intOf(_ v: Value) throws -> Int {
    if case .int(let i) = v { return i }
    throw RuntimeError("internal error: expected Int, got \(v.typeName)")
}

/// The Double inside a value the compiler expects to be a Float.
@inlinable
public func floatOf(_ v: Value) throws -> Double {
    if case .float(let d) = v { return d }
    throw RuntimeError("internal error: expected Float, got \(v.typeName)")
}

/// The Bool inside a value the compiler expects to be a Bool.
@inlinable
public func boolOf(_ v: Value) throws -> Bool {
    if case .bool(let b) = v { return b }
    throw RuntimeError("internal error: expected Bool, got \(v.typeName)")
}

/// The String inside a value the compiler expects to be a String.
@inlinable
public func stringOf(_ v: Value) throws -> String {
    if case .string(let s) = v { return s }
    throw RuntimeError("internal error: expected String, got \(v.typeName)")
}

/// The elements of a value the compiler expects to be an array of one Swift type.
@inlinable
public func arrayOf<T>(_ v: Value, _ element: (Value) throws -> T) throws -> [T] {
    guard case .array(let items) = v else { throw RuntimeError("internal error: expected Array, got \(v.typeName)") }
    return try items.map(element)
}

/// `push(a, x)` on a typed array.
@inlinable
public func appending<T>(_ a: [T], _ x: T) -> [T] {
    var copy = a
    copy.append(x)
    return copy
}

/// `a[i]` on a typed array (§5.4): the element, counting from the end when negative, or `None`.
@inlinable
public func arrayElement<T>(_ a: [T], _ i: Value, _ wrap: (T) -> Value) -> Value {
    guard case .int(let n) = i else { return .none }
    let k = n < 0 ? a.count + n : n
    return k >= 0 && k < a.count ? wrap(a[k]) : .none
}
