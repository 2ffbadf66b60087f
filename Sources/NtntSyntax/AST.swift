// The syntax tree of an ntnt program.
//
// Expressions and statements are enums (cheap to switch over in the evaluator); the few
// places that the resolver must annotate — name references, declarations, scopes — are small
// final classes whose `var` fields NtntSema fills in, so both backends read one tree rather
// than a parsed tree and a resolved copy. Nothing here depends on the runtime.

/// What a name occurrence refers to, decided by the resolver (LANGUAGE.md §4.1).
public enum Binding: Sendable, Equatable {
    case unresolved
    /// A variable `hops` materialised scopes out, in slot `slot`.
    case local(hops: Int, slot: Int)
    /// A global builtin, by its index in the resolver's global table.
    case global(Int)
    /// Nothing of that name: `Undefined variable` when evaluated (None in templates).
    case missing
}

/// A name occurrence.
public final class VarRef {
    public let name: String
    public let loc: SourceLoc
    public var binding: Binding = .unresolved
    /// In template expressions an undefined name is `None` rather than an error.
    public let isInTemplate: Bool

    public init(name: String, loc: SourceLoc, isInTemplate: Bool = false) {
        self.name = name
        self.loc = loc
        self.isInTemplate = isInTemplate
    }
}

/// The runtime shape of a scope: how many slots it needs. A scope with no slots is not
/// materialised at all, and `hops` counts only materialised scopes.
public final class ScopeInfo {
    public var slotCount = 0
    /// Named functions declared directly in this scope; they exist from scope entry (hoisting).
    public var hoistedFunctions: [FunctionDecl] = []
    public var isMaterialized: Bool { slotCount > 0 }
    public init() {}
}

/// A `{ … }` sequence of statements with its own scope.
public final class Block {
    public var statements: [Stmt]
    public let scope = ScopeInfo()
    public let loc: SourceLoc

    public init(_ statements: [Stmt], loc: SourceLoc) {
        self.statements = statements
        self.loc = loc
    }
}

/// A declared variable: its name and, after resolution, its slot in the declaring scope.
public final class VarDecl {
    public let name: String
    public let loc: SourceLoc
    public var isMutable: Bool
    public var slot = -1

    public init(name: String, loc: SourceLoc, isMutable: Bool = false) {
        self.name = name
        self.loc = loc
        self.isMutable = isMutable
    }
}

/// A contract clause with its normalised source text (for the failure message).
public struct ContractClause {
    public var condition: Expr
    public var text: String
}

/// A function parameter.
public struct Parameter {
    public var decl: VarDecl
    public var defaultValue: Expr?
}

/// A named function or a closure.
public final class FunctionDecl {
    /// Nil for closures.
    public let name: String?
    public let loc: SourceLoc
    public var parameters: [Parameter]
    public var requires: [ContractClause]
    public var ensures: [ContractClause]
    /// `old(e)` expressions of the ensures clauses, evaluated before the body runs.
    public var oldExpressions: [Expr] = []
    public var body: Block
    /// Scope holding parameters and the body's own declarations.
    public let scope = ScopeInfo()
    /// Scope of the ensures clauses (`result` in slot 0).
    public let ensuresScope = ScopeInfo()
    /// For named functions: the variable the declaration binds.
    public var decl: VarDecl?

    public init(name: String?, loc: SourceLoc, parameters: [Parameter], requires: [ContractClause],
                ensures: [ContractClause], body: Block) {
        self.name = name
        self.loc = loc
        self.parameters = parameters
        self.requires = requires
        self.ensures = ensures
        self.body = body
    }

    /// Number of parameters without defaults.
    public var requiredArity: Int { parameters.prefix { $0.defaultValue == nil }.count }
}

/// Unary operators.
public enum UnaryOperator: Sendable { case negate, not }

/// Operators whose evaluation is not a plain runtime binary operation.
public enum BinaryOp: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
}

/// A piece of an interpolated string.
public enum InterpolationPart {
    case text(String)
    case expr(Expr)
}

/// An assignment target.
public indirect enum AssignTarget {
    case variable(VarRef)
    /// `root[i][j]… = v`: the root variable and the index path (member access is a String index).
    case path(root: VarRef, indices: [Expr], rootIsMutable: MutabilityBox)
}

/// The resolver's verdict on whether an index-assignment root was declared `let mut`.
public final class MutabilityBox {
    public var isMutable = true
    public init() {}
}

/// A match arm.
public struct MatchArm {
    public var pattern: Pattern
    public var guardExpr: Expr?
    public var body: Expr
    public let scope = ScopeInfo()
}

