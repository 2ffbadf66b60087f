// `match`: each arm is a labelled `do` block of nested `if`s that bind the pattern's
// variables; the first arm that matches breaks out with its value.

import NtntSema
import NtntSyntax

extension SwiftEmitter {
    func match(_ subjectExpr: Expr, _ arms: [MatchArm]) throws -> String {
        let subject = temp("subject")
        line("let \(subject) = \(try expr(subjectExpr))")
        let result = temp("r")
        line("var \(result): Value = .unit")
        let label = temp("match")
        line("\(label): do {")
        indent += 1
        for arm in arms {
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
}
