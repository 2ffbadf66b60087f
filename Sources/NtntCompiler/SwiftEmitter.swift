// The Swift emitter: a resolved ntnt module → Swift source that calls into NtntRuntime.
//
// The generated code mirrors the interpreter's scopes exactly (the resolver's materialised
// scopes), so both backends agree on every name. A variable becomes a Swift `var` when only
// its own function touches it, and a shared `Cell` when a nested function or closure does
// (ntnt closures capture by reference) or when it lives at module level. Control flow maps to
// Swift control flow (`return`, labelled `break`/`continue`), so a function's early exit costs
// nothing. Expressions that need statements (if/match as values, `?`, templates, assignments)
// are lowered with temporaries, keeping ntnt's left-to-right evaluation order.
//
// Values are `Value` throughout; the runtime's inlinable fast paths make Int arithmetic
// cheap. Narrower Swift types are a later optimisation.

import NtntSema
import NtntSyntax

/// An error the compiler reports instead of emitting Swift it cannot stand behind.
public struct CompileError: Error {
    public let loc: SourceLoc
    public let message: String
}

/// How a variable slot is stored in Swift.
enum Storage {
    case local(String)   // var NAME: Value
    case cell(String)    // let NAME = Cell()
    case native(String, NativeType)  // var NAME: Int/Double/Bool/String/[T] (type inference proved it)
}

/// Emits one module.
final class SwiftEmitter {
    let module: Module
    /// The class the module compiles to.
    let className: String
    /// Local modules imported by path → their class names.
    let localModules: [String: String]
    let resolvePath: (String) -> String
    /// Global builtin names in resolver order.
    let globalNames: [String]
    /// The program's entry module (no other module can import it, so its functions are called
    /// only from inside it).
    let isEntry: Bool
    /// What the program analysis proved of every function (nil: nothing, e.g. in golden tests).
    let facts: ProgramFacts?

    private var lines: [String] = []
    private var indent = 1
    private var tempCounter = 0
    private var scopeCounter = 0

    /// Materialised scopes, innermost last: the Swift storage of each slot.
    private var scopes: [(info: ScopeInfo, slots: [Storage])] = []
    /// Slots that closures capture, by scope identity.
    private(set) var captured: [ObjectIdentifier: Set<Int>] = [:]
    /// Loop labels, innermost last.
    private var loops: [String] = []
    /// Inside a function body (vs. the module's top level).
    private var functionDepth = 0
    /// Globals used (emitted as file-level constants).
    private(set) var usedGlobals: Set<String> = []
    /// Std functions called directly, by Swift constant name: (std path, name, through a namespace).
    private(set) var usedStdFunctions: [String: (path: String, name: String, namespace: Bool)] = [:]
    /// The module's canonical path (what `facts` knows it by).
    let modulePath: String
    /// Top-level named functions compiled to methods: name → (method, arity range).
    var directFunctions: [String: (method: String, min: Int, max: Int)] = [:]
    /// The Swift expressions making the module's top-level function values, by number.
    private var moduleFunctions: [String] = []

    init(module: Module, className: String, localModules: [String: String],
         resolvePath: @escaping (String) -> String, globalNames: [String], isEntry: Bool = false,
         facts: ProgramFacts? = nil, modulePath: String = "") {
        self.isEntry = isEntry
        self.facts = facts
        self.modulePath = modulePath
        self.module = module
        self.className = className
        self.localModules = localModules
        self.resolvePath = resolvePath
        self.globalNames = globalNames
    }

    // MARK: - Output helpers

    func line(_ s: String) {
        lines.append(String(repeating: "    ", count: indent) + s)
    }

    func temp(_ prefix: String = "t") -> String {
        tempCounter += 1
        return "\(prefix)\(tempCounter)"
    }

    private func location(_ loc: SourceLoc) -> String {
        guard let f = SourceFiles.file(loc.file) else { return "" }
        return "\(f.path):\(f.lineAndColumn(of: Int(loc.offset)).line)"
    }

    func swiftString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private func identifierPart(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" }.filter { $0.isASCII })
    }

    // MARK: - Capture analysis

