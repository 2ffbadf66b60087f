// Type inference: function-local `let` variables that only ever hold Ints, Floats, Bools or
// Strings are stored as Swift `Int`, `Double`, `Bool` or `String`, and expressions over them
// are emitted as plain Swift (Int arithmetic stays overflow-checked, as §5.2 requires).
//
// Inference is a fixpoint over every assignment of every candidate: a variable starts with no
// type, takes the type of what is assigned to it, and falls back to `Value` as soon as two
// assignments disagree or one is not a known type. Variables captured by closures (Cells),
// assigned through an index path, or bound by `otherwise` are never candidates. Parameters of
// the entry module's functions are candidates too when the function is only ever called by
// name (never used as a value, e.g. as a route handler): every call assigns its arguments.

import NtntSyntax

/// A Swift type a variable can have instead of `Value`.
enum NativeType: Equatable {
    case int, float, bool, string

    var swiftType: String {
        switch self {
        case .int: return "Int"
        case .float: return "Double"
        case .bool: return "Bool"
        case .string: return "String"
        }
    }

    /// The initial value of a declared-but-not-yet-assigned variable (never read before its `let`).
    var zero: String {
        switch self {
        case .int, .float: return "0"
        case .bool: return "false"
        case .string: return "\"\""
        }
    }

    /// The runtime function taking the payload out of a `Value` of this type.
    var extractor: String {
        switch self {
        case .int: return "intOf"
        case .float: return "floatOf"
        case .bool: return "boolOf"
        case .string: return "stringOf"
        }
    }

    /// A `Value` from a Swift expression of this type.
    func wrap(_ swift: String) -> String {
        switch self {
        case .int: return "Value.int(\(swift))"
        case .float: return "Value.float(\(swift))"
        case .bool: return "Value.bool(\(swift))"
        case .string: return "Value.string(\(swift))"
        }
    }
}

/// What inference knows of an expression: not yet known, one Swift type, or only `Value`.
enum InferredType: Equatable {
    case unknown
    case native(NativeType)
    case value

    func join(_ other: InferredType) -> InferredType {
        switch (self, other) {
        case (.unknown, let t), (let t, .unknown): return t
        case let (.native(a), .native(b)): return a == b ? self : .value
        default: return .value
        }
    }
}

extension BinaryOp {
    var isArithmetic: Bool {
        switch self {
        case .add, .subtract, .multiply, .divide, .remainder: return true
        default: return false
        }
    }
}

extension SwiftEmitter {
    // MARK: - Inference

    func inferNativeSlots() {
        let captured = capturedSlots
        var types: [SlotKey: InferredType] = [:]
        var candidates = nativeCandidates
        var assignments = nativeAssignments
        // Parameters of the entry module's top-level functions that are only ever called by
        // name: each call assigns its arguments to them.
        if isEntry {
            let moduleScope = ObjectIdentifier(module.body.scope)
            var calls: [SlotKey: [[Expr]]] = [:]
            for (key, args) in callsByName where key.scope == moduleScope { calls[key, default: []].append(args) }
            for f in module.body.scope.hoistedFunctions where directFunctions[f.name!] != nil && f.scope.isMaterialized {
                let function = SlotKey(scope: moduleScope, slot: f.decl!.slot)
                if valueUses.contains(function) { continue }
                for (i, p) in f.parameters.enumerated() where p.defaultValue == nil {
                    let parameter = SlotKey(scope: ObjectIdentifier(f.scope), slot: p.decl.slot)
                    candidates.insert(parameter)
                    for args in calls[function] ?? [] where i < args.count {
                        assignments.append((parameter, args[i], nil))
                    }
                }
            }
        }
        for key in candidates.subtracting(nativeExcluded) where !(captured[key.scope]?.contains(key.slot) ?? false) {
            types[key] = .unknown
        }
        var changed = true
        while changed {
            changed = false
            for (key, rhs, op) in assignments {
                guard let current = types[key], current != .value else { continue }
                let assigned = op.map { Self.binaryType($0, current, inferred(rhs, types)) } ?? inferred(rhs, types)
                let joined = current.join(assigned)
                if joined != current {
                    types[key] = joined
                    changed = true
                }
            }
        }
        nativeSlots = types.compactMapValues { if case .native(let t) = $0 { return t } else { return nil } }
    }

    /// The type of `e` given the variables' types so far (variables without an entry are `Value`).
    func inferred(_ e: Expr, _ types: [SlotKey: InferredType]) -> InferredType {
        switch e {
        case .int: return .native(.int)
        case .float: return .native(.float)
        case .string, .interpolated, .template: return .native(.string)
        case .bool, .and, .or, .unary(.not, _): return .native(.bool)
        case .name(let r): return refKeys[ObjectIdentifier(r)].flatMap { types[$0] } ?? .value
        case let .binary(op, a, b):
            if !op.isArithmetic { return .native(.bool) }  // comparisons yield a Bool or raise
            return Self.binaryType(op, inferred(a, types), inferred(b, types))
        case .unary(.negate, let x):
            let t = inferred(x, types)
            return t == .native(.int) || t == .native(.float) || t == .unknown ? t : .value
        default: return .value
        }
    }

