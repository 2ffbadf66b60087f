// Tokens, named after how they look (clox's habit). A token is a kind plus the byte range it
// covers; literal payloads (numbers, decoded string pieces) ride along in the kind.

/// Reserved and keyword identifiers (LANGUAGE.md §2).
public enum Keyword: String, Sendable {
    case `let`, mut, fn, `return`, `if`, `else`, `while`, loop, `for`, `in`, `break`, `continue`
    case match, `true`, `false`, map, `import`, from, `as`, export, pub, requires, ensures, otherwise
}

/// Words that may not be used as names; using one is a parse error.
let reservedWords: Set<String> = [
    "struct", "enum", "impl", "trait", "defer", "mod", "use", "where", "async", "await", "try",
    "catch", "with", "pure", "effect", "intent", "invariant", "contract",
]

/// One piece of a string literal: literal text, or an interpolated expression's source range.
public enum StringPiece: Sendable, Equatable {
    case text(String)
    case interpolation(start: Int, end: Int)
}

/// What a token is.
public enum TokenKind: Sendable, Equatable {
    case identifier(String)
    case keyword(Keyword)
    case int(Int)
    case float(Double)
    case string([StringPiece])
    case rawString(String)
    /// A `"""…"""` literal; the range of its body.
    case template(start: Int, end: Int)
    case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace
    case comma, colon, semicolon, dot, dotDot, dotDotEqual, arrow, fatArrow
    case plus, minus, star, slash, percent
    case plusEqual, minusEqual, starEqual, slashEqual, percentEqual
    case equal, equalEqual, bang, bangEqual, less, lessEqual, greater, greaterEqual
    case ampAmp, pipePipe, pipeGreater, question, questionQuestion
    case eof
}

/// A token and where it is.
public struct Token: Sendable {
    public var kind: TokenKind
    public var start: Int
    public var end: Int
    /// True when a newline separates this token from the previous one (`return` needs it).
    public var isAtLineStart: Bool
}

extension TokenKind {
    /// How the token reads in a diagnostic.
    public var spelling: String {
        switch self {
        case .identifier(let n): return "'\(n)'"
        case .keyword(let k): return "'\(k.rawValue)'"
        case .int, .float: return "number"
        case .string, .rawString, .template: return "string"
        case .leftParen: return "'('"
        case .rightParen: return "')'"
        case .leftBracket: return "'['"
        case .rightBracket: return "']'"
        case .leftBrace: return "'{'"
        case .rightBrace: return "'}'"
        case .comma: return "','"
        case .colon: return "':'"
        case .semicolon: return "';'"
        case .dot: return "'.'"
        case .dotDot: return "'..'"
        case .dotDotEqual: return "'..='"
        case .arrow: return "'->'"
        case .fatArrow: return "'=>'"
        case .plus: return "'+'"
        case .minus: return "'-'"
        case .star: return "'*'"
        case .slash: return "'/'"
        case .percent: return "'%'"
        case .plusEqual: return "'+='"
        case .minusEqual: return "'-='"
        case .starEqual: return "'*='"
        case .slashEqual: return "'/='"
        case .percentEqual: return "'%='"
        case .equal: return "'='"
        case .equalEqual: return "'=='"
        case .bang: return "'!'"
        case .bangEqual: return "'!='"
        case .less: return "'<'"
        case .lessEqual: return "'<='"
        case .greater: return "'>'"
        case .greaterEqual: return "'>='"
        case .ampAmp: return "'&&'"
        case .pipePipe: return "'||'"
        case .pipeGreater: return "'|>'"
        case .question: return "'?'"
        case .questionQuestion: return "'??'"
        case .eof: return "end of file"
        }
    }
}
