// `ntnt inspect`: what a program declares, as JSON — its routes and middleware (with what the
// compiler makes of each), its named functions with their contracts, its imports, and the SQL
// it sends. Built from the same analyses the compiler runs (`RouteTable`, `TypedHandlers`), so
// "typed" here means exactly what `--report` says.

import NtntSema
import NtntSyntax

public enum ProgramInspection {
    /// The JSON description of the program at `path` (and its local modules).
    public static func inspect(path: String, displayPath: String? = nil, globalNames: [String]) -> Result<String, CompileFailure> {
        let loader = ProgramLoader(globalNames: globalNames)
        guard loader.loadProgram(path: path, displayPath: displayPath) != nil else {
            return .failure(CompileFailure(report: loader.diagnostics.render()))
        }
        let facts = ProgramFacts(loader: loader)
        var routes: [JSONText] = [], middleware: [JSONText] = []
        for e in RouteTable.entries(facts.values, loadOrder: loader.loadOrder) {
            var fields: [(String, JSONText)] = []
            if case .route(let method) = e.kind {
                fields.append(("method", .string(method)))
                fields.append(("pattern", e.pattern.map(JSONText.string) ?? .null))
            }
            fields.append(("at", .string(SourcePosition.describe(e.loc))))
            if let f = e.handler {
                fields.append(("handler", .string(f.name ?? "<closure>")))
                fields.append(("handler_at", .string(SourcePosition.describe(f.loc))))
                if TypedHandlers.whyUntyped(e, f, facts) == nil {
                    fields.append(("compiled", .string("typed")))
                } else {
                    fields.append(("compiled", .string("untyped")))
                    fields.append(("reason", .string(TypedHandlers.whyUntyped(e, f, facts) ?? "unknown")))
                }
            } else {
                fields.append(("handler", .null))
                fields.append(("compiled", .string("dynamic")))
                fields.append(("reason", .string(e.dynamicReason ?? "unknown")))
            }
            if case .route = e.kind { routes.append(.object(fields)) } else { middleware.append(.object(fields)) }
        }
        var functions: [JSONText] = [], imports: [JSONText] = [], statements: [JSONText] = []
        for canonical in loader.loadOrder {
            let module = loader.modules[canonical]!
            for s in module.body.statements {
                guard case .importStmt(let imp) = s.kind else { continue }
                var fields: [(String, JSONText)] = [("from", .string(imp.path))]
                switch imp.form {
                case .names(let names):
                    fields.append(("names", .array(names.map { .string($0.name == $0.alias.name ? $0.name : "\($0.name) as \($0.alias.name)") })))
                case .namespace(let alias):
                    fields.append(("namespace", .string(alias.name)))
                }
                fields.append(("at", .string(SourcePosition.describe(imp.loc))))
                imports.append(.object(fields))
            }
            let finder = DeclarationFinder(values: facts.values, module: canonical)
            finder.walk(module: module)
            functions += finder.declared
            statements += finder.sqlCalls.map(\.json)
        }
        let document = JSONText.object([
            ("file", .string(displayPath ?? path)),
            ("routes", .array(routes)),
            ("middleware", .array(middleware)),
            ("functions", .array(functions)),
            ("imports", .array(imports)),
            ("sql", .array(statements)),
        ])
        return .success(document.rendered() + "\n")
    }
}

/// Named functions (top-level or nested) and the database calls of one module.
final class DeclarationFinder: ASTWalker {
    static let databaseFunctions: Set<String> = ["query", "query_one", "execute", "query_batch"]

    let values: StaticValues
    let module: String
    var declared: [JSONText] = []
    var sqlCalls: [SQLCall] = []

    init(values: StaticValues, module: String) {
        self.values = values
        self.module = module
    }

    override func enter(_ f: FunctionDecl) -> Bool {
        guard let name = f.name else { return true }
        declared.append(.object([
            ("name", .string(name)),
            ("parameters", .array(f.parameters.map { .string($0.decl.name) })),
            ("requires", .array(f.requires.map { .string($0.text) })),
            ("ensures", .array(f.ensures.map { .string($0.text) })),
            ("at", .string(SourcePosition.describe(f.loc))),
        ]))
        return true
    }

