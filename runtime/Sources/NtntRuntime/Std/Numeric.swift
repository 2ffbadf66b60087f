// Numeric builtins (§9) and std/math (§10.3). Functions keep Int results when every argument
// is an Int, as the language promises, and turn Float results that must be Ints (round,
// floor, …) into an error instead of a trap when they do not fit.

#if canImport(Glibc)
import Glibc
#endif
import CNtntSys

/// Converts an integral Double to Int; one that does not fit (or is not a number) is the
/// language's `Integer overflow`, as for any other Int result that does not fit.
func integralInt(_ d: Double) throws -> Int {
    guard d.isFinite, d >= -9.223372036854775808e18, d < 9.223372036854775808e18 else {
        throw RuntimeError("Integer overflow")
    }
    return Int(d)
}


extension Builtins {
    static let numericFunctions: [BuiltinFunction] = [
        BuiltinFunction("abs", arity: 1...1) { a, _ in
            switch a[0] {
            case .int(let i):
                if i == Int.min { throw RuntimeError("Integer overflow") }
                return .int(Swift.abs(i))
            case .float(let d): return .float(Swift.abs(d))
            default: throw typeError("abs", "a number", a[0])
            }
        },
        BuiltinFunction("min", arity: 2...2) { a, _ in
            if case .int(let x) = a[0], case .int(let y) = a[1] { return .int(Swift.min(x, y)) }
            let x = try a.number(0, "min"), y = try a.number(1, "min")
            return .float(Swift.min(x, y))
        },
        BuiltinFunction("max", arity: 2...2) { a, _ in
            if case .int(let x) = a[0], case .int(let y) = a[1] { return .int(Swift.max(x, y)) }
            let x = try a.number(0, "max"), y = try a.number(1, "max")
            return .float(Swift.max(x, y))
        },
        BuiltinFunction("round", arity: 1...2) { a, _ in
            if a.count == 2 {
                let x = try a.number(0, "round")
                let d = try a.int(1, "round")
                let scale = Glibc.pow(10.0, Double(d))
                return .float((x * scale).rounded(.toNearestOrAwayFromZero) / scale)
            }
            if case .int = a[0] { return a[0] }
            return .int(try integralInt(try a.number(0, "round").rounded(.toNearestOrAwayFromZero)))
        },
        BuiltinFunction("floor", arity: 1...1) { a, _ in
            if case .int = a[0] { return a[0] }
            return .int(try integralInt(try a.number(0, "floor").rounded(.down)))
        },
        BuiltinFunction("ceil", arity: 1...1) { a, _ in
            if case .int = a[0] { return a[0] }
            return .int(try integralInt(try a.number(0, "ceil").rounded(.up)))
        },
        BuiltinFunction("trunc", arity: 1...1) { a, _ in
            if case .int = a[0] { return a[0] }
            return .int(try integralInt(try a.number(0, "trunc").rounded(.towardZero)))
        },
        BuiltinFunction("sqrt", arity: 1...1) { a, _ in
            let x = try a.number(0, "sqrt")
            if x < 0 { throw RuntimeError("sqrt(): negative argument") }
            return .float(x.squareRoot())
        },
        BuiltinFunction("pow", arity: 2...2) { a, _ in
            if case .int(let base) = a[0], case .int(let exp) = a[1], exp >= 0 {
                var result = 1
                var b = base
                var e = exp
                // Square-and-multiply; any intermediate overflow that reaches the result is an error.
                while e > 0 {
                    if e & 1 == 1 {
                        let (r, o) = result.multipliedReportingOverflow(by: b)
                        if o { throw RuntimeError("Integer overflow") }
                        result = r
                    }
                    e >>= 1
                    if e > 0 {
                        let (sq, o) = b.multipliedReportingOverflow(by: b)
                        if o { throw RuntimeError("Integer overflow") }
                        b = sq
                    }
                }
                return .int(result)
            }
            return .float(Glibc.pow(try a.number(0, "pow"), try a.number(1, "pow")))
        },
        BuiltinFunction("sign", arity: 1...1) { a, _ in
            let x = try a.number(0, "sign")
            return .int(x > 0 ? 1 : (x < 0 ? -1 : 0))
        },
        BuiltinFunction("clamp", arity: 3...3) { a, _ in
            if case .int(let x) = a[0], case .int(let lo) = a[1], case .int(let hi) = a[2] {
                if lo > hi { throw RuntimeError("clamp(): min is greater than max") }
                return .int(Swift.min(Swift.max(x, lo), hi))
            }
            let x = try a.number(0, "clamp"), lo = try a.number(1, "clamp"), hi = try a.number(2, "clamp")
            if lo > hi { throw RuntimeError("clamp(): min is greater than max") }
            return .float(Swift.min(Swift.max(x, lo), hi))
        },
    ]

    static let mathFunctions: [BuiltinFunction] = [
        BuiltinFunction("random", arity: 0...0) { _, _ in
            var g = ThreadRandom()
            return .float(Double.random(in: 0..<1, using: &g))
        },
        BuiltinFunction("random_int", arity: 2...2) { a, _ in
            let lo = try a.int(0, "random_int"), hi = try a.int(1, "random_int")
            if lo > hi { throw RuntimeError("random_int(): min is greater than max") }
            var g = ThreadRandom()
            return .int(Int.random(in: lo...hi, using: &g))
        },
        mathUnary("sin", Glibc.sin), mathUnary("cos", Glibc.cos), mathUnary("tan", Glibc.tan),
        mathUnary("log", Glibc.log), mathUnary("log10", Glibc.log10), mathUnary("exp", Glibc.exp),
    ]

    private static func mathUnary(_ name: String, _ f: @escaping (Double) -> Double) -> BuiltinFunction {
        BuiltinFunction(name, arity: 1...1) { a, _ in .float(f(try a.number(0, name))) }
    }
}

/// The calling thread's random generator (seeded once per thread; no syscall per number).
public struct ThreadRandom: RandomNumberGenerator {
    @inlinable public init() {}
    @inlinable public mutating func next() -> UInt64 { ntnt_random_u64() }
}
