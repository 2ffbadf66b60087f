// Iteration and index assignment shared by both backends.

/// Walks what `for x in v` visits without building an array for ranges (§4.6).
public struct ValueIterator {
    private enum Source {
        case array([Value])
        case keys([String])
        case range(next: Int, last: Int)
        case empty
    }
    private var source: Source
    private var index = 0

    public init(_ v: Value) {
        switch v {
        case .array(let xs): source = .array(xs)
        case .map(let m): source = .keys(m.keys)
        case let .range(lower, upper, inclusive):
            if inclusive ? lower <= upper : lower < upper {
                source = .range(next: lower, last: inclusive ? upper : upper - 1)
            } else {
                source = .empty
            }
        default: source = .empty
        }
    }

    public mutating func next() -> Value? {
        switch source {
        case .array(let xs):
            guard index < xs.count else { return nil }
            index += 1
            return xs[index - 1]
        case .keys(let ks):
            guard index < ks.count else { return nil }
            index += 1
            return .string(ks[index - 1])
        case let .range(next, last):
            guard next <= last else { return nil }
            source = next == last ? .empty : .range(next: next + 1, last: last)
            return .int(next)
        case .empty:
            return nil
        }
    }
}

/// `root[i][j]… = value` (§4.3): updates `container` in place along `path`.
public func storeValue(into container: inout Value, _ path: ArraySlice<Value>, _ value: Value) throws {
    let key = path.first!
    let rest = path.dropFirst()
    switch container {
    case .array(var items):
        guard case .int(let i) = key else {
            throw RuntimeError("Array index must be an Int, got \(key.typeName)")
        }
        guard i >= 0 && i < items.count else {
            throw RuntimeError("Index out of bounds: index \(i), length \(items.count)")
        }
        // Move the array out so it is uniquely referenced and updates without a copy.
        container = .unit
        defer { container = .array(items) }
        if rest.isEmpty {
            items[i] = value
        } else {
            try storeValue(into: &items[i], rest, value)
        }
    case .map(var m):
        guard case .string(let k) = key else {
            throw RuntimeError("Map keys must be strings, got \(key.typeName)")
        }
        container = .unit
        defer { container = .map(m) }
        if rest.isEmpty {
            m[k] = value
        } else {
            guard let idx = m.index(of: k) else { throw RuntimeError("Cannot assign into Option") }
            try m.withValue(at: idx) { try storeValue(into: &$0, rest, value) }
        }
    default:
        throw RuntimeError("Cannot assign into \(container.typeName)")
    }
}

extension Builtins {
    /// `import "std/…" as name`: the module's exports as a namespace value.
    public static func namespace(_ path: String) throws -> Value {
        guard let table = modules[path] else { throw RuntimeError("Unknown module '\(path)'") }
        return .module(ModuleValue(path: path, members: ValueMap(table.map { ($0.key, $0.value) })))
    }

    /// `import { name } from "std/…"`, with the errors of §8.
    public static func importName(_ name: String, from path: String) throws -> Value {
        guard modules[path] != nil else { throw RuntimeError("Unknown module '\(path)'") }
        guard let v = export(name, fromModule: path) else {
            throw RuntimeError("'\(name)' is not exported from '\(path)'")
        }
        return v
    }

    /// What compiled code calls for a std function the program imports by name
    /// (`namespace: false`) or calls through a std namespace (`namespace: true`): the builtin,
    /// or a stand-in that fails exactly as calling the imported value would.
    public static func stdFunction(_ name: String, from path: String, namespace: Bool) -> BuiltinFunction {
        let value = namespace ? modules[path]?[name] : export(name, fromModule: path)
        if case .function(let f)? = value, let b = f as? BuiltinFunction { return b }
        let message: String
        switch value {
        case nil where namespace: message = "Module '\(path)' has no member '\(name)'"
        case nil: message = "'\(name)' is not exported from '\(path)'"
        case let v?: message = "Cannot call a value of type \(v.typeName)"
        }
        return BuiltinFunction(name, arity: 0...Int.max, unavailable: message) { _, _ in throw RuntimeError(message) }
    }

    /// A global builtin function by name (for compiled code).
    public static func function(_ name: String) -> BuiltinFunction {
        guard case .function(let f)? = globals[name], let b = f as? BuiltinFunction else {
            fatalError("no builtin function \(name)")  // compiler bug: names come from the resolver
        }
        return b
    }
}

/// Fails, before any argument is evaluated, when a std namespace member called directly does
/// not exist (as reading the member would).
@inlinable
public func requireCallable(_ f: BuiltinFunction) throws {
    if let message = f.unavailable { throw RuntimeError(message) }
}