    override func visit(_ e: Expr) -> Bool {
        guard case let .call(callee, args, loc) = e, args.count >= 2 else { return true }
        let context = StaticContext(module: module, scopes: scopes.map(\.info))
        guard case .builtin(let name) = values.resolve(callee, in: context), Self.databaseFunctions.contains(name) else { return true }
        var call = SQLCall(call: name, sql: nil, interpolated: false, parameterCount: nil, loc: loc)
        switch args[1] {
        case .interpolated(let parts):
            // Interpolated SQL: known when every hole is a name bound once to a literal (a
            // list of columns, say); else the literal text with each hole as `{…}`.
            var known = true
            call.sql = parts.map { part -> String in
                switch part {
                case .text(let s): return s
                case .expr(let e):
                    if case .string(let s) = values.resolve(e, in: context) { return s }
                    known = false
                    return "{…}"
                }
            }.joined()
            call.interpolated = !known
        default:
            // A literal, directly or through a name bound once to one.
            if case .string(let sql) = values.resolve(args[1], in: context) { call.sql = sql }
        }
        if name != "query_batch", args.count > 2, case .array(let items) = args[2] { call.parameterCount = items.count }
        if name != "query_batch", args.count == 2 { call.parameterCount = 0 }
        sqlCalls.append(call)
        return true
    }
}

/// A database call of the program and what is known of its SQL before running.
public struct SQLCall {
    public var call: String
    /// The SQL text when it is a literal (directly or through a name bound once to one).
    public var sql: String?
    /// Interpolated: `sql` has `{…}` for each hole, and is not a statement to check.
    public var interpolated: Bool
    /// The number of parameters passed, when they are an array literal.
    public var parameterCount: Int?
    /// The call (its parenthesis).
    public var loc: SourceLoc

    var json: JSONText {
        var fields: [(String, JSONText)] = [("call", .string(call)), ("sql", sql.map(JSONText.string) ?? .null)]
        if interpolated { fields.append(("interpolated", .bool(true))) }
        fields.append(("at", .string(SourcePosition.describe(loc))))
        return .object(fields)
    }
}

extension ProgramInspection {
    /// Every database call of the program at `path`, in module load order.
    public static func sqlCalls(path: String, displayPath: String? = nil, globalNames: [String]) -> Result<[SQLCall], CompileFailure> {
        let loader = ProgramLoader(globalNames: globalNames)
        guard loader.loadProgram(path: path, displayPath: displayPath) != nil else {
            return .failure(CompileFailure(report: loader.diagnostics.render()))
        }
        let values = ProgramFacts(loader: loader).values
        var calls: [SQLCall] = []
        for canonical in loader.loadOrder {
            let finder = DeclarationFinder(values: values, module: canonical)
            finder.walk(module: loader.modules[canonical]!)
            calls += finder.sqlCalls
        }
        return .success(calls)
    }
}

/// `file:line:col` of a location, as diagnostics print it.
enum SourcePosition {
    static func describe(_ loc: SourceLoc) -> String {
        guard let file = SourceFiles.file(loc.file) else { return "?" }
        let (line, column) = file.lineAndColumn(of: Int(loc.offset))
        return "\(file.path):\(line):\(column)"
    }
}

/// A JSON document with its members in the order given (so pinned output is stable).
indirect enum JSONText {
    case null
    case bool(Bool)
    case string(String)
    case array([JSONText])
    case object([(String, JSONText)])

    func rendered(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return JSONText.quote(s)
        case .array(let items):
            if items.isEmpty { return "[]" }
            if items.allSatisfy({ if case .string = $0 { return true }; return false }) {
                return "[" + items.map { $0.rendered() }.joined(separator: ", ") + "]"
            }
            return "[\n" + items.map { inner + $0.rendered(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let members):
            if members.isEmpty { return "{}" }
            return "{\n" + members.map { inner + JSONText.quote($0.0) + ": " + $0.1.rendered(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
