// The one dynamic value type of ntnt (LANGUAGE.md §3).
//
// Both backends speak `Value`: the interpreter for everything, compiled code wherever the
// compiler could not prove a narrower Swift type. So the semantics of values — truthiness,
// equality, ordering, display, arithmetic — live here and nowhere else, and the two backends
// agree by construction. Collections are Swift value types, which gives ntnt's copy-on-assign
// semantics for free (copy-on-write underneath). Rarely used or large payloads are boxed so
// the common cases (Int, Float, String, Array, Map) stay inline.

/// A value of the ntnt language.
public enum Value {
    /// `()`, the result of statements.
    case unit
    /// The `None` variant of Option.
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case array([Value])
    case map(ValueMap)
    indirect case some(Value)
    indirect case ok(Value)
    indirect case err(Value)
    /// `a..b` (exclusive) or `a..=b` (inclusive); boxed to keep `Value` small.
    indirect case range(lower: Int, upper: Int, inclusive: Bool)
    case function(FunctionValue)
    case module(ModuleValue)
    /// A database handle (std/db/postgres); opaque to everything but the database layer.
    case connection(OpaqueHandle)

    /// The type name that `type(x)` reports.
    public var typeName: String {
        switch self {
        case .unit: return "Unit"
        case .none, .some: return "Option"
        case .bool: return "Bool"
        case .int: return "Int"
        case .float: return "Float"
        case .string: return "String"
        case .array: return "Array"
        case .map: return "Map"
        case .ok, .err: return "Result"
        case .range: return "Range"
        case .function: return "Function"
        case .module: return "Module"
        case .connection: return "Connection"
        }
    }

    /// Truthiness (LANGUAGE.md §3.1): `false`, `None`, `()`, `""`, `[]` and `{}` are falsy.
    @inlinable
    public var isTruthy: Bool {
        switch self {
        case .bool(let b): return b
        case .none, .unit: return false
        case .string(let s): return !s.isEmpty
        case .array(let a): return !a.isEmpty
        case .map(let m): return !m.isEmpty
        default: return true
        }
    }
}

/// Reference-typed handle for values the runtime does not interpret (database connections).
open class OpaqueHandle {
    public init() {}
}

/// A callable value: a user function or closure (subclassed by the interpreter), or a builtin.
open class FunctionValue {
    /// The function's name, or nil for an anonymous closure.
    public let name: String?

    public init(name: String?) {
        self.name = name
    }

    /// Display form: `<fn name>`, `<fn>` for closures (builtins override).
    open var displayForm: String {
        if let name { return "<fn \(name)>" }
        return "<fn>"
    }
}

/// A namespace created by `import "path" as name`.
public final class ModuleValue {
    /// The import path, e.g. `std/math` or `./lib/geometry`.
    public let path: String
    /// Exported members, in key order.
    public let members: ValueMap

    public init(path: String, members: ValueMap) {
        self.path = path
        self.members = members
    }
}

extension Value {
    /// Builds a String value from its display form; a convenience for tests and builtins.
    @inlinable
    public static func text(_ s: String) -> Value { .string(s) }
}
