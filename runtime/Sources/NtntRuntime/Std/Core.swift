// The global builtins of LANGUAGE.md §9 that are not numeric or higher-order: printing,
// conversion, type inspection, Option/Result helpers.

#if canImport(Glibc)
import Glibc
#endif

extension Builtins {
    static let coreFunctions: [BuiltinFunction] = [
        BuiltinFunction("print", arity: 1...1) { a, ctx in
            try QueryPrefetch.guardEffect()
            ctx.writeLine(a[0].displayString)
            return .unit
        },
        BuiltinFunction("str", arity: 1...1) { a, _ in .string(a[0].displayString) },
        BuiltinFunction("len", arity: 1...1) { a, _ in
            switch a[0] {
            case .string(let s): return .int(scalarCount(s))
            case .array(let xs): return .int(xs.count)
            case .map(let m): return .int(m.count)
            default: throw typeError("len", "String, Array or Map", a[0])
            }
        },
        BuiltinFunction("int", arity: 1...1) { a, _ in convertToInt(a[0]) },
        BuiltinFunction("float", arity: 1...1) { a, _ in convertToFloat(a[0]) },
        BuiltinFunction("type", arity: 1...1) { a, _ in .string(a[0].typeName) },
        BuiltinFunction("typeof", arity: 1...1) { a, _ in .string(a[0].typeName) },
        BuiltinFunction("push", arity: 2...2) { a, _ in
            var xs = try a.array(0, "push")
            xs.append(a[1])
            return .array(xs)
        },
        BuiltinFunction("assert", arity: 1...1) { a, _ in
            if !a[0].isTruthy { throw RuntimeError("Assertion failed") }
            return .unit
        },
        BuiltinFunction("Some", arity: 1...1) { a, _ in .some(a[0]) },
        BuiltinFunction("Ok", arity: 1...1) { a, _ in .ok(a[0]) },
        BuiltinFunction("Err", arity: 1...1) { a, _ in .err(a[0]) },
        BuiltinFunction("is_some", arity: 1...1) { a, _ in
            if case .some = a[0] { return .bool(true) }
            return .bool(false)
        },
        BuiltinFunction("is_none", arity: 1...1) { a, _ in
            if case .none = a[0] { return .bool(true) }
            return .bool(false)
        },
        BuiltinFunction("is_ok", arity: 1...1) { a, _ in
            if case .ok = a[0] { return .bool(true) }
            return .bool(false)
        },
        BuiltinFunction("is_err", arity: 1...1) { a, _ in
            if case .err = a[0] { return .bool(true) }
            return .bool(false)
        },
        BuiltinFunction("unwrap", arity: 1...1) { a, _ in try unwrapValue(a[0]) },
        BuiltinFunction("unwrap_or", arity: 2...2) { a, _ in coalesce(a[0]) ?? a[1] },
        // `old(e)` outside an `ensures` clause is just `e` (§6).
        BuiltinFunction("old", arity: 1...1) { a, _ in a[0] },
    ]
}

/// `unwrap(x)`: payload of Some/Ok, an error for None/Err, other values unchanged.
public func unwrapValue(_ v: Value) throws -> Value {
    switch v {
    case .some(let x), .ok(let x): return x
    case .none: throw RuntimeError("Called unwrap() on None")
    case .err(let e): throw RuntimeError("Called unwrap() on Err(\(e.displayString))")
    default: return v
    }
}

/// The left side of `??`: nil for None/Err (take the right side), the payload of Some/Ok,
/// any other value unchanged.
@inlinable
public func coalesce(_ v: Value) -> Value? {
    switch v {
    case .none, .err: return nil
    case .some(let x), .ok(let x): return x
    default: return v
    }
}

/// `int(x)` (§9): anything that is not a clean integer becomes `None`.
public func convertToInt(_ v: Value) -> Value {
    switch v {
    case .int: return v
    case .float(let d):
        let t = d.rounded(.towardZero)
        guard t.isFinite, t >= -9.223372036854775808e18, t < 9.223372036854775808e18 else { return .none }
        return .int(Int(t))
    case .bool(let b): return .int(b ? 1 : 0)
    case .string(let s):
        var bytes = Substring(s).utf8[...]
        if let f = bytes.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        guard !bytes.isEmpty, bytes.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return .none }
        // Int("+5") is accepted by Swift; overflow gives nil.
        if let i = Int(s) { return .int(i) }
        return .none
    default: return .none
    }
}

/// `float(x)` (§9): numbers convert; strings must look like a decimal number.
public func convertToFloat(_ v: Value) -> Value {
    switch v {
    case .int(let i): return .float(Double(i))
    case .float: return v
    case .string(let s):
        guard looksLikeDecimal(Array(s.utf8)), let d = Double(s) else { return .none }
        return .float(d)
    default: return .none
    }
}

/// `[+-]?(digits[.digits?] | .digits)([eE][+-]?digits)?`
private func looksLikeDecimal(_ b: [UInt8]) -> Bool {
    var i = 0
    func digits() -> Int {
        let start = i
        while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
        return i - start
    }
    if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
    let intDigits = digits()
    if i < b.count, b[i] == UInt8(ascii: ".") {
        i += 1
        let frac = digits()
        if intDigits == 0 && frac == 0 { return false }
    } else if intDigits == 0 {
        return false
    }
    if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
        i += 1
        if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
        if digits() == 0 { return false }
    }
    return i == b.count
}
