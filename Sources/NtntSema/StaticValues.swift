// What names and expressions denote before the program runs.
//
// Many facts the backends want are facts about functions (can this handler block, what does it
// read of its request), but a program names its functions in many ways: a declaration, a
// closure literal, a `let` bound once, an import by name or through a namespace, an entry of a
// map or array literal, the closure a factory returns. `StaticValues` sees through all of them
// to the `FunctionDecl` (or builtin) an expression always evaluates to, whatever the spelling,
// and says why when it cannot. Only bindings that are made exactly once and never assigned
// again are trusted; everything else is `.unknown` with a reason for `--report`.

import NtntSyntax

/// What an expression is known to evaluate to.
public enum StaticValue {
    /// A function declared in the program (named or closure).
    case function(FunctionDecl)
    /// A runtime builtin: a global, or a std module's function (same name, same function).
    case builtin(String)
    /// `import "std/…" as ns`.
    case stdNamespace(String)
    /// `import "./m" as ns` (the module's canonical path).
    case localNamespace(String)
    /// A map or array literal, with the context its entries are resolved in.
    case mapLiteral([(key: Expr, value: Expr)], StaticContext)
    case arrayLiteral([Expr], StaticContext)
    /// A string literal without interpolation (SQL bound to a name, say).
    case string(String)
    /// Not known before running; the reason is shown to users.
    case unknown(String)
}

/// Where an expression sits: its module and the scopes open around it (module scope first).
public struct StaticContext {
    public var module: String
    public var scopes: [ScopeInfo]

    public init(module: String, scopes: [ScopeInfo]) {
        self.module = module
        self.scopes = scopes
    }
}

/// A variable slot, identified by its scope and index.
public struct SlotID: Hashable {
    public let scope: ObjectIdentifier
    public let slot: Int

    public init(_ scope: ScopeInfo, _ slot: Int) {
        self.scope = ObjectIdentifier(scope)
        self.slot = slot
    }
}

/// Resolves expressions to the functions they denote, across a whole program.
public final class StaticValues {
    /// Modules by canonical path, and where each module's local imports lead.
    public let modules: [String: Module]
    public let globalNames: [String]
    private let importTarget: (String, Module) -> String
    /// How each module-level slot is bound, per module.
    private var bindings: [String: [Int: [Binding]]] = [:]
    /// Slots assigned with `=` (or an indexed assignment) anywhere in the program.
    public private(set) var reassigned: Set<SlotID> = []
    /// Where each function is called (for parameters that always hold one string), found on
    /// first need; while it is being found, parameters are not known.
    private var callSites: CallSites?
    private var findingCallSites = false

    enum Binding {
        case function(FunctionDecl)
        case value(Expr, mutable: Bool)
        case importedName(module: String, name: String)
        case stdName(path: String, name: String)
        case stdNamespace(String)
        case localNamespace(String)
        case otherwise
    }

    public init(modules: [String: Module], globalNames: [String], importTarget: @escaping (String, Module) -> String) {
        self.modules = modules
        self.globalNames = globalNames
        self.importTarget = importTarget
        for (path, module) in modules {
            bindings[path] = moduleBindings(module)
            let finder = AssignmentFinder()
            finder.walk(module: module)
            reassigned.formUnion(finder.assigned)
        }
    }

    /// The canonical path of the module a module's import path names.
    public func target(of importPath: String, from module: Module) -> String { importTarget(importPath, module) }

    private func moduleBindings(_ module: Module) -> [Int: [Binding]] {
        let slots = Resolver.moduleSlots(module)
        var result: [Int: [Binding]] = [:]
        func add(_ name: String, _ b: Binding) { if let s = slots[name] { result[s, default: []].append(b) } }
        for s in module.body.statements {
            switch s.kind {
            case .function(let f): add(f.name!, .function(f))
            case let .letDecl(d, v, o): add(d.name, o == nil ? .value(v, mutable: d.isMutable) : .otherwise)
            case .importStmt(let imp):
                let isLocal = ProgramLoader.isLocal(imp.path)
                switch imp.form {
                case .names(let ns):
                    for n in ns {
                        add(n.alias.name, isLocal ? .importedName(module: importTarget(imp.path, module), name: n.name) : .stdName(path: imp.path, name: n.name))
                    }
                case .namespace(let d):
                    add(d.name, isLocal ? .localNamespace(importTarget(imp.path, module)) : .stdNamespace(imp.path))
                }
            default: break
            }
        }
        return result
    }

