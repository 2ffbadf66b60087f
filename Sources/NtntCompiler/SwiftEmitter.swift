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
// The analyses run first and hand the emitter facts it only reads: the program's `ProgramFacts`
// (NtntSema: which function each name denotes, blocking, request fields, constants), this
// module's `VariableFacts` (captures, names, inference input) and the inferred Swift types
// (NativeTypes). The emitter's files mirror the interpreter's: +Module, +Scopes, +Functions,
// +Statements, +Expressions, +Patterns, +Templates; `SwiftCodeWriter` owns the layout.

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
    case request(String)  // a typed handler's request parameter: a RequestView read field by field
    /// A map literal kept as one `var NAME: Value` per key (keys in Map order).
    case unboxedMap(keys: [String], vars: [String])
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
    /// What the program analysis proved of every function.
    let facts: ProgramFacts

    /// Which loops send their queries together.
    let batching: QueryBatching?
    /// Which database calls read their rows into structs (statements described at compile time).
    let rows: TypedRows?

    /// Route handlers and middleware that get a typed entry (over a `RequestView`).
    let typedHandlers: TypedHandlers.Roles
    /// What the returns of the function body being emitted give: its value, a typed response
    /// (a route's entry), or Unit where it returns its request as it is (a middleware's entry:
    /// passing the request on unchanged is continuing).
    enum EntryReturns { case value, response, passOn }
    var entryReturns = EntryReturns.value
    /// What the next function body emitted returns (set by `typedEntryArgument`).
    var nextEntryReturns = EntryReturns.value
    var returnsResponse: Bool { entryReturns == .response }
    var passesRequestOn: Bool { entryReturns == .passOn }
    /// While a typed entry's body is emitted: its request parameter's slot and the view's name.
    var requestParameter: (slot: SlotKey, view: String)?
    /// The saved values of an ensures clause's `old(…)` expressions.
    var oldNames: [String] = []
    /// The `.tnt` line last recorded in `ln` (and in `#sourceLocation`).
    var lastMarkedLine = -1
    /// The `.tnt` line the last `#sourceLocation` names (-1: none in force).
    var lastDirectiveLine = -1
    /// Where the Swift goes.
    let writer = SwiftCodeWriter(indent: 1)
    var scopeCounter = 0
    /// What one walk over the module found about its variables (set before emission).
    var variables = VariableFacts()

    /// Materialised scopes, innermost last: the Swift storage of each slot.
    var scopes: [(info: ScopeInfo, slots: [Storage])] = []
    /// Loop labels, innermost last.
    var loops: [String] = []
    /// Inside a function body (vs. the module's top level).
    var functionDepth = 0
    /// Globals used (emitted as file-level constants).
    var usedGlobals: Set<String> = []
    /// Global builtins called directly (a `gf_` constant each; `usedGlobals` are read as values).
    var calledGlobals: Set<String> = []
    /// Std functions called directly, by Swift constant name: (std path, name, through a namespace).
    var usedStdFunctions: [String: (path: String, name: String, namespace: Bool)] = [:]
    /// The sorted keys of map literals with literal keys: (file-level constant, keys).
    var mapKeyConstants: [(name: String, keys: [String])] = []
    /// Other modules' classes whose functions this module calls directly.
    var usedModuleInstances: Set<String> = []
    /// The module's canonical path (what `facts` knows it by).
    let modulePath: String
    /// Top-level named functions compiled to methods: name → (method, arity range).
    var directFunctions: [String: (method: String, min: Int, max: Int)] = [:]
    /// The Swift expressions making the module's top-level function values, by number.
    var moduleFunctions: [String] = []

    init(module: Module, className: String, localModules: [String: String],
         resolvePath: @escaping (String) -> String, globalNames: [String], isEntry: Bool = false,
         facts: ProgramFacts, modulePath: String, typedHandlers: TypedHandlers.Roles = .init(), batching: QueryBatching? = nil,
         rows: TypedRows? = nil) {
        self.rows = rows
        self.typedHandlers = typedHandlers
        self.batching = batching
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

    /// Writes one line of Swift at the current indentation.
    func line(_ s: String) { writer.line(s) }

    /// A fresh temporary name.
    func temp(_ prefix: String = "t") -> String { writer.temp(prefix) }

    /// The indentation of the next line.
    var indent: Int {
        get { writer.indent }
        set { writer.indent = newValue }
    }

    /// `file:line` of a location (the comments above generated functions).
    func location(_ loc: SourceLoc) -> String {
        guard let f = SourceFiles.file(loc.file) else { return "" }
        return "\(f.path):\(f.lineAndColumn(of: Int(loc.offset)).line)"
    }

    func swiftString(_ s: String) -> String { SwiftCodeWriter.literal(s) }

    func identifierPart(_ name: String) -> String { SwiftCodeWriter.identifier(name) }

    // MARK: - Type inference

    // The walk's facts (CaptureAnalysis), read by scopes and type inference.
    var captured: [ObjectIdentifier: Set<Int>] { variables.captured }
    var refKeys: [ObjectIdentifier: SlotKey] { variables.refKeys }
    var declaredNames: [ObjectIdentifier: [Int: String]] { variables.declaredNames }
    var nativeCandidates: Set<SlotKey> { variables.nativeCandidates }
    var nativeExcluded: Set<SlotKey> { variables.nativeExcluded }
    var nativeAssignments: [(SlotKey, Expr, BinaryOp?)] { variables.nativeAssignments }
    var callsByName: [(SlotKey, [Expr])] { variables.callsByName }
    var valueUses: Set<SlotKey> { variables.valueUses }
    /// Its result: variables stored as a Swift `Int`, `Double`, `Bool` or `String`.
    var nativeSlots: [SlotKey: NativeType] = [:] {
        didSet { nativeSlotTypes = nativeSlots.mapValues { .native($0) } }
    }
    /// The same, as inference types (what `nativeType(_:)` looks up).
    var nativeSlotTypes: [SlotKey: InferredType] = [:]
}
