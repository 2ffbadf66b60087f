// Facts about every function of a program, whatever its spelling (named, closure, nested, in a
// local module, made by a factory): whether calling it may block, what it reads of its first
// parameter when that parameter is a request, and whether its result is a constant.
//
// The server uses them for any function registered as a handler or middleware: non-blocking
// handlers run on the event loops, only the request fields a handler reads are built, and a
// constant handler's response is computed once. Both backends read the same facts, so they
// make the same decisions. Everything is conservative: a call the analysis cannot see through
// blocks and is impure; a request parameter used in any way other than reading a field escapes.

import NtntSyntax

/// What a function does with its first parameter, when it is called as a handler.
public struct RequestReads: Equatable, Sendable {
    /// Request fields read by name (`req.params`, `req["headers"]`; `body` for `parse_json(req)`).
    public var fields: Set<String> = []
    /// The parameter is used as a whole value (passed on, returned, stored): every field is needed.
    public var escapes = false
    /// Whether some whole-value use is other than being returned as it is (`return req`, or
    /// `req` as the value the body ends with): a middleware that only returns its request
    /// passes it on unchanged, which replaces nothing.
    public var escapesBesidesReturn = false

    public init(fields: Set<String> = [], escapes: Bool = false) {
        self.fields = fields
        self.escapes = escapes
        self.escapesBesidesReturn = escapes
    }

    /// Reads nothing at all.
    public var isEmpty: Bool { fields.isEmpty && !escapes }
}

/// The facts of one function.
public struct FunctionFacts: Sendable {
    /// Calling it may block (database, files, a function value the analysis cannot see through).
    public var blocks: Bool
    /// What it reads of its first parameter (empty when it has none).
    public var request: RequestReads
    /// It has no effects, always gives the same result and finishes quickly: no loops, no
    /// contracts, no mutable state, only pure builtins and pure functions of the program.
    public var isPure: Bool
    /// A handler whose response can be computed once: pure and reading nothing of its request.
    public var isConstant: Bool { isPure && request.isEmpty }
}

/// Computes `FunctionFacts` for every function of a program.
public final class ProgramFacts {
    public let values: StaticValues
    private(set) var facts: [ObjectIdentifier: FunctionFacts] = [:]

    /// Builtins that block (network, files, serving).
    static let blockingBuiltins: Set<String> = [
        "connect", "query", "query_one", "execute", "query_batch", "begin", "commit", "rollback", "close",
        "listen", "serve_static",
    ]
    /// Builtins that call the function values they are given.
    static let higherOrderBuiltins: Set<String> = ["filter", "transform", "reduce", "find", "any", "all", "sort", "sort_desc"]
    /// Builtins with effects or results that change from call to call.
    static let impureBuiltins: Set<String> = blockingBuiltins.union([
        "print", "get_env", "now", "now_millis", "random", "random_int", "assert",
        "get", "post", "put", "patch", "delete", "use_middleware",
    ]).union(higherOrderBuiltins)
    /// Builtins that read a request's body when given the request.
    public static let bodyReaders: Set<String> = ["parse_json", "parse", "parse_form"]

    public init(values: StaticValues, loadOrder: [String]) {
        self.values = values
        var direct: [ObjectIdentifier: Collector.Direct] = [:]
        for path in loadOrder {
            let c = Collector(values: values, module: path)
            c.walk(module: values.modules[path]!)
            direct.merge(c.direct) { a, _ in a }
        }
        // Blocking and impurity flow from callees to callers. A pure function must finish:
        // recursion (a cycle of uses) is not pure.
        var blocks = Set(direct.filter { $0.value.blocks }.map(\.key))
        var impure = Set(direct.filter { !$0.value.pure }.map(\.key))
        for (f, _) in direct where !impure.contains(f) && reaches(f, from: f, direct) { impure.insert(f) }
        var changed = true
        while changed {
            changed = false
            for (f, d) in direct {
                if !blocks.contains(f) && d.uses.contains(where: { blocks.contains($0) || direct[$0] == nil }) {
                    blocks.insert(f); changed = true
                }
                if !impure.contains(f) && d.uses.contains(where: { impure.contains($0) || direct[$0] == nil }) {
                    impure.insert(f); changed = true
                }
            }
        }
        for (f, d) in direct {
            facts[f] = FunctionFacts(blocks: blocks.contains(f), request: d.request, isPure: !impure.contains(f))
        }
    }

