// Functions and closures: top-level functions as methods (direct calls pass arguments one by
// one), nested functions and closures as Swift closures, parameters, contracts, and the facts
// the server reads from every function value.

import NtntSema
import NtntSyntax

extension SwiftEmitter {
    // MARK: - Functions

    /// A top-level function as a method. Without default parameters it takes its arguments
    /// one by one (direct calls allocate no array) and `METHOD_args` adapts it to the array
    /// that calls through a function value pass (their arity is already checked).
    func emitFunctionMethod(_ f: FunctionDecl) throws {
        let (method, min, max) = directFunctions[f.name!]!
        line("// \(location(f.loc))")
        if min == max {
            let params = (0..<max).map { "_ a\($0): Value" }.joined(separator: ", ")
            line("func \(method)(\(params)) throws -> Value {")
        } else {
            line("func \(method)(_ args: [Value]) throws -> Value {")
        }
        indent += 1
        try functionBody(f, argumentsOneByOne: min == max)
        indent -= 1
        line("}")
        line("")
        if min == max {
            line("func \(method)_args(_ args: [Value]) throws -> Value {")
            line("    try \(method)(\((0..<max).map { "args[\($0)]" }.joined(separator: ", ")))")
            line("}")
            line("")
        }
    }

    /// The value of a function declaration (a `CompiledFunction` closing over the current scope).
    func functionValue(_ f: FunctionDecl) -> String {
        if functionDepth == 0 && scopes.count == 1 {
            // Declared at the module's top level: made by `moduleFunction(_:)`, so a server
            // worker's copy of the module can make its own.
            let index = moduleFunctions.count
            moduleFunctions.append("")
            let saved = indent
            indent = 3
            moduleFunctions[index] = moduleFunctionValue(f, index: index)
            indent = saved
            return "self.moduleFunction(\(index))"
        }
        // Nested functions and closures: emit the body inline as a Swift closure.
        return "Value.function(CompiledFunction(name: \(f.name.map(swiftString) ?? "nil"), arity: \(f.requiredArity)...\(f.parameters.count)\(factsArgument(f))\(typedEntryArgument(f))) { [unowned self] args in\n" + closureBody(f) + "})"
    }

    /// The body of a Swift closure for `f`, one level deeper than the current line, and the
    /// indentation of its closing line.
    func closureBody(_ f: FunctionDecl) -> String {
        let body = writer.capture(indent: indent + 1) {
            do { try functionBody(f) } catch { line("throw RuntimeError(\"compile error\")") }
        }
        return body.joined(separator: "\n") + "\n" + String(repeating: "    ", count: indent)
    }

    /// The value of a function declared at the module's top level.
    func moduleFunctionValue(_ f: FunctionDecl, index: Int) -> String {
        let name = f.name.map(swiftString) ?? "nil"
        let arity = "\(f.requiredArity)...\(f.parameters.count)"
        if let n = f.name, let direct = directFunctions[n] {
            let entry = direct.min == direct.max ? direct.method + "_args" : direct.method
            return "makeTopLevelFunction(\(name), \(arity)\(factsArgument(f))\(typedEntryArgument(f)), owner: self, index: \(index)) { [unowned self] args in try self.\(entry)(args) }"
        }
        return "makeTopLevelFunction(\(name), \(arity)\(factsArgument(f))\(typedEntryArgument(f)), owner: self, index: \(index)) { [unowned self] args in\n" + closureBody(f) + "}"
    }

    /// For a typed route handler or middleware: the `requestEntry:` argument, the same body once
    /// more with its request parameter a `RequestView` (no request Map is built; each field is
    /// made when read). Empty for every other function.
    /// A route handler also gets `responseEntry:`, whose returns are typed responses (a builder
    /// call answers directly; any other value is converted as the server converts it).
    func typedEntryArgument(_ f: FunctionDecl) -> String {
        guard let p = f.parameters.first else { return "" }
        let id = ObjectIdentifier(f)
        let saved = requestParameter
        requestParameter = (SlotKey(scope: ObjectIdentifier(f.scope), slot: p.decl.slot), "view")
        defer { requestParameter = saved }
        var out = ""
        if typedHandlers.middleware.contains(id) {
            nextEntryReturns = .passOn
            out += ", requestEntry: { [unowned self] view in\n" + closureBody(f) + "}"
        }
        if typedHandlers.routes.contains(id) {
            nextEntryReturns = .response
            out += ", responseEntry: { [unowned self] view in\n" + closureBody(f) + "}"
        }
        return out
    }

    /// The Swift literal of what the program analysis proved of `f` (blocking, the request
    /// fields it reads, a constant response), for the server; empty when nothing is known.
    func factsArgument(_ f: FunctionDecl) -> String {
        let known = facts.facts(of: f)
        let read = "[" + RequestFieldNames.swiftCases(known.request.fields).joined(separator: ", ") + "]"
        let fields = known.request.escapes ? ".all" : read
        // Passing the request on needs, as middleware, only the fields it reads.
        let asMiddleware = known.request.escapes && !known.request.escapesBesidesReturn ? ", middlewareFields: \(read)" : ""
        return ", facts: HandlerFacts(blocks: \(known.blocks), fields: \(fields), isConstant: \(known.isConstant)\(asMiddleware))"
    }

