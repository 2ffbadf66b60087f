// The resolver: every name occurrence → (hops, slot), every scope → its slot count.
//
// This is jlox's Resolver with ntnt's rules (LANGUAGE.md §4.1). A scope supplies a name to an
// occurrence when it declares it by `fn` anywhere in the scope (hoisting), by a `let`/`import`
// that ends before the occurrence (or as a parameter, loop variable, pattern binding, `err`),
// or by a `let` anywhere in the scope when the occurrence sits inside a nested function body
// (so functions may use module variables declared below them). To apply the last two rules in
// one pass, each scope is pre-scanned for its declarations before its statements are walked.
// Re-declaring a name in the same scope reuses its slot, so slots are allocated per name.
//
// Scopes that declare nothing get no slots and are not materialised at run time; `hops`
// counts only materialised scopes, so plain blocks and loop bodies without `let`s cost nothing.

import NtntSyntax

/// Resolves a parsed module in place.
public struct Resolver {
    /// Names of the global builtins; `.global(i)` bindings index this list.
    public let globalNames: [String]
    private let globalIndex: [String: Int]
    private var scopes: [StaticScope] = []
    private var functionDepth = 0

    public init(globalNames: [String]) {
        self.globalNames = globalNames
        var index: [String: Int] = [:]
        for (i, n) in globalNames.enumerated() { index[n] = i }
        self.globalIndex = index
    }

    /// A scope during resolution.
    private final class StaticScope {
        let info: ScopeInfo
        let functionDepth: Int
        var slots: [String: Int] = [:]
        /// Names an occurrence in the same function may see at the current point.
        var visible: Set<String> = []
        /// Every name declared by `let`/`import` anywhere in the scope (seen from nested functions).
        var declaredAnywhere: Set<String> = []
        /// Hoisted `fn` names.
        var functions: Set<String> = []
        /// Mutability of the most recent `let` of each name so far, and of the last one overall.
        var mutabilitySoFar: [String: Bool] = [:]
        var finalMutability: [String: Bool] = [:]

        init(info: ScopeInfo, functionDepth: Int) {
            self.info = info
            self.functionDepth = functionDepth
        }

        func slot(for name: String) -> Int {
            if let s = slots[name] { return s }
            let s = info.slotCount
            slots[name] = s
            info.slotCount += 1
            return s
        }
    }

    // MARK: - Entry

    /// Resolves a module's top level (its body block is the module scope).
    public mutating func resolve(_ module: Module) {
        let scope = push(module.body.scope)
        prescan(module.body.statements, into: scope)
        for s in module.body.statements { resolve(s) }
        pop()
    }

    /// The slots a module's top-level names occupy (for imports of local modules).
    public static func moduleSlots(_ module: Module) -> [String: Int] {
        var result: [String: Int] = [:]
        var next = 0
        func note(_ name: String) {
            if result[name] == nil { result[name] = next; next += 1 }
        }
        // Mirrors the slot allocation order of `prescan` exactly.
        for s in module.body.statements {
            switch s.kind {
            case .function(let f): note(f.name!)
            default: break
            }
        }
        for s in module.body.statements {
            switch s.kind {
            case .letDecl(let d, _, _): note(d.name)
            case .importStmt(let imp):
                switch imp.form {
                case .names(let names): for n in names { note(n.alias.name) }
                case .namespace(let d): note(d.name)
                }
            default: break
            }
        }
        return result
    }

    // MARK: - Scopes

    @discardableResult
    private mutating func push(_ info: ScopeInfo) -> StaticScope {
        let s = StaticScope(info: info, functionDepth: functionDepth)
        scopes.append(s)
        return s
    }

    private mutating func pop() { scopes.removeLast() }

