// Builtin functions: how they are described, called and looked up (LANGUAGE.md §9, §10).
//
// A builtin is a `FunctionValue` with an arity range and a Swift body. Bodies receive their
// arguments as an array plus a `CallContext`, which is how a builtin reaches back into the
// backend that called it: higher-order builtins (`filter`, `sort` with a key function) call
// ntnt functions through `context.invoke`, and route registration goes to `context.routes`.

/// Hooks a backend provides to builtins.
public final class CallContext {
    /// Calls an ntnt function value with arguments (used by higher-order builtins).
    public var invoke: (Value, [Value]) throws -> Value
    /// Writes a line of program output (`print`).
    public var writeLine: (String) -> Void
    /// Records a route; the server issue makes this serve.
    public var registerRoute: (_ method: String, _ pattern: String, _ handler: Value) throws -> Void
    /// Server builtins that have no meaning outside a server (`listen`, …).
    public var serverCall: (_ name: String, _ args: [Value]) throws -> Value

    public init(
        invoke: @escaping (Value, [Value]) throws -> Value,
        writeLine: @escaping (String) -> Void
    ) {
        self.invoke = invoke
        self.writeLine = writeLine
        self.registerRoute = { _, _, _ in }
        self.serverCall = { name, _ in throw RuntimeError("\(name)(): the HTTP server is not available here") }
    }
}

/// The Swift body of a builtin.
public typealias BuiltinBody = ([Value], CallContext) throws -> Value

/// A function implemented by the runtime.
public final class BuiltinFunction: FunctionValue {
    public let minArity: Int
    public let maxArity: Int
    public let body: BuiltinBody
    /// For the stand-in of a std name that is not a function (compiled code): why calling fails.
    public let unavailable: String?

    public init(_ name: String, arity: ClosedRange<Int>, unavailable: String? = nil, _ body: @escaping BuiltinBody) {
        self.minArity = arity.lowerBound
        self.maxArity = arity.upperBound
        self.body = body
        self.unavailable = unavailable
        super.init(name: name)
    }

    public override var displayForm: String { "<native fn \(name ?? "")>" }

    /// Checks the argument count and runs the body.
    @inlinable
    public func call(_ args: [Value], _ context: CallContext) throws -> Value {
        if args.count < minArity || args.count > maxArity {
            throw arityError(name: name ?? "", min: minArity, max: maxArity, got: args.count)
        }
        return try body(args, context)
    }
}

/// `Function 'f' expects N arguments, got M` (N is `2` or `1 to 2`).
public func arityError(name: String, min: Int, max: Int, got: Int) -> RuntimeError {
    let expected = min == max ? "\(min)" : "\(min) to \(max)"
    return RuntimeError("Function '\(name)' expects \(expected) arguments, got \(got)")
}

/// An argument-type error of a builtin: `NAME(): expected …, got T`.
@inlinable
public func typeError(_ name: String, _ expected: String, _ got: Value) -> RuntimeError {
    RuntimeError("\(name)(): expected \(expected), got \(got.typeName)")
}

// MARK: - Argument helpers

extension Array where Element == Value {
    /// The String argument at `i`, or a `NAME(): expected String` error.
    @inlinable
    func string(_ i: Int, _ fn: String) throws -> String {
        if case .string(let s) = self[i] { return s }
        throw typeError(fn, "String", self[i])
    }

    /// The Int argument at `i`.
    @inlinable
    func int(_ i: Int, _ fn: String) throws -> Int {
        if case .int(let n) = self[i] { return n }
        throw typeError(fn, "Int", self[i])
    }

    /// The Array argument at `i`.
    @inlinable
    func array(_ i: Int, _ fn: String) throws -> [Value] {
        if case .array(let a) = self[i] { return a }
        throw typeError(fn, "Array", self[i])
    }

    /// The Map argument at `i`.
    @inlinable
    func map(_ i: Int, _ fn: String) throws -> ValueMap {
        if case .map(let m) = self[i] { return m }
        throw typeError(fn, "Map", self[i])
    }

    /// A numeric argument as Double.
    @inlinable
    func number(_ i: Int, _ fn: String) throws -> Double {
        if let d = self[i].numericDouble { return d }
        throw typeError(fn, "a number", self[i])
    }
}

/// The registry of global builtins and std modules.
public enum Builtins {
    /// Global builtins (§9), visible everywhere without import.
    public static let globals: [String: Value] = {
        var table: [String: Value] = [:]
        for f in coreFunctions + numericFunctions + higherOrderFunctions + serverFunctions {
            table[f.name!] = .function(f)
        }
        table["None"] = Value.none
        return table
    }()

    /// Exports of each std module by path.
    public static let modules: [String: [String: Value]] = {
        func table(_ fs: [BuiltinFunction], _ names: [String] = [], values: [String: Value] = [:]) -> [String: Value] {
            var t: [String: Value] = values
            for f in fs { t[f.name!] = .function(f) }
            for n in names { t[n] = globals[n] }
            return t
        }
        let collectionsNames = ["push", "filter", "transform", "reduce", "find", "any", "all", "sort", "sort_desc"]
        let numericNames = ["abs", "min", "max", "round", "floor", "ceil", "trunc", "sqrt", "pow", "sign", "clamp"]
        return [
            "std/string": table(stringFunctions + sharedFunctions, ["len", "str"]),
            "std/collections": table(collectionFunctions + sharedFunctions, collectionsNames),
            "std/math": table(mathFunctions, numericNames, values: ["PI": .float(Double.pi), "E": .float(2.718281828459045)]),
            "std/json": table(jsonFunctions + [sharedParseJSON]),
            "std/env": table(envFunctions),
            "std/time": table(timeFunctions),
            "std/http/server": table(httpFunctions + [sharedParseJSON], serverFunctions.map { $0.name! }),
            "std/db/postgres": table(postgresFunctions),
        ]
    }()

    /// Looks up an export of a std module; a global builtin's name is importable from any std
    /// module (§10). Returns nil for an unknown name; the module must exist.
    public static func export(_ name: String, fromModule path: String) -> Value? {
        modules[path]?[name] ?? globals[name].flatMap { name == "None" ? nil : $0 }
    }
}

/// `x = push(x, e)` without copying x's array (both backends): `value` is x's value, already
/// taken out of its variable, so the array is uniquely referenced and appends in place.
/// Fails like `push` when `value` is not an Array.
@inlinable
public func pushInPlace(_ value: inout Value, _ element: Value) throws {
    guard case .array(var items) = value else { throw typeError("push", "Array", value) }
    value = .unit
    items.append(element)
    value = .array(items)
}
