// Statements: blocks, declarations, loops, imports. Each statement reports a `Flow`; a runtime
// error leaving a statement is stamped with that statement's location (the innermost one
// wins), which is the line the error report and the stack trace show.

import NtntRuntime
import NtntSema
import NtntSyntax

extension Interpreter {
    /// Runs statements in `scope`, stopping at the first that breaks, continues or returns.
    func execStatements(_ statements: [Stmt], _ scope: Scope?) throws -> Flow {
        for stmt in statements {
            let flow: Flow
            do {
                flow = try exec(stmt, scope)
            } catch let e as RuntimeError {
                var wrapped = NtntError(e)
                wrapped.pendingLoc = stmt.loc
                throw wrapped
            } catch var e as NtntError {
                if e.pendingLoc == nil { e.pendingLoc = stmt.loc }
                throw e
            } catch let transfer as ControlTransfer {
                // `return`/`break`/`continue` inside a block used as a value (a match arm).
                switch transfer {
                case .returned(let v):
                    returnValue = v
                    if callDepth == 0 { throw ProgramExit() }
                    return .returned
                case .breakLoop: return .breakLoop
                case .continueLoop: return .continueLoop
                }
            }
            if flow != .normal { return flow }
        }
        return .normal
    }

    /// Runs a block in a fresh scope (when it declares anything).
    @inline(__always)
    func execBlock(_ block: Block, _ scope: Scope?) throws -> Flow {
        lastValue = .unit
        if block.scope.isMaterialized {
            let inner = Scope(count: block.scope.slotCount, parent: scope)
            hoist(block.scope, into: inner)
            return try execStatements(block.statements, inner)
        }
        return try execStatements(block.statements, scope)
    }

    /// A statement-level `if`: its blocks' control flow passes straight through.
    func execIf(_ cond: Expr, _ then: Block, _ elseBranch: ElseBranch?, _ scope: Scope?) throws -> Flow {
        if try eval(cond, scope).isTruthy { return try execBlock(then, scope) }
        switch elseBranch {
        case .block(let b)?:
            return try execBlock(b, scope)
        case .elseIf(.ifElse(let c, let t, let e))?:
            return try execIf(c, t, e, scope)
        case .elseIf(let other)?:
            lastValue = try eval(other, scope)
            return .normal
        case nil:
            lastValue = .unit
            return .normal
        }
    }