    /// Parameters, hoisting, contracts and the body of a function; returns its value.
    func functionBody(_ f: FunctionDecl, argumentsOneByOne: Bool = false) throws {
        let savedLoops = loops
        let savedReturns = entryReturns
        loops = []
        // Only the body an entry was asked for; its nested functions return Values.
        (entryReturns, nextEntryReturns) = (nextEntryReturns, .value)
        functionDepth += 1
        defer {
            functionDepth -= 1
            loops = savedLoops
            entryReturns = savedReturns
        }
        line("try self.rt.enter()")
        line("defer { self.rt.leave() }")
        try traced(f.name ?? "<fn>") { try functionBodyInner(f, argumentsOneByOne: argumentsOneByOne) }
    }

    func functionBodyInner(_ f: FunctionDecl, argumentsOneByOne: Bool) throws {
        let materialized = f.scope.isMaterialized
        if materialized {
            var names: [Int: String] = [:]
            for p in f.parameters { names[p.decl.slot] = p.decl.name }
            openScope(f.scope, names: names)
            for (i, p) in f.parameters.enumerated() {
                if let d = p.defaultValue {
                    line("if args.count > \(i) {")
                    indent += 1
                    assign(slot: p.decl.slot, hops: 0, value: "args[\(i)]")
                    indent -= 1
                    line("} else {")
                    indent += 1
                    let v = try expr(d)
                    assign(slot: p.decl.slot, hops: 0, value: v)
                    indent -= 1
                    line("}")
                } else {
                    assign(slot: p.decl.slot, hops: 0, value: argumentsOneByOne ? "a\(i)" : "args[\(i)]")
                }
            }
        }
        let displayName = f.name ?? "<fn>"
        for clause in f.requires {
            let c = try expr(clause.condition)
            line("if !\(c).isTruthy { throw RuntimeError(\(swiftString("Precondition failed in '\(displayName)': \(clause.text)")), kind: .precondition) }")
        }
        if f.ensures.isEmpty {
            try blockValue(f.body.statements, .returnValue)
        } else {
            var olds: [String] = []
            for o in f.oldExpressions {
                let t = temp("old")
                line("let \(t) = \(try expr(o))")
                olds.append(t)
            }
            let result = temp("result")
            line("let \(result): Value = try { () throws -> Value in")
            indent += 1
            let returns = entryReturns
            entryReturns = .value
            try blockValue(f.body.statements, .returnValue)
            entryReturns = returns
            indent -= 1
            line("}()")
            openScope(f.ensuresScope, names: [0: "result"])
            assign(slot: 0, hops: 0, value: result)
            oldNames = olds
            for clause in f.ensures {
                let c = try expr(clause.condition)
                line("if !\(c).isTruthy { throw RuntimeError(\(swiftString("Postcondition failed in '\(displayName)': \(clause.text)")), kind: .postcondition) }")
            }
            oldNames = []
            closeScope()
            returnLine(result)
        }
        if materialized { closeScope() }
    }

}

/// The runtime's `RequestFields` cases, by request Map key (the names the analysis reports).
enum RequestFieldNames {
    static let cases: [String: String] = [
        "method": ".method", "path": ".path", "url": ".url", "query": ".query", "query_params": ".queryParams",
        "params": ".params", "headers": ".headers", "body": ".body", "ip": ".ip", "id": ".id",
    ]

    /// The Swift cases of the request fields among `names`, sorted (other names are no field).
    static func swiftCases(_ names: Set<String>) -> [String] {
        names.compactMap { cases[$0] }.sorted()
    }
}

/// Which registered functions get a typed entry: route handlers and middleware resolved before
/// running (`RouteTable`) that take one parameter and only read fields of it.
enum TypedHandlers {
    /// Which typed functions a route registers (they answer with a typed response) and which
    /// are middleware (they answer with a Value: a response or the request passed on).
    struct Roles {
        var routes: Set<ObjectIdentifier> = []
        var middleware: Set<ObjectIdentifier> = []
    }

    static func roles(_ facts: ProgramFacts, loadOrder: [String]) -> Roles {
        var roles = Roles()
        for e in RouteTable.entries(facts.values, loadOrder: loadOrder) {
            guard let f = e.handler, whyUntyped(e, f, facts) == nil else { continue }
            if case .route = e.kind { roles.routes.insert(ObjectIdentifier(f)) } else { roles.middleware.insert(ObjectIdentifier(f)) }
        }
        return roles
    }

    /// Why a resolved handler (or middleware) gets no typed entry (nil when it does). A
    /// middleware may return its request as it is: that passes it on, replacing nothing.
    static func whyUntyped(_ f: FunctionDecl, _ facts: ProgramFacts, asMiddleware: Bool = false) -> String? {
        guard f.parameters.count == 1, f.requiredArity == 1 else { return "it does not take exactly one parameter" }
        let request = facts.facts(of: f).request
        if asMiddleware ? request.escapesBesidesReturn : request.escapes { return "it uses its request as a whole value" }
        return nil
    }

    /// `whyUntyped` for the role a registration gives the function.
    static func whyUntyped(_ e: RouteEntry, _ f: FunctionDecl, _ facts: ProgramFacts) -> String? {
        if case .middleware = e.kind { return whyUntyped(f, facts, asMiddleware: true) }
        return whyUntyped(f, facts)
    }
}
