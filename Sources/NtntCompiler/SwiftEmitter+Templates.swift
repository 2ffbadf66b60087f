// Template literals as straight-line appends to one String: text pieces as literals, outputs
// through the runtime's filters and display rules, loops with their `@` metadata.

import NtntSema
import NtntSyntax

extension SwiftEmitter {
    // MARK: - Templates

    func template(_ nodes: [TemplateNode], _ out: String) throws {
        for n in nodes {
            switch n {
            case .text(let s):
                line("\(out) += \(swiftString(s))")
            case let .output(e, filters, _):
                var v: String
                var rest = filters[...]
                if let first = filters.first, first.name == "length", first.arguments.isEmpty, case .name = e,
                   let type = nativeType(e), case .array = type {
                    // `{{xs | length}}` of a typed array: its count (no Value made of the array).
                    v = "Value.int((\(try nativeExpr(e, type))).count)"
                    rest = filters.dropFirst()
                } else {
                    v = try expr(e)
                }
                for f in rest {
                    let args = try operands(f.arguments)
                    let t = temp()
                    line("let \(t) = try TemplateFilter(rawValue: \(swiftString(f.name)))!.apply(\(v), [\(args.joined(separator: ", "))])")
                    v = t
                }
                line("appendTemplateText(\(v), to: &\(out))")
            case .forLoop(let loop):
                let items = temp("items")
                let typedRows = typedRowLoop(loop)
                if let rows = typedRows {
                    line("let \(items) = \(rows)")  // the row structs: no Map per row
                } else {
                    line("let \(items) = templateIterationValues(\(try expr(loop.sequence)))")
                }
                line("if \(items).isEmpty {")
                indent += 1
                if let e = loop.emptyBody { try template(e, out) }
                indent -= 1
                line("} else {")
                indent += 1
                let i = temp("i")
                line("for (\(i), item) in \(items).enumerated() {")
                indent += 1
                openScope(loop.scope, names: [0: loop.variable.name])
                if typedRows != nil, case let .native(n, _) = storage(hops: 0, slot: loop.variable.slot) {
                    line("\(n) = item")
                } else {
                    assign(slot: loop.variable.slot, hops: 0, value: "item")
                }
                assign(slot: 1, hops: 0, value: ".int(\(i))")
                assign(slot: 2, hops: 0, value: ".int(\(i) + 1)")
                assign(slot: 3, hops: 0, value: ".bool(\(i) == 0)")
                assign(slot: 4, hops: 0, value: ".bool(\(i) == \(items).count - 1)")
                assign(slot: 5, hops: 0, value: ".int(\(items).count)")
                assign(slot: 6, hops: 0, value: ".bool(\(i) % 2 == 0)")
                assign(slot: 7, hops: 0, value: ".bool(\(i) % 2 == 1)")
                try template(loop.body, out)
                closeScope()
                indent -= 1
                line("}")
                indent -= 1
                line("}")
            case let .ifChain(branches, elseBody):
                try templateIf(branches[...], elseBody, out)
            }
        }
    }

    /// The Swift array of row structs a template loop walks, when its variable is typed so.
    func typedRowLoop(_ loop: TemplateFor) -> String? {
        guard case .row? = nativeSlots[SlotKey(scope: ObjectIdentifier(loop.scope), slot: loop.variable.slot)],
              case .name = loop.sequence, let type = nativeType(loop.sequence), case .array(.row) = type else { return nil }
        return try? nativeExpr(loop.sequence, type)
    }

    func templateIf(_ branches: ArraySlice<(cond: Expr, body: [TemplateNode])>, _ elseBody: [TemplateNode]?, _ out: String) throws {
        guard let (c, body) = branches.first else {
            if let e = elseBody { try template(e, out) }
            return
        }
        line("if \(try expr(c)).isTruthy {")
        indent += 1
        try template(body, out)
        indent -= 1
        line("} else {")
        indent += 1
        try templateIf(branches.dropFirst(), elseBody, out)
        indent -= 1
        line("}")
    }
}