    func exec(_ stmt: Stmt, _ scope: Scope?) throws -> Flow {
        switch stmt.kind {
        case .expr(let e):
            if case let .ifElse(cond, then, elseBranch) = e {
                return try execIf(cond, then, elseBranch, scope)
            }
            lastValue = .unit  // drop the previous value first: it may share x's array in `x = push(x, e)`
            lastValue = try eval(e, scope)
            return .normal

        case let .letDecl(decl, valueExpr, otherwise):
            guard let clause = otherwise else {
                let v = try eval(valueExpr, scope)
                scope!.slots[decl.slot] = v
                lastValue = .unit
                return .normal
            }
            var value: Value
            do {
                value = try eval(valueExpr, scope)
            } catch let e as RuntimeError {
                value = .err(.string(e.message))
            } catch let e as NtntError {
                value = .err(.string(e.error.message))
            }
            let errValue: Value
            switch value {
            case .ok(let v), .some(let v):
                scope!.slots[decl.slot] = v
                lastValue = .unit
                return .normal
            case .err(let e): errValue = e
            case .none: errValue = .unit
            default:
                scope!.slots[decl.slot] = value
                lastValue = .unit
                return .normal
            }
            let inner = Scope(count: clause.body.scope.slotCount, parent: scope)
            inner.slots[clause.errDecl.slot] = errValue
            hoist(clause.body.scope, into: inner)
            let flow = try execStatements(clause.body.statements, inner)
            if flow == .normal { throw RuntimeError("otherwise block must diverge") }
            return flow

        case .function:
            // Created when the scope was entered (hoisting).
            lastValue = .unit
            return .normal

        case .returnStmt(let e):
            returnValue = try e.map { try eval($0, scope) } ?? .unit
            if callDepth == 0 { throw ProgramExit() }
            return .returned

        case let .whileLoop(cond, body):
            var prefetch: QueryPrefetch?
            if loader.batchedLoops.contains(ObjectIdentifier(body)), case let .binary(op, counter, limit) = cond {
                // A counting loop whose iterations start with a query: collect them first.
                let p = QueryPrefetch.begin()
                prefetch = p
                let n = QueryPrefetch.count(from: try eval(counter, scope), to: try eval(limit, scope), inclusive: op == .lessEqual)
                for _ in 0..<n {
                    guard p.startIteration() else { break }
                    guard collect(p, { _ = try execBlock(body, scope) }) else { break }
                }
                p.send()
            }
            defer { prefetch?.end() }
            while try eval(cond, scope).isTruthy {
                try step()
                prefetch?.enterIteration()
                let flow = try execBlock(body, scope)
                if flow == .breakLoop { break }
                if flow == .returned { return flow }
            }
            lastValue = .unit
            return .normal

        case .loop(let body):
            while true {
                try step()
                let flow = try execBlock(body, scope)
                if flow == .breakLoop { break }
                if flow == .returned { return flow }
            }
            lastValue = .unit
            return .normal

        case let .forIn(decl, seqExpr, body, info):
            let seq = try eval(seqExpr, scope)
            func run(_ v: Value) throws -> Flow {
                let inner = Scope(count: info.slotCount, parent: scope)
                inner.slots[decl.slot] = v
                hoist(info, into: inner)
                return try execStatements(body.statements, inner)
            }
            var prefetch: QueryPrefetch?
            if loader.batchedLoops.contains(ObjectIdentifier(body)) {
                // Iterations that start with a query: collect those statements first (the
                // sequence is evaluated once here, so the collect pass walks the same values).
                let p = QueryPrefetch.begin()
                prefetch = p
                var it = ValueIterator(seq)
                while let item = it.next(), p.startIteration() {
                    guard collect(p, { _ = try run(item) }) else { break }
                }
                p.send()
            }
            defer { prefetch?.end() }
            func iterate(_ v: Value) throws -> Flow {
                try step()
                prefetch?.enterIteration()
                return try run(v)
            }
            var result: Flow = .normal
            switch seq {
            case .array(let items):
                for item in items {
                    let flow = try iterate(item)
                    if flow == .breakLoop { break }
                    if flow == .returned { result = flow; break }
                }
            case .map(let m):
                for key in m.keys {
                    let flow = try iterate(.string(key))
                    if flow == .breakLoop { break }
                    if flow == .returned { result = flow; break }
                }
            case let .range(lower, upper, inclusive):
                if inclusive ? lower <= upper : lower < upper {
                    var i = lower
                    while true {
                        let flow = try iterate(.int(i))
                        if flow == .breakLoop { break }
                        if flow == .returned { result = flow; break }
                        if inclusive ? i >= upper : i >= upper - 1 { break }
                        i += 1
                    }
                }
            default:
                break  // Decision (§4.6): other values give zero iterations.
            }
            lastValue = .unit
            return result

        case .breakStmt:
            return .breakLoop
        case .continueStmt:
            return .continueLoop

        case .block(let b):
            let flow = try execBlock(b, scope)
            return flow

        case .importStmt(let imp):
            try runImport(imp, scope!, file: SourceFiles.file(stmt.loc.file)!)
            lastValue = .unit
            return .normal
        }
    }

    /// One iteration of a collect pass: runs until the leading query throws it back here.
    /// False when collecting stops.
    func collect(_ p: QueryPrefetch, _ iteration: () throws -> Void) -> Bool {
        do {
            try iteration()
        } catch let c as PrefetchCollected {
            return p.collected(c)
        } catch {
            return p.stopCollecting()
        }
        return p.stopCollecting()
    }

    // MARK: - Imports

    func runImport(_ imp: Import, _ scope: Scope, file: SourceFile) throws {
        let exports: ValueMap
        let isStd = !(imp.path.hasPrefix("./") || imp.path.hasPrefix("../"))
        if isStd {
            switch imp.form {
            case .names(let names):
                for n in names { scope.slots[n.alias.slot] = try Builtins.importName(n.name, from: imp.path) }
            case .namespace(let d):
                scope.slots[d.slot] = try Builtins.namespace(imp.path)
            }
            return
        }
        exports = try loader.exports(of: imp.path, from: file, interpreter: self)
        switch imp.form {
        case .names(let names):
            for n in names {
                guard let v = exports[n.name] else {
                    throw RuntimeError("'\(n.name)' is not exported from '\(imp.path)'")
                }
                scope.slots[n.alias.slot] = v
            }
        case .namespace(let d):
            scope.slots[d.slot] = .module(ModuleValue(path: imp.path, members: exports))
        }
    }
}