    /// Marks every slot referenced from a deeper function than the one that declares it.
    private func analyzeCaptures() {
        var stack: [(ScopeInfo, Int)] = []  // materialised scopes with their function depth
        var depth = 0
        func push(_ s: ScopeInfo, always: Bool = false) -> Bool {
            if s.isMaterialized || always { stack.append((s, depth)); return true }
            return false
        }
        func ref(_ r: VarRef) {
            guard case let .local(hops, slot) = r.binding else { return }
            let target = stack[stack.count - 1 - hops]
            refKeys[ObjectIdentifier(r)] = SlotKey(scope: ObjectIdentifier(target.0), slot: slot)
            if target.1 < depth || target.1 == 0 {
                captured[ObjectIdentifier(target.0), default: []].insert(slot)
            }
        }
        func block(_ b: Block) {
            let pushed = push(b.scope)
            for s in b.statements { stmt(s) }
            if pushed { stack.removeLast() }
        }
        func function(_ f: FunctionDecl) {
            depth += 1
            let pushed = push(f.scope)
            for p in f.parameters { if let d = p.defaultValue { expr(d) } }
            for c in f.requires { expr(c.condition) }
            for o in f.oldExpressions { expr(o) }
            for s in f.body.statements { stmt(s) }
            if !f.ensures.isEmpty {
                stack.append((f.ensuresScope, depth))
                for c in f.ensures { expr(c.condition) }
                stack.removeLast()
            }
            if pushed { stack.removeLast() }
            depth -= 1
        }
        func stmt(_ s: Stmt) {
            switch s.kind {
            case .expr(let e): expr(e)
            case let .letDecl(d, v, o):
                expr(v)
                if let top = stack.last { declaredNames[ObjectIdentifier(top.0), default: [:]][d.slot] = d.name }
                if depth > 0, let top = stack.last {
                    let key = SlotKey(scope: ObjectIdentifier(top.0), slot: d.slot)
                    if o == nil { nativeCandidates.insert(key) } else { nativeExcluded.insert(key) }
                    nativeAssignments.append((key, v, nil))
                }
                if let o {
                    stack.append((o.body.scope, depth))
                    for s in o.body.statements { stmt(s) }
                    stack.removeLast()
                }
            case .function(let f): function(f)
            case .returnStmt(let e): if let e { expr(e) }
            case let .whileLoop(c, b): expr(c); block(b)
            case .loop(let b): block(b)
            case let .forIn(_, seq, b, info):
                expr(seq)
                stack.append((info, depth))
                for s in b.statements { stmt(s) }
                stack.removeLast()
            case .breakStmt, .continueStmt, .importStmt: break
            case .block(let b): block(b)
            }
        }
        func template(_ nodes: [TemplateNode]) {
            for n in nodes {
                switch n {
                case .text: break
                case let .output(e, fs, _):
                    expr(e)
                    for f in fs { for a in f.arguments { expr(a) } }
                case .forLoop(let l):
                    expr(l.sequence)
                    stack.append((l.scope, depth))
                    template(l.body)
                    stack.removeLast()
                    if let e = l.emptyBody { template(e) }
                case let .ifChain(bs, e):
                    for (c, b) in bs { expr(c); template(b) }
                    if let e { template(e) }
                }
            }
        }
        func expr(_ e: Expr) {
            switch e {
            case .int, .float, .string, .bool, .unit, .old: break
            case .interpolated(let ps): for p in ps { if case .expr(let x) = p { expr(x) } }
            case .template(let t): template(t.nodes)
            case .name(let r):
                ref(r)
                if let key = refKeys[ObjectIdentifier(r)] { valueUses.insert(key) }
            case .array(let xs): for x in xs { expr(x) }
            case .map(let es): for (k, v) in es { expr(k); expr(v) }
            case .unary(_, let x), .member(let x, _), .tryUnwrap(let x): expr(x)
            case .binary(_, let a, let b), .and(let a, let b), .or(let a, let b), .coalesce(let a, let b),
                 .range(let a, let b, _), .index(let a, let b):
                expr(a); expr(b)
            case let .call(.name(r), args, _):
                // A call by name: not a use of the function as a value (see `inferNativeSlots`).
                ref(r)
                if let key = refKeys[ObjectIdentifier(r)] { callsByName.append((key, args)) }
                for a in args { expr(a) }
            case let .call(c, args, _): expr(c); for a in args { expr(a) }
            case let .assign(t, op, v):
                switch t {
                case .variable(let r):
                    ref(r)
                    if let key = refKeys[ObjectIdentifier(r)] { nativeAssignments.append((key, v, op)) }
                case let .path(r, idx, _):
                    ref(r)
                    if let key = refKeys[ObjectIdentifier(r)] { nativeExcluded.insert(key) }
                    for i in idx { expr(i) }
                }
                expr(v)
            case .closure(let f): function(f)
            case let .ifElse(c, t, el):
                expr(c)
                block(t)
                switch el {
                case .block(let b)?: block(b)
                case .elseIf(let x)?: expr(x)
                case nil: break
                }
            case let .match(s, arms):
                expr(s)
                for arm in arms {
                    let pushed = push(arm.scope)
                    if let g = arm.guardExpr { expr(g) }
                    expr(arm.body)
                    if pushed { stack.removeLast() }
                }
            }
        }
        stack.append((module.body.scope, 0))
        for s in module.body.statements { stmt(s) }
    }

    // MARK: - Type inference

    /// A variable: its scope and slot.
    struct SlotKey: Hashable {
        let scope: ObjectIdentifier
        let slot: Int
    }

