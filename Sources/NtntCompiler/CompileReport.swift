// `ntnt transpile --report`: what the program became. Per route and middleware: typed (the
// compiler resolved it to a function of the program, compiled it once more over a
// `RequestView`, and knows what it reads, whether it blocks and whether its response is
// constant), untyped (resolved, but it uses its request as a whole value) or dynamic (not
// resolved before running), with the reason and where; whether routing is generated Swift;
// per function, the variables and parameters that got Swift types.

import NtntSema
import NtntSyntax

/// Renders the compile report of one program.
struct CompileReport {
    let facts: ProgramFacts
    let loadOrder: [String]
    let emitters: [SwiftEmitter]
    /// Which loops send their queries together.
    let batching: QueryBatching
    /// Whether requests are routed by generated code.
    let router: GeneratedRouter

    func render() -> String {
        var out = "routes:\n"
        let entries = RouteTable.entries(facts.values, loadOrder: loadOrder)
        if entries.isEmpty { out += "  (none)\n" }
        for e in entries {
            let what: String
            switch e.kind {
            case .route(let method): what = "\(method) \(e.pattern ?? "<computed>")"
            case .middleware: what = "middleware"
            }
            if let f = e.handler, TypedHandlers.whyUntyped(e, f, facts) == nil {
                out += "  \(what) -> \(name(f)) (\(location(f.loc))): typed, \(describe(facts.facts(of: f), e))\n"
            } else if let f = e.handler {
                let why = TypedHandlers.whyUntyped(e, f, facts) ?? "unknown"
                out += "  \(what) -> \(name(f)) (\(location(f.loc))): untyped: \(why), \(describe(facts.facts(of: f), e))\n"
            } else {
                out += "  \(what): dynamic: \(e.dynamicReason ?? "unknown") (\(location(e.reasonLoc)))\n"
            }
        }
        if let routes = router.routes, !routes.isEmpty {
            out += "router: generated (\(routes.count) route\(routes.count == 1 ? "" : "s") matched by compiled Swift)\n"
        } else if let why = router.reason {
            out += "router: the runtime's: \(why.text) (\(location(why.loc)))\n"
        }
        out += "loops:\n"
        if batching.ordered.isEmpty { out += "  (none that reach the database)\n" }
        for l in batching.ordered {
            out += l.batched ? "  \(location(l.loc)): batched: \(l.detail) (\(location(l.reasonLoc)))\n"
                             : "  \(location(l.loc)): sequential: \(l.detail) (\(location(l.reasonLoc)))\n"
        }
        out += "functions:\n"
        for emitter in emitters {
            for (f, typed) in emitter.nativeTypesByFunction() {
                let types = typed.isEmpty ? "no native types" : typed.map { "\($0.name): \($0.type)" }.joined(separator: ", ")
                out += "  \(name(f)) (\(location(f.loc))): \(types)\n"
            }
        }
        return out
    }

    private func name(_ f: FunctionDecl) -> String { f.name ?? "<closure>" }

    /// What the server knows of a handler.
    private func describe(_ f: FunctionFacts, _ e: RouteEntry) -> String {
        var parts: [String] = []
        var middleware = false
        if case .middleware = e.kind { middleware = true }
        if f.isConstant {
            parts.append("constant response")
        } else if middleware && f.request.escapes && !f.request.escapesBesidesReturn {
            parts.append("passes its request on" + (f.request.fields.isEmpty ? "" : ", reads " + f.request.fields.sorted().joined(separator: ", ")))
        } else if f.request.escapes {
            parts.append("reads the whole request")
        } else if f.request.fields.isEmpty {
            parts.append("reads nothing of the request")
        } else {
            parts.append("reads " + f.request.fields.sorted().joined(separator: ", "))
        }
        parts.append(f.blocks ? "may block (worker pool)" : "runs on the event loop")
        return parts.joined(separator: ", ")
    }

    private func location(_ loc: SourceLoc) -> String { SourcePosition.describe(loc) }
}

extension SwiftEmitter {
    /// After `emitModule`: each function of the module with the variables and parameters that
    /// got a Swift type (for `--report`), in source order.
    func nativeTypesByFunction() -> [(function: FunctionDecl, typed: [(name: String, type: String)])] {
        let owners = ScopeOwners()
        owners.walk(module: module)
        var result: [(FunctionDecl, [(String, String)])] = []
        for f in owners.order {
            var typed: [(String, String)] = []
            for info in owners.scopesByFunction[ObjectIdentifier(f)] ?? [] {
                let params = info === f.scope ? Dictionary(f.parameters.map { ($0.decl.slot, $0.decl.name) }, uniquingKeysWith: { a, _ in a }) : [:]
                for slot in 0..<info.slotCount {
                    let key = SlotKey(scope: ObjectIdentifier(info), slot: slot)
                    let name = params[slot] ?? declaredNames[ObjectIdentifier(info)]?[slot] ?? "_\(slot)"
                    if let type = nativeSlots[key] {
                        typed.append((name, reportName(type)))
                    } else if let keys = variables.unboxedMaps[key] {
                        typed.append((name, "unboxed Map { " + keys.joined(separator: ", ") + " }"))
                    }
                }
            }
            result.append((f, typed))
        }
        return result
    }

    /// A type as the report shows it: Swift's name, a row struct by its columns.
    func reportName(_ type: NativeType) -> String {
        func row(_ name: String) -> String {
            guard let shape = rows?.shapes[name] else { return name }
            let fields = shape.columns.indices.map { "\(shape.columns[$0].name): \(shape.swiftType($0))" }
            return "Row { " + fields.joined(separator: ", ") + " }"
        }
        switch type {
        case .row(let name): return row(name)
        case .optionalRow(let name): return row(name) + "?"
        case .array(.row(let name)): return "[" + row(name) + "]"
        default: return type.swiftType
        }
    }
}

/// The scopes of each function's own body (not those of functions nested in it), and the
/// functions in source order.
final class ScopeOwners: ASTWalker {
    var scopesByFunction: [ObjectIdentifier: [ScopeInfo]] = [:]
    var order: [FunctionDecl] = []

    override func enter(_ f: FunctionDecl) -> Bool {
        order.append(f)
        return true
    }

    override func opened(_ scope: OpenScope) {
        if let f = scope.function { scopesByFunction[ObjectIdentifier(f), default: []].append(scope.info) }
    }
}
