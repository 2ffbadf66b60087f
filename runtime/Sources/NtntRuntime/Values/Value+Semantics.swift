// Display, equality, ordering and arithmetic of values (LANGUAGE.md §3.2, §3.3, §5.2).
//
// Every operator of the language bottoms out here, with the exact error texts of §11, so the
// interpreter and compiled code cannot disagree on `1 + "x"` or on how `0.1 + 0.2` prints.

/// An error raised while running ntnt code; `message` is the text of LANGUAGE.md §11.
public struct RuntimeError: Error, CustomStringConvertible {
    public enum Kind: Sendable {
        case plain
        /// A `requires` clause failed (→ HTTP 400 in handlers).
        case precondition
        /// An `ensures` clause failed.
        case postcondition
    }

    public var message: String
    public var kind: Kind
    /// ntnt frames the error passed through, innermost first (compiled code fills this in).
    public var trace: [(function: String, location: String)] = []

    public init(_ message: String, kind: Kind = .plain) {
        self.message = message
        self.kind = kind
    }

    public var description: String { message }

    /// The report both backends print (LANGUAGE.md §11).
    public var report: String { renderErrorReport(message: message, frames: trace) }
}

/// `runtime error: MESSAGE`, ` --> FILE:LINE` of the innermost frame, then one
/// `at FILE:LINE in NAME` per frame, with runs of identical frames (deep recursion) collapsed.
public func renderErrorReport(message: String, frames: [(function: String, location: String)]) -> String {
    var lines = ["runtime error: \(message)"]
    if let first = frames.first { lines.append(" --> \(first.location)") }
    var shown = 0
    var i = 0
    while i < frames.count {
        var j = i + 1
        while j < frames.count && frames[j].function == frames[i].function && frames[j].location == frames[i].location { j += 1 }
        if shown < 40 || j == frames.count {
            lines.append("    at \(frames[i].location) in \(frames[i].function)")
            if j - i > 1 { lines.append("    ... repeated \(j - i - 1) more times") }
        } else if shown == 40 {
            lines.append("    ...")
        }
        shown += 1
        i = j
    }
    return lines.joined(separator: "\n")
}

// MARK: - Display

extension Value {
    /// The display form used by `print`, `str`, interpolation and string `+` (§3.3).
    public var displayString: String {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        default:
            var out = ""
            appendDisplay(to: &out)
            return out
        }
    }

    /// Appends the display form to `out` without building intermediate strings.
    public func appendDisplay(to out: inout String) {
        switch self {
        case .unit: out += "()"
        case .none: out += "none"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .float(let d): out += formatFloatForDisplay(d)
        case .string(let s): out += s
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                item.appendDisplay(to: &out)
            }
            out += "]"
        case .map(let m):
            out += "{ "
            for i in 0..<m.count {
                if i > 0 { out += ", " }
                out += m.keys[i]
                out += ": "
                m.values[i].appendDisplay(to: &out)
            }
            out += " }"
        case .some(let v), .ok(let v): v.appendDisplay(to: &out)
        case .err(let e):
            out += "error: "
            e.appendDisplay(to: &out)
        case let .range(lower, upper, inclusive):
            out += String(lower)
            out += inclusive ? "..=" : ".."
            out += String(upper)
        case .function(let f): out += f.displayForm
        case .module(let m): out += "<module \(m.path)>"
        case .connection: out += "<connection>"
        }
    }
}

// MARK: - Equality and ordering

extension Value {
    /// Structural equality (§3.2); never fails.
    public static func equals(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case let (.int(x), .int(y)): return x == y
        case let (.float(x), .float(y)): return x == y
        case let (.int(x), .float(y)): return Double(x) == y
        case let (.float(x), .int(y)): return x == Double(y)
        case let (.string(x), .string(y)): return x.utf8.elementsEqual(y.utf8)
        case let (.bool(x), .bool(y)): return x == y
        case (.unit, .unit), (.none, .none): return true
        case let (.array(x), .array(y)):
            guard x.count == y.count else { return false }
            for i in 0..<x.count where !equals(x[i], y[i]) { return false }
            return true
        case let (.map(x), .map(y)):
            guard x.count == y.count else { return false }
            for i in 0..<x.count {
                if !x.keys[i].utf8.elementsEqual(y.keys[i].utf8) || !equals(x.values[i], y.values[i]) {
                    return false
                }
            }
            return true
        case let (.some(x), .some(y)), let (.ok(x), .ok(y)), let (.err(x), .err(y)):
            return equals(x, y)
        case let (.range(l1, u1, i1), .range(l2, u2, i2)):
            return l1 == l2 && u1 == u2 && i1 == i2
        default:
            return false
        }
    }

    /// Ordering for `<`, `<=`, `>`, `>=`: two numbers or two strings, else an error.
    /// Returns nil when a NaN makes the pair unordered.
    public static func compare(_ a: Value, _ b: Value, op: String) throws -> Int? {
        switch (a, b) {
        case let (.int(x), .int(y)): return x < y ? -1 : (x == y ? 0 : 1)
        case let (.string(x), .string(y)): return compareKeys(x, y)
        default:
            guard let x = a.numericDouble, let y = b.numericDouble else {
                throw RuntimeError("Cannot apply '\(op)' to \(a.typeName) and \(b.typeName)")
            }
            if x < y { return -1 }
            if x > y { return 1 }
            if x == y { return 0 }
            return nil
        }
    }

    /// The value as a Double when it is an Int or a Float.
    @inlinable
    public var numericDouble: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .float(let d): return d
        default: return nil
        }
    }
}