    var refKeys: [ObjectIdentifier: SlotKey] = [:]
    /// Names of `let` variables by scope and slot (for readable Swift names).
    private var declaredNames: [ObjectIdentifier: [Int: String]] = [:]
    /// Type inference input (NativeTypes.swift): function-local `let` variables that may get a
    /// Swift type, those that may not, and every assignment to a variable.
    var nativeCandidates: Set<SlotKey> = []
    var nativeExcluded: Set<SlotKey> = []
    var nativeAssignments: [(SlotKey, Expr, BinaryOp?)] = []
    /// Variables called by name (`f(args)`), with the arguments of each call.
    var callsByName: [(SlotKey, [Expr])] = []
    /// Variables read as values anywhere (a function read as a value may be called with anything).
    var valueUses: Set<SlotKey> = []
    /// Its result: variables stored as a Swift `Int`, `Double`, `Bool` or `String`.
    var nativeSlots: [SlotKey: NativeType] = [:] {
        didSet { nativeSlotTypes = nativeSlots.mapValues { .native($0) } }
    }
    /// The same, as inference types (what `nativeType(_:)` looks up).
    private(set) var nativeSlotTypes: [SlotKey: InferredType] = [:]

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
                    guard let type = nativeSlots[SlotKey(scope: ObjectIdentifier(info), slot: slot)] else { continue }
                    let name = params[slot] ?? declaredNames[ObjectIdentifier(info)]?[slot] ?? "_\(slot)"
                    typed.append((name, type.swiftType))
                }
            }
            result.append((f, typed))
        }
        return result
    }

    // MARK: - Scopes

    /// Declares the Swift storage of a scope's slots and enters it.
    private func openScope(_ info: ScopeInfo, names: [Int: String] = [:], isModule: Bool = false) {
        scopeCounter += 1
        let id = scopeCounter
        let caps = captured[ObjectIdentifier(info)] ?? []
        var slots: [Storage] = []
        let lets = declaredNames[ObjectIdentifier(info)] ?? [:]
        for slot in 0..<info.slotCount {
            let base = "v\(id)_\(slot)" + ((names[slot] ?? lets[slot]).map { "_" + identifierPart($0) } ?? "")
            if isModule {
                slots.append(.cell("self.\(base)"))
            } else if let type = nativeSlots[SlotKey(scope: ObjectIdentifier(info), slot: slot)] {
                line("var \(base): \(type.swiftType) = \(type.zero)")
                slots.append(.native(base, type))
            } else if caps.contains(slot) {
                line("let \(base) = Cell()")
                slots.append(.cell(base))
            } else {
                line("var \(base): Value = .unit")
                slots.append(.local(base))
            }
        }
        scopes.append((info, slots))
        // Hoisted functions exist from scope entry.
        for f in info.hoistedFunctions {
            assign(slot: f.decl!.slot, hops: 0, value: functionValue(f))
        }
    }

    private func closeScope() { scopes.removeLast() }

    func storage(hops: Int, slot: Int) -> Storage {
        scopes[scopes.count - 1 - hops].slots[slot]
    }

    private func assign(slot: Int, hops: Int, value: String) {
        switch storage(hops: hops, slot: slot) {
        case .local(let n): line("\(n) = \(value)")
        case .cell(let n): line("\(n).value = \(value)")
        case let .native(n, type): line("\(n) = \(type.extract(value))")
        }
    }

    func read(_ r: VarRef) -> String {
        switch r.binding {
        case let .local(hops, slot):
            switch storage(hops: hops, slot: slot) {
            case .local(let n): return n
            case let .native(n, type): return type.wrap(n)
            case .cell(let n):
                return r.isInTemplate ? "(\(n).value ?? .none)" : "(try \(n).get(\(swiftString(r.name))))"
            }
        case .global(let g):
            let name = globalNames[g]
            usedGlobals.insert(name)
            return "g_\(identifierPart(name))"
        case .missing, .unresolved:
            if r.isInTemplate { return "Value.none" }
            return "(try undefinedVariable(\(swiftString(r.name))))"
        }
    }

    // MARK: - Module

    /// The Swift class for this module.
    func emitModule() throws -> String {
        var out: [String] = []
        let body = module.body
        // Direct-call methods for top-level functions never reassigned.
        let reassigned = assignedNames(body.statements)
        for f in body.scope.hoistedFunctions where !reassigned.contains(f.name!) {
            directFunctions[f.name!] = ("fn_\(identifierPart(f.name!))", f.requiredArity, f.parameters.count)
        }
        analyzeCaptures()
        inferNativeSlots()
        lines = []
        indent = 2
        openScope(body.scope, names: slotNames(body), isModule: true)
        try traced("<main>") {
            for s in body.statements { try statement(s) }
        }
        let mainBody = lines
        lines = []
        indent = 1
        var methods: [String] = []
        for f in body.scope.hoistedFunctions where directFunctions[f.name!] != nil {
            lines = []
            indent = 1
            try emitFunctionMethod(f)
            methods.append(contentsOf: lines)
        }
        closeScope()

        out.append("/// \(module.file.path) compiled.")
        out.append("final class \(className) {")
        out.append("    let rt: CompiledRuntime")
        let moduleScopeID = 1
        for slot in 0..<body.scope.slotCount {
            let n = slotNames(body)[slot].map { "_" + identifierPart($0) } ?? ""
            out.append("    let v\(moduleScopeID)_\(slot)\(n) = Cell()")
        }
        out.append("")
        out.append("    unowned let program: CompiledProgram")
        out.append("")
        out.append("    init(rt: CompiledRuntime, program: CompiledProgram) {")
        out.append("        self.rt = rt")
        out.append("        self.program = program")
        out.append("    }")
        out.append("")
        out.append("    /// Runs the module's top level; returns its exports.")
        out.append("    func run() throws -> ValueMap {")
        out.append(contentsOf: mainBody)
        out.append("        return exports()")
        out.append("    }")
        out.append("")
        out.append("    func exports() -> ValueMap {")
        out.append("        var m = ValueMap()")
        for (name, slot) in Resolver.moduleSlots(module).sorted(by: { $0.value < $1.value }) {
            let n = "v\(moduleScopeID)_\(slot)" + (slotNames(body)[slot].map { "_" + identifierPart($0) } ?? "")
            out.append("        if let v = \(n).value { m[\(swiftString(name))] = v }")
        }
        out.append("        return m")
        out.append("    }")
        out.append("")
        out.append("    /// Module-level function values by number: the top level makes each once; a server")
        out.append("    /// worker's copy of the module makes its own over the copy.")
        out.append("    func moduleFunction(_ index: Int) -> Value {")
        out.append("        switch index {")
        for (i, code) in moduleFunctions.enumerated() {
            out.append("        case \(i): return \(code)")
        }
        out.append("        default: return .unit")
        out.append("        }")
        out.append("    }")
        out.append("")
        out.append("    /// A copy of the module's variables for one server worker (module variables are per")
        out.append("    /// worker, as under `ntnt run`): its functions re-made over the copy, other values copied.")
        out.append("    func workerCopy() -> WorkerModuleCopy {")
        out.append("        let copy = \(className)(rt: rt, program: program)")
        out.append("        let original = ObjectIdentifier(self)")
        out.append("        let rebind: (Value) -> Value = { v in")
        out.append("            if case .function(let f) = v, let c = f as? CompiledFunction, c.owner == original {")
        out.append("                return copy.moduleFunction(c.moduleFunctionIndex)")
        out.append("            }")
        out.append("            return v")
        out.append("        }")
        for slot in 0..<body.scope.slotCount {
            let n = "v\(moduleScopeID)_\(slot)" + (slotNames(body)[slot].map { "_" + identifierPart($0) } ?? "")
            out.append("        copy.\(n).value = \(n).value.map(rebind)")
        }
        out.append("        return (copy, rebind)")
        out.append("    }")
        out.append("")
        out.append(contentsOf: methods)
        out.append("}")
        return out.joined(separator: "\n")
    }

    /// Names of the module scope's slots (for readable Swift).
    private func slotNames(_ body: Block) -> [Int: String] {
        var names: [Int: String] = [:]
        for (name, slot) in Resolver.moduleSlots(module) { names[slot] = name }
        return names
    }

    /// Names assigned with `=` anywhere in the statements (such functions are not called directly).
    private func assignedNames(_ statements: [Stmt]) -> Set<String> {
        var names: Set<String> = []
        var lets: Set<String> = []
        for s in statements {
            if case .letDecl(let d, _, _) = s.kind { lets.insert(d.name) }
        }
        func expr(_ e: Expr) {
            switch e {
            case let .assign(.variable(r), _, v): names.insert(r.name); expr(v)
            case let .assign(.path(r, idx, _), _, v): names.insert(r.name); idx.forEach(expr); expr(v)
            case .interpolated(let ps): for p in ps { if case .expr(let x) = p { expr(x) } }
            case .array(let xs): xs.forEach(expr)
            case .map(let es): for (k, v) in es { expr(k); expr(v) }
            case .unary(_, let x), .member(let x, _), .tryUnwrap(let x): expr(x)
            case .binary(_, let a, let b), .and(let a, let b), .or(let a, let b), .coalesce(let a, let b),
                 .range(let a, let b, _), .index(let a, let b): expr(a); expr(b)
            case let .call(c, args, _): expr(c); args.forEach(expr)
            case .closure(let f): block(f.body.statements)
            case let .ifElse(c, t, el):
                expr(c); block(t.statements)
                switch el { case .block(let b)?: block(b.statements); case .elseIf(let x)?: expr(x); case nil: break }
            case let .match(s, arms): expr(s); for a in arms { expr(a.body); if let g = a.guardExpr { expr(g) } }
            default: break
            }
        }
        func block(_ ss: [Stmt]) {
            for s in ss {
                switch s.kind {
                case .expr(let e): expr(e)
                case let .letDecl(_, v, o): expr(v); if let o { block(o.body.statements) }
                case .function(let f): block(f.body.statements)
                case .returnStmt(let e): if let e { expr(e) }
                case let .whileLoop(c, b): expr(c); block(b.statements)
                case .loop(let b): block(b.statements)
                case let .forIn(_, s, b, _): expr(s); block(b.statements)
                case .block(let b): block(b.statements)
                default: break
                }
            }
        }
        block(statements)
        return names.union(lets)
    }

    // MARK: - Functions

    /// A top-level function as a method. Without default parameters it takes its arguments
    /// one by one (direct calls allocate no array) and `METHOD_args` adapts it to the array
    /// that calls through a function value pass (their arity is already checked).
    private func emitFunctionMethod(_ f: FunctionDecl) throws {
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
    private func functionValue(_ f: FunctionDecl) -> String {
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
        return "Value.function(CompiledFunction(name: \(f.name.map(swiftString) ?? "nil"), arity: \(f.requiredArity)...\(f.parameters.count)\(factsArgument(f))) { [unowned self] args in\n" + closureBody(f) + "})"
    }

    /// The body of a Swift closure for `f`, one level deeper than the current line, and the
    /// indentation of its closing line.
    private func closureBody(_ f: FunctionDecl) -> String {
        let saved = (lines, indent)
        lines = []
        indent = saved.1 + 1
        do { try functionBody(f) } catch { line("throw RuntimeError(\"compile error\")") }
        let body = lines
        lines = saved.0
        indent = saved.1
        return body.joined(separator: "\n") + "\n" + String(repeating: "    ", count: indent)
    }

    /// The value of a function declared at the module's top level.
    private func moduleFunctionValue(_ f: FunctionDecl, index: Int) -> String {
        let name = f.name.map(swiftString) ?? "nil"
        let arity = "\(f.requiredArity)...\(f.parameters.count)"
        if let n = f.name, let direct = directFunctions[n] {
            let entry = direct.min == direct.max ? direct.method + "_args" : direct.method
            return "makeTopLevelFunction(\(name), \(arity)\(factsArgument(f)), owner: self, index: \(index)) { [unowned self] args in try self.\(entry)(args) }"
        }
        return "makeTopLevelFunction(\(name), \(arity)\(factsArgument(f)), owner: self, index: \(index)) { [unowned self] args in\n" + closureBody(f) + "}"
    }

    /// The Swift literal of what the program analysis proved of `f` (blocking, the request
    /// fields it reads, a constant response), for the server; empty when nothing is known.
    private func factsArgument(_ f: FunctionDecl) -> String {
        guard let facts else { return "" }
        let known = facts.facts(of: f)
        let fields: String
        if known.request.escapes {
            fields = ".all"
        } else {
            fields = "[" + RequestFieldNames.swiftCases(known.request.fields).joined(separator: ", ") + "]"
        }
        return ", facts: HandlerFacts(blocks: \(known.blocks), fields: \(fields), isConstant: \(known.isConstant))"
    }

    /// Parameters, hoisting, contracts and the body of a function; returns its value.
    private func functionBody(_ f: FunctionDecl, argumentsOneByOne: Bool = false) throws {
        let savedLoops = loops
        loops = []
        functionDepth += 1
        defer {
            functionDepth -= 1
            loops = savedLoops
        }
        line("try self.rt.enter()")
        line("defer { self.rt.leave() }")
        try traced(f.name ?? "<fn>") { try functionBodyInner(f, argumentsOneByOne: argumentsOneByOne) }
    }

    private func functionBodyInner(_ f: FunctionDecl, argumentsOneByOne: Bool) throws {
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
            try blockValue(f.body.statements, .returnValue)
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
            line("return \(result)")
        }
        if materialized { closeScope() }
    }

    private var oldNames: [String] = []

    // MARK: - Statements

    enum Tail {
        case returnValue
        case assign(String)
        case discard
    }

    private func finish(_ value: String, _ tail: Tail) {
        switch tail {
        case .returnValue: line("return \(value)")
        case .assign(let t): line("\(t) = \(value)")
        case .discard: if value != "Value.unit" { line("_ = \(value)") }
        }
    }

    /// Statements whose last one gives the value (function bodies, if/match blocks).
    private func blockValue(_ statements: [Stmt], _ tail: Tail) throws {
        guard let last = statements.last else {
            finish("Value.unit", tail)
            return
        }
        for s in statements.dropLast() { try statement(s) }
        markLine(last.loc)
        switch last.kind {
        case .expr(.ifElse(let c, let t, let el)):
            try ifStatement(c, t, el, tail)
        case .expr(let e):
            let v = try expr(e)
            finish(v, tail)
        case .block(let b):
            line("do {")
            indent += 1
            if b.scope.isMaterialized { openScope(b.scope) }
            try blockValue(b.statements, tail)
            if b.scope.isMaterialized { closeScope() }
            indent -= 1
            line("}")
        default:
            try statement(last)
            if !isDiverging(last) { finish("Value.unit", tail) }
        }
    }

    private func isDiverging(_ s: Stmt) -> Bool {
        switch s.kind {
        case .returnStmt, .breakStmt, .continueStmt: return true
        default: return false
        }
    }

    private func ifStatement(_ cond: Expr, _ then: Block, _ elseBranch: ElseBranch?, _ tail: Tail) throws {
        line("if \(try condition(cond)) {")
        indent += 1
        try scopedBlockValue(then, tail)
        indent -= 1
        switch elseBranch {
        case .block(let b)?:
            line("} else {")
            indent += 1
            try scopedBlockValue(b, tail)
            indent -= 1
            line("}")
        case .elseIf(.ifElse(let c2, let t2, let e2))?:
            line("} else {")
            indent += 1
            try ifStatement(c2, t2, e2, tail)
            indent -= 1
            line("}")
        case .elseIf(let other)?:
            line("} else {")
            indent += 1
            finish(try expr(other), tail)
            indent -= 1
            line("}")
        case nil:
            if case .discard = tail {
                line("}")
            } else {
                line("} else {")
                indent += 1
                finish("Value.unit", tail)
                indent -= 1
                line("}")
            }
        }
    }

    private func scopedBlockValue(_ b: Block, _ tail: Tail) throws {
        if b.scope.isMaterialized { openScope(b.scope) }
        try blockValue(b.statements, tail)
        if b.scope.isMaterialized { closeScope() }
    }

    private func scopedStatements(_ b: Block) throws {
        if b.scope.isMaterialized { openScope(b.scope) }
        for s in b.statements { try statement(s) }
        if b.scope.isMaterialized { closeScope() }
    }

    /// Records the statement's line in `ln`, which error traces read.
    private func markLine(_ loc: SourceLoc) {
        guard let f = SourceFiles.file(loc.file) else { return }
        let n = f.lineAndColumn(of: Int(loc.offset)).line
        if n != lastMarkedLine {
            line("ln = \(n)")
            lastMarkedLine = n
        }
    }

    private var lastMarkedLine = -1

    /// Wraps the code emitted by `body` so runtime errors leaving it gain a trace frame.
    private func traced(_ name: String, _ body: () throws -> Void) rethrows {
        line("var ln = 0")
        line("do {")
        indent += 1
        let saved = lastMarkedLine
        lastMarkedLine = -1
        try body()
        lastMarkedLine = saved
        indent -= 1
        line("} catch var e as RuntimeError {")
        line("    e.trace.append((\(swiftString(name)), \(swiftString(module.file.path + ":")) + String(ln)))")
        line("    throw e")
        line("}")
    }

    private func statement(_ s: Stmt) throws {
        markLine(s.loc)
        switch s.kind {
        case .expr(.ifElse(let c, let t, let el)):
            try ifStatement(c, t, el, .discard)
        case .expr(let e):
            let v = try expr(e)
            // An assignment's effect is already emitted; its value is a plain variable.
            if case .assign = e { return }
            line("_ = \(v)")
        case let .letDecl(d, valueExpr, otherwise):
            guard let clause = otherwise else {
                if case let .native(n, type) = storage(hops: 0, slot: d.slot) {
                    line("\(n) = \(try nativeExpr(valueExpr, type))")
                    return
                }
                let v = try expr(valueExpr)
                assign(slot: d.slot, hops: 0, value: v)
                return
            }
            let raw = temp("o")
            line("let \(raw): Value")
            line("do {")
            indent += 1
            line("\(raw) = \(try expr(valueExpr))")
            indent -= 1
            line("} catch let e as RuntimeError {")
            line("    \(raw) = .err(.string(e.message))")
            line("}")
            let bound = temp("b")
            let errValue = temp("e")
            line("switch classifyOtherwise(\(raw)) {")
            line("case .bind(let \(bound)):")
            indent += 1
            assign(slot: d.slot, hops: 0, value: bound)
            indent -= 1
            line("case .otherwise(let \(errValue)):")
            indent += 1
            line("do {")
            indent += 1
            openScope(clause.body.scope, names: [clause.errDecl.slot: "err"])
            assign(slot: clause.errDecl.slot, hops: 0, value: errValue)
            for st in clause.body.statements { try statement(st) }
            closeScope()
            if !(clause.body.statements.last.map(isDiverging) ?? false) {
                line("throw RuntimeError(\"otherwise block must diverge\")")
            }
            indent -= 1
            line("}")
            indent -= 1
            line("}")
        case .function:
            break  // hoisted at scope entry
        case .returnStmt(let e):
            let v = try e.map { try expr($0) } ?? "Value.unit"
            if functionDepth == 0 {
                line("_ = \(v)")
                line("throw CompiledProgramExit()")
            } else {
                line("return \(v)")
            }
        case let .whileLoop(cond, body):
            let label = temp("loop")
            line("\(label): while true {")
            indent += 1
            line("if !\(try condition(cond)) { break \(label) }")
            loops.append(label)
            try scopedStatements(body)
            loops.removeLast()
            indent -= 1
            line("}")
        case .loop(let body):
            let label = temp("loop")
            line("\(label): while true {")
            indent += 1
            loops.append(label)
            try scopedStatements(body)
            loops.removeLast()
            indent -= 1
            line("}")
        case let .forIn(decl, seq, body, info):
            let label = temp("loop")
            let it = temp("it")
            line("var \(it) = ValueIterator(\(try expr(seq)))")
            line("\(label): while let item = \(it).next() {")
            indent += 1
            openScope(info, names: [decl.slot: decl.name])
            assign(slot: decl.slot, hops: 0, value: "item")
            loops.append(label)
            for st in body.statements { try statement(st) }
            loops.removeLast()
            closeScope()
            indent -= 1
            line("}")
        case .breakStmt:
            line("break \(loops.last!)")
        case .continueStmt:
            line("continue \(loops.last!)")
        case .block(let b):
            line("do {")
            indent += 1
            try scopedStatements(b)
            indent -= 1
            line("}")
        case .importStmt(let imp):
            try importStatement(imp)
        }
    }

    private func importStatement(_ imp: Import) throws {
        let isLocal = imp.path.hasPrefix("./") || imp.path.hasPrefix("../")
        if isLocal {
            guard let cls = localModules[resolvePath(imp.path)] else {
                throw CompileError(loc: imp.loc, message: "cannot find module '\(imp.path)'")
            }
            let ex = temp("exports")
            line("let \(ex) = try program.moduleExports(\(swiftString(cls)))")
            switch imp.form {
            case .names(let names):
                for n in names {
                    let v = "(try \(ex)[\(swiftString(n.name))].orThrow(\(swiftString("'\(n.name)' is not exported from '\(imp.path)'"))))"
                    assign(slot: n.alias.slot, hops: 0, value: v)
                }
            case .namespace(let d):
                assign(slot: d.slot, hops: 0, value: ".module(ModuleValue(path: \(swiftString(imp.path)), members: \(ex)))")
            }
            return
        }
        switch imp.form {
        case .names(let names):
            for n in names {
                assign(slot: n.alias.slot, hops: 0, value: "try Builtins.importName(\(swiftString(n.name)), from: \(swiftString(imp.path)))")
            }
        case .namespace(let d):
            assign(slot: d.slot, hops: 0, value: "try Builtins.namespace(\(swiftString(imp.path)))")
        }
    }

    // MARK: - Expressions

    /// True when lowering `e` emits statements (so sibling operands must be evaluated first).
    func needsStatements(_ e: Expr) -> Bool {
        switch e {
        case .int, .float, .string, .bool, .unit, .name, .old, .closure: return false
        case .ifElse, .match, .tryUnwrap, .template, .assign: return true
        case .interpolated(let ps): return ps.contains { if case .expr(let x) = $0 { return needsStatements(x) }; return false }
        case .array(let xs): return xs.contains(where: needsStatements)
        case .map(let es): return es.contains { needsStatements($0.key) || needsStatements($0.value) }
        case .unary(_, let x), .member(let x, _): return needsStatements(x)
        case .binary(_, let a, let b), .and(let a, let b), .or(let a, let b), .coalesce(let a, let b),
             .range(let a, let b, _), .index(let a, let b):
            return needsStatements(a) || needsStatements(b)
        case let .call(c, args, _): return needsStatements(c) || args.contains(where: needsStatements)
        }
    }

    /// Lowers operands in order; if any needs statements, each is bound to a temporary first.
    private func operands(_ es: [Expr]) throws -> [String] {
        if !es.contains(where: needsStatements) { return try es.map { try expr($0) } }
        return try es.map { e in
            let t = temp()
            line("let \(t) = \(try expr(e))")
            return t
        }
    }

    func binaryOperator(_ op: BinaryOp) -> String {
        switch op {
        case .add: return ".add"
        case .subtract: return ".subtract"
        case .multiply: return ".multiply"
        case .divide: return ".divide"
        case .remainder: return ".remainder"
        case .equal: return ".equal"
        case .notEqual: return ".notEqual"
        case .less: return ".less"
        case .lessEqual: return ".lessEqual"
        case .greater: return ".greater"
        case .greaterEqual: return ".greaterEqual"
        }
    }

    /// Lowers an expression to a Swift expression of type `Value` (emitting statements if needed).
    func expr(_ e: Expr) throws -> String {
        switch e {
        case .int(let i): return "Value.int(\(i))"
        case .float(let d):
            if d.isInfinite { return d > 0 ? "Value.float(.infinity)" : "Value.float(-.infinity)" }
            return "Value.float(\(d))"
        case .string(let s): return "Value.string(\(swiftString(s)))"
        case .bool(let b): return "Value.bool(\(b))"
        case .unit: return "Value.unit"
        case .name(let r): return read(r)
        case .old(let n): return n < oldNames.count ? oldNames[n] : "Value.unit"

        case let .binary(op, a, b):
            if let type = nativeBinaryType(op, a, b) {
                return type.wrap(try nativeExpr(e, type))
            }
            let xs = try operands([a, b])
            return "(try Value.binary(\(binaryOperator(op)), \(xs[0]), \(xs[1])))"

        case let .unary(op, x):
            let v = try expr(x)
            return op == .not ? "Value.bool(!\(v).isTruthy)" : "(try Value.negate(\(v)))"

        case let .and(a, b), let .or(a, b):
            let isAnd: Bool
            if case .and = e { isAnd = true } else { isAnd = false }
            let l = try expr(a)
            if !needsStatements(b) {
                let r = try expr(b)
                return isAnd ? "Value.bool(try \(l).isTruthy && \(r).isTruthy)" : "Value.bool(try \(l).isTruthy || \(r).isTruthy)"
            }
            let t = temp()
            line("var \(t) = Value.bool(\(isAnd ? "false" : "true"))")
            line("if \(isAnd ? "" : "!")\(l).isTruthy {")
            indent += 1
            line("\(t) = Value.bool(\(try expr(b)).isTruthy)")
            indent -= 1
            line("}")
            return t

        case let .coalesce(a, b):
            let l = try expr(a)
            if !needsStatements(b) { return "(coalesce(\(l)) ?? \(try expr(b)))" }
            let t = temp()
            line("var \(t): Value")
            line("if let c = coalesce(\(l)) { \(t) = c } else {")
            indent += 1
            line("\(t) = \(try expr(b))")
            indent -= 1
            line("}")
            return t

        case let .range(a, b, inclusive):
            let xs = try operands([a, b])
            return "(try makeRange(\(xs[0]), \(xs[1]), inclusive: \(inclusive)))"

        case let .index(a, i):
            if case .name = a, case .array(let element)? = nativeType(a), !needsStatements(i) {
                return "arrayElement(\(try nativeExpr(a, .array(element))), \(try expr(i)), \(element.valueCase))"
            }
            let xs = try operands([a, i])
            return "\(xs[0]).index(\(xs[1]))"

        case let .member(a, name):
            return "(try memberValue(\(try expr(a)), \(swiftString(name))))"

        case .interpolated(let parts):
            let exprs = parts.compactMap { p -> Expr? in if case .expr(let x) = p { return x }; return nil }
            let values = try operands(exprs)
            let t = temp("s")
            line("var \(t) = \"\"")
            var k = 0
            for p in parts {
                switch p {
                case .text(let s): line("\(t) += \(swiftString(s))")
                case .expr:
                    line("\(values[k]).appendDisplay(to: &\(t))")
                    k += 1
                }
            }
            return "Value.string(\(t))"

        case .array(let items):
            let xs = try operands(items)
            return "Value.array([\(xs.joined(separator: ", "))])"

        case .map(let entries):
            let flat = entries.flatMap { [$0.key, $0.value] }
            let xs = try operands(flat)
            let t = temp("m")
            line("var \(t) = ValueMap()")
            for i in stride(from: 0, to: xs.count, by: 2) {
                line("\(t)[try mapKey(\(xs[i]))] = \(xs[i + 1])")
            }
            return "Value.map(\(t))"

        case let .call(callee, args, _):
            // `len` of a typed array: its count, without making a Value of the array.
            if case .name(let r) = callee, isGlobal(r, "len"), args.count == 1, case .array? = nativeType(args[0]) {
                return NativeType.int.wrap(try nativeExpr(e, .int))
            }
            return try call(callee, args)

        case .tryUnwrap(let x):
            let v = try expr(x)
            let t = temp()
            line("let \(t) = \(v)")
            let u = temp("u")
            line("guard let \(u) = tryUnwrapValue(\(t)) else {")
            indent += 1
            if functionDepth == 0 { line("throw CompiledProgramExit()") } else { line("return \(t)") }
            indent -= 1
            line("}")
            return u

        case let .assign(target, op, valueExpr):
            return try assignment(target, op, valueExpr)

        case .closure(let f):
            return functionValue(f)

        case let .ifElse(c, t, el):
            let r = temp("r")
            line("var \(r): Value = .unit")
            try ifStatement(c, t, el, .assign(r))
            return r

        case let .match(subject, arms):
            return try match(subject, arms)

        case .template(let t):
            let out = temp("html")
            line("var \(out) = \"\"")
            try template(t.nodes, out)
            return "Value.string(\(out))"
        }
    }

    private func call(_ callee: Expr, _ args: [Expr]) throws -> String {
        // Direct call of a top-level function (known arity, never reassigned).
        if case .name(let r) = callee, case let .local(hops, _) = r.binding, hops == scopes.count - 1,
           let direct = directFunctions[r.name], args.count >= direct.min, args.count <= direct.max {
            let xs = try operands(args)
            if direct.min == direct.max { return "(try self.\(direct.method)(\(xs.joined(separator: ", "))))" }
            return "(try self.\(direct.method)([\(xs.joined(separator: ", "))]))"
        }
        // A std function imported by name or called through a std namespace, bound once: called
        // as the builtin itself, not through the module variable that holds it.
        if let std = stdCallee(callee) {
            if std.path == "std/http/server", std.name == "json", let direct = try jsonOfMapLiteral(args) { return direct }
            let constant = "sf_\(identifierPart(std.path))_\(identifierPart(std.name))\(std.namespace ? "_ns" : "")"
            usedStdFunctions[constant] = std
            if std.namespace { line("try requireCallable(\(constant))") }
            let xs = try operands(args)
            return "(try \(constant).call([\(xs.joined(separator: ", "))], self.rt.context))"
        }
        if case .name(let r) = callee, case .global(let g) = r.binding, globalNames[g] != "None" {
            let name = globalNames[g]
            usedGlobals.insert(name)
            let xs = try operands(args)
            return "(try gf_\(identifierPart(name)).call([\(xs.joined(separator: ", "))], self.rt.context))"
        }
        var calleeValue: String
        if case let .member(base, name) = callee {
            let all = try operands([base] + args)
            calleeValue = "(try methodCallee(\(all[0]), \(swiftString(name))))"
            return "(try self.rt.call(\(calleeValue), [\(all.dropFirst().joined(separator: ", "))]))"
        }
        let all = try operands([callee] + args)
        calleeValue = all[0]
        return "(try self.rt.call(\(calleeValue), [\(all.dropFirst().joined(separator: ", "))]))"
    }

    /// `json(map { "k": v, … })` (status optional) with literal keys: the JSON text written
    /// straight from the entries, in the map's key order, without building the map. Every
    /// entry is still evaluated in source order; a repeated key keeps its last value, as in a map.
    private func jsonOfMapLiteral(_ args: [Expr]) throws -> String? {
        guard args.count == 1 || args.count == 2, case .map(let entries) = args[0] else { return nil }
        var keys: [String] = []
        for (k, _) in entries {
            guard case .string(let key) = k else { return nil }
            keys.append(key)
        }
        // Bound in source order: the text is written in key order.
        let values = try (entries.map(\.value) + args.dropFirst()).map { e -> String in
            let t = temp()
            line("let \(t) = \(try expr(e))")
            return t
        }
        var last: [String: Int] = [:]
        for (i, k) in keys.enumerated() { last[k] = i }
        let order = last.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        let out = temp("json")
        line("var \(out): [UInt8] = [0x7B]")
        line("\(out).reserveCapacity(\(16 + 32 * order.count))")
        for (n, (key, index)) in order.enumerated() {
            if n > 0 { line("\(out).append(0x2C)") }
            line("JSONWriter.writeString(\(swiftString(key)), to: &\(out)); \(out).append(0x3A)")
            line("JSONWriter.write(\(values[index]), to: &\(out))")
        }
        line("\(out).append(0x7D)")
        let status = args.count == 2 ? values[entries.count] : "nil"
        return "(try Builtins.jsonResponse(\(out), status: \(status)))"
    }

    /// The std function `callee` always is: a module-level name imported from a std module, or a
    /// member of a std namespace import, bound once and never assigned again.
    private func stdCallee(_ callee: Expr) -> (path: String, name: String, namespace: Bool)? {
        guard let values = facts?.values else { return nil }
        func moduleSlot(_ r: VarRef) -> Int? {
            guard case let .local(hops, slot) = r.binding, hops == scopes.count - 1 else { return nil }
            return slot
        }
        switch callee {
        case .name(let r):
            guard let slot = moduleSlot(r), let std = values.stdImport(slot: slot, of: modulePath), let name = std.name else { return nil }
            return (std.path, name, false)
        case .member(.name(let r), let member):
            guard let slot = moduleSlot(r), let std = values.stdImport(slot: slot, of: modulePath), std.name == nil else { return nil }
            return (std.path, member, true)
        default:
            return nil
        }
    }

    private func assignment(_ target: AssignTarget, _ op: BinaryOp?, _ valueExpr: Expr) throws -> String {
        switch target {
        case .variable(let r):
            guard case let .local(hops, slot) = r.binding else {
                line("_ = try undefinedVariable(\(swiftString(r.name)))")
                return "Value.unit"
            }
            if case let .native(n, type) = storage(hops: hops, slot: slot) {
                try nativeAssignment(n, type, r, op, valueExpr)
                return type.wrap(n)
            }
            if op == nil, let elementExpr = pushOntoItself(r, valueExpr, globalNames: globalNames) {
                // x's array is taken out of the variable, then appended to in place.
                let current = temp()
                line("var \(current) = \(read(r))")
                let element = temp()
                line("let \(element) = \(try expr(elementExpr))")  // before x is emptied: it may read x
                line("if case .array = \(current) {")
                assign(slot: slot, hops: hops, value: ".unit")
                line("}")
                line("try pushInPlace(&\(current), \(element))")
                assign(slot: slot, hops: hops, value: current)
                return current
            }
            var v = try expr(valueExpr)
            if let op {
                let t = temp()
                line("let \(t) = try Value.binary(\(binaryOperator(op)), \(read(r)), \(v))")
                v = t
            } else {
                let t = temp()
                line("let \(t) = \(v)")
                v = t
            }
            switch storage(hops: hops, slot: slot) {
            case .local(let n): line("\(n) = \(v)")
            case let .native(n, type): line("\(n) = \(type.extract(v))")
            case .cell(let n):
                line("_ = try \(n).get(\(swiftString(r.name)))")
                line("\(n).value = \(v)")
            }
            return v
        case let .path(root, indexExprs, box):
            guard case let .local(hops, slot) = root.binding else {
                line("_ = try undefinedVariable(\(swiftString(root.name)))")
                return "Value.unit"
            }
            let current = read(root)
            line("_ = \(current)")
            if !box.isMutable {
                line("throw RuntimeError(\(swiftString("Cannot mutate '\(root.name)': variable is not declared with 'let mut'")))")
                return "Value.unit"
            }
            let idx = try operands(indexExprs)
            let path = temp("path")
            line("let \(path): [Value] = [\(idx.joined(separator: ", "))]")
            var v = try expr(valueExpr)
            let t = temp()
            if let op {
                let cur = temp()
                line("var \(cur) = \(read(root))")
                line("for k in \(path) { \(cur) = \(cur).index(k) }")
                line("let \(t) = try Value.binary(\(binaryOperator(op)), \(cur), \(v))")
            } else {
                line("let \(t) = \(v)")
            }
            v = t
            switch storage(hops: hops, slot: slot) {
            case .native:
                // Unreachable: variables assigned through a path are never given a Swift type.
                line("throw RuntimeError(\"internal error: indexed assignment into a typed variable\")")
            case .local(let n):
                line("try storeValue(into: &\(n), \(path)[...], \(v))")
            case .cell(let n):
                let box = temp()
                line("var \(box) = \(n).value!")
                line("\(n).value = .unit")
                line("do { try storeValue(into: &\(box), \(path)[...], \(v)) } catch { \(n).value = \(box); throw error }")
                line("\(n).value = \(box)")
            }
            return v
        }
    }

    private func match(_ subjectExpr: Expr, _ arms: [MatchArm]) throws -> String {
        let subject = temp("subject")
        line("let \(subject) = \(try expr(subjectExpr))")
        let result = temp("r")
        line("var \(result): Value = .unit")
        let label = temp("match")
        line("\(label): do {")
        indent += 1
        for arm in arms {
            line("do {")
            indent += 1
            let materialized = arm.scope.isMaterialized
            if materialized { openScope(arm.scope) }
            var depth = 0
            try pattern(arm.pattern, subject, &depth)
            if let g = arm.guardExpr {
                let c = try expr(g)
                line("if \(c).isTruthy {")
                indent += 1
                depth += 1
            }
            if case let .ifElse(.bool(true), block, nil) = arm.body {
                try scopedBlockValue(block, .assign(result))
            } else {
                line("\(result) = \(try expr(arm.body))")
            }
            line("break \(label)")
            for _ in 0..<depth {
                indent -= 1
                line("}")
            }
            if materialized { closeScope() }
            indent -= 1
            line("}")
        }
        line("throw RuntimeError(\"No match arm matched\")")
        indent -= 1
        line("}")
        return result
    }

    /// Opens nested `if`s that succeed when `value` matches `p`, binding variables.
    private func pattern(_ p: Pattern, _ value: String, _ depth: inout Int) throws {
        func open(_ condition: String) {
            line("if \(condition) {")
            indent += 1
            depth += 1
        }
        switch p {
        case .wildcard: break
        case .binding(let d): assign(slot: d.slot, hops: 0, value: value)
        case .int(let i): open("case .int(\(i)) = \(value)")
        case .float(let d): open("case .float(let f) = \(value), f == \(d)")
        case .string(let s): open("case .string(let s) = \(value), s.utf8.elementsEqual(\(swiftString(s)).utf8)")
        case .bool(let b): open("case .bool(\(b)) = \(value)")
        case .unit: open("case .unit = \(value)")
        case .none: open("case .none = \(value)")
        case .some(let inner), .ok(let inner), .err(let inner):
            let t = temp("p")
            let tag: String
            switch p { case .some: tag = "some"; case .ok: tag = "ok"; default: tag = "err" }
            open("case .\(tag)(let \(t)) = \(value)")
            try pattern(inner, t, &depth)
        case .array(let ps):
            let t = temp("p")
            open("case .array(let \(t)) = \(value), \(t).count == \(ps.count)")
            for (i, q) in ps.enumerated() { try pattern(q, "\(t)[\(i)]", &depth) }
        }
    }

    // MARK: - Templates

    private func template(_ nodes: [TemplateNode], _ out: String) throws {
        for n in nodes {
            switch n {
            case .text(let s):
                line("\(out) += \(swiftString(s))")
            case let .output(e, filters, _):
                var v = try expr(e)
                for f in filters {
                    let args = try operands(f.arguments)
                    let t = temp()
                    line("let \(t) = try TemplateFilter(rawValue: \(swiftString(f.name)))!.apply(\(v), [\(args.joined(separator: ", "))])")
                    v = t
                }
                line("appendTemplateText(\(v), to: &\(out))")
            case .forLoop(let loop):
                let items = temp("items")
                line("let \(items) = templateIterationValues(\(try expr(loop.sequence)))")
                line("if \(items).isEmpty {")
                indent += 1
                if let e = loop.emptyBody { try template(e, out) }
                indent -= 1
                line("} else {")
                indent += 1
                let i = temp("i")
                line("for (\(i), item) in \(items).enumerated() {")
                indent += 1
                openScope(loop.scope, names: [0: loop.variable.name])
                assign(slot: loop.variable.slot, hops: 0, value: "item")
                assign(slot: 1, hops: 0, value: ".int(\(i))")
                assign(slot: 2, hops: 0, value: ".int(\(i) + 1)")
                assign(slot: 3, hops: 0, value: ".bool(\(i) == 0)")
                assign(slot: 4, hops: 0, value: ".bool(\(i) == \(items).count - 1)")
                assign(slot: 5, hops: 0, value: ".int(\(items).count)")
                assign(slot: 6, hops: 0, value: ".bool(\(i) % 2 == 0)")
                assign(slot: 7, hops: 0, value: ".bool(\(i) % 2 == 1)")
                try template(loop.body, out)
                closeScope()
                indent -= 1
                line("}")
                indent -= 1
                line("}")
            case let .ifChain(branches, elseBody):
                try templateIf(branches[...], elseBody, out)
            }
        }
    }

    private func templateIf(_ branches: ArraySlice<(cond: Expr, body: [TemplateNode])>, _ elseBody: [TemplateNode]?, _ out: String) throws {
        guard let (c, body) = branches.first else {
            if let e = elseBody { try template(e, out) }
            return
        }
        line("if \(try expr(c)).isTruthy {")
        indent += 1
        try template(body, out)
        indent -= 1
        line("} else {")
        indent += 1
        try templateIf(branches.dropFirst(), elseBody, out)
        indent -= 1
        line("}")
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
