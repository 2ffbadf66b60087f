// Which top-level functions can never block: the server runs handlers that are proven
// non-blocking directly on its event loops (no hand-off to a worker thread), and hands the
// rest to the worker pool. "Blocking" is conservative: anything that may reach the database
// or call a function value the analysis cannot see through counts as blocking.

import NtntSyntax

/// Finds the top-level functions of a module that cannot block.
public enum BlockingAnalysis {
    /// Std modules whose functions block (network I/O).
    static let blockingModules: Set<String> = ["std/db/postgres"]
    /// Global builtins that block (serve forever) or read files.
    static let blockingGlobals: Set<String> = ["listen", "serve_static"]
    /// Builtins that call the function values they are given.
    static let higherOrderGlobals: Set<String> = ["filter", "transform", "reduce", "find", "any", "all", "sort", "sort_desc"]

    /// Names of top-level functions whose calls can only reach non-blocking code.
    public static func nonBlockingFunctions(_ module: Module, globalNames: [String]) -> Set<String> {
        let slots = Resolver.moduleSlots(module)
        var nameOfSlot: [Int: String] = [:]
        for (n, s) in slots { nameOfSlot[s] = n }
        var functions: [String: FunctionDecl] = [:]
        for f in module.body.scope.hoistedFunctions { functions[f.name!] = f }
        // Module names bound by imports: std namespaces and names are safe unless blocking.
        var safeImports: Set<String> = []
        var blockingImports: Set<String> = []
        var reassigned: Set<String> = []
        for s in module.body.statements {
            switch s.kind {
            case .importStmt(let imp):
                let isLocal = ProgramLoader.isLocal(imp.path)
                let blocking = isLocal || blockingModules.contains(imp.path)
                switch imp.form {
                case .names(let ns): for n in ns { (blocking ? { blockingImports.insert(n.alias.name) } : { safeImports.insert(n.alias.name) })() }
                case .namespace(let d): (blocking ? { blockingImports.insert(d.name) } : { safeImports.insert(d.name) })()
                }
            case .letDecl(let d, _, _):
                reassigned.insert(d.name)
            default:
                break
            }
        }
        // Per function: does it block by itself, and which top-level functions does it use?
        var direct: [String: (blocks: Bool, uses: Set<String>)] = [:]
        for (name, f) in functions {
            var blocks = false
            var uses: Set<String> = []
            // A name is module-level when the resolver's hops equal the number of materialised
            // scopes between the occurrence and the module (`scopeDepth`).
            var scopeDepth = 0
            func moduleName(_ r: VarRef) -> String? {
                guard case let .local(hops, slot) = r.binding, hops == scopeDepth else { return nil }
                return nameOfSlot[slot]
            }
            func ref(_ r: VarRef) {
                if case .global(let g) = r.binding, blockingGlobals.contains(globalNames[g]) { blocks = true }
                guard let m = moduleName(r) else { return }
                if functions[m] != nil && !reassigned.contains(m) { uses.insert(m) }
                if blockingImports.contains(m) { blocks = true }
            }
            /// True when `r` names something whose calls are known: a top-level function, a std
            /// import or a builtin. Locals and module variables may hold any function value.
            func isKnownCallee(_ r: VarRef) -> Bool {
                if case .global = r.binding { return true }
                guard let m = moduleName(r) else { return false }
                return (functions[m] != nil && !reassigned.contains(m)) || safeImports.contains(m) || blockingImports.contains(m)
            }
            func call(_ callee: Expr, _ args: [Expr]) {
                switch callee {
                case .name(let r):
                    if !isKnownCallee(r) { blocks = true }
                    // A higher-order builtin calls its function arguments: they must be known too
                    // (closure literals are walked as part of this function).
                    if case .global(let g) = r.binding, higherOrderGlobals.contains(globalNames[g]) {
                        for case .name(let a) in args where !isKnownCallee(a) { blocks = true }
                    }
                case .member(.name(let base), _):
                    if !safeImports.contains(base.name) { blocks = true }
                default:
                    blocks = true  // a call through a computed function value
                }
            }
            func scope(_ info: ScopeInfo, _ body: () -> Void) {
                if info.isMaterialized { scopeDepth += 1 }
                body()
                if info.isMaterialized { scopeDepth -= 1 }
            }
            func block(_ b: Block) { scope(b.scope) { b.statements.forEach(stmt) } }
            func function(_ fd: FunctionDecl) {
                scope(fd.scope) {
                    fd.parameters.forEach { if let d = $0.defaultValue { expr(d) } }
                    fd.requires.forEach { expr($0.condition) }
                    fd.oldExpressions.forEach(expr)
                    fd.body.statements.forEach(stmt)
                    if !fd.ensures.isEmpty {
                        scopeDepth += 1
                        fd.ensures.forEach { expr($0.condition) }
                        scopeDepth -= 1
                    }
                }
            }
            func stmt(_ s: Stmt) {
                switch s.kind {
                case .expr(let e): expr(e)
                case let .letDecl(_, v, o):
                    expr(v)
                    if let o { scopeDepth += 1; o.body.statements.forEach(stmt); scopeDepth -= 1 }
                case .function(let fd): function(fd)
                case .returnStmt(let e): if let e { expr(e) }
                case let .whileLoop(c, b): expr(c); block(b)
                case .loop(let b): block(b)
                case let .forIn(_, seq, b, _):
                    expr(seq)
                    scopeDepth += 1
                    b.statements.forEach(stmt)
                    scopeDepth -= 1
                case .block(let b): block(b)
                case .importStmt: blocks = true
                case .breakStmt, .continueStmt: break
                }
            }
            func template(_ nodes: [TemplateNode]) {
                for n in nodes {
                    switch n {
                    case .text: break
                    case let .output(e, fs, _): expr(e); fs.forEach { $0.arguments.forEach(expr) }
                    case .forLoop(let l):
                        expr(l.sequence)
                        scopeDepth += 1
                        template(l.body)
                        scopeDepth -= 1
                        if let e = l.emptyBody { template(e) }
                    case let .ifChain(bs, e):
                        bs.forEach { expr($0.cond); template($0.body) }
                        if let e { template(e) }
                    }
                }
            }
            func expr(_ e: Expr) {
                switch e {
                case .int, .float, .string, .bool, .unit, .old: break
                case .interpolated(let ps): for p in ps { if case .expr(let x) = p { expr(x) } }
                case .template(let t): template(t.nodes)
                case .name(let r): ref(r)
                case .array(let xs): xs.forEach(expr)
                case .map(let es): es.forEach { expr($0.key); expr($0.value) }
                case .unary(_, let x), .member(let x, _), .tryUnwrap(let x): expr(x)
                case .binary(_, let a, let b), .and(let a, let b), .or(let a, let b), .coalesce(let a, let b),
                     .range(let a, let b, _), .index(let a, let b):
                    expr(a); expr(b)
                case let .call(c, args, _):
                    call(c, args)
                    expr(c)
                    args.forEach(expr)
                case let .assign(t, _, v):
                    switch t {
                    case .variable(let r): ref(r)
                    case let .path(r, idx, _): ref(r); idx.forEach(expr)
                    }
                    expr(v)
                case .closure(let fd): function(fd)
                case let .ifElse(c, t, el):
                    expr(c)
                    block(t)
                    switch el {
                    case .block(let b)?: block(b)
                    case .elseIf(let x)?: expr(x)
                    case nil: break
                    }
                case let .match(s, arms):
                    expr(s)
                    for arm in arms {
                        scope(arm.scope) {
                            if let g = arm.guardExpr { expr(g) }
                            expr(arm.body)
                        }
                    }
                }
            }
            function(f)
            direct[name] = (blocks, uses)
        }
        // A function blocks if it, or any function it uses, blocks.
        var blocking = Set(direct.filter { $0.value.blocks }.map(\.key))
        var changed = true
        while changed {
            changed = false
            for (name, info) in direct where !blocking.contains(name) && !info.uses.isDisjoint(with: blocking) {
                blocking.insert(name)
                changed = true
            }
        }
        return Set(direct.keys).subtracting(blocking)
    }
}
