// Statements: blocks whose last statement gives the value, if/else, loops with labelled
// break/continue, `let … otherwise`, returns, imports, and the trace frames runtime errors gain.

import NtntSema
import NtntSyntax

extension SwiftEmitter {
    // MARK: - Statements

    enum Tail {
        case returnValue
        case assign(String)
        case discard
    }

    func finish(_ value: String, _ tail: Tail) {
        switch tail {
        case .returnValue: returnLine(value)
        case .assign(let t): line("\(t) = \(value)")
        case .discard: if value != "Value.unit" { line("_ = \(value)") }
        }
    }

    /// Statements whose last one gives the value (function bodies, if/match blocks).
    func blockValue(_ statements: [Stmt], _ tail: Tail) throws {
        guard let last = statements.last else {
            finish("Value.unit", tail)
            return
        }
        for s in statements.dropLast() { try statement(s) }
        markLine(last.loc)
        switch last.kind {
        case .expr(.ifElse(let c, let t, let el)):
            try ifStatement(c, t, el, tail)
        case .expr(let e):
            if returnsResponse, case .returnValue = tail {
                line("return \(try responseExpr(e))")
            } else if passesRequestOn, case .returnValue = tail, requestView(e) != nil {
                line("return Value.unit")
            } else {
                finish(try expr(e), tail)
            }
        case .block(let b):
            line("do {")
            indent += 1
            if b.scope.isMaterialized { openScope(b.scope) }
            try blockValue(b.statements, tail)
            if b.scope.isMaterialized { closeScope() }
            indent -= 1
            line("}")
        default:
            try statement(last)
            if !isDiverging(last) { finish("Value.unit", tail) }
        }
    }

    func isDiverging(_ s: Stmt) -> Bool {
        switch s.kind {
        case .returnStmt, .breakStmt, .continueStmt: return true
        default: return false
        }
    }

    func ifStatement(_ cond: Expr, _ then: Block, _ elseBranch: ElseBranch?, _ tail: Tail) throws {
        line("if \(try condition(cond)) {")
        indent += 1
        try scopedBlockValue(then, tail)
        indent -= 1
        switch elseBranch {
        case .block(let b)?:
            line("} else {")
            indent += 1
            try scopedBlockValue(b, tail)
            indent -= 1
            line("}")
        case .elseIf(.ifElse(let c2, let t2, let e2))?:
            line("} else {")
            indent += 1
            try ifStatement(c2, t2, e2, tail)
            indent -= 1
            line("}")
        case .elseIf(let other)?:
            line("} else {")
            indent += 1
            finish(try expr(other), tail)
            indent -= 1
            line("}")
        case nil:
            if case .discard = tail {
                line("}")
            } else {
                line("} else {")
                indent += 1
                finish("Value.unit", tail)
                indent -= 1
                line("}")
            }
        }
    }

    func scopedBlockValue(_ b: Block, _ tail: Tail) throws {
        if b.scope.isMaterialized { openScope(b.scope) }
        try blockValue(b.statements, tail)
        if b.scope.isMaterialized { closeScope() }
    }

    func scopedStatements(_ b: Block) throws {
        if b.scope.isMaterialized { openScope(b.scope) }
        for s in b.statements { try statement(s) }
        if b.scope.isMaterialized { closeScope() }
    }

    /// Records the statement's line in `ln`, which error traces read.
    func markLine(_ loc: SourceLoc) {
        guard let f = SourceFiles.file(loc.file) else { return }
        let n = f.lineAndColumn(of: Int(loc.offset)).line
        if n != lastDirectiveLine {
            // Swift errors and crash traces in this code point at the .tnt line.
            writer.raw("#sourceLocation(file: \(swiftString(f.path)), line: \(n))")
            lastDirectiveLine = n
        }
        if n != lastMarkedLine {
            line("ln = \(n)")
            lastMarkedLine = n
        }
    }


