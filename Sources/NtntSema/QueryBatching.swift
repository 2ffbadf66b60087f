// Which loops may have their queries sent together (runtime: QueryPrefetch). A loop is
// batched when every iteration *starts* with a query — directly, or through calls of program
// functions whose own first action is that query — and everything evaluated before it has no
// effect (no output, no assignment, no statement, no `?` or `otherwise` that could leave the
// loop), and the loop does not write to the database (so no iteration's query can depend on
// an earlier iteration's effect on the database). Then the runtime can compute every
// iteration's statement ahead of time, send them as one pipeline, and run the loop as written
// over the answers. The runtime re-checks each statement before using its answer and sends
// only plain SELECTs outside transactions, so this analysis only decides where that is worth
// trying; its reasons are shown by `--report`.

import NtntSyntax

/// What the analysis says of one loop that reaches the database.
public struct LoopBatching {
    public let loc: SourceLoc
    /// Batched: the query and the functions leading to it; sequential: why not.
    public let batched: Bool
    public let detail: String
    public let reasonLoc: SourceLoc
}

public final class QueryBatching {
    let values: StaticValues
    /// The context each function's body is resolved in.
    private(set) var bodyContexts: [ObjectIdentifier: StaticContext] = [:]
    /// Decisions by the loop's body block.
    public private(set) var loops: [ObjectIdentifier: LoopBatching] = [:]
    /// Decisions in source order (for the report).
    public private(set) var ordered: [LoopBatching] = []

    /// Builtins that compute a value and nothing else (random draws are replayed by the runtime).
    static let effectFreeBuiltins: Set<String> = [
        "str", "len", "int", "float", "type", "typeof", "Some", "Ok", "Err", "is_some", "is_none", "is_ok", "is_err",
        "unwrap", "unwrap_or", "abs", "min", "max", "round", "floor", "ceil", "trunc", "sqrt", "pow", "sign", "clamp",
        "random", "random_int", "reverse", "contains", "index_of", "is_empty", "split", "join", "trim", "trim_left",
        "trim_right", "to_upper", "to_lower", "capitalize", "starts_with", "ends_with", "replace", "replace_first",
        "substring", "char_at", "chars", "lines", "repeat", "pad_left", "pad_right", "count", "truncate", "first", "last",
        "slice", "concat", "keys", "values", "entries", "has_key", "get_key", "stringify", "get_env", "now", "now_millis",
    ]
    static let queryBuiltins: Set<String> = ["query", "query_one"]
    static let writingBuiltins: Set<String> = ["execute", "query_batch", "begin", "commit", "rollback", "close", "connect"]

    public init(values: StaticValues, loadOrder: [String]) {
        self.values = values
        for path in loadOrder {
            let contexts = BodyContexts(module: path)
            contexts.walk(module: values.modules[path]!)
            bodyContexts.merge(contexts.found) { a, _ in a }
        }
        for path in loadOrder {
            let finder = LoopFinder(analysis: self, module: path)
            finder.walk(module: values.modules[path]!)
        }
    }

    /// The analysis of a loaded program (every module the loader read).
    public convenience init(loader: ProgramLoader) {
        let values = StaticValues(modules: loader.modules, globalNames: loader.globalNames,
                                  importTarget: { path, module in loader.canonicalImport(path, from: module.file.location) })
        self.init(values: values, loadOrder: loader.loadOrder)
    }

    public func decision(forLoopBody body: Block) -> LoopBatching? { loops[ObjectIdentifier(body)] }

    /// The bodies of the batched loops.
    public var batchedBodies: Set<ObjectIdentifier> { Set(loops.filter { $0.value.batched }.keys) }

    fileprivate func record(_ body: Block, _ d: LoopBatching) {
        loops[ObjectIdentifier(body)] = d
        ordered.append(d)
    }

    // MARK: - The loop