    /// The context of a module's top-level statements.
    public func moduleContext(_ path: String) -> StaticContext {
        StaticContext(module: path, scopes: [modules[path]!.body.scope])
    }

    /// What module `path`'s top-level name `name` is bound to.
    public func exported(_ name: String, of path: String, depth: Int = 0) -> StaticValue {
        guard let module = modules[path], let slot = Resolver.moduleSlots(module)[name] else {
            return .unknown("'\(name)' is not a top-level name of its module")
        }
        return moduleSlot(slot, of: path, name: name, depth: depth)
    }

    private func moduleSlot(_ slot: Int, of path: String, name: String, depth: Int) -> StaticValue {
        let module = modules[path]!
        if reassigned.contains(SlotID(module.body.scope, slot)) { return .unknown("'\(name)' is assigned again") }
        guard let bs = bindings[path]?[slot], bs.count == 1 else { return .unknown("'\(name)' is bound more than once") }
        switch bs[0] {
        case .function(let f): return .function(f)
        case let .value(e, mutable):
            if mutable { return .unknown("'\(name)' is declared with 'let mut'") }
            return resolve(e, in: moduleContext(path), depth: depth + 1)
        case let .importedName(m, n): return exported(n, of: m, depth: depth + 1)
        case .stdName(_, let n): return .builtin(n)
        case .stdNamespace(let p): return .stdNamespace(p)
        case .localNamespace(let p): return .localNamespace(p)
        case .otherwise: return .unknown("'\(name)' is bound by 'let … otherwise'")
        }
    }

    /// How module `path`'s top-level slot is bound, when it is bound once by an import from a std
    /// module and never assigned again: the std path, and the name imported (nil for a namespace).
    public func stdImport(slot: Int, of path: String) -> (path: String, name: String?)? {
        guard let module = modules[path], !reassigned.contains(SlotID(module.body.scope, slot)),
              let bs = bindings[path]?[slot], bs.count == 1 else { return nil }
        switch bs[0] {
        case let .stdName(p, n): return (p, n)
        case .stdNamespace(let p): return (p, nil)
        default: return nil
        }
    }

    /// What `e`, evaluated in `context`, always evaluates to.
    public func resolve(_ e: Expr, in context: StaticContext, depth: Int = 0) -> StaticValue {
        // Factories and chains of names are followed a bounded number of steps (a factory that
        // returns its own call would otherwise never end).
        guard depth < 24 else { return .unknown("too many indirections") }
        switch e {
        case .closure(let f):
            return .function(f)
        case .name(let r):
            switch r.binding {
            case .global(let g): return .builtin(globalNames[g])
            case let .local(hops, slot):
                guard hops < context.scopes.count else { return .unknown("'\(r.name)' is not known") }
                let scope = context.scopes[context.scopes.count - 1 - hops]
                if hops == context.scopes.count - 1 { return moduleSlot(slot, of: context.module, name: r.name, depth: depth) }
                if let f = scope.hoistedFunctions.first(where: { $0.decl?.slot == slot }), !reassigned.contains(SlotID(scope, slot)) {
                    return .function(f)
                }
                return parameter(slot, of: scope, name: r.name, depth: depth)
            case .missing, .unresolved: return .unknown("'\(r.name)' is not defined")
            }
        case .map(let entries):
            return .mapLiteral(entries, context)
        case .array(let items):
            return .arrayLiteral(items, context)
        case .string(let text):
            return .string(text)
        case let .member(base, name):
            return member(resolve(base, in: context, depth: depth + 1), name, depth: depth)
        case let .index(base, key):
            let b = resolve(base, in: context, depth: depth + 1)
            switch key {
            case .string(let k): return member(b, k, depth: depth)
            case .int(let i):
                guard case let .arrayLiteral(items, ctx) = b else { return .unknown("indexed value is not an array literal") }
                let k = i < 0 ? items.count + i : i
                guard k >= 0 && k < items.count else { return .unknown("index out of range") }
                return resolve(items[k], in: ctx, depth: depth + 1)
            default: return .unknown("index computed at run time")
            }
        case let .call(callee, _, _):
            guard case .function(let factory) = resolve(callee, in: context, depth: depth + 1) else {
                return .unknown("result of a call to a function not known before running")
            }
            return result(of: factory, depth: depth + 1)
        default:
            return .unknown("value computed at run time")
        }
    }

