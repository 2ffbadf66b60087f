// The emitter's facts about one module's variables, gathered in one walk before any Swift is
// written: which slots closures capture (they become `Cell`s), the name of every `let` (for
// readable Swift), and the input of type inference (which locals may get a Swift type, every
// assignment to them, every call by name and every use of a name as a value).

import NtntSema
import NtntSyntax

/// A variable: its scope and slot.
struct SlotKey: Hashable {
    let scope: ObjectIdentifier
    let slot: Int
}

/// What one walk over a module finds about its variables.
struct VariableFacts {
    /// Slots referenced from a deeper function than the one declaring them, or declared at
    /// module level (module variables are shared with every function), by scope.
    var captured: [ObjectIdentifier: Set<Int>] = [:]
    /// Each local name occurrence's variable.
    var refKeys: [ObjectIdentifier: SlotKey] = [:]
    /// Names of `let` variables by scope and slot.
    var declaredNames: [ObjectIdentifier: [Int: String]] = [:]
    /// Function-local `let` variables that may get a Swift type, and those that may not.
    var nativeCandidates: Set<SlotKey> = []
    var nativeExcluded: Set<SlotKey> = []
    /// Every assignment to a variable: (variable, value, compound operator).
    var nativeAssignments: [(SlotKey, Expr, BinaryOp?)] = []
    /// Variables called by name (`f(args)`), with the arguments of each call.
    var callsByName: [(SlotKey, [Expr])] = []
    /// Variables read as values anywhere (a function read as a value may be called with anything).
    var valueUses: Set<SlotKey> = []
    /// Template loops inside functions: the loop variable and the sequence it walks (a typed
    /// array of rows gives a typed loop variable).
    var templateLoops: [(variable: SlotKey, sequence: Expr)] = []
    /// Function-local `let x = map { "k": … }` (literal keys) whose every use reads an entry
    /// (`x.k`, `x["k"]`, in code or templates) or is `json(x)`: kept as one Swift variable per
    /// key, no Map made. The keys in Map order.
    var unboxedMaps: [SlotKey: [String]] = [:]
}

/// Which map-literal variables can stay unboxed: every use of the variable is an entry read or
/// the JSON of it; none assigns it or captures it.
struct UnboxedMapUses {
    var keys: [SlotKey: [String]] = [:]
    /// How many declarations bind each slot (a `let` again, a parameter, a loop variable, an
    /// `err`, a pattern binding or a `fn` of the same name share a slot in one scope).
    var bindings: [SlotKey: Int] = [:]
    var uses: [SlotKey: Int] = [:]
    var entryReads: [SlotKey: Int] = [:]
    var excluded: Set<SlotKey> = []

    func result(captured: [ObjectIdentifier: Set<Int>]) -> [SlotKey: [String]] {
        keys.filter { key, _ in
            !excluded.contains(key) && bindings[key] == 1 && !(captured[key.scope]?.contains(key.slot) ?? false)
                && uses[key, default: 0] == entryReads[key, default: 0]
        }
    }
}

/// Walks a module once and returns its `VariableFacts`.
final class CaptureAnalysis: ASTWalker {
    private(set) var facts = VariableFacts()
    private var maps = UnboxedMapUses()
    /// Whether a call reads its rows into a struct (TypedRows): `let row = that otherwise {…}`
    /// may then be typed, its outcome switched on without a Result value.
    private let typedRowCall: (Expr) -> Bool

    private init(typedRowCall: @escaping (Expr) -> Bool) { self.typedRowCall = typedRowCall }

    static func analyze(_ module: Module, typedRowCall: @escaping (Expr) -> Bool = { _ in false }) -> VariableFacts {
        let a = CaptureAnalysis(typedRowCall: typedRowCall)
        a.walk(module: module)
        a.facts.unboxedMaps = a.maps.result(captured: a.facts.captured)
        return a.facts
    }

    /// The variable `e` names, when it is a local.
    private func localKey(_ e: Expr) -> SlotKey? {
        guard case .name(let r) = e, let target = declaringScope(of: r), case let .local(_, slot) = r.binding else { return nil }
        return SlotKey(scope: ObjectIdentifier(target.info), slot: slot)
    }

    /// Counts `e`'s uses of map-literal variables that read an entry or take the JSON of the
    /// map (a `json` callee the emitter does not confirm as std's reads the whole Map instead,
    /// which is still correct).
    private func countEntryReads(_ e: Expr) {
        switch e {
        case .member(let base, _), .index(let base, .string):
            if let key = localKey(base) { maps.entryReads[key, default: 0] += 1 }
        case let .call(callee, args, _) where args.count == 1 || args.count == 2:
            let isJSON: Bool
            switch callee {
            case .name(let r): isJSON = r.name == "json"
            case .member(_, let name): isJSON = name == "json"
            default: isJSON = false
            }
            if isJSON, let key = localKey(args[0]) { maps.entryReads[key, default: 0] += 1 }
        default:
            break
        }
    }

    /// Records a local reference; returns its variable.
    @discardableResult
    private func ref(_ r: VarRef) -> SlotKey? {
        guard let target = declaringScope(of: r), case let .local(_, slot) = r.binding else { return nil }
        let key = SlotKey(scope: ObjectIdentifier(target.info), slot: slot)
        facts.refKeys[ObjectIdentifier(r)] = key
        if target.function == nil || target.function !== functions.last {
            facts.captured[key.scope, default: []].insert(slot)
        }
        return key
    }