    /// Declares the hoisted functions and the `let`/`import` names of a statement list.
    private func prescan(_ statements: [Stmt], into scope: StaticScope) {
        for s in statements {
            if case .function(let f) = s.kind {
                f.decl!.slot = scope.slot(for: f.name!)
                scope.functions.insert(f.name!)
                scope.info.hoistedFunctions.append(f)
            }
        }
        for s in statements {
            switch s.kind {
            case .letDecl(let d, _, _):
                d.slot = scope.slot(for: d.name)
                scope.declaredAnywhere.insert(d.name)
                scope.finalMutability[d.name] = d.isMutable
            case .importStmt(let imp):
                switch imp.form {
                case .names(let names):
                    for n in names {
                        n.alias.slot = scope.slot(for: n.alias.name)
                        scope.declaredAnywhere.insert(n.alias.name)
                        scope.finalMutability[n.alias.name] = false
                    }
                case .namespace(let d):
                    d.slot = scope.slot(for: d.name)
                    scope.declaredAnywhere.insert(d.name)
                    scope.finalMutability[d.name] = false
                }
            default:
                break
            }
        }
    }

    /// Declares a binding that is visible from now on (parameter, loop variable, pattern, err).
    private func declareVisible(_ d: VarDecl, in scope: StaticScope) {
        d.slot = scope.slot(for: d.name)
        scope.visible.insert(d.name)
        scope.mutabilitySoFar[d.name] = d.isMutable
        scope.finalMutability[d.name] = scope.finalMutability[d.name] ?? d.isMutable
    }

    /// Finds the scope that supplies `name` at the current point.
    private func lookup(_ name: String) -> (hops: Int, slot: Int, scope: StaticScope)? {
        var hops = 0
        for scope in scopes.reversed() {
            if scope.functions.contains(name) || scope.visible.contains(name)
                || (scope.declaredAnywhere.contains(name) && functionDepth > scope.functionDepth) {
                return (hops, scope.slots[name]!, scope)
            }
            if scope.info.isMaterialized { hops += 1 }
        }
        return nil
    }

    private func resolve(_ ref: VarRef) {
        if let (hops, slot, _) = lookup(ref.name) {
            ref.binding = .local(hops: hops, slot: slot)
        } else if let g = globalIndex[ref.name] {
            ref.binding = .global(g)
        } else {
            ref.binding = .missing
        }
    }

    // MARK: - Statements

    private mutating func resolve(_ stmt: Stmt) {
        switch stmt.kind {
        case .expr(let e):
            resolve(e)
        case let .letDecl(d, value, otherwise):
            resolve(value)
            if let clause = otherwise {
                let scope = push(clause.body.scope)
                declareVisible(clause.errDecl, in: scope)
                resolveStatements(clause.body.statements, in: scope)
                pop()
            }
            let scope = scopes.last!
            scope.visible.insert(d.name)
            scope.mutabilitySoFar[d.name] = d.isMutable
        case .function(let f):
            resolveFunction(f)
        case .returnStmt(let e):
            if let e { resolve(e) }
        case let .whileLoop(cond, body):
            resolve(cond)
            resolveBlock(body)
        case .loop(let body):
            resolveBlock(body)
        case let .forIn(d, seq, body, scopeInfo):
            resolve(seq)
            let scope = push(scopeInfo)
            declareVisible(d, in: scope)
            resolveStatements(body.statements, in: scope)
            pop()
        case .breakStmt, .continueStmt:
            break
        case .block(let b):
            resolveBlock(b)
        case .importStmt(let imp):
            let scope = scopes.last!
            switch imp.form {
            case .names(let names):
                for n in names {
                    scope.visible.insert(n.alias.name)
                    scope.mutabilitySoFar[n.alias.name] = false
                }
            case .namespace(let d):
                scope.visible.insert(d.name)
                scope.mutabilitySoFar[d.name] = false
            }
        }
    }

    /// A block with its own scope.
    private mutating func resolveBlock(_ block: Block) {
        let scope = push(block.scope)
        resolveStatements(block.statements, in: scope)
        pop()
    }

    /// Resolves statements directly into `scope` (function bodies, loop bodies, otherwise
    /// blocks share the scope that holds their parameters or loop variable).
    private mutating func resolveStatements(_ statements: [Stmt], in scope: StaticScope) {
        prescan(statements, into: scope)
        for s in statements { resolve(s) }
    }

