// The program's routes and middleware as the compiler sees them: each registration
// (`get/post/put/patch/delete(pattern, handler)`, `use_middleware(f)`) found anywhere in the
// program, in the order the top-level code makes them, with the function it registers when
// that is known before running. A registration is static when a module's top-level code makes
// it unconditionally, with a literal pattern, and its handler resolves (`StaticValues`) to a
// function of the program; otherwise it keeps the dynamic path, and the reason says why.

import NtntSyntax

/// One registration found in the program.
public struct RouteEntry {
    public enum Kind: Equatable { case route(method: String), middleware }
    public var kind: Kind
    /// The literal pattern (nil for middleware or a computed pattern).
    public var pattern: String?
    /// The registered function, when known before running.
    public var handler: FunctionDecl?
    /// Why the registration is dynamic (nil when static).
    public var dynamicReason: String?
    /// Made by a module's top-level code unconditionally (once, in program order).
    public var isUnconditional = false
    /// Where the registration is (the call).
    public var loc: SourceLoc
    /// Where the reason points (the handler or pattern expression, else the call).
    public var reasonLoc: SourceLoc

}

/// Finds every registration of a program.
public enum RouteTable {
    static let routeMethods: Set<String> = ["get", "post", "put", "patch", "delete"]

    /// Registrations in execution order: a module's come after those of the local modules it
    /// imports (imports run first), so the order is a post-order walk from the entry.
    public static func entries(_ values: StaticValues, loadOrder: [String]) -> [RouteEntry] {
        var done: Set<String> = []
        var result: [RouteEntry] = []
        func run(_ path: String) {
            guard done.insert(path).inserted, let module = values.modules[path] else { return }
            for s in module.body.statements {
                if case .importStmt(let imp) = s.kind, ProgramLoader.isLocal(imp.path) { run(values.target(of: imp.path, from: module)) }
            }
            let finder = RegistrationFinder(values: values, module: path)
            finder.walk(module: module)
            result += finder.entries
        }
        if let entry = loadOrder.first { run(entry) }
        return result
    }
}

final class RegistrationFinder: ASTWalker {
    let values: StaticValues
    let module: String
    var entries: [RouteEntry] = []

    /// Calls that are whole top-level statements (by location): they run unconditionally.
    private var topLevelCalls: Set<UInt64> = []

    init(values: StaticValues, module: String) {
        self.values = values
        self.module = module
        for s in values.modules[module]!.body.statements {
            if case .expr(.call(_, _, let loc)) = s.kind { topLevelCalls.insert(RegistrationFinder.key(loc)) }
        }
    }

    private static func key(_ loc: SourceLoc) -> UInt64 { UInt64(loc.file) << 32 | UInt64(loc.offset) }

    override func visit(_ e: Expr) -> Bool {
        guard case let .call(callee, args, loc) = e else { return true }
        let wasTopLevel = functions.isEmpty && topLevelCalls.contains(RegistrationFinder.key(loc))
        let context = StaticContext(module: module, scopes: scopes.map(\.info))
        guard case .builtin(let name) = values.resolve(callee, in: context) else { return true }
        let kind: RouteEntry.Kind
        if RouteTable.routeMethods.contains(name) && args.count == 2 {
            kind = .route(method: name.uppercased())
        } else if name == "use_middleware" && args.count == 1 {
            kind = .middleware
        } else {
            return true
        }
        let handlerExpr = args[args.count - 1]
        // Located at the callee's name (the call's own location is its parenthesis).
        let at = expressionLoc(callee) ?? loc
        var entry = RouteEntry(kind: kind, pattern: nil, handler: nil, dynamicReason: nil, loc: at, reasonLoc: at)
        if case .route = kind {
            if case .string(let p) = args[0] { entry.pattern = p }
        }
        entry.isUnconditional = wasTopLevel
        if !wasTopLevel {
            entry.dynamicReason = functions.isEmpty ? "registered inside a block, loop or condition" : "registered from inside a function"
        } else if case .route = kind, entry.pattern == nil {
            entry.dynamicReason = "pattern computed at run time"
            entry.reasonLoc = expressionLoc(args[0]) ?? at
        } else {
            switch values.resolve(handlerExpr, in: context) {
            case .function(let f): entry.handler = f
            case .builtin(let b): entry.dynamicReason = "handler is the builtin '\(b)'"
            case .unknown(let why): entry.dynamicReason = "handler not known before running: \(why)"
            default: entry.dynamicReason = "handler is not a function"
            }
            if entry.handler == nil { entry.reasonLoc = expressionLoc(handlerExpr) ?? at }
        }
        entries.append(entry)
        return true
    }
}

/// A location inside `e`, for pointing at it in a report (names and calls carry one).
func expressionLoc(_ e: Expr) -> SourceLoc? {
    switch e {
    case .name(let r): return r.loc
    case .call(_, _, let loc): return loc
    case .closure(let f): return f.loc
    case .member(let b, _), .index(let b, _): return expressionLoc(b)
    default: return nil
    }
}