    /// The decision for a loop whose body runs in `context`, or nil when the body never
    /// reaches the database (nothing to report).
    fileprivate func decide(loc: SourceLoc, header: LoopHeader, body: Block, context: StaticContext, inTransaction: Bool) -> LoopBatching? {
        var scan = DatabaseScan(analysis: self)
        scan.statements(body.statements, context)
        guard scan.reachesDatabase else { return nil }
        func sequential(_ why: String, _ at: SourceLoc? = nil) -> LoopBatching {
            LoopBatching(loc: loc, batched: false, detail: why, reasonLoc: at ?? loc)
        }
        guard let lead = leadingQuery(body.statements, context, depth: 0) else {
            return sequential("the first thing an iteration does is not a query (or something with an effect comes before it)")
        }
        if let (why, at) = scan.writes(except: lead.call) { return sequential(why, at) }
        if let name = Self.assignedNames(body).intersection(lead.readNames).sorted().first {
            return sequential("the query's parameters depend on '\(name)', which the loop assigns")
        }
        if inTransaction { return sequential("the function runs a transaction (begin): its statements run one by one") }
        switch header {
        case .forIn:
            break  // the sequence is evaluated once, before both passes
        case .counting(let counter):
            if lead.readNames.contains(counter) {
                return sequential("the query's parameters depend on the counter '\(counter)'")
            }
        case .other(let why):
            return sequential(why)
        }
        return LoopBatching(loc: loc, batched: true, detail: lead.description, reasonLoc: lead.call)
    }

    enum LoopHeader {
        case forIn
        /// `while i < n` / `i <= n` with `i += 1` as the last statement.
        case counting(String)
        case other(String)
    }

    // MARK: - The leading query

    struct Lead {
        var description: String
        /// The query call's location.
        var call: SourceLoc
        /// Names read before the query in the loop body itself.
        var readNames: Set<String>
    }

    /// The query an iteration starts with: after effect-free `let`s, a statement whose first
    /// evaluation is a query call, or a call of a program function that starts with one.
    func leadingQuery(_ statements: [Stmt], _ context: StaticContext, depth: Int) -> Lead? {
        guard depth < 8 else { return nil }
        var reads = Set<String>()
        for s in statements {
            switch s.kind {
            case .function:
                continue
            case let .letDecl(_, v, nil) where isEffectFree(v, context):
                reads.formUnion(Self.names(in: v))
                continue
            case .letDecl(_, let v, _), .expr(let v), .returnStmt(let v?):
                guard var lead = leadingCall(v, context, depth: depth) else { return nil }
                lead.readNames.formUnion(reads)
                return lead
            default:
                return nil
            }
        }
        return nil
    }

    /// The query that evaluating `e` starts with.
    func leadingCall(_ e: Expr, _ context: StaticContext, depth: Int) -> Lead? {
        switch e {
        case .tryUnwrap(let x), .match(let x, _), .coalesce(let x, _), .member(let x, _), .index(let x, _):
            return leadingCall(x, context, depth: depth)
        case let .assign(.variable, _, value):
            // `rows = push(rows, unwrap(query_one(…)))`: the value is evaluated before the store.
            return leadingCall(value, context, depth: depth)
        case let .binary(_, a, b):
            return leadAmong([a, b], context, depth: depth)
        case let .call(callee, args, _) where !args.allSatisfy({ isEffectFree($0, context) }):
            // `unwrap(query_one(…))`, `push(rows, query_one(…))`: an effect-free builtin with the
            // query in one argument, the arguments before and after it effect-free.
            guard case .builtin(let name) = values.resolve(callee, in: context),
                  Self.effectFreeBuiltins.contains(name) || name == "push" else { return nil }
            return leadAmong(args, context, depth: depth)
        case let .call(callee, args, loc):
            guard args.allSatisfy({ isEffectFree($0, context) }) else { return nil }
            let reads = args.reduce(into: Set<String>()) { $0.formUnion(Self.names(in: $1)) }
            switch values.resolve(callee, in: context) {
            case .builtin(let name) where Self.queryBuiltins.contains(name):
                return Lead(description: name, call: loc, readNames: reads)
            case .function(let f):
                guard args.count <= f.parameters.count,
                      f.parameters.dropFirst(args.count).allSatisfy({ $0.defaultValue.map { isEffectFree($0, context) } ?? false }),
                      f.requires.isEmpty, f.ensures.isEmpty,
                      let inner = bodyContexts[ObjectIdentifier(f)],
                      var lead = leadingQuery(f.body.statements, inner, depth: depth + 1) else { return nil }
                lead.description += " through \(f.name ?? "a closure")"
                lead.readNames.formUnion(reads)
                return lead
            default:
                return nil
            }
        default:
            return nil
        }
    }

    /// The lead of operands evaluated left to right: the one that is not effect-free (the
    /// others only read, and do not reach the query's parameters).
    private func leadAmong(_ operands: [Expr], _ context: StaticContext, depth: Int) -> Lead? {
        let effectful = operands.filter { !isEffectFree($0, context) }
        guard effectful.count == 1 else { return nil }
        return leadingCall(effectful[0], context, depth: depth)
    }

    // MARK: - Effects

