// Expressions. Operators delegate to `Value` in the runtime; this file handles evaluation
// order, short-circuiting, calls, assignment into nested containers and pattern matching.

import NtntRuntime
import NtntSema
import NtntSyntax

extension Interpreter {
    @inline(__always)
    func read(_ ref: VarRef, _ scope: Scope?) throws -> Value {
        switch ref.binding {
        case let .local(hops, slot):
            if let v = scope!.ancestor(hops).slots[slot] { return v }
            if ref.isInTemplate { return .none }
            throw RuntimeError("Undefined variable: \(ref.name)")
        case .global(let g):
            return globals[g]
        case .missing, .unresolved:
            if ref.isInTemplate { return .none }
            throw RuntimeError("Undefined variable: \(ref.name)")
        }
    }

    func eval(_ expr: Expr, _ scope: Scope?) throws -> Value {
        switch expr {
        case .int(let i): return .int(i)
        case .float(let d): return .float(d)
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .unit: return .unit
        case .name(let ref): return try read(ref, scope)

        case let .binary(op, a, b):
            let x = try eval(a, scope)
            let y = try eval(b, scope)
            return try Value.binary(BinaryOperator(op), x, y)

        case let .call(calleeExpr, argExprs, loc):
            let callee: Value
            if case let .member(baseExpr, name) = calleeExpr {
                let base = try eval(baseExpr, scope)
                guard case .module(let m) = base else {
                    throw RuntimeError("Unknown method '\(name)' (call it as \(name)(value, ...))")
                }
                callee = try moduleMember(m, name)
            } else {
                callee = try eval(calleeExpr, scope)
            }
            var args: [Value] = []
            args.reserveCapacity(argExprs.count)
            for a in argExprs { args.append(try eval(a, scope)) }
            return try call(callee, args, at: loc)

        case .interpolated(let parts):
            var s = ""
            for p in parts {
                switch p {
                case .text(let t): s += t
                case .expr(let e): try eval(e, scope).appendDisplay(to: &s)
                }
            }
            return .string(s)

        case .template(let t):
            var out = ""
            try render(t.nodes, scope, into: &out)
            return .string(out)

        case .array(let items):
            var xs: [Value] = []
            xs.reserveCapacity(items.count)
            for i in items { xs.append(try eval(i, scope)) }
            return .array(xs)

        case .map(let entries):
            var m = ValueMap()
            for (k, v) in entries {
                let key = try eval(k, scope)
                let value = try eval(v, scope)
                switch key {
                case .string(let s): m[s] = value
                case .int(let i): m[String(i)] = value
                default: throw RuntimeError("Map keys must be strings or integers")
                }
            }
            return .map(m)

        case let .unary(op, operand):
            let v = try eval(operand, scope)
            switch op {
            case .not: return .bool(!v.isTruthy)
            case .negate: return try Value.negate(v)
            }

        case let .and(a, b):
            guard try eval(a, scope).isTruthy else { return .bool(false) }
            return .bool(try eval(b, scope).isTruthy)

        case let .or(a, b):
            if try eval(a, scope).isTruthy { return .bool(true) }
            return .bool(try eval(b, scope).isTruthy)

        case let .coalesce(a, b):
            if let v = coalesce(try eval(a, scope)) { return v }
            return try eval(b, scope)

        case let .range(a, b, inclusive):
            let lo = try eval(a, scope), hi = try eval(b, scope)
            guard case .int(let l) = lo, case .int(let h) = hi else {
                throw RuntimeError("Range bounds must be integers")
            }
            return .range(lower: l, upper: h, inclusive: inclusive)

        case let .index(a, i):
            let base = try eval(a, scope)
            return base.index(try eval(i, scope))

        case let .member(a, name):
            let base = try eval(a, scope)
            if case .module(let m) = base { return try moduleMember(m, name) }
            return base.member(name)

        case .tryUnwrap(let e):
            let v = try eval(e, scope)
            switch v {
            case .some(let x), .ok(let x): return x
            case .none, .err: throw TryReturn(value: v)
            default: return v
            }

        case let .assign(target, op, valueExpr):
            return try assign(target, op, valueExpr, scope)

        case .closure(let decl):
            return .function(Closure(decl: decl, env: scope))

        case let .ifElse(cond, then, elseBranch):
            var block: Block? = nil
            if try eval(cond, scope).isTruthy {
                block = then
            } else {
                switch elseBranch {
                case .block(let b)?: block = b
                case .elseIf(let e)?: return try eval(e, scope)
                case nil: return .unit
                }
            }
            let flow = try execBlock(block!, scope)
            return try propagate(flow)

        case let .match(subjectExpr, arms):
            let subject = try eval(subjectExpr, scope)
            for arm in arms {
                let armScope = arm.scope.isMaterialized ? Scope(count: arm.scope.slotCount, parent: scope) : scope
                guard bind(arm.pattern, subject, armScope) else { continue }
                if let g = arm.guardExpr, !(try eval(g, armScope).isTruthy) { continue }
                return try eval(arm.body, armScope)
            }
            throw RuntimeError("No match arm matched")

        case .old(let n):
            return n < oldValues.count ? oldValues[n] : .unit
        }
    }

