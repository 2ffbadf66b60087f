// Template rendering for the interpreter: walks the template AST the parser built, appending
// to one String. Filters and the display rule come from the runtime (shared with compiled code).

import NtntRuntime
import NtntSyntax

extension Interpreter {
    func render(_ nodes: [TemplateNode], _ scope: Scope?, into out: inout String) throws {
        for node in nodes {
            switch node {
            case .text(let t):
                out += t
            case let .output(expr, filters, _):
                var v = try eval(expr, scope)
                for f in filters {
                    // The parser only accepts known filter names.
                    let filter = TemplateFilter(rawValue: f.name)!
                    var args: [Value] = []
                    for a in f.arguments { args.append(try eval(a, scope)) }
                    v = try filter.apply(v, args)
                }
                appendTemplateText(v, to: &out)
            case .forLoop(let loop):
                try renderLoop(loop, scope, into: &out)
            case let .ifChain(branches, elseBody):
                var done = false
                for (cond, body) in branches where try eval(cond, scope).isTruthy {
                    try render(body, scope, into: &out)
                    done = true
                    break
                }
                if !done, let e = elseBody { try render(e, scope, into: &out) }
            }
        }
    }

    private func renderLoop(_ loop: TemplateFor, _ scope: Scope?, into out: inout String) throws {
        let items: [Value]
        switch try eval(loop.sequence, scope) {
        case .array(let xs): items = xs
        case .map(let m): items = (0..<m.count).map { .array([.string(m.keys[$0]), m.values[$0]]) }
        case let .range(lower, upper, inclusive):
            let hi = inclusive ? upper : upper - 1
            items = lower <= hi ? (lower...hi).map { .int($0) } : []
        default: items = []  // Decision (§7): non-collections are empty.
        }
        if items.isEmpty {
            if let e = loop.emptyBody { try render(e, scope, into: &out) }
            return
        }
        // Slot 0 is the loop variable, slots 1…7 the metadata in `templateLoopMetaNames` order.
        let inner = Scope(count: loop.scope.slotCount, parent: scope)
        let count = items.count
        inner.slots[5] = .int(count)
        for (i, item) in items.enumerated() {
            inner.slots[loop.variable.slot] = item
            inner.slots[1] = .int(i)
            inner.slots[2] = .int(i + 1)
            inner.slots[3] = .bool(i == 0)
            inner.slots[4] = .bool(i == count - 1)
            inner.slots[6] = .bool(i % 2 == 0)
            inner.slots[7] = .bool(i % 2 == 1)
            try render(loop.body, inner, into: &out)
        }
    }
}