    /// True when evaluating `e` has no effect (it may fail; the runtime stops collecting then).
    func isEffectFree(_ e: Expr, _ context: StaticContext) -> Bool {
        switch e {
        case .int, .float, .string, .bool, .unit, .name, .closure: return true
        case .interpolated(let parts):
            return parts.allSatisfy { if case .expr(let x) = $0 { return isEffectFree(x, context) }; return true }
        case .array(let xs): return xs.allSatisfy { isEffectFree($0, context) }
        case .map(let entries): return entries.allSatisfy { isEffectFree($0.key, context) && isEffectFree($0.value, context) }
        case .unary(_, let x), .member(let x, _): return isEffectFree(x, context)
        case .binary(_, let a, let b), .and(let a, let b), .or(let a, let b), .coalesce(let a, let b),
             .range(let a, let b, _), .index(let a, let b):
            return isEffectFree(a, context) && isEffectFree(b, context)
        case let .call(callee, args, _):
            guard case .builtin(let name) = values.resolve(callee, in: context), Self.effectFreeBuiltins.contains(name) else { return false }
            return args.allSatisfy { isEffectFree($0, context) }
        case .template, .tryUnwrap, .assign, .ifElse, .match, .old:
            return false
        }
    }

    /// The variables assigned anywhere in `body`.
    static func assignedNames(_ body: Block) -> Set<String> {
        final class Assigned: ASTWalker {
            var found = Set<String>()
            override func visit(_ e: Expr) -> Bool {
                if case .assign(let t, _, _) = e {
                    switch t {
                    case .variable(let r): found.insert(r.name)
                    case .path(let r, _, _): found.insert(r.name)
                    }
                }
                return true
            }
        }
        let a = Assigned()
        a.walk(block: body)
        return a.found
    }

    /// Whether `f`'s own code (not the functions it calls) calls `begin`: its loops' statements
    /// may be a transaction's, which run one by one (the runtime checks too).
    func opensTransaction(_ f: FunctionDecl?) -> Bool {
        final class Begins: ASTWalker {
            var found = false
            override func visit(_ e: Expr) -> Bool {
                if case let .call(c, _, _) = e, case .name(let r) = c, r.name == "begin" { found = true }
                return true
            }
        }
        guard let f else { return false }
        let b = Begins()
        b.walk(block: f.body)
        return b.found
    }

    /// The variable names `e` reads.
    static func names(in e: Expr) -> Set<String> {
        final class Names: ASTWalker {
            var found = Set<String>()
            override func visit(_ e: Expr) -> Bool {
                if case .name(let r) = e { found.insert(r.name) }
                return true
            }
        }
        let n = Names()
        n.walk(e)
        return n.found
    }
}

/// The context every function body is resolved in.
private final class BodyContexts: ASTWalker {
    let module: String
    var found: [ObjectIdentifier: StaticContext] = [:]

    init(module: String) { self.module = module }

    override func enter(_ f: FunctionDecl) -> Bool {
        let scopes = self.scopes.map(\.info) + (f.scope.isMaterialized ? [f.scope] : [])
        found[ObjectIdentifier(f)] = StaticContext(module: module, scopes: scopes)
        return true
    }
}

/// Finds the loops of a module and asks for each one's decision.
private final class LoopFinder: ASTWalker {
    let analysis: QueryBatching
    let module: String

    init(analysis: QueryBatching, module: String) {
        self.analysis = analysis
        self.module = module
    }

    override func visit(_ s: Stmt) -> Bool {
        let outer = scopes.map(\.info)
        switch s.kind {
        case let .forIn(_, _, body, info):
            let context = StaticContext(module: module, scopes: outer + (info.isMaterialized ? [info] : []))
            if let d = analysis.decide(loc: s.loc, header: .forIn, body: body, context: context,
                                       inTransaction: analysis.opensTransaction(functions.last)) { analysis.record(body, d) }
        case let .whileLoop(condition, body):
            let context = StaticContext(module: module, scopes: outer + (body.scope.isMaterialized ? [body.scope] : []))
            if let d = analysis.decide(loc: s.loc, header: Self.header(condition, body), body: body, context: context,
                                       inTransaction: analysis.opensTransaction(functions.last)) { analysis.record(body, d) }
        default:
            break
        }
        return true
    }