    /// Wraps the code emitted by `body` so runtime errors leaving it gain a trace frame.
    func traced(_ name: String, _ body: () throws -> Void) rethrows {
        line("var ln = 0")
        line("do {")
        indent += 1
        let saved = lastMarkedLine
        lastMarkedLine = -1
        lastDirectiveLine = -1
        try body()
        // The frame's glue below maps to the generated file again; the enclosing body (if this
        // was a closure inside it) re-states its line at its next statement.
        if lastDirectiveLine != -1 { writer.raw("#sourceLocation()") }
        lastMarkedLine = saved
        lastDirectiveLine = -1
        indent -= 1
        line("} catch var e as RuntimeError {")
        line("    e.trace.append((\(swiftString(name)), \(swiftString(module.file.path + ":")) + String(ln)))")
        line("    throw e")
        line("}")
    }

    func statement(_ s: Stmt) throws {
        // A declaration was hoisted to its scope's entry: here it emits nothing to mark.
        if case .function = s.kind { return }
        markLine(s.loc)
        switch s.kind {
        case .expr(.ifElse(let c, let t, let el)):
            try ifStatement(c, t, el, .discard)
        case .expr(let e):
            let v = try expr(e)
            // An assignment's effect is already emitted; its value is a plain variable.
            if case .assign = e { return }
            line("_ = \(v)")
        case let .letDecl(d, valueExpr, otherwise):
            guard let clause = otherwise else {
                if case let .native(n, type) = storage(hops: 0, slot: d.slot) {
                    line("\(n) = \(try nativeExpr(valueExpr, type))")
                    return
                }
                if case let .unboxedMap(keys, vars) = storage(hops: 0, slot: d.slot), case .map(let entries) = valueExpr {
                    // Entries in source order; a repeated key keeps its last value, as in a map.
                    for (k, v) in entries {
                        guard case .string(let key) = k, let i = Self.index(of: key, in: keys) else { continue }
                        line("\(vars[i]) = \(try expr(v))")
                    }
                    return
                }
                let v = try expr(valueExpr)
                assign(slot: d.slot, hops: 0, value: v)
                return
            }
            if case let .native(n, type) = storage(hops: 0, slot: d.slot), let typed = rows?.call(valueExpr) {
                // A typed row: the query's outcome is switched on directly (no Result value).
                let outcome = try caughtAsErr("RowOutcome<\(type.swiftType)>") { try typedRowQuery(valueExpr, typed) }
                let errValue = temp("e")
                line("switch \(outcome) {")
                line("case .ok(let r): \(n) = r")
                line("case .err(let \(errValue)):")
                try otherwiseBlock(clause, errValue)
                line("}")
                return
            }
            let raw = try caughtAsErr("Value") { try expr(valueExpr) }
            let bound = temp("b")
            let errValue = temp("e")
            line("switch classifyOtherwise(\(raw)) {")
            line("case .bind(let \(bound)):")
            indent += 1
            assign(slot: d.slot, hops: 0, value: bound)
            indent -= 1
            line("case .otherwise(let \(errValue)):")
            try otherwiseBlock(clause, errValue)
            line("}")
        case .function:
            break  // hoisted at scope entry (returned above)
        case .returnStmt(let e):
            if functionDepth > 0, returnsResponse, let e {
                line("return \(try responseExpr(e))")
                break
            }
            if functionDepth > 0, passesRequestOn, let e, requestView(e) != nil {
                line("return Value.unit")  // the request passed on unchanged: continue
                break
            }
            let v = try e.map { try expr($0) } ?? "Value.unit"
            if functionDepth == 0 {
                line("_ = \(v)")
                line("throw CompiledProgramExit()")
            } else {
                returnLine(v)
            }
        case let .whileLoop(cond, body):
            if batchedLoop(body) != nil { try batchedWhile(cond, body) } else { try whileLoop(cond, body, onIteration: nil) }
        case .loop(let body):
            let label = temp("loop")
            line("\(label): while true {")
            indent += 1
            loops.append(label)
            try scopedStatements(body)
            loops.removeLast()
            indent -= 1
            line("}")
        case let .forIn(decl, seq, body, info):
            if batchedLoop(body) != nil { try batchedForIn(decl, seq, body, info) } else { try forInLoop(decl, evaluated: try expr(seq), body, info, onIteration: nil) }
        case .breakStmt:
            line("break \(loops.last!)")
        case .continueStmt:
            line("continue \(loops.last!)")
        case .block(let b):
            line("do {")
            indent += 1
            try scopedStatements(b)
            indent -= 1
            line("}")
        case .importStmt(let imp):
            try importStatement(imp)
        }
    }