    /// The string a parameter always holds: its function is only ever called (never used as a
    /// value), by calls that all pass the same string (CallSites), and never assigns it.
    private func parameter(_ slot: Int, of scope: ScopeInfo, name: String, depth: Int) -> StaticValue {
        let unknown = StaticValue.unknown("'\(name)' is a local variable or parameter")
        guard !findingCallSites else { return unknown }
        if callSites == nil {
            findingCallSites = true
            callSites = CallSites(values: self)
            findingCallSites = false
        }
        guard let sites = callSites, let f = sites.functionOfScope[ObjectIdentifier(scope)],
              let i = f.parameters.firstIndex(where: { $0.decl.slot == slot }), !reassigned.contains(SlotID(scope, slot)),
              !sites.rebound.contains(SlotID(scope, slot)),
              !sites.escaping.contains(ObjectIdentifier(f)), let calls = sites.calls[ObjectIdentifier(f)], !calls.isEmpty else { return unknown }
        var text: String?
        for call in calls {
            guard i < call.args.count, case .string(let s) = resolve(call.args[i], in: call.context, depth: depth + 1),
                  text == nil || text == s else { return unknown }
            text = s
        }
        return text.map(StaticValue.string) ?? unknown
    }

    private func member(_ base: StaticValue, _ name: String, depth: Int) -> StaticValue {
        switch base {
        case .stdNamespace: return .builtin(name)
        case .localNamespace(let p): return exported(name, of: p, depth: depth + 1)
        case let .mapLiteral(entries, ctx):
            var found: Expr?
            for (k, v) in entries {
                guard case .string(let s) = k else { return .unknown("map literal with a computed key") }
                if s == name { found = v }
            }
            guard let v = found else { return .unknown("map literal has no key '\(name)'") }
            return resolve(v, in: ctx, depth: depth + 1)
        case .unknown(let why): return .unknown(why)
        default: return .unknown("'\(name)' read from a value that is not a namespace or map literal")
        }
    }

    /// What calling `factory` always returns: the function its last expression denotes, when
    /// it has no other `return`. Only factories declared at a module's top level qualify (their
    /// context is known).
    public func result(of factory: FunctionDecl, depth: Int = 0) -> StaticValue {
        guard let (path, _) = declaringModule(factory) else { return .unknown("factory is not a top-level function") }
        guard let last = factory.body.statements.last else { return .unknown("factory returns nothing") }
        let returns = ReturnCounter()
        for s in factory.body.statements.dropLast() { returns.walk(s) }
        let value: Expr
        switch last.kind {
        case .expr(let e), .returnStmt(let e?): value = e
        default: return .unknown("factory does not end with an expression")
        }
        returns.walk(value)
        if returns.count > 0 { return .unknown("factory returns in several places") }
        var scopes = [modules[path]!.body.scope]
        if factory.scope.isMaterialized { scopes.append(factory.scope) }
        return resolve(value, in: StaticContext(module: path, scopes: scopes), depth: depth + 1)
    }

    /// The module that declares `f` at its top level.
    public func declaringModule(_ f: FunctionDecl) -> (String, Module)? {
        for (path, m) in modules where m.body.scope.hoistedFunctions.contains(where: { $0 === f }) { return (path, m) }
        return nil
    }
}

/// Every slot assigned with `=` or through an index path.
final class AssignmentFinder: ASTWalker {
    var assigned: Set<SlotID> = []

    override func visit(_ e: Expr) -> Bool {
        if case let .assign(t, _, _) = e {
            let r: VarRef
            switch t {
            case .variable(let v): r = v
            case .path(let v, _, _): r = v
            }
            if let s = declaringScope(of: r), case let .local(_, slot) = r.binding { assigned.insert(SlotID(s.info, slot)) }
        }
        return true
    }
}

/// Counts `return` statements outside nested functions.
final class ReturnCounter: ASTWalker {
    var count = 0
    override func visit(_ s: Stmt) -> Bool {
        if case .returnStmt = s.kind { count += 1 }
        return true
    }
    override func enter(_ f: FunctionDecl) -> Bool { false }
}
