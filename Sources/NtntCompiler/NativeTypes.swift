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

import NtntSema
import NtntSyntax

/// A Swift type a variable can have instead of `Value`: a scalar, an array of scalars, or a
/// typed row (TypedRows): the struct of a described statement, optional for `query_one`.
indirect enum NativeType: Hashable {
    case int, float, bool, string
    case array(NativeType)
    /// A row struct (by name): only as the element of `query`'s array.
    case row(String)
    /// `query_one`'s answer: a row struct or None.
    case optionalRow(String)

    var swiftType: String {
        switch self {
        case .int: return "Int"
        case .float: return "Double"
        case .bool: return "Bool"
        case .string: return "String"
        case .array(let e): return "[\(e.swiftType)]"
        case .row(let name): return name
        case .optionalRow(let name): return name + "?"
        }
    }

    /// A row struct, or an array of them.
    var isRow: Bool {
        switch self {
        case .row, .optionalRow, .array(.row): return true
        default: return false
        }
    }

    var isScalar: Bool {
        switch self {
        case .array, .row, .optionalRow: return false
        default: return true
        }
    }

    /// The initial value of a declared-but-not-yet-assigned variable (never read before its `let`).
    var zero: String {
        switch self {
        case .int, .float: return "0"
        case .bool: return "false"
        case .string: return "\"\""
        case .array: return "[]"
        case .optionalRow, .row: return "nil"
        }
    }

    /// The type a variable of this type is declared with: a row variable has no value before
    /// its first assignment (a template loop's variable), so it is implicitly unwrapped.
    var declaredType: String {
        if case .row(let name) = self { return name + "!" }
        return swiftType
    }

    /// The runtime function taking the payload out of a `Value` of this (scalar) type.
    var extractor: String {
        switch self {
        case .int: return "intOf"
        case .float: return "floatOf"
        case .bool: return "boolOf"
        case .string: return "stringOf"
        case .array, .row, .optionalRow: return "arrayOf"
        }
    }

    /// The `Value` case holding this (scalar) type.
    var valueCase: String {
        switch self {
        case .int: return "Value.int"
        case .float: return "Value.float"
        case .bool: return "Value.bool"
        case .string: return "Value.string"
        case .array: return "Value.array"
        case .row, .optionalRow: return "rowValue"
        }
    }

    /// A Swift expression of this type from a `Value` expression (inference proved the type).
    func extract(_ value: String) -> String {
        switch self {
        case .array(.row(let name)): return "(try arrayOf(\(value)) { try requiredRow($0, \(name).self) })"
        case .array(let e): return "(try arrayOf(\(value), \(e.extractor)))"
        case .optionalRow(let name): return "(try rowOf(\(value), \(name).self))"
        case .row(let name): return "(try requiredRow(\(value), \(name).self))"
        default: return "(try \(extractor)(\(value)))"
        }
    }

    /// A `Value` from a Swift expression of this type (an array is converted element by element).
    func wrap(_ swift: String) -> String {
        switch self {
        case .array(.row): return "rowsValue(\(swift))"
        case .array(let e): return "Value.array(\(swift).map(\(e.valueCase)))"
        case .row: return "\(swift).value"
        default: return "\(valueCase)(\(swift))"
        }
    }
}

/// What inference knows of an expression: not yet known, one Swift type, or only `Value`.
/// `[]` is an array of any element type until something is pushed.
enum InferredType: Equatable {
    case unknown
    case native(NativeType)
    case emptyArray
    case value

    func join(_ other: InferredType) -> InferredType {
        switch (self, other) {
        case (.unknown, let t), (let t, .unknown): return t
        case let (.native(a), .native(b)): return a == b ? self : .value
        case (.emptyArray, .emptyArray): return self
        case (.emptyArray, .native(.array)): return other
        case (.native(.array), .emptyArray): return self
        default: return .value
        }
    }

    /// As an array's element type so far (nil when not an array).
    var arrayElement: InferredType? {
        switch self {
        case .native(.array(let e)): return .native(e)
        case .emptyArray, .unknown: return .unknown
        default: return nil
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
        var types: [SlotKey: InferredType] = [:]
        var candidates = nativeCandidates
        var assignments = nativeAssignments
        var parameters: Set<SlotKey> = []
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
                    parameters.insert(parameter)
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
        // A template loop over a typed array of rows walks the structs themselves.
        for (variable, sequence) in variables.templateLoops where !(captured[variable.scope]?.contains(variable.slot) ?? false) {
            if case .native(.array(.row(let shape))) = inferred(sequence, types) { nativeSlots[variable] = .row(shape) }
        }
        // Arguments arrive as Values: a row parameter would be a Map read back into a struct.
        for p in parameters where nativeSlots[p]?.isRow ?? false { nativeSlots[p] = nil }
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
        case .array(let items):
            if items.isEmpty { return .emptyArray }
            return Self.arrayOf(items.reduce(InferredType.unknown) { $0.join(inferred($1, types)) })
        case let .call(.name(r), args, _) where isGlobal(r, "push") && args.count == 2:
            guard let element = inferred(args[0], types).arrayElement else { return .value }
            return Self.arrayOf(element.join(inferred(args[1], types)))
        case let .call(.name(r), args, _) where isGlobal(r, "len") && args.count == 1:
            if case .native(.array) = inferred(args[0], types) { return .native(.int) }
            return .value
        case .tryUnwrap(let call):
            // A described statement's answer (TypedRows).
            guard let typed = rows?.call(call) else { return .value }
            return .native(typed.one ? .optionalRow(typed.shape) : .array(.row(typed.shape)))
        default: return .value
        }
    }