    private func bound(_ scope: ScopeInfo, _ slot: Int) {
        maps.bindings[SlotKey(scope: ObjectIdentifier(scope), slot: slot), default: 0] += 1
    }

    private func bound(_ p: Pattern, in scope: ScopeInfo) {
        switch p {
        case .binding(let d): bound(scope, d.slot)
        case .some(let q), .ok(let q), .err(let q): bound(q, in: scope)
        case .array(let qs): qs.forEach { bound($0, in: scope) }
        case .wildcard, .int, .float, .string, .bool, .unit, .none: break
        }
    }

    override func enter(_ f: FunctionDecl) -> Bool {
        for p in f.parameters { bound(f.scope, p.decl.slot) }
        return true
    }

    override func visit(_ s: Stmt) -> Bool {
        if let top = scopes.last {
            switch s.kind {
            case let .letDecl(d, _, o):
                bound(top.info, d.slot)
                if let o { bound(o.body.scope, o.errDecl.slot) }
            case let .forIn(d, _, _, scope): bound(scope, d.slot)
            case .function(let f): if let d = f.decl { bound(top.info, d.slot) }
            case .importStmt(let imp):
                switch imp.form {
                case .names(let names): names.forEach { bound(top.info, $0.alias.slot) }
                case .namespace(let d): bound(top.info, d.slot)
                }
            default: break
            }
        }
        if case let .letDecl(d, v, o) = s.kind, let top = scopes.last {
            facts.declaredNames[ObjectIdentifier(top.info), default: [:]][d.slot] = d.name
            if !functions.isEmpty {
                let key = SlotKey(scope: ObjectIdentifier(top.info), slot: d.slot)
                if o == nil, case .map(let entries) = v, !entries.isEmpty,
                   case let keys = entries.compactMap({ e -> String? in if case .string(let k) = e.key { return k } else { return nil } }),
                   keys.count == entries.count {
                    maps.keys[key] = SwiftEmitter.lastOfEachKey(keys).map(\.key)
                }
                if o == nil {
                    facts.nativeCandidates.insert(key)
                    facts.nativeAssignments.append((key, v, nil))
                } else if typedRowCall(v) {
                    // Binds what `?` would (the Ok value), so it is typed like `v?`.
                    facts.nativeCandidates.insert(key)
                    facts.nativeAssignments.append((key, .tryUnwrap(v), nil))
                } else {
                    facts.nativeExcluded.insert(key)
                    facts.nativeAssignments.append((key, v, nil))
                }
            }
        }
        return true
    }

    override func visit(_ e: Expr) -> Bool {
        countEntryReads(e)
        switch e {
        case .name(let r):
            if let key = ref(r) {
                facts.valueUses.insert(key)
                maps.uses[key, default: 0] += 1
            }
        case let .call(.name(r), args, _):
            // A call by name is not a use of the function as a value (see `inferNativeSlots`).
            if let key = ref(r) { facts.callsByName.append((key, args)) }
            args.forEach(walk)
            return false
        case let .assign(.variable(r), op, v):
            if let key = ref(r) {
                facts.nativeAssignments.append((key, v, op))
                maps.excluded.insert(key)
            }
        case let .assign(.path(r, _, _), _, _):
            if let key = ref(r) {
                facts.nativeExcluded.insert(key)
                maps.excluded.insert(key)
            }
        case .template(let t) where !functions.isEmpty:
            func loops(_ nodes: [TemplateNode]) {
                for n in nodes {
                    switch n {
                    case .forLoop(let l):
                        facts.templateLoops.append((SlotKey(scope: ObjectIdentifier(l.scope), slot: l.variable.slot), l.sequence))
                        facts.declaredNames[ObjectIdentifier(l.scope), default: [:]][l.variable.slot] = l.variable.name
                        loops(l.body)
                        if let e = l.emptyBody { loops(e) }
                    case let .ifChain(branches, e):
                        branches.forEach { loops($0.body) }
                        if let e { loops(e) }
                    case .text, .output: break
                    }
                }
            }
            loops(t.nodes)
        case let .match(_, arms) where !arms.isEmpty:
            for arm in arms { bound(arm.pattern, in: arm.scope) }
            return matchArms(e)
        default:
            break
        }
        return true
    }

    /// `match <typed-row call> { Ok(row) => … }`: the first arm's `row` is what `?` gives.
    private func matchArms(_ e: Expr) -> Bool {
        switch e {
        case let .match(subject, arms):
            // `match <typed-row call> { Ok(row) => … }`: the first arm's `row` is what `?` gives.
            if !functions.isEmpty, typedRowCall(subject), let first = arms.first, first.guardExpr == nil,
               case let .ok(.binding(d)) = first.pattern {
                let key = SlotKey(scope: ObjectIdentifier(first.scope), slot: d.slot)
                facts.declaredNames[key.scope, default: [:]][d.slot] = d.name
                facts.nativeCandidates.insert(key)
                facts.nativeAssignments.append((key, .tryUnwrap(subject), nil))
            }
        default:
            break
        }
        return true
    }
}
