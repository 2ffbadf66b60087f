// A compact S-expression rendering of the AST, for parser tests and for reading what the
// parser made of a program: `(let x (+ 1 (* 2 3)))`.

extension Module {
    /// The module's statements, one S-expression per line.
    public func dump() -> String {
        body.statements.map { $0.dump() }.joined(separator: "\n")
    }
}

extension Stmt {
    public func dump() -> String {
        switch kind {
        case .expr(let e): return e.dump()
        case let .letDecl(d, v, otherwise):
            let head = d.isMutable ? "let-mut" : "let"
            if let o = otherwise { return "(\(head) \(d.name) \(v.dump()) (otherwise \(o.body.dump())))" }
            return "(\(head) \(d.name) \(v.dump()))"
        case .function(let f): return f.dump()
        case .returnStmt(let e): return e.map { "(return \($0.dump()))" } ?? "(return)"
        case let .whileLoop(c, b): return "(while \(c.dump()) \(b.dump()))"
        case .loop(let b): return "(loop \(b.dump()))"
        case let .forIn(d, s, b, _): return "(for \(d.name) \(s.dump()) \(b.dump()))"
        case .breakStmt: return "(break)"
        case .continueStmt: return "(continue)"
        case .block(let b): return b.dump()
        case .importStmt(let i):
            switch i.form {
            case .names(let ns):
                let names = ns.map { $0.name == $0.alias.name ? $0.name : "\($0.name) as \($0.alias.name)" }
                return "(import \"\(i.path)\" {\(names.joined(separator: ", "))})"
            case .namespace(let d): return "(import \"\(i.path)\" as \(d.name))"
            }
        }
    }
}

extension Block {
    public func dump() -> String {
        "{" + statements.map { $0.dump() }.joined(separator: " ") + "}"
    }
}

extension FunctionDecl {
    public func dump() -> String {
        let params = parameters.map { p in p.defaultValue.map { "\(p.decl.name)=\($0.dump())" } ?? p.decl.name }
        var s = "(fn \(name ?? "<closure>") (\(params.joined(separator: " ")))"
        for r in requires { s += " (requires \(r.condition.dump()))" }
        for e in ensures { s += " (ensures \(e.condition.dump()))" }
        return s + " \(body.dump()))"
    }
}

extension Expr {
    public func dump() -> String {
        switch self {
        case .int(let i): return String(i)
        case .float(let d): return "\(d)"
        case .string(let s): return "\"\(s)\""
        case .bool(let b): return b ? "true" : "false"
        case .unit: return "()"
        case .interpolated(let parts):
            return "(str " + parts.map { p in
                switch p {
                case .text(let t): return "\"\(t)\""
                case .expr(let e): return e.dump()
                }
            }.joined(separator: " ") + ")"
        case .template(let t): return "(template \(t.nodes.count))"
        case .name(let r): return r.name
        case .array(let xs): return "[" + xs.map { $0.dump() }.joined(separator: " ") + "]"
        case .map(let es): return "(map " + es.map { "\($0.key.dump()):\($0.value.dump())" }.joined(separator: " ") + ")"
        case let .unary(op, e): return "(\(op == .not ? "!" : "neg") \(e.dump()))"
        case let .binary(op, a, b): return "(\(op.rawValue) \(a.dump()) \(b.dump()))"
        case let .and(a, b): return "(&& \(a.dump()) \(b.dump()))"
        case let .or(a, b): return "(|| \(a.dump()) \(b.dump()))"
        case let .coalesce(a, b): return "(?? \(a.dump()) \(b.dump()))"
        case let .range(a, b, inclusive): return "(\(inclusive ? "..=" : "..") \(a.dump()) \(b.dump()))"
        case let .call(f, args, _): return "(call \(f.dump())" + args.map { " " + $0.dump() }.joined() + ")"
        case let .index(a, i): return "(index \(a.dump()) \(i.dump()))"
        case let .member(a, n): return "(. \(a.dump()) \(n))"
        case .tryUnwrap(let e): return "(? \(e.dump()))"
        case let .assign(t, op, v):
            let target: String
            switch t {
            case .variable(let r): target = r.name
            case let .path(root, idx, _): target = "(path \(root.name)" + idx.map { " " + $0.dump() }.joined() + ")"
            }
            return "(\(op.map { $0.rawValue } ?? "")= \(target) \(v.dump()))"
        case .closure(let f): return f.dump()
        case let .ifElse(c, t, e):
            var s = "(if \(c.dump()) \(t.dump())"
            switch e {
            case .block(let b)?: s += " \(b.dump())"
            case .elseIf(let x)?: s += " \(x.dump())"
            case nil: break
            }
            return s + ")"
        case let .match(subject, arms):
            return "(match \(subject.dump())" + arms.map { arm in
                " (\(arm.pattern.dump())" + (arm.guardExpr.map { " if \($0.dump())" } ?? "") + " => \(arm.body.dump()))"
            }.joined() + ")"
        case .old(let n): return "(old \(n))"
        }
    }
}

extension Pattern {
    public func dump() -> String {
        switch self {
        case .wildcard: return "_"
        case .binding(let d): return d.name
        case .int(let i): return String(i)
        case .float(let d): return "\(d)"
        case .string(let s): return "\"\(s)\""
        case .bool(let b): return b ? "true" : "false"
        case .unit: return "()"
        case .none: return "None"
        case .some(let p): return "Some(\(p.dump()))"
        case .ok(let p): return "Ok(\(p.dump()))"
        case .err(let p): return "Err(\(p.dump()))"
        case .array(let ps): return "[" + ps.map { $0.dump() }.joined(separator: " ") + "]"
        }
    }
}