/// Match patterns (LANGUAGE.md §4.9).
public indirect enum Pattern {
    case wildcard
    case binding(VarDecl)
    case int(Int)
    case float(Double)
    case string(String)
    case bool(Bool)
    case unit
    case none
    case some(Pattern)
    case ok(Pattern)
    case err(Pattern)
    case array([Pattern])
}

/// Expressions.
public indirect enum Expr {
    case int(Int)
    case float(Double)
    case string(String)
    case bool(Bool)
    case unit
    case interpolated([InterpolationPart])
    case template(Template)
    case name(VarRef)
    case array([Expr])
    case map([(key: Expr, value: Expr)])
    case unary(UnaryOperator, Expr)
    case binary(BinaryOp, Expr, Expr)
    case and(Expr, Expr)
    case or(Expr, Expr)
    case coalesce(Expr, Expr)
    case range(Expr, Expr, inclusive: Bool)
    case call(Expr, [Expr], SourceLoc)
    case index(Expr, Expr)
    case member(Expr, String)
    case tryUnwrap(Expr)
    case assign(AssignTarget, BinaryOp?, Expr)
    case closure(FunctionDecl)
    /// `if` as statement or expression; `elseBranch` is a Block or a nested if.
    case ifElse(cond: Expr, then: Block, elseBranch: ElseBranch?)
    case match(Expr, [MatchArm])
    /// `old(e)` inside an ensures clause: the saved value number `n`.
    case old(Int)
}

/// The `else` of an if.
public indirect enum ElseBranch {
    case block(Block)
    case elseIf(Expr)
}

/// Statements.
public struct Stmt {
    public var kind: StmtKind
    public var loc: SourceLoc

    public init(_ kind: StmtKind, _ loc: SourceLoc) {
        self.kind = kind
        self.loc = loc
    }
}

/// What a statement does.
public enum StmtKind {
    case expr(Expr)
    case letDecl(VarDecl, Expr, otherwise: OtherwiseClause?)
    case function(FunctionDecl)
    case returnStmt(Expr?)
    case whileLoop(Expr, Block)
    case loop(Block)
    case forIn(VarDecl, Expr, Block, scope: ScopeInfo)
    case breakStmt
    case continueStmt
    case block(Block)
    case importStmt(Import)
}

/// The diverging block of `let … otherwise`, with `err` bound in its scope.
public struct OtherwiseClause {
    public var errDecl: VarDecl
    public var body: Block
}

/// `import { a, b as c } from "p"` or `import "p" as n`.
public struct Import {
    public enum Form {
        case names([(name: String, alias: VarDecl)])
        case namespace(VarDecl)
    }
    public var path: String
    public var form: Form
    public var loc: SourceLoc
}

// MARK: - Templates

/// A parsed `"""…"""` literal.
public final class Template {
    public var nodes: [TemplateNode]
    public init(_ nodes: [TemplateNode]) { self.nodes = nodes }
}

/// A filter application in a template tag.
public struct FilterCall {
    public var name: String
    public var arguments: [Expr]
    public var loc: SourceLoc
}

/// Template pieces (LANGUAGE.md §7).
public indirect enum TemplateNode {
    case text(String)
    case output(Expr, [FilterCall], SourceLoc)
    case forLoop(TemplateFor)
    case ifChain([(cond: Expr, body: [TemplateNode])], elseBody: [TemplateNode]?)
}

/// `{{#for NAME in EXPR}} … {{#empty}} … {{/for}}`. The loop scope holds the variable in slot 0
/// and the loop metadata (`@index` …) in slots 1…7, in `TemplateLoopMeta` order.
public final class TemplateFor {
    public var variable: VarDecl
    public var sequence: Expr
    public var body: [TemplateNode]
    public var emptyBody: [TemplateNode]?
    public let scope = ScopeInfo()

    public init(variable: VarDecl, sequence: Expr, body: [TemplateNode], emptyBody: [TemplateNode]?) {
        self.variable = variable
        self.sequence = sequence
        self.body = body
        self.emptyBody = emptyBody
    }
}

/// The loop metadata names, in slot order after the loop variable.
public let templateLoopMetaNames = ["@index", "@index1", "@first", "@last", "@length", "@even", "@odd"]

/// A parsed module: its statements and top-level scope.
public final class Module {
    public let file: SourceFile
    public var body: Block
    public init(file: SourceFile, body: Block) {
        self.file = file
        self.body = body
    }
}