    /// A block used as a value (if/match arms) may still `return`, `break` or `continue` from
    /// the enclosing function or loop; those travel as control-flow errors.
    func propagate(_ flow: Flow) throws -> Value {
        switch flow {
        case .normal: return lastValue
        case .returned: throw ControlTransfer.returned(returnValue)
        case .breakLoop: throw ControlTransfer.breakLoop
        case .continueLoop: throw ControlTransfer.continueLoop
        }
    }

    func moduleMember(_ m: ModuleValue, _ name: String) throws -> Value {
        guard let v = m.members[name] else {
            throw RuntimeError("Module '\(m.path)' has no member '\(name)'")
        }
        return v
    }

    // MARK: - Assignment

    /// `x = push(x, e)` in amortised constant time: the same reads, evaluation order and errors
    /// as the call, but x's array is taken out of the variable before appending, so it is not
    /// copied (a loop of pushes would otherwise be quadratic).
    private func pushInPlace(_ ref: VarRef, _ elementExpr: Expr, _ scope: Scope?) throws -> Value {
        var current = try read(ref, scope)
        let element = try eval(elementExpr, scope)
        guard case let .local(hops, slot) = ref.binding else { throw RuntimeError("Undefined variable: \(ref.name)") }
        let owner = scope!.ancestor(hops)
        if owner.slots[slot] == nil { throw RuntimeError("Undefined variable: \(ref.name)") }
        if case .array = current { owner.slots[slot] = .unit }
        try NtntRuntime.pushInPlace(&current, element)
        owner.slots[slot] = current
        return current
    }

    func assign(_ target: AssignTarget, _ op: BinaryOp?, _ valueExpr: Expr, _ scope: Scope?) throws -> Value {
        switch target {
        case .variable(let ref):
            if op == nil, let element = pushOntoItself(ref, valueExpr, globalNames: Interpreter.globalNames) {
                return try pushInPlace(ref, element, scope)
            }
            var value = try eval(valueExpr, scope)
            if let op { value = try Value.binary(BinaryOperator(op), try read(ref, scope), value) }
            guard case let .local(hops, slot) = ref.binding else {
                throw RuntimeError("Undefined variable: \(ref.name)")
            }
            let owner = scope!.ancestor(hops)
            if owner.slots[slot] == nil { throw RuntimeError("Undefined variable: \(ref.name)") }
            owner.slots[slot] = value
            return value

        case let .path(root, indexExprs, box):
            guard case let .local(hops, slot) = root.binding,
                  let current = scope!.ancestor(hops).slots[slot] else {
                throw RuntimeError("Undefined variable: \(root.name)")
            }
            _ = current
            if !box.isMutable {
                throw RuntimeError("Cannot mutate '\(root.name)': variable is not declared with 'let mut'")
            }
            var indices: [Value] = []
            for i in indexExprs { indices.append(try eval(i, scope)) }
            var value = try eval(valueExpr, scope)
            let owner = scope!.ancestor(hops)
            if let op {
                var cur = owner.slots[slot]!
                for i in indices { cur = cur.index(i) }
                value = try Value.binary(BinaryOperator(op), cur, value)
            }
            // Take the value out of its slot so the container is uniquely referenced and
            // updates in place (no copy of the whole array or map).
            var root = owner.slots[slot]!
            owner.slots[slot] = .unit
            defer { owner.slots[slot] = root }
            try storeValue(into: &root, indices[...], value)
            return value
        }
    }

    // MARK: - Patterns

    func bind(_ pattern: Pattern, _ v: Value, _ scope: Scope?) -> Bool {
        switch pattern {
        case .wildcard: return true
        case .binding(let d):
            scope!.slots[d.slot] = v
            return true
        case .int(let i):
            if case .int(let x) = v { return x == i }
            return false
        case .float(let d):
            if case .float(let x) = v { return x == d }
            return false
        case .string(let s):
            if case .string(let x) = v { return x.utf8.elementsEqual(s.utf8) }
            return false
        case .bool(let b):
            if case .bool(let x) = v { return x == b }
            return false
        case .unit:
            if case .unit = v { return true }
            return false
        case .none:
            if case .none = v { return true }
            return false
        case .some(let p):
            if case .some(let x) = v { return bind(p, x, scope) }
            return false
        case .ok(let p):
            if case .ok(let x) = v { return bind(p, x, scope) }
            return false
        case .err(let p):
            if case .err(let x) = v { return bind(p, x, scope) }
            return false
        case .array(let ps):
            guard case .array(let xs) = v, xs.count == ps.count else { return false }
            for (p, x) in zip(ps, xs) where !bind(p, x, scope) { return false }
            return true
        }
    }
}

/// `return`/`break`/`continue` from inside a block that is being used as a value.
enum ControlTransfer: Error {
    case returned(Value)
    case breakLoop
    case continueLoop
}

extension BinaryOperator {
    @inline(__always)
    init(_ op: BinaryOp) {
        switch op {
        case .add: self = .add
        case .subtract: self = .subtract
        case .multiply: self = .multiply
        case .divide: self = .divide
        case .remainder: self = .remainder
        case .equal: self = .equal
        case .notEqual: self = .notEqual
        case .less: self = .less
        case .lessEqual: self = .lessEqual
        case .greater: self = .greater
        case .greaterEqual: self = .greaterEqual
        }
    }
}
