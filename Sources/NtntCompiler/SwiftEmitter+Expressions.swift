// Expressions: each lowers to a Swift expression of type `Value` (typed ones to plain Swift),
// emitting statements with temporaries where evaluation order needs them; calls go direct
// wherever the callee is known (top-level functions, builtins, std imports).

import NtntSema
import NtntSyntax

extension SwiftEmitter {
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
    func operands(_ es: [Expr]) throws -> [String] {
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
            if let (view, lookup) = requestLookup(a, i) { return "\(view).\(lookup)" }
            if case .string(let key) = i, let entry = unboxedEntry(a, key) { return entry }
            if case .string(let column) = i, let field = rowField(a, column) { return field }
            if case .name = a, case .array(let element)? = nativeType(a), !needsStatements(i) {
                return "arrayElement(\(try nativeExpr(a, .array(element))), \(try expr(i)), \(element.valueCase))"
            }
            let xs = try operands([a, i])
            return "\(xs[0]).index(\(xs[1]))"

        case let .member(a, name):
            if let view = requestView(a) { return "\(view).field(\(swiftString(name)))" }
            if let entry = unboxedEntry(a, name) { return entry }
            if let field = rowField(a, name) { return field }
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
            if let literal = try mapWithLiteralKeys(entries) { return literal }
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
            if functionDepth == 0 { line("throw CompiledProgramExit()") } else { returnLine(t) }
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

    func call(_ callee: Expr, _ args: [Expr]) throws -> String {
        // Direct call of a top-level function (known arity, never reassigned).
        if case .name(let r) = callee, case let .local(hops, _) = r.binding, hops == scopes.count - 1,
           let direct = directFunctions[r.name], args.count >= direct.min, args.count <= direct.max {
            let xs = try operands(args)
            if direct.min == direct.max { return "(try self.\(direct.method)(\(xs.joined(separator: ", "))))" }
            return "(try self.\(direct.method)([\(xs.joined(separator: ", "))]))"
        }
        // A top-level function of another local module (or of this one under another name),
        // reached through names bound once: a method call on that module's instance.
        if let target = programCallee(callee), args.count >= target.decl.requiredArity, args.count <= target.decl.parameters.count {
            // The callee's root variable is still read first: a `let` that has not run yet is
            // `Undefined variable` here as in the interpreter.
            if let root = referenceRoot(callee), !(directFunctions[root.name] != nil && isModuleLevel(root)) {
                line("_ = \(read(root))")
            }
            let xs = try operands(args)
            let method = "fn_\(identifierPart(target.decl.name!))"
            let receiver = target.className == className ? "self" : moduleInstance(target.className)
            if target.decl.requiredArity == target.decl.parameters.count {
                return "(try \(receiver).\(method)(\(xs.joined(separator: ", "))))"
            }
            return "(try \(receiver).\(method)([\(xs.joined(separator: ", "))]))"
        }
        // A std function imported by name or called through a std namespace, bound once: called
        // as the builtin itself, not through the module variable that holds it.
        if let std = stdCallee(callee) {
            if std.path == "std/http/server", std.name == "json", let body = try jsonBody(args) {
                return "(try Builtins.jsonResponse(\(body.bytes), status: \(body.status)))"
            }
            let constant = stdFunctionConstant(std)
            if std.namespace { line("try requireCallable(\(constant))") }
            let xs = try builtinArguments(std.name, args)
            return "(try \(constant).call([\(xs.joined(separator: ", "))], self.rt.context))"
        }
        if case .name(let r) = callee, case .global(let g) = r.binding, globalNames[g] != "None" {
            let name = globalNames[g]
            // The variant constructors are the Value cases themselves.
            let variants = ["Ok": "Value.ok", "Err": "Value.err", "Some": "Value.some"]
            if let variant = variants[name], args.count == 1 { return "\(variant)(\(try expr(args[0])))" }
            calledGlobals.insert(name)
            let xs = try builtinArguments(name, args)
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

    /// `map { "a": x, "b": y }` with literal keys: the values evaluated in source order, the
    /// Map made at once from its keys in Map order (a constant array shared by every Map the
    /// literal makes) — no search and insert per entry. A repeated key keeps its last value.
    func mapWithLiteralKeys(_ entries: [(key: Expr, value: Expr)]) throws -> String? {
        guard !entries.isEmpty else { return nil }
        var keys: [String] = []
        for (k, _) in entries {
            guard case .string(let key) = k else { return nil }
            keys.append(key)
        }
        let values = try entries.map { e -> String in
            let t = temp()
            line("let \(t) = \(try expr(e.value))")
            return t
        }
        let order = Self.lastOfEachKey(keys)
        let constant = "\(className)_keys\(mapKeyConstants.count)"
        mapKeyConstants.append((constant, order.map(\.key)))
        return "Value.map(ValueMap(sortedKeys: \(constant), values: [\(order.map { values[$0.value] }.joined(separator: ", "))]))"
    }

    /// Each distinct key (by bytes, as a Map compares them) with the index of its last
    /// occurrence, in Map order.
    static func lastOfEachKey(_ keys: [String]) -> [(key: String, value: Int)] {
        var last: [[UInt8]: (key: String, value: Int)] = [:]
        for (i, k) in keys.enumerated() { last[Array(k.utf8)] = (k, i) }
        return last.values.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    }

    /// The Swift constant holding a std function called directly (declared at file level).
    func stdFunctionConstant(_ std: (path: String, name: String, namespace: Bool)) -> String {
        let constant = "sf_\(identifierPart(std.path))_\(identifierPart(std.name))\(std.namespace ? "_ns" : "")"
        usedStdFunctions[constant] = std
        return constant
    }

    /// `json(x, status)` whose JSON text is written directly: of a map literal, a typed row
    /// or rows, or an unboxed map variable.
    func jsonBody(_ args: [Expr]) throws -> JSONBody? {
        if let body = try jsonOfMapLiteral(args) ?? jsonOfRows(args) { return body }
        guard args.count == 1 || args.count == 2, let map = unboxedMap(args[0]) else { return nil }
        let status = args.count == 2 ? try expr(args[1]) : "nil"
        return JSONBody(bytes: jsonObject(Array(zip(map.keys, map.vars))), status: status)
    }

    /// The keys and variables of the unboxed map variable `e` names.
    func unboxedMap(_ e: Expr) -> (keys: [String], vars: [String])? {
        guard case .name(let r) = e, case let .local(hops, slot) = r.binding,
              case let .unboxedMap(keys, vars) = storage(hops: hops, slot: slot) else { return nil }
        return (keys, vars)
    }

    /// `x.key` / `x["key"]` of an unboxed map variable: the key's variable (None for a key the
    /// literal does not have, as a Map answers).
    func unboxedEntry(_ base: Expr, _ key: String) -> String? {
        guard let map = unboxedMap(base) else { return nil }
        return Self.index(of: key, in: map.keys).map { map.vars[$0] } ?? "Value.none"
    }

    /// Where `key` is among `keys`, compared by bytes as Map keys are.
    static func index(of key: String, in keys: [String]) -> Int? {
        keys.firstIndex { $0.utf8.elementsEqual(key.utf8) }
    }

    /// `json(row)` / `json(rows)` (status optional) of a typed row variable: the JSON text
    /// written from the fields, without making the Maps.
    func jsonOfRows(_ args: [Expr]) throws -> JSONBody? {
        guard args.count == 1 || args.count == 2 else { return nil }
        let out = temp("json")
        if let (n, _, _) = rowVariable(args[0]) {
            line("var \(out): [UInt8] = []")
            line("writeRowJSON(\(n), to: &\(out))")
        } else if case .name = args[0], case .array(.row)? = nativeType(args[0]) {
            line("var \(out): [UInt8] = []")
            line("writeRowsJSON(\(try nativeExpr(args[0], nativeType(args[0])!)), to: &\(out))")
        } else {
            return nil
        }
        let status = args.count == 2 ? try expr(args[1]) : "nil"
        return JSONBody(bytes: out, status: status)
    }

    /// `json(map { "k": v, … })` (status optional) with literal keys: the JSON text written
    /// straight from the entries, in the map's key order, without building the map. Every
    /// entry is still evaluated in source order; a repeated key keeps its last value, as in a map.
    func jsonOfMapLiteral(_ args: [Expr]) throws -> JSONBody? {
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
        let order = Self.lastOfEachKey(keys)
        let status = args.count == 2 ? values[entries.count] : "nil"
        return JSONBody(bytes: jsonObject(order.map { ($0.key, values[$0.value]) }), status: status)
    }

    /// Writes the JSON object of (key, Swift value) entries, in the order given, into a new
    /// byte buffer; returns its name.
    func jsonObject(_ entries: [(key: String, value: String)]) -> String {
        let out = temp("json")
        line("var \(out): [UInt8] = [0x7B]")
        line("\(out).reserveCapacity(\(16 + 32 * entries.count))")
        for (n, e) in entries.enumerated() {
            if n > 0 { line("\(out).append(0x2C)") }
            line("JSONWriter.writeString(\(swiftString(e.key)), to: &\(out)); \(out).append(0x3A)")
            line("JSONWriter.write(\(e.value), to: &\(out))")
        }
        line("\(out).append(0x7D)")
        return out
    }

    /// The top-level function of a module of the program that `callee` always is, when that
    /// function is bound once and never reassigned there (so it is compiled to a method).
    func programCallee(_ callee: Expr) -> (decl: FunctionDecl, className: String)? {
        // Only callees whose evaluation has no effect of its own (a name, a namespace member, a
        // literal-keyed entry): a call in callee position must still run.
        func isReference(_ e: Expr) -> Bool {
            switch e {
            case .name: return true
            case .member(let b, _): return isReference(b)
            case .index(let b, .string), .index(let b, .int): return isReference(b)
            default: return false
            }
        }
        guard isReference(callee) else { return nil }
        let context = StaticContext(module: modulePath, scopes: scopes.map(\.info))
        guard case .function(let f) = facts.values.resolve(callee, in: context), let name = f.name,
              let (path, _) = facts.values.declaringModule(f), let cls = localModules[path],
              case .function(let g) = facts.values.exported(name, of: path), g === f else { return nil }
        return (f, cls)
    }

    /// A builtin's arguments: `parse_json(req)` and the other body readers on a typed request
    /// get its `body` field (what they read of a request Map, §10.7), others their operands.
    func builtinArguments(_ name: String, _ args: [Expr]) throws -> [String] {
        if ProgramFacts.bodyReaders.contains(name), args.count == 1, let view = requestView(args[0]) {
            return ["\(view).field(\"body\")"]
        }
        return try operands(args)
    }

    /// The view of a typed handler's request parameter, when `e` names it.
    func requestView(_ e: Expr) -> String? {
        guard case .name(let r) = e, case let .local(hops, slot) = r.binding,
              case .request(let view) = storage(hops: hops, slot: slot) else { return nil }
        return view
    }

    /// `req["field"]`, `req.params["k"]`, `req.query_params["k"]`, `req.headers["k"]` on a typed
    /// request: the view's lookup for it.
    func requestLookup(_ base: Expr, _ index: Expr) -> (String, String)? {
        guard case .string(let key) = index else { return nil }
        if let view = requestView(base) { return (view, "field(\(swiftString(key)))") }
        guard case let .member(inner, field) = base, let view = requestView(inner) else { return nil }
        switch field {
        case "params": return (view, "param(\(swiftString(key)))")
        case "query_params": return (view, "queryParam(\(swiftString(key)))")
        case "headers": return (view, "header(\(swiftString(key)))")
        default: return nil
        }
    }

    /// The variable a reference expression starts from (`h` in `h.f`, `m` in `m["k"]`).
    func referenceRoot(_ e: Expr) -> VarRef? {
        switch e {
        case .name(let r): return r
        case .member(let b, _), .index(let b, _): return referenceRoot(b)
        default: return nil
        }
    }

    /// True when `r` names a module-level variable of this module.
    func isModuleLevel(_ r: VarRef) -> Bool {
        if case let .local(hops, _) = r.binding { return hops == scopes.count - 1 }
        return false
    }

    /// The Swift expression of another module's instance (a lazy property of this class).
    func moduleInstance(_ cls: String) -> String {
        usedModuleInstances.insert(cls)
        return "self.module_\(cls)"
    }

    /// The std function `callee` always is: a module-level name imported from a std module, or a
    /// member of a std namespace import, bound once and never assigned again.
    func stdCallee(_ callee: Expr) -> (path: String, name: String, namespace: Bool)? {
        let values = facts.values
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

    func assignment(_ target: AssignTarget, _ op: BinaryOp?, _ valueExpr: Expr) throws -> String {
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
            case .request, .unboxedMap:
                // Unreachable: a request parameter that is assigned escapes (no typed entry), an
                // assigned map literal is not unboxed.
                line("throw RuntimeError(\"internal error: assignment to a typed variable\")")
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
            case .native, .request, .unboxedMap:
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
}
