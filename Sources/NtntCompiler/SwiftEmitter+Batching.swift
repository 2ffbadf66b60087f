// Loops whose queries go out together (NtntSema.QueryBatching decides, the runtime's
// QueryPrefetch does it): the loop is emitted twice over the same body. The first copy runs
// each iteration only up to its leading query, which the runtime collects instead of running
// (everything before it is effect-free); then the collected statements go out as one pipeline,
// and the second copy — the loop as written — takes each iteration's answer.

import NtntSema
import NtntSyntax

extension SwiftEmitter {
    /// The loop's batching decision when it is batched.
    func batchedLoop(_ body: Block) -> LoopBatching? {
        guard let d = batching?.decision(forLoopBody: body), d.batched else { return nil }
        return d
    }

    /// `for decl in seq { body }`, batched.
    func batchedForIn(_ decl: VarDecl, _ seq: Expr, _ body: Block, _ info: ScopeInfo) throws {
        // The sequence is evaluated once, as the loop as written does; both passes walk it.
        let sequence = temp("seq")
        line("let \(sequence) = \(try expr(seq))")
        try prefetching { prefetch, label in
            let it = temp("it")
            line("var \(it) = ValueIterator(\(sequence))")
            line("\(label): while let item = \(it).next(), \(prefetch).startIteration() {")
            indent += 1
            openScope(info, names: [decl.slot: decl.name])
            assign(slot: decl.slot, hops: 0, value: "item")
            try collecting(prefetch, label) { for st in body.statements { try statement(st) } }
            closeScope()
            indent -= 1
            line("}")
        } loop: { onIteration in
            try forInLoop(decl, evaluated: sequence, body, info, onIteration: onIteration)
        }
    }

    /// `while i < n { …; i += 1 }`, batched: the collect pass runs as many iterations as the
    /// counter will (the parameters do not read it).
    func batchedWhile(_ cond: Expr, _ body: Block) throws {
        guard case let .binary(op, counter, limit) = cond else { return try whileLoop(cond, body, onIteration: nil) }
        try prefetching { prefetch, label in
            let count = temp("n")
            line("let \(count) = QueryPrefetch.count(from: \(try expr(counter)), to: \(try expr(limit)), inclusive: \(op == .lessEqual))")
            line("\(label): for _ in 0..<\(count) {")
            indent += 1
            line("guard \(prefetch).startIteration() else { break \(label) }")
            try collecting(prefetch, label) { try scopedStatements(body) }
            indent -= 1
            line("}")
        } loop: { onIteration in
            try whileLoop(cond, body, onIteration: onIteration)
        }
    }

    /// The frame of a batched loop: a prefetch for it, the collect pass (given the prefetch's
    /// and the pass's label names), the send, then the loop itself (given the Swift to run at
    /// each iteration's start).
    private func prefetching(_ collectPass: (String, String) throws -> Void, loop: (String) throws -> Void) throws {
        let prefetch = temp("prefetch")
        line("do {")
        indent += 1
        line("let \(prefetch) = QueryPrefetch.begin()")
        line("defer { \(prefetch).end() }")
        try collectPass(prefetch, temp("collect"))
        line("\(prefetch).send()")
        try loop("\(prefetch).enterIteration()")
        indent -= 1
        line("}")
    }

    /// One iteration of a collect pass: the body until its leading query throws it to here.
    private func collecting(_ prefetch: String, _ label: String, _ body: () throws -> Void) throws {
        loops.append(label)
        line("do {")
        indent += 1
        try body()
        line("\(prefetch).stopCollecting()")
        line("break \(label)")
        indent -= 1
        line("} catch let collected as PrefetchCollected {")
        line("    if !\(prefetch).collected(collected) { break \(label) }")
        line("} catch {")
        line("    \(prefetch).stopCollecting()")
        line("    break \(label)")
        line("}")
        loops.removeLast()
    }
}