    /// An array whose elements have type `element` (only scalars: nested arrays stay `Value`).
    static func arrayOf(_ element: InferredType) -> InferredType {
        switch element {
        case .unknown: return .unknown
        case .native(let e) where e.isScalar: return .native(.array(e))
        default: return .value
        }
    }

    /// Whether `r` names the global builtin `name` (not a variable shadowing it).
    func isGlobal(_ r: VarRef, _ name: String) -> Bool {
        if case .global(let g) = r.binding { return globalNames[g] == name }
        return false
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
        case let (.array(items), .array(element)) where !items.contains(where: needsStatements):
            return "([\(try items.map { try nativeExpr($0, element) }.joined(separator: ", "))] as \(type.swiftType))"
        case let (.call(.name(r), args, _), .array(element)) where isGlobal(r, "push") && args.count == 2
                && nativeType(args[0]) == type && !needsStatements(args[1]):
            return "appending(\(try nativeExpr(args[0], type)), \(try nativeExpr(args[1], element)))"
        case let (.tryUnwrap(call), .optionalRow), let (.tryUnwrap(call), .array(.row)):
            // `query_one(…)?` / `query(…)?` of a described statement: its rows, read as structs;
            // an Err leaves the function, as `?` does.
            guard let typed = rows?.call(call) else { break }
            let outcome = temp("q")
            line("let \(outcome) = \(try typedRowQuery(call, typed))")
            let u = temp("u")
            line("let \(u): \(type.swiftType)")
            line("switch \(outcome) {")
            line("case .ok(let r): \(u) = r")
            line("case .err(let e):")
            if functionDepth == 0 {
                line("    _ = e; throw CompiledProgramExit()")
            } else {
                indent += 1
                returnLine("Value.err(e)")
                indent -= 1
            }
            line("}")
            return u
        case let (.call(.name(r), args, _), .int) where isGlobal(r, "len") && args.count == 1:
            if case .array? = nativeType(args[0]) { return "(\(try nativeExpr(args[0], nativeType(args[0])!))).count" }
        default:
            break
        }
        return type.extract(try expr(e))
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
        case .array, .row, .optionalRow:
            return type.extract(try expr(.binary(op, a, b)))  // not produced by `nativeBinaryType`
        }
    }

    /// A Swift `Bool` for a condition (truthiness, §3.1).
    func condition(_ e: Expr) throws -> String {
        if nativeType(e) == .bool { return try nativeExpr(e, .bool) }
        // A typed array or string variable is truthy when not empty (no Value made for it).
        if case .name = e, let t = nativeType(e), t == .string || !t.isScalar { return "!(\(try nativeExpr(e, t))).isEmpty" }
        return "\(try expr(e)).isTruthy"
    }

    /// `name = value` or `name op= value` for a typed variable.
    func nativeAssignment(_ name: String, _ type: NativeType, _ r: VarRef, _ op: BinaryOp?, _ value: Expr) throws {
        // `xs = push(xs, e)`: appends in place (push copies; nothing else sees the old array).
        if op == nil, case let .array(element) = type, let elementExpr = pushOntoItself(r, value, globalNames: globalNames) {
            line("\(name).append(\(try nativeExpr(elementExpr, element)))")
            return
        }
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

    // MARK: - Typed rows

    /// A `RowOutcome` expression running the typed-row call `call` (its arguments evaluated in
    /// order, as the builtin's would be).
    func typedRowQuery(_ call: Expr, _ typed: TypedRowCall) throws -> String {
        guard case let .call(callee, args, _) = call else { throw CompileError(loc: SourceLoc(file: 0, offset: 0), message: "internal error: typed row call") }
        if let std = stdCallee(callee), std.namespace { line("try requireCallable(\(stdFunctionConstant(std)))") }
        let xs = try operands(args)
        return "(try RowQuery.\(typed.one ? "one" : "all")([\(xs.joined(separator: ", "))], \(typed.shape).self))"
    }

    /// The typed row variable `e` names, with its shape.
    func rowVariable(_ e: Expr) -> (name: String, optional: Bool, shape: RowShape)? {
        guard case .name(let r) = e, case let .local(hops, slot) = r.binding,
              case let .native(n, type) = storage(hops: hops, slot: slot) else { return nil }
        switch type {
        case .optionalRow(let s): return rows?.shapes[s].map { (n, true, $0) }
        case .row(let s): return rows?.shapes[s].map { (n, false, $0) }
        default: return nil
        }
    }

    /// `row.column` / `row["column"]` of a typed row, as a Value: the field, None for a missing
    /// row (as a member of None is). Nil when `column` is not one of the row's.
    func rowField(_ base: Expr, _ column: String) -> String? {
        guard let (n, optional, shape) = rowVariable(base), let i = shape.column(column) else { return nil }
        return optional ? "(\(n).map { \(shape.fieldValue(i, of: "$0")) } ?? .none)" : shape.fieldValue(i, of: n)
    }
}
