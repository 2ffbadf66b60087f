// Where request data reaches HTML unescaped: `ntnt check` warns when a value derived from a
// request (its params, query, headers, body, path, or `parse_json` of it) flows into `html()` or
// into a template interpolation without the `escape` filter. Templates do not escape by
// default (LANGUAGE.md §7), so this is where a cross-site scripting hole would be.
//
// The analysis is flow-insensitive and works on the whole program: a variable is tainted when
// anything assigned to it is (a `let`, an assignment, a loop over a tainted collection, a match
// binding of a tainted value, an argument at any call site of a known function); a call of a
// program function is tainted when it is passed tainted data and can return something tainted.
// Numbers, Bools and lengths made from request data are not tainted; neither is a template
// literal (its interpolations are checked where they are).

import NtntSyntax

/// A `file:line:col: warning:` of `ntnt check`.
public struct TaintWarning {
    public var loc: SourceLoc
    public var message: String
}

public enum RequestTaint {
    /// Request fields that carry text the client chose.
    static let clientFields: Set<String> = ["params", "query_params", "query", "headers", "body", "path", "url"]
    /// Builtins whose result carries no client text (numbers, Bools, type names, responses).
    static let cleanBuiltins: Set<String> = [
        "int", "float", "len", "abs", "min", "max", "round", "floor", "ceil", "trunc", "clamp", "contains",
        "starts_with", "ends_with", "has_key", "is_empty", "type", "typeof", "random", "random_int", "now", "now_millis",
        "html", "json", "text", "status", "error", "redirect",
    ]

    /// Every place in the program where request data reaches HTML unescaped.
    public static func warnings(values: StaticValues, loadOrder: [String]) -> [TaintWarning] {
        var flow = FlowFacts()
        for path in loadOrder {
            guard let module = values.modules[path] else { continue }
            let collector = FlowCollector(values: values, module: path, facts: flow)
            collector.walk(module: module)
            flow = collector.facts
        }
        var requestSlots: Set<SlotID> = []
        for entry in RouteTable.entries(values, loadOrder: loadOrder) {
            if let f = entry.handler, let p = f.parameters.first { requestSlots.insert(SlotID(f.scope, p.decl.slot)) }
        }
        let taint = Taint(flow: flow, requestSlots: requestSlots)
        taint.propagate()
        var found: [TaintWarning] = []
        for sink in flow.sinks where taint.isTainted(sink.value) {
            switch sink.kind {
            case .html:
                found.append(TaintWarning(loc: sink.loc, message: "request data reaches html() unescaped; "
                    + "build the page with a template and the `escape` filter, or send it with text() or json()"))
            case .interpolation:
                found.append(TaintWarning(loc: sink.loc, message: "request data in a template interpolation "
                    + "without `| escape` (templates do not escape by default)"))
            }
        }
        return found.sorted { ($0.loc.file, $0.loc.offset) < ($1.loc.file, $1.loc.offset) }
    }
}

extension RequestTaint {
    /// The warnings of a loaded program, rendered (`file:line:col: warning: …`, the line, a caret).
    public static func renderedWarnings(loader: ProgramLoader) -> [String] {
        let values = StaticValues(modules: loader.modules, globalNames: loader.globalNames,
                                  importTarget: { path, module in loader.canonicalImport(path, from: module.file.location) })
        return warnings(values: values, loadOrder: loader.loadOrder).map { Diagnostic($0.loc, $0.message).render(kind: "warning") }
    }
}

/// What the collector gathers from every module.
struct FlowFacts {
    enum SinkKind { case html, interpolation }
    struct Sink {
        var kind: SinkKind
        var loc: SourceLoc
        var value: Expr
    }

    /// The variable each name occurrence refers to.
    var slotOf: [ObjectIdentifier: SlotID] = [:]
    /// Variable ← value, for every way a variable gets a value.
    var assignments: [(SlotID, Expr)] = []
    /// Function ← each expression it can return.
    var returns: [(ObjectIdentifier, Expr)] = []
    /// What the callee of the call at each location denotes.
    var callees: [SourceLoc: StaticValue] = [:]
    var sinks: [Sink] = []
}

/// One walk over a module, recording names, assignments, returns, calls and sinks.
final class FlowCollector: ASTWalker {
    let values: StaticValues
    let module: String
    var facts: FlowFacts

    init(values: StaticValues, module: String, facts: FlowFacts) {
        self.values = values
        self.module = module
        self.facts = facts
    }

    private var context: StaticContext { StaticContext(module: module, scopes: scopes.map(\.info)) }

    private func note(_ r: VarRef) {
        guard let s = declaringScope(of: r), case let .local(_, slot) = r.binding else { return }
        facts.slotOf[ObjectIdentifier(r)] = SlotID(s.info, slot)
    }

    override func enter(_ f: FunctionDecl) -> Bool {
        let statements = f.body.statements
        if let last = statements.last, case .expr(let e) = last.kind { facts.returns.append((ObjectIdentifier(f), e)) }
        return true
    }

    override func visit(_ s: Stmt) -> Bool {
        switch s.kind {
        case let .letDecl(decl, value, _):
            if let scope = scopes.last { facts.assignments.append((SlotID(scope.info, decl.slot), value)) }
        case let .forIn(decl, sequence, _, scope):
            facts.assignments.append((SlotID(scope, decl.slot), sequence))
        case .returnStmt(let e?):
            if let f = functions.last { facts.returns.append((ObjectIdentifier(f), e)) }
        default:
            break
        }
        return true
    }