// MARK: - Arithmetic

/// The binary operators whose semantics live in the runtime.
public enum BinaryOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
}

extension Value {
    /// Applies an arithmetic or comparison operator (§5.2, §3.2).
    @inlinable
    public static func binary(_ op: BinaryOperator, _ a: Value, _ b: Value) throws -> Value {
        if case .int(let x) = a, case .int(let y) = b {
            switch op {
            case .add:
                let (r, o) = x.addingReportingOverflow(y)
                if o { throw RuntimeError("Integer overflow") }
                return .int(r)
            case .subtract:
                let (r, o) = x.subtractingReportingOverflow(y)
                if o { throw RuntimeError("Integer overflow") }
                return .int(r)
            case .multiply:
                let (r, o) = x.multipliedReportingOverflow(by: y)
                if o { throw RuntimeError("Integer overflow") }
                return .int(r)
            case .divide:
                if y == 0 { throw RuntimeError("Division by zero") }
                let (r, o) = x.dividedReportingOverflow(by: y)
                if o { throw RuntimeError("Integer overflow") }
                return .int(r)
            case .remainder:
                if y == 0 { throw RuntimeError("Division by zero") }
                let (r, o) = x.remainderReportingOverflow(dividingBy: y)
                if o { throw RuntimeError("Integer overflow") }
                return .int(r)
            case .equal: return .bool(x == y)
            case .notEqual: return .bool(x != y)
            case .less: return .bool(x < y)
            case .lessEqual: return .bool(x <= y)
            case .greater: return .bool(x > y)
            case .greaterEqual: return .bool(x >= y)
            }
        }
        return try binarySlow(op, a, b)
    }

    @usableFromInline
    static func binarySlow(_ op: BinaryOperator, _ a: Value, _ b: Value) throws -> Value {
        switch op {
        case .equal: return .bool(equals(a, b))
        case .notEqual: return .bool(!equals(a, b))
        case .less, .lessEqual, .greater, .greaterEqual:
            guard let c = try compare(a, b, op: op.rawValue) else { return .bool(false) }
            switch op {
            case .less: return .bool(c < 0)
            case .lessEqual: return .bool(c <= 0)
            case .greater: return .bool(c > 0)
            default: return .bool(c >= 0)
            }
        case .add:
            if case .string(let x) = a {
                if case .string(let y) = b { return .string(x + y) }
                var s = x
                b.appendDisplay(to: &s)
                return .string(s)
            }
            if case .string(let y) = b {
                var s = a.displayString
                s += y
                return .string(s)
            }
            if case .array(let x) = a, case .array(let y) = b { return .array(x + y) }
        default:
            break
        }
        if let x = a.numericDouble, let y = b.numericDouble {
            switch op {
            case .add: return .float(x + y)
            case .subtract: return .float(x - y)
            case .multiply: return .float(x * y)
            case .divide: return .float(x / y)
            case .remainder: return .float(x.truncatingRemainder(dividingBy: y))
            default: break
            }
        }
        throw RuntimeError("Cannot apply '\(op.rawValue)' to \(a.typeName) and \(b.typeName)")
    }

    /// Unary minus (§5.2).
    public static func negate(_ a: Value) throws -> Value {
        switch a {
        case .int(let i):
            if i == Int.min { throw RuntimeError("Integer overflow") }
            return .int(-i)
        case .float(let d): return .float(-d)
        default: throw RuntimeError("Cannot negate \(a.typeName)")
        }
    }

    /// Indexing (§5.4): never fails; anything unsupported gives `None`.
    public func index(_ i: Value) -> Value {
        switch (self, i) {
        case let (.array(items), .int(n)):
            let k = n < 0 ? items.count + n : n
            return k >= 0 && k < items.count ? items[k] : .none
        case let (.map(m), .string(key)):
            return m[key] ?? .none
        case let (.string(s), .int(n)):
            let scalars = s.unicodeScalars
            let count = scalars.count
            let k = n < 0 ? count + n : n
            guard k >= 0 && k < count else { return .none }
            return .string(String(scalars[scalars.index(scalars.startIndex, offsetBy: k)]))
        case let (.some(inner), _), let (.ok(inner), _):
            return inner.index(i)
        default:
            return .none
        }
    }

    /// Member access `a.name` (§5.4) for everything except modules.
    public func member(_ name: String) -> Value {
        switch self {
        case .map(let m): return m[name] ?? .none
        case .some(let inner), .ok(let inner): return inner.member(name)
        default: return .none
        }
    }
}