    /// `while i < n` (or `<=`) whose body ends with `i += 1` and assigns `i` nowhere else.
    static func header(_ condition: Expr, _ body: Block) -> QueryBatching.LoopHeader {
        let notCounting = QueryBatching.LoopHeader.other("not a counting loop (`while i < n` with `i += 1` as its last statement)")
        guard case let .binary(op, .name(counter), _) = condition, op == .less || op == .lessEqual,
              let last = body.statements.last, case let .expr(.assign(.variable(target), .add?, .int(1))) = last.kind,
              target.name == counter.name else { return notCounting }
        final class Assignments: ASTWalker {
            let name: String
            var count = 0
            init(_ name: String) { self.name = name }
            override func visit(_ e: Expr) -> Bool {
                if case .assign(let t, _, _) = e {
                    switch t {
                    case .variable(let r) where r.name == name: count += 1
                    case .path(let r, _, _) where r.name == name: count += 1
                    default: break
                    }
                }
                return true
            }
        }
        let a = Assignments(counter.name)
        a.walk(block: body)
        return a.count == 1 ? .counting(counter.name) : notCounting
    }
}

/// Whether a loop body reaches the database, and where it may write to it.
private struct DatabaseScan {
    let analysis: QueryBatching
    var reachesDatabase = false
    /// Calls that may write (or that cannot be told), with where they are.
    var risky: [(why: String, at: SourceLoc)] = []
    /// Query calls whose SQL is not known before running (a write if not the leading query).
    var unknownQueries: [SourceLoc] = []
    private var visited = Set<ObjectIdentifier>()

    init(analysis: QueryBatching) { self.analysis = analysis }

    mutating func statements(_ ss: [Stmt], _ context: StaticContext) {
        final class Calls: ASTWalker {
            var calls: [(callee: Expr, args: [Expr], loc: SourceLoc, scopes: [ScopeInfo])] = []
            override func visit(_ e: Expr) -> Bool {
                if case let .call(c, a, l) = e { calls.append((c, a, l, scopes.map(\.info))) }
                return true
            }
        }
        let walker = Calls()
        // The statements are walked inside the context's scopes (outer ones come first).
        for s in ss { walker.walk(s) }
        for call in walker.calls {
            let ctx = StaticContext(module: context.module, scopes: context.scopes + call.scopes)
            examine(call.callee, call.args, call.loc, ctx)
        }
    }

    private mutating func examine(_ callee: Expr, _ args: [Expr], _ loc: SourceLoc, _ context: StaticContext) {
        switch analysis.values.resolve(callee, in: context) {
        case .builtin(let name) where QueryBatching.queryBuiltins.contains(name):
            reachesDatabase = true
            if args.count > 1, case .string(let sql) = analysis.values.resolve(args[1], in: context) {
                if !Self.isPlainSelect(sql) { risky.append(("the loop runs a statement that is not a plain SELECT", loc)) }
            } else {
                unknownQueries.append(loc)
            }
        case .builtin(let name) where QueryBatching.writingBuiltins.contains(name):
            reachesDatabase = true
            risky.append(("the loop writes to the database (\(name))", loc))
        case .builtin(let name) where ProgramFacts.higherOrderBuiltins.contains(name):
            let position = name == "reduce" ? 2 : 1
            if args.count > position, case .function(let f) = analysis.values.resolve(args[position], in: context) {
                function(f)
            } else if args.count > position {
                risky.append(("the loop calls a function not known before running", loc))
            }
        case .builtin:
            break
        case .function(let f):
            function(f)
        default:
            risky.append(("the loop calls a function not known before running", loc))
        }
    }

    private mutating func function(_ f: FunctionDecl) {
        guard visited.insert(ObjectIdentifier(f)).inserted, let inner = analysis.bodyContexts[ObjectIdentifier(f)] else { return }
        statements(f.body.statements, inner)
    }

    /// The first reason the loop may write, ignoring the leading query (checked at run time).
    func writes(except lead: SourceLoc) -> (String, SourceLoc)? {
        if let r = risky.first { return (r.why, r.at) }
        if let q = unknownQueries.first(where: { $0 != lead }) {
            return ("the loop runs a query whose SQL is not known before running", q)
        }
        return nil
    }

    /// The compile-time view of the runtime's check (QueryPrefetch.isPlainSelect).
    static func isPlainSelect(_ sql: String) -> Bool {
        let s = sql.lowercased()
        var t = Substring(s)
        while let c = t.first, c == " " || c == "\n" || c == "\t" || c == "(" { t = t.dropFirst() }
        guard t.hasPrefix("select"), !s.contains(";") else { return false }
        return ![" for update", " for share", " for no key update", " for key share", "nextval", "setval", "pg_advisory",
                 "pg_notify", "pg_sleep", "txid_current", "lo_", "dblink", "into "].contains { s.contains($0) }
    }
}