    private mutating func resolveFunction(_ f: FunctionDecl) {
        functionDepth += 1
        defer { functionDepth -= 1 }
        let scope = push(f.scope)
        for p in f.parameters {
            if let d = p.defaultValue { resolve(d) }
            declareVisible(p.decl, in: scope)
        }
        // The body shares the parameters' scope; its block gets no scope of its own.
        prescan(f.body.statements, into: scope)
        for c in f.requires { resolve(c.condition) }
        for e in f.oldExpressions { resolve(e) }
        for s in f.body.statements { resolve(s) }
        if !f.ensures.isEmpty {
            let ensuresScope = push(f.ensuresScope)
            declareVisible(VarDecl(name: "result", loc: f.loc), in: ensuresScope)
            for c in f.ensures { resolve(c.condition) }
            pop()
        }
        pop()
    }

    // MARK: - Expressions

    private mutating func resolve(_ e: Expr) {
        switch e {
        case .int, .float, .string, .bool, .unit, .old:
            break
        case .interpolated(let parts):
            for p in parts { if case .expr(let x) = p { resolve(x) } }
        case .template(let t):
            resolveTemplate(t.nodes)
        case .name(let ref):
            resolve(ref)
        case .array(let items):
            for i in items { resolve(i) }
        case .map(let entries):
            for (k, v) in entries { resolve(k); resolve(v) }
        case .unary(_, let x), .member(let x, _), .tryUnwrap(let x):
            resolve(x)
        case .binary(_, let a, let b), .and(let a, let b), .or(let a, let b), .coalesce(let a, let b),
             .range(let a, let b, _), .index(let a, let b):
            resolve(a)
            resolve(b)
        case .call(let callee, let args, _):
            resolve(callee)
            for a in args { resolve(a) }
        case let .assign(target, _, value):
            // The target's sub-expressions run before the value (§5.1 left to right).
            switch target {
            case .variable(let ref):
                resolve(ref)
            case let .path(root, indices, box):
                resolve(root)
                for i in indices { resolve(i) }
                box.isMutable = rootMutability(root.name)
            }
            resolve(value)
        case .closure(let f):
            resolveFunction(f)
        case let .ifElse(cond, then, elseBranch):
            resolve(cond)
            resolveBlock(then)
            switch elseBranch {
            case .block(let b)?: resolveBlock(b)
            case .elseIf(let x)?: resolve(x)
            case nil: break
            }
        case .match(let subject, let arms):
            resolve(subject)
            for arm in arms {
                let scope = push(arm.scope)
                declarePattern(arm.pattern, in: scope)
                if let g = arm.guardExpr { resolve(g) }
                resolve(arm.body)
                pop()
            }
        }
    }

    /// Whether the root of an index assignment was declared `let mut` (its most recent `let`).
    private func rootMutability(_ name: String) -> Bool {
        guard let (_, _, scope) = lookup(name) else { return true }  // undefined: fails on read
        if scope.functionDepth == functionDepth, let m = scope.mutabilitySoFar[name] { return m }
        return scope.finalMutability[name] ?? false
    }

    private func declarePattern(_ p: Pattern, in scope: StaticScope) {
        switch p {
        case .binding(let d): declareVisible(d, in: scope)
        case .some(let x), .ok(let x), .err(let x): declarePattern(x, in: scope)
        case .array(let xs): for x in xs { declarePattern(x, in: scope) }
        default: break
        }
    }

    private mutating func resolveTemplate(_ nodes: [TemplateNode]) {
        for n in nodes {
            switch n {
            case .text:
                break
            case let .output(e, filters, _):
                resolve(e)
                for f in filters { for a in f.arguments { resolve(a) } }
            case .forLoop(let loop):
                resolve(loop.sequence)
                let scope = push(loop.scope)
                declareVisible(loop.variable, in: scope)
                for meta in templateLoopMetaNames {
                    declareVisible(VarDecl(name: meta, loc: loop.variable.loc), in: scope)
                }
                resolveTemplate(loop.body)
                pop()
                if let empty = loop.emptyBody { resolveTemplate(empty) }
            case let .ifChain(branches, elseBody):
                for (c, body) in branches {
                    resolve(c)
                    resolveTemplate(body)
                }
                if let e = elseBody { resolveTemplate(e) }
            }
        }
    }
}
