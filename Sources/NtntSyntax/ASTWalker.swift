// One walk over the syntax tree for every analysis pass.
//
// Passes subclass `ASTWalker` and override the hooks they care about; the walker visits every
// child of every node (there is no `default:` here, so a new node kind is a compile error
// until it is walked) and keeps the stack of materialised scopes exactly as the resolver
// counts them, so a pass can map a name's `(hops, slot)` to the scope that declares it
// (`declaringScope(of:)`). Scopes of `for` loops, `otherwise` blocks, ensures clauses and
// template loops always hold a slot, so "materialised" is the one rule for pushing a scope.

/// Visits a module, function, statement or expression and everything inside it.
open class ASTWalker {
    /// A scope open at the current point of the walk.
    public struct OpenScope {
        public let info: ScopeInfo
        /// The innermost function whose body the scope belongs to (nil at module level).
        public let function: FunctionDecl?
    }

    /// Materialised scopes open at the current point, innermost last.
    public private(set) var scopes: [OpenScope] = []
    /// Functions and closures whose bodies enclose the current point, innermost last.
    public private(set) var functions: [FunctionDecl] = []

    public init() {}

    // MARK: - Hooks

    /// Called before an expression's children; returning false skips them.
    open func visit(_ e: Expr) -> Bool { true }
    /// Called before a statement's children; returning false skips them.
    open func visit(_ s: Stmt) -> Bool { true }
    /// Called before a function's parameters, contracts and body; returning false skips them.
    open func enter(_ f: FunctionDecl) -> Bool { true }
    /// Called after a function's body (only when `enter` returned true).
    open func leave(_ f: FunctionDecl) {}
    /// Called when a materialised scope opens (the module scope included).
    open func opened(_ scope: OpenScope) {}

    // MARK: - Scopes

    /// The open scope that a resolved local name refers into (nil for globals and unresolved names).
    public func declaringScope(of r: VarRef) -> OpenScope? {
        guard case let .local(hops, _) = r.binding, hops < scopes.count else { return nil }
        return scopes[scopes.count - 1 - hops]
    }

    private func withScope(_ info: ScopeInfo, _ body: () -> Void) {
        let pushed = info.isMaterialized
        if pushed {
            scopes.append(OpenScope(info: info, function: functions.last))
            opened(scopes[scopes.count - 1])
        }
        body()
        if pushed { scopes.removeLast() }
    }

    // MARK: - Walking

    /// Walks a module's top level (the module scope is always open).
    public func walk(module: Module) {
        scopes.append(OpenScope(info: module.body.scope, function: nil))
        opened(scopes[0])
        module.body.statements.forEach(walk)
        scopes.removeLast()
    }

    /// Walks a function or closure: defaults, contracts, body.
    public func walk(function f: FunctionDecl) {
        guard enter(f) else { return }
        functions.append(f)
        withScope(f.scope) {
            for p in f.parameters { if let d = p.defaultValue { walk(d) } }
            f.requires.forEach { walk($0.condition) }
            f.oldExpressions.forEach(walk)
            f.body.statements.forEach(walk)
            if !f.ensures.isEmpty {
                withScope(f.ensuresScope) { f.ensures.forEach { walk($0.condition) } }
            }
        }
        functions.removeLast()
        leave(f)
    }

    public func walk(block b: Block) {
        withScope(b.scope) { b.statements.forEach(walk) }
    }

    public func walk(_ s: Stmt) {
        guard visit(s) else { return }
        switch s.kind {
        case .expr(let e): walk(e)
        case let .letDecl(_, v, o):
            walk(v)
            if let o { withScope(o.body.scope) { o.body.statements.forEach(walk) } }
        case .function(let f): walk(function: f)
        case .returnStmt(let e): if let e { walk(e) }
        case let .whileLoop(c, b): walk(c); walk(block: b)
        case .loop(let b): walk(block: b)
        case let .forIn(_, seq, b, info):
            walk(seq)
            withScope(info) { b.statements.forEach(walk) }
        case .block(let b): walk(block: b)
        case .breakStmt, .continueStmt, .importStmt: break
        }
    }

    public func walk(_ e: Expr) {
        guard visit(e) else { return }
        switch e {
        case .int, .float, .string, .bool, .unit, .old, .name: break
        case .interpolated(let ps): for p in ps { if case .expr(let x) = p { walk(x) } }
        case .template(let t): walk(template: t.nodes)
        case .array(let xs): xs.forEach(walk)
        case .map(let es): for (k, v) in es { walk(k); walk(v) }
        case .unary(_, let x), .member(let x, _), .tryUnwrap(let x): walk(x)
        case .binary(_, let a, let b), .and(let a, let b), .or(let a, let b), .coalesce(let a, let b),
             .range(let a, let b, _), .index(let a, let b):
            walk(a); walk(b)
        case let .call(c, args, _): walk(c); args.forEach(walk)
        case let .assign(t, _, v):
            if case let .path(_, idx, _) = t { idx.forEach(walk) }
            walk(v)
        case .closure(let f): walk(function: f)
        case let .ifElse(c, t, el):
            walk(c)
            walk(block: t)
            switch el {
            case .block(let b)?: walk(block: b)
            case .elseIf(let x)?: walk(x)
            case nil: break
            }
        case let .match(s, arms):
            walk(s)
            for arm in arms {
                withScope(arm.scope) {
                    if let g = arm.guardExpr { walk(g) }
                    walk(arm.body)
                }
            }
        }
    }

    public func walk(template nodes: [TemplateNode]) {
        for n in nodes {
            switch n {
            case .text: break
            case let .output(e, fs, _): walk(e); fs.forEach { $0.arguments.forEach(walk) }
            case .forLoop(let l):
                walk(l.sequence)
                withScope(l.scope) { walk(template: l.body) }
                if let e = l.emptyBody { walk(template: e) }
            case let .ifChain(bs, e):
                for (c, b) in bs { walk(c); walk(template: b) }
                if let e { walk(template: e) }
            }
        }
    }
}