    /// The type of an arithmetic operator's result (§5.2).
    static func binaryType(_ op: BinaryOp, _ a: InferredType, _ b: InferredType) -> InferredType {
        if op == .add && (a == .native(.string) || b == .native(.string)) { return .native(.string) }
        if a == .unknown || b == .unknown { return .unknown }
        switch (a, b) {
        case (.native(.int), .native(.int)): return .native(.int)
        case (.native(.int), .native(.float)), (.native(.float), .native(.int)), (.native(.float), .native(.float)):
            return .native(.float)
        default: return .value
        }
    }

    /// The Swift type of `e` once inference is done, if it has one.
    func nativeType(_ e: Expr) -> NativeType? {
        if case .native(let t) = inferred(e, nativeSlotTypes) { return t }
        return nil
    }

    private func isNumber(_ t: NativeType?) -> Bool { t == .int || t == .float }

    /// The result type of `a op b` when it can be emitted as plain Swift over typed operands.
    func nativeBinaryType(_ op: BinaryOp, _ a: Expr, _ b: Expr) -> NativeType? {
        if needsStatements(b) { return nil }  // keeps left-to-right evaluation simple
        let ta = nativeType(a), tb = nativeType(b)
        if op.isArithmetic {
            if ta == .int && tb == .int { return .int }
            if isNumber(ta) && isNumber(tb) { return .float }
            if op == .add && ta == .string && tb == .string { return .string }
            return nil
        }
        return isNumber(ta) && isNumber(tb) ? .bool : nil
    }

    // MARK: - Emission

    /// A Swift expression of type `type` for `e` (whose inferred type is `type`).
    func nativeExpr(_ e: Expr, _ type: NativeType) throws -> String {
        // An Int where a Double is wanted (mixed arithmetic): computed as an Int first (so
        // overflow is still an error), then converted.
        if type == .float && nativeType(e) == .int { return "Double(\(try nativeExpr(e, .int)))" }
        switch (e, type) {
        case (.int(let i), .int): return "\(i)"
        case (.float(let d), .float):
            if d.isInfinite { return d > 0 ? "Double.infinity" : "(-Double.infinity)" }
            return "Double(\(d))"
        case (.string(let s), .string): return swiftString(s)
        case (.bool(let b), .bool): return "\(b)"
        case (.name(let r), _):
            if case let .local(hops, slot) = r.binding, case let .native(n, t) = storage(hops: hops, slot: slot) {
                if t == type { return n }
            }
        case let (.binary(op, a, b), _):
            guard nativeBinaryType(op, a, b) == type else { break }
            return try nativeBinary(op, a, b, type)
        case let (.unary(.negate, x), .int) where nativeType(x) == .int:
            return "(try intArithmetic(.subtract, 0, \(try nativeExpr(x, .int))))"
        case let (.unary(.negate, x), .float) where nativeType(x) == .float:
            return "(-\(try nativeExpr(x, .float)))"
        case let (.unary(.not, x), .bool):
            return "(!\(try condition(x)))"
        case let (.and(a, b), .bool) where !needsStatements(b):
            return "(try \(try condition(a)) && \(try condition(b)))"
        case let (.or(a, b), .bool) where !needsStatements(b):
            return "(try \(try condition(a)) || \(try condition(b)))"
        default:
            break
        }
        return "(try \(type.extractor)(\(try expr(e))))"
    }

    private func nativeBinary(_ op: BinaryOp, _ a: Expr, _ b: Expr, _ type: NativeType) throws -> String {
        switch type {
        case .int:
            return "(try intArithmetic(\(binaryOperator(op)), \(try nativeExpr(a, .int)), \(try nativeExpr(b, .int))))"
        case .float:
            let x = try nativeExpr(a, .float), y = try nativeExpr(b, .float)
            if op == .remainder { return "\(x).truncatingRemainder(dividingBy: \(y))" }
            return "(\(x) \(op.rawValue) \(y))"
        case .string:
            return "(\(try nativeExpr(a, .string)) + \(try nativeExpr(b, .string)))"
        case .bool:
            // A comparison of two numbers: Ints directly, anything mixed as Doubles (§3.2).
            let both: NativeType = nativeType(a) == .int && nativeType(b) == .int ? .int : .float
            return "(\(try nativeExpr(a, both)) \(op.rawValue) \(try nativeExpr(b, both)))"
        }
    }

    /// A Swift `Bool` for a condition (truthiness, §3.1).
    func condition(_ e: Expr) throws -> String {
        if nativeType(e) == .bool { return try nativeExpr(e, .bool) }
        return "\(try expr(e)).isTruthy"
    }

    /// `name = value` or `name op= value` for a typed variable.
    func nativeAssignment(_ name: String, _ type: NativeType, _ r: VarRef, _ op: BinaryOp?, _ value: Expr) throws {
        guard let op else {
            line("\(name) = \(try nativeExpr(value, type))")
            return
        }
        if type == .string && op == .add && nativeType(value) == .string {
            line("\(name) += \(try nativeExpr(value, .string))")  // appends in place
            return
        }
        line("\(name) = \(try nativeExpr(.binary(op, .name(r), value), type))")
    }
}