    private func reaches(_ target: ObjectIdentifier, from start: ObjectIdentifier, _ direct: [ObjectIdentifier: Collector.Direct]) -> Bool {
        var seen: Set<ObjectIdentifier> = []
        var stack = Array(direct[start]?.uses ?? [])
        while let f = stack.popLast() {
            if f == target { return true }
            if seen.insert(f).inserted { stack += direct[f]?.uses ?? [] }
        }
        return false
    }

    /// The facts of `f` (conservative ones for a function the analysis did not see).
    public func facts(of f: FunctionDecl) -> FunctionFacts {
        facts[ObjectIdentifier(f)] ?? FunctionFacts(blocks: true, request: RequestReads(escapes: true), isPure: false)
    }
}

/// One walk over a module: each function's own calls, effects and request reads.
final class Collector: ASTWalker {
    struct Direct {
        var blocks = false
        var pure = true
        var uses: Set<ObjectIdentifier> = []
        var request = RequestReads()
    }

    let values: StaticValues
    let module: String
    var direct: [ObjectIdentifier: Direct] = [:]
    /// First parameters: slot → the function they belong to.
    private var requestParams: [SlotID: ObjectIdentifier] = [:]

    init(values: StaticValues, module: String) {
        self.values = values
        self.module = module
    }

    private var context: StaticContext { StaticContext(module: module, scopes: scopes.map(\.info)) }

    /// Records a fact on the innermost function (top-level code has no facts).
    private func note(_ change: (inout Direct) -> Void) {
        guard let f = functions.last else { return }
        change(&direct[ObjectIdentifier(f), default: Direct()])
    }

    override func enter(_ f: FunctionDecl) -> Bool {
        direct[ObjectIdentifier(f)] = Direct()
        if let p = f.parameters.first { requestParams[SlotID(f.scope, p.decl.slot)] = ObjectIdentifier(f) }
        // With postconditions the result is checked first: not simply passed on.
        if f.ensures.isEmpty { noteTail(f.body.statements, of: f) }
        return true
    }

    override func leave(_ f: FunctionDecl) {
        if !f.requires.isEmpty || !f.ensures.isEmpty {
            direct[ObjectIdentifier(f), default: Direct()].pure = false
        }
    }

    /// A declaration that reuses a request parameter's slot (`let req = …` in the body, which
    /// shares the parameters' scope) replaces the request: a use of it as a whole value.
    private func declared(_ d: VarDecl) {
        guard let top = scopes.last, let owner = requestParams[SlotID(top.info, d.slot)] else { return }
        read(owner, field: nil)
    }

    override func visit(_ s: Stmt) -> Bool {
        switch s.kind {
        case .letDecl(let d, _, _): declared(d)
        case .function(let f): if let d = f.decl { declared(d) }
        case .importStmt(let imp):
            switch imp.form {
            case .names(let names): names.forEach { declared($0.alias) }
            case .namespace(let d): declared(d)
            }
            note { $0.blocks = true; $0.pure = false }
        default: break
        }
        switch s.kind {
        case .returnStmt(let e?): if let f = functions.last, f.ensures.isEmpty { noteReturned(e, by: f) }
        case .whileLoop, .loop, .forIn: note { $0.pure = false }
        default: break
        }
        return true
    }

    /// The function whose request parameter `r` names, if any.
    private func requestOwner(_ r: VarRef) -> ObjectIdentifier? {
        guard let s = declaringScope(of: r), case let .local(_, slot) = r.binding else { return nil }
        return requestParams[SlotID(s.info, slot)]
    }

    private func read(_ owner: ObjectIdentifier, field: String?) {
        if let field { direct[owner, default: Direct()].request.fields.insert(field) }
        else {
            direct[owner, default: Direct()].request.escapes = true
            direct[owner, default: Direct()].request.escapesBesidesReturn = true
        }
    }

