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

    private var context: StaticContext { StaticContext(module: module, scopes: scopes.map(\.info)) }

    override func visit(_ e: Expr) -> Bool {
        switch e {
        case let .call(callee, args, _) where Self.isReference(callee):
            if case .function(let f) = values.resolve(callee, in: context) {
                calls[ObjectIdentifier(f), default: []].append((args, context))
                args.forEach(walk)
                return false
            }
        case .name, .member, .index:
            if case .function(let f) = values.resolve(e, in: context) { escaping.insert(ObjectIdentifier(f)) }
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