    /// `while cond { body }`; `onIteration` is Swift run at the start of each iteration.
    func whileLoop(_ cond: Expr, _ body: Block, onIteration: String?) throws {
        let label = temp("loop")
        line("\(label): while true {")
        indent += 1
        line("if !\(try condition(cond)) { break \(label) }")
        if let onIteration { line(onIteration) }
        loops.append(label)
        try scopedStatements(body)
        loops.removeLast()
        indent -= 1
        line("}")
    }

    /// `for decl in seq { body }`; `onIteration` is Swift run at the start of each iteration.
    func forInLoop(_ decl: VarDecl, evaluated sequence: String, _ body: Block, _ info: ScopeInfo, onIteration: String?) throws {
        let label = temp("loop")
        let it = temp("it")
        line("var \(it) = ValueIterator(\(sequence))")
        line("\(label): while let item = \(it).next() {")
        indent += 1
        if let onIteration { line(onIteration) }
        openScope(info, names: [decl.slot: decl.name])
        assign(slot: decl.slot, hops: 0, value: "item")
        loops.append(label)
        for st in body.statements { try statement(st) }
        loops.removeLast()
        closeScope()
        indent -= 1
        line("}")
    }

    func importStatement(_ imp: Import) throws {
        let isLocal = imp.path.hasPrefix("./") || imp.path.hasPrefix("../")
        if isLocal {
            guard let cls = localModules[resolvePath(imp.path)] else {
                throw CompileError(loc: imp.loc, message: "cannot find module '\(imp.path)'")
            }
            let ex = temp("exports")
            line("let \(ex) = try program.moduleExports(\(swiftString(cls)))")
            switch imp.form {
            case .names(let names):
                for n in names {
                    let v = "(try \(ex)[\(swiftString(n.name))].orThrow(\(swiftString("'\(n.name)' is not exported from '\(imp.path)'"))))"
                    assign(slot: n.alias.slot, hops: 0, value: v)
                }
            case .namespace(let d):
                assign(slot: d.slot, hops: 0, value: ".module(ModuleValue(path: \(swiftString(imp.path)), members: \(ex)))")
            }
            return
        }
        switch imp.form {
        case .names(let names):
            for n in names {
                assign(slot: n.alias.slot, hops: 0, value: "try Builtins.importName(\(swiftString(n.name)), from: \(swiftString(imp.path)))")
            }
        case .namespace(let d):
            assign(slot: d.slot, hops: 0, value: "try Builtins.namespace(\(swiftString(imp.path)))")
        }
    }

    /// A constant of `type` holding what `value` emits, or `.err(message)` when evaluating it
    /// raises a runtime error (what `let … otherwise` hands its block).
    func caughtAsErr(_ type: String, _ value: () throws -> String) throws -> String {
        let name = temp("o")
        line("let \(name): \(type)")
        line("do {")
        indent += 1
        line("\(name) = \(try value())")
        indent -= 1
        line("} catch let e as RuntimeError {")
        line("    \(name) = .err(.string(e.message))")
        line("}")
        return name
    }

    /// The block of `let … otherwise { … }` run with `err` bound to `errValue` (it must diverge).
    func otherwiseBlock(_ clause: OtherwiseClause, _ errValue: String) throws {
        indent += 1
        line("do {")
        indent += 1
        openScope(clause.body.scope, names: [clause.errDecl.slot: "err"])
        assign(slot: clause.errDecl.slot, hops: 0, value: errValue)
        for st in clause.body.statements { try statement(st) }
        closeScope()
        if !(clause.body.statements.last.map(isDiverging) ?? false) {
            line("throw RuntimeError(\"otherwise block must diverge\")")
        }
        indent -= 1
        line("}")
        indent -= 1
    }
}