    /// Names returned as they are (by `return`, or as the value a body, or a branch of an `if`
    /// it ends with, gives), with the function that returns them: a request returned by its
    /// own handler is passed on; returned by a closure inside it, it escapes.
    private var returnedRefs: [ObjectIdentifier: ObjectIdentifier] = [:]

    private func noteReturned(_ e: Expr, by f: FunctionDecl) {
        if case .name(let r) = e { returnedRefs[ObjectIdentifier(r)] = ObjectIdentifier(f) }
    }

    /// The names a block gives as its value, through a final `if`/`else` or block.
    private func noteTail(_ statements: [Stmt], of f: FunctionDecl) {
        guard let last = statements.last else { return }
        switch last.kind {
        case .expr(.ifElse(_, let then, let elseBranch)):
            noteTail(then.statements, of: f)
            var branch = elseBranch
            while let b = branch {
                switch b {
                case .block(let block): noteTail(block.statements, of: f); branch = nil
                case .elseIf(.ifElse(_, let t, let e)): noteTail(t.statements, of: f); branch = e
                case .elseIf: branch = nil
                }
            }
        case .expr(let e): noteReturned(e, by: f)
        case .block(let b): noteTail(b.statements, of: f)
        default: break
        }
    }

    override func visit(_ e: Expr) -> Bool {
        switch e {
        case .member(.name(let r), let field):
            if let owner = requestOwner(r) { read(owner, field: field); nameRead(r); return false }
        case .index(.name(let r), .string(let field)):
            if let owner = requestOwner(r) { read(owner, field: field); nameRead(r); return false }
        case let .call(callee, args, _):
            call(callee, args)
            if args.count == 1, case .name(let r) = args[0], let owner = requestOwner(r),
               case .builtin(let b) = values.resolve(callee, in: context), ProgramFacts.bodyReaders.contains(b) {
                read(owner, field: "body")
                nameRead(r)
                walk(callee)
                return false
            }
        case .name(let r):
            if let owner = requestOwner(r) {
                if returnedRefs[ObjectIdentifier(r)] == owner {
                    direct[owner, default: Direct()].request.escapes = true
                } else {
                    read(owner, field: nil)
                }
            }
            nameRead(r)
        case let .assign(t, _, _):
            let r: VarRef
            switch t {
            case .variable(let v): r = v
            case .path(let v, _, _): r = v
            }
            if let owner = requestOwner(r) { read(owner, field: nil) }
            // Assigning a variable of an enclosing function or the module is an effect.
            if let s = declaringScope(of: r), s.function !== functions.last { note { $0.pure = false } }
        default:
            break
        }
        return true
    }

    /// Reading a variable that can change between calls makes a function impure.
    private func nameRead(_ r: VarRef) {
        guard let s = declaringScope(of: r), case let .local(_, slot) = r.binding else { return }
        if s.function !== functions.last && values.reassigned.contains(SlotID(s.info, slot)) { note { $0.pure = false } }
    }

    private func call(_ callee: Expr, _ args: [Expr]) {
        let target = values.resolve(callee, in: context)
        switch target {
        case .function(let f):
            note { $0.uses.insert(ObjectIdentifier(f)) }
        case .builtin(let name):
            if ProgramFacts.blockingBuiltins.contains(name) { note { $0.blocks = true } }
            if ProgramFacts.impureBuiltins.contains(name) { note { $0.pure = false } }
            if ProgramFacts.higherOrderBuiltins.contains(name) {
                // The builtin calls its function argument (the last of reduce's three, else the
                // second): it must be a known function.
                let position = name == "reduce" ? 2 : 1
                guard args.count > position else { break }
                switch values.resolve(args[position], in: context) {
                case .function(let f): note { $0.uses.insert(ObjectIdentifier(f)) }
                case .builtin(let b): if ProgramFacts.blockingBuiltins.contains(b) { note { $0.blocks = true } }
                default: note { $0.blocks = true }
                }
            }
        default:
            note { $0.blocks = true; $0.pure = false }
        }
    }
}
