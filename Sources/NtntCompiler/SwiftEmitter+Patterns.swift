// `match`: each arm is a labelled `do` block of nested `if`s that bind the pattern's
// variables; the first arm that matches breaks out with its value.

import NtntSema
import NtntSyntax

extension SwiftEmitter {
    func match(_ subjectExpr: Expr, _ arms: [MatchArm]) throws -> String {
        let subject = temp("subject")
        var remaining = arms[...]
        var typedArm: (outcome: String, arm: MatchArm, row: String)?
        if let (typed, first) = typedRowMatch(subjectExpr, arms) {
            // `match query_one(…) { Ok(row) => …, … }` of a described statement: the first arm
            // takes the struct; the others see the Err value, as the only outcome left.
            remaining = arms.dropFirst()
            let outcome = temp("q")
            line("let \(outcome) = \(try typedRowQuery(subjectExpr, typed))")
            line("let \(subject): Value")
            line("if case .err(let e) = \(outcome) { \(subject) = .err(e) } else { \(subject) = .unit }")
            typedArm = (outcome, arms[0], first)
        } else {
            line("let \(subject) = \(try expr(subjectExpr))")
        }
        let result = temp("r")
        line("var \(result): Value = .unit")
        let label = temp("match")
        line("\(label): do {")
        indent += 1
        if let (outcome, arm, _) = typedArm, case let .ok(.binding(d)) = arm.pattern {
            line("if case .ok(let row) = \(outcome) {")
            indent += 1
            openScope(arm.scope)
            if case let .native(n, _) = storage(hops: 0, slot: d.slot) { line("\(n) = row") }
            if case let .ifElse(.bool(true), block, nil) = arm.body {
                try scopedBlockValue(block, .assign(result))
            } else {
                line("\(result) = \(try expr(arm.body))")
            }
            line("break \(label)")
            closeScope()
            indent -= 1
            line("}")
        }
        for arm in remaining {
            line("do {")
            indent += 1
            let materialized = arm.scope.isMaterialized
            if materialized { openScope(arm.scope) }
            var depth = 0
            try pattern(arm.pattern, subject, &depth)
            if let g = arm.guardExpr {
                let c = try expr(g)
                line("if \(c).isTruthy {")
                indent += 1
                depth += 1
            }
            if case let .ifElse(.bool(true), block, nil) = arm.body {
                try scopedBlockValue(block, .assign(result))
            } else {
                line("\(result) = \(try expr(arm.body))")
            }
            line("break \(label)")
            for _ in 0..<depth {
                indent -= 1
                line("}")
            }
            if materialized { closeScope() }
            indent -= 1
            line("}")
        }
        line("throw RuntimeError(\"No match arm matched\")")
        indent -= 1
        line("}")
        return result
    }

    /// Opens nested `if`s that succeed when `value` matches `p`, binding variables.
    func pattern(_ p: Pattern, _ value: String, _ depth: inout Int) throws {
        func open(_ condition: String) {
            line("if \(condition) {")
            indent += 1
            depth += 1
        }
        switch p {
        case .wildcard: break
        case .binding(let d): assign(slot: d.slot, hops: 0, value: value)
        case .int(let i): open("case .int(\(i)) = \(value)")
        case .float(let d): open("case .float(let f) = \(value), f == \(d)")
        case .string(let s): open("case .string(let s) = \(value), s.utf8.elementsEqual(\(swiftString(s)).utf8)")
        case .bool(let b): open("case .bool(\(b)) = \(value)")
        case .unit: open("case .unit = \(value)")
        case .none: open("case .none = \(value)")
        case .some(let inner), .ok(let inner), .err(let inner):
            let t = temp("p")
            let tag: String
            switch p { case .some: tag = "some"; case .ok: tag = "ok"; default: tag = "err" }
            open("case .\(tag)(let \(t)) = \(value)")
            try pattern(inner, t, &depth)
        case .array(let ps):
            let t = temp("p")
            open("case .array(let \(t)) = \(value), \(t).count == \(ps.count)")
            for (i, q) in ps.enumerated() { try pattern(q, "\(t)[\(i)]", &depth) }
        }
    }

    /// A match whose subject is a typed-row call and whose first arm is `Ok(name)` without a
    /// guard, with `name` stored as the row struct: the call and the arm's variable.
    func typedRowMatch(_ subject: Expr, _ arms: [MatchArm]) -> (TypedRowCall, String)? {
        guard let typed = rows?.call(subject), let first = arms.first, first.guardExpr == nil,
              case let .ok(.binding(d)) = first.pattern,
              let type = nativeSlots[SlotKey(scope: ObjectIdentifier(first.scope), slot: d.slot)], type.isRow else { return nil }
        return (typed, d.name)
    }
}