    override func visit(_ e: Expr) -> Bool {
        switch e {
        case .name(let r):
            note(r)
        case let .assign(target, _, value):
            let r: VarRef
            switch target {
            case .variable(let v): r = v
            case .path(let v, _, _): r = v
            }
            note(r)
            if let slot = facts.slotOf[ObjectIdentifier(r)] { facts.assignments.append((slot, value)) }
        case let .match(subject, arms):
            for arm in arms {
                for decl in bindings(arm.pattern) { facts.assignments.append((SlotID(arm.scope, decl.slot), subject)) }
            }
        case let .call(callee, args, loc):
            let target = values.resolve(callee, in: context)
            facts.callees[loc] = target
            switch target {
            case .function(let f):
                for (p, a) in zip(f.parameters, args) { facts.assignments.append((SlotID(f.scope, p.decl.slot), a)) }
            case .builtin("html"):
                if let page = args.first { facts.sinks.append(.init(kind: .html, loc: loc, value: page)) }
            default:
                break
            }
        case .template(let t):
            collect(t.nodes)
        default:
            break
        }
        return true
    }

    private func collect(_ nodes: [TemplateNode]) {
        for node in nodes {
            switch node {
            case .text:
                break
            case let .output(value, filters, loc):
                if !filters.contains(where: { $0.name == "escape" }) {
                    facts.sinks.append(.init(kind: .interpolation, loc: loc, value: value))
                }
            case .forLoop(let l):
                facts.assignments.append((SlotID(l.scope, l.variable.slot), l.sequence))
                collect(l.body)
                if let e = l.emptyBody { collect(e) }
            case let .ifChain(branches, elseBody):
                for (_, body) in branches { collect(body) }
                if let e = elseBody { collect(e) }
            }
        }
    }

    private func bindings(_ p: Pattern) -> [VarDecl] {
        switch p {
        case .binding(let d): return [d]
        case .some(let q), .ok(let q), .err(let q): return bindings(q)
        case .array(let items): return items.flatMap(bindings)
        case .wildcard, .int, .float, .string, .bool, .unit, .none: return []
        }
    }
}

/// The fixpoint: which variables and functions carry request data.
final class Taint {
    let flow: FlowFacts
    /// Variables holding the request itself (a handler's parameter, or what it is passed to).
    private var requestSlots: Set<SlotID>
    private var slots: Set<SlotID>
    private var returning: Set<ObjectIdentifier> = []

    init(flow: FlowFacts, requestSlots: Set<SlotID>) {
        self.flow = flow
        self.requestSlots = requestSlots
        self.slots = requestSlots
    }

    func propagate() {
        var changed = true
        while changed {
            changed = false
            for (slot, value) in flow.assignments where !slots.contains(slot) && isTainted(value) {
                slots.insert(slot)
                if isRequest(value) { requestSlots.insert(slot) }
                changed = true
            }
            for (f, value) in flow.returns where !returning.contains(f) && isTainted(value) {
                returning.insert(f)
                changed = true
            }
        }
    }

    private func slot(_ r: VarRef) -> SlotID? { flow.slotOf[ObjectIdentifier(r)] }

    private func isRequest(_ e: Expr) -> Bool {
        if case .name(let r) = e, let s = slot(r) { return requestSlots.contains(s) }
        return false
    }

    func isTainted(_ e: Expr) -> Bool {
        switch e {
        case .name(let r):
            return slot(r).map(slots.contains) ?? false
        case let .member(base, field):
            if isRequest(base) { return RequestTaint.clientFields.contains(field) }
            return isTainted(base)
        case let .index(base, key):
            if isRequest(base), case .string(let field) = key { return RequestTaint.clientFields.contains(field) }
            return isTainted(base)
        case let .call(_, args, loc):
            let anyTainted = args.contains { isTainted($0) || isRequest($0) }
            switch flow.callees[loc] {
            case .builtin(let name)?:
                return !RequestTaint.cleanBuiltins.contains(name) && anyTainted
            case .function(let f)?:
                return anyTainted && returning.contains(ObjectIdentifier(f))
            default:
                return anyTainted
            }
        case .interpolated(let parts):
            return parts.contains { if case .expr(let x) = $0 { return isTainted(x) } else { return false } }
        case let .binary(op, a, b):
            return op == .add && (isTainted(a) || isTainted(b))
        case let .coalesce(a, b):
            return isTainted(a) || isTainted(b)
        case .tryUnwrap(let x):
            return isTainted(x)
        case .array(let items):
            return items.contains(where: isTainted)
        case .map(let entries):
            return entries.contains { isTainted($0.value) }
        case let .ifElse(_, then, elseBranch):
            if blockResultTainted(then) { return true }
            switch elseBranch {
            case .block(let b)?: return blockResultTainted(b)
            case .elseIf(let x)?: return isTainted(x)
            case nil: return false
            }
        case let .match(_, arms):
            return arms.contains { isTainted($0.body) }
        case .int, .float, .string, .bool, .unit, .template, .unary, .and, .or, .range, .assign, .closure, .old:
            return false
        }
    }

    private func blockResultTainted(_ b: Block) -> Bool {
        guard let last = b.statements.last, case .expr(let e) = last.kind else { return false }
        return isTainted(e)
    }
}
