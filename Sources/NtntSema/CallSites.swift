// Where each function of the program is called: the calls whose callee always denotes it, and
// whether it is ever used otherwise (as a value: passed, stored, registered as a handler),
// when its callers are not all known. A parameter of a function that is only ever called,
// with every call passing the same string literal, always holds that string: that is how the
// SQL a factory is given (`world_source(db, "SELECT …")`) is known before running.

import NtntSyntax

final class CallSites: ASTWalker {
    private let values: StaticValues
    private var module = ""
    /// Calls by callee: each call's arguments and the context they are evaluated in.
    private(set) var calls: [ObjectIdentifier: [(args: [Expr], context: StaticContext)]] = [:]
    /// Functions used as values somewhere.
    private(set) var escaping: Set<ObjectIdentifier> = []
    /// The function whose parameters a scope holds.
    private(set) var functionOfScope: [ObjectIdentifier: FunctionDecl] = [:]
    /// Slots bound by a `let` or a nested `fn` (a `let` naming a parameter reuses its slot).
    private(set) var rebound: Set<SlotID> = []

    init(values: StaticValues) {
        self.values = values
        super.init()
        for (path, m) in values.modules.sorted(by: { $0.key < $1.key }) {
            module = path
            walk(module: m)
        }
    }

    override func enter(_ f: FunctionDecl) -> Bool {
        functionOfScope[ObjectIdentifier(f.scope)] = f
        return true
    }

    override func visit(_ s: Stmt) -> Bool {
        guard let scope = scopes.last?.info else { return true }
        switch s.kind {
        case .letDecl(let d, _, _): rebound.insert(SlotID(scope, d.slot))
        case .function(let f): if let d = f.decl { rebound.insert(SlotID(scope, d.slot)) }
        default: break
        }
        return true
    }

    private var context: StaticContext { StaticContext(module: module, scopes: scopes.map(\.info)) }

    override func visit(_ e: Expr) -> Bool {
        switch e {
        case let .call(callee, args, _) where Self.isReference(callee):
            if case .function(let f) = values.resolve(callee, in: context) {
                calls[ObjectIdentifier(f), default: []].append((args, context))
                args.forEach(walk)
                return false
            }
        case .member(.name, _):
            // `ns.f` read as a value: f escapes; the namespace itself is only looked into.
            if case .function(let f) = values.resolve(e, in: context) { escaping.insert(ObjectIdentifier(f)) }
            return false
        case .name, .member, .index:
            switch values.resolve(e, in: context) {
            case .function(let f): escaping.insert(ObjectIdentifier(f))
            case .localNamespace(let path):
                // A module namespace used as a value: its functions may be called from anywhere.
                for f in values.modules[path]?.body.scope.hoistedFunctions ?? [] { escaping.insert(ObjectIdentifier(f)) }
            default: break
            }
        default:
            break
        }
        return true
    }

    /// A callee that only names a function (its evaluation has no effect of its own).
    static func isReference(_ e: Expr) -> Bool {
        switch e {
        case .name: return true
        case .member(let b, _): return isReference(b)
        case .index(let b, .string), .index(let b, .int): return isReference(b)
        default: return false
        }
    }
}
