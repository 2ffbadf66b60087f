// The parser: tokens → AST, one method per grammar rule (jlox's shape).
//
// Errors are collected, not thrown to the caller: a failing rule records a diagnostic and
// unwinds (with a private Swift error) to the statement loop, which skips to the next line
// that can start a statement and carries on, so one run reports several real errors without
// cascades. The file is split by grammar category: statements here, expressions, patterns and
// templates in their own extensions.

/// Unwinds a failed rule to the nearest statement boundary; the diagnostic is already recorded.
struct ParseAbort: Error {}

/// Parses one source file (or a byte range of it) into an AST.
public struct Parser {
    let file: SourceFile
    var tokens: [Token]
    var current = 0
    public var diagnostics = Diagnostics()

    /// Loops enclosing the current point within the current function (for break/continue).
    var loopDepth = 0
    /// Set while parsing an `ensures` clause: `old(e)` calls are collected.
    var collectingOld: [Expr]? = nil
    /// Inside map literal entries `{ "k": … }` is a nested map (§4.7).
    var mapEntryDepth = 0
    /// Expressions inside template tags resolve undefined names to None.
    let isTemplateContext: Bool
    /// Guards the Swift stack against absurdly nested input.
    var nesting = 0
    static let maxNesting = 200

    /// Creates a parser over `file`, or over the byte range `start..<end` of it.
    public init(file: SourceFile, start: Int = 0, end: Int? = nil, isTemplateContext: Bool = false) {
        self.file = file
        self.isTemplateContext = isTemplateContext
        var lexer = Lexer(file: file, start: start, end: end, allowsAtNames: isTemplateContext)
        var d = Diagnostics()
        self.tokens = lexer.tokenize(&d)
        self.diagnostics = d
    }

    // MARK: - Token helpers

    var peek: Token { tokens[current] }
    var peekKind: TokenKind { tokens[current].kind }
    var previous: Token { tokens[max(0, current - 1)] }
    var isAtEnd: Bool { peekKind == .eof }

    func loc(_ token: Token) -> SourceLoc { SourceLoc(file: file.id, offset: token.start) }
    var here: SourceLoc { loc(peek) }

    func peekKind(at k: Int) -> TokenKind {
        let i = current + k
        return i < tokens.count ? tokens[i].kind : .eof
    }

    @discardableResult
    mutating func advance() -> Token {
        let t = tokens[current]
        if t.kind != .eof { current += 1 }
        return t
    }

    func check(_ kind: TokenKind) -> Bool { peekKind == kind }
    func checkKeyword(_ k: Keyword) -> Bool { peekKind == .keyword(k) }

    mutating func match(_ kind: TokenKind) -> Bool {
        if check(kind) { advance(); return true }
        return false
    }

    mutating func matchKeyword(_ k: Keyword) -> Bool { match(.keyword(k)) }

    /// Records a diagnostic at `token` (default: the current one) and returns the abort to throw.
    mutating func error(_ message: String, at token: Token? = nil) -> ParseAbort {
        let t = token ?? peek
        diagnostics.error(loc(t), message)
        return ParseAbort()
    }

    mutating func expect(_ kind: TokenKind, _ what: String) throws -> Token {
        if check(kind) { return advance() }
        throw error("expected \(what), found \(peekKind.spelling)")
    }

    mutating func expectIdentifier(_ what: String) throws -> (String, Token) {
        if case .identifier(let name) = peekKind {
            let t = advance()
            if reservedWords.contains(name) {
                throw error("'\(name)' is a reserved word and cannot be used as a name", at: t)
            }
            return (name, t)
        }
        throw error("expected \(what), found \(peekKind.spelling)")
    }

    // MARK: - Program

    /// Parses a whole module. Check `diagnostics` afterwards.
    public mutating func parseModule() -> Module {
        let start = here
        var statements: [Stmt] = []
        var importsAllowed = true
        while !isAtEnd {
            if match(.semicolon) { continue }
            if checkKeyword(.import) && !importsAllowed {
                diagnostics.error(here, "imports must come before all other statements")
            }
            if !checkKeyword(.import) { importsAllowed = false }
            if let s = parseStatementRecovering() { statements.append(s) }
        }
        return Module(file: file, body: Block(statements, loc: start))
    }

    /// Parses one statement; on error, skips to a likely statement start and returns nil.
    mutating func parseStatementRecovering() -> Stmt? {
        let before = current
        do {
            return try parseStatement()
        } catch {
            synchronize(from: before)
            return nil
        }
    }

    /// Skips tokens until one that begins a new line at the same brace depth (or a `}` that
    /// closes the enclosing block), so the next statement parses cleanly.
    mutating func synchronize(from start: Int) {
        if current == start { advance() }
        var depth = 0
        // Count the braces already consumed by the failed statement.
        for t in tokens[start..<current] {
            if t.kind == .leftBrace { depth += 1 }
            if t.kind == .rightBrace { depth -= 1 }
        }
        while !isAtEnd {
            if depth <= 0 && peek.isAtLineStart && current > start {
                if check(.rightBrace) && depth == 0 { return }
                if depth == 0 { return }
            }
            if check(.rightBrace) {
                if depth <= 0 { return }
                depth -= 1
            } else if check(.leftBrace) {
                depth += 1
            }
            advance()
        }
    }

    // MARK: - Statements

    mutating func parseStatement() throws -> Stmt {
        let startToken = peek
        let start = loc(startToken)
        switch peekKind {
        case .keyword(.let):
            return try parseLet()
        case .keyword(.fn):
            if case .identifier = peekKind(at: 1) {
                advance()
                return Stmt(.function(try parseFunction(named: true, start: startToken)), start)
            }
        case .keyword(.export), .keyword(.pub):
            advance()
            guard checkKeyword(.fn) else { throw error("expected 'fn' after '\(startToken.kind.spelling)'") }
            let fnToken = advance()
            return Stmt(.function(try parseFunction(named: true, start: fnToken)), start)
        case .keyword(.return):
            advance()
            if isAtEnd || check(.rightBrace) || check(.semicolon) || peek.isAtLineStart {
                return Stmt(.returnStmt(nil), start)
            }
            return Stmt(.returnStmt(try parseExpression()), start)
        case .keyword(.while):
            advance()
            let cond = try parseExpression()
            loopDepth += 1
            defer { loopDepth -= 1 }
            return Stmt(.whileLoop(cond, try parseBlock()), start)
        case .keyword(.loop):
            advance()
            loopDepth += 1
            defer { loopDepth -= 1 }
            return Stmt(.loop(try parseBlock()), start)
        case .keyword(.for):
            advance()
            let (name, nameToken) = try expectIdentifier("loop variable name")
            guard matchKeyword(.in) else { throw error("expected 'in' after loop variable, found \(peekKind.spelling)") }
            let sequence = try parseExpression()
            loopDepth += 1
            defer { loopDepth -= 1 }
            let body = try parseBlock()
            return Stmt(.forIn(VarDecl(name: name, loc: loc(nameToken)), sequence, body, scope: ScopeInfo()), start)
        case .keyword(.break), .keyword(.continue):
            let isBreak = checkKeyword(.break)
            advance()
            if loopDepth == 0 {
                throw error("'\(isBreak ? "break" : "continue")' outside of a loop", at: startToken)
            }
            return Stmt(isBreak ? .breakStmt : .continueStmt, start)
        case .keyword(.import):
            return Stmt(.importStmt(try parseImport()), start)
        case .leftBrace:
            return Stmt(.block(try parseBlock()), start)
        case .keyword(.if):
            // A statement-level `if` ends at its last block (a following line is a new statement).
            return Stmt(.expr(try parseIf(requireElse: false)), start)
        case .keyword(.match):
            return Stmt(.expr(try parseMatch()), start)
        default:
            break
        }
        let e = try parseExpression()
        return Stmt(.expr(e), start)
    }

    /// `{ statements }` — a new scope.
    mutating func parseBlock() throws -> Block {
        let open = try expect(.leftBrace, "'{'")
        nesting += 1
        defer { nesting -= 1 }
        if nesting > Parser.maxNesting { throw error("blocks nested too deeply", at: open) }
        let savedMapDepth = mapEntryDepth
        mapEntryDepth = 0
        defer { mapEntryDepth = savedMapDepth }
        var statements: [Stmt] = []
        while !check(.rightBrace) && !isAtEnd {
            if match(.semicolon) { continue }
            if checkKeyword(.import) {
                diagnostics.error(here, "imports must come before all other statements")
            }
            if let s = parseStatementRecovering() { statements.append(s) }
        }
        if isAtEnd { throw error("expected '}' to close the block opened at line \(file.lineAndColumn(of: open.start).line)") }
        advance()
        return Block(statements, loc: loc(open))
    }

    mutating func parseLet() throws -> Stmt {
        let letToken = advance()
        let isMutable = matchKeyword(.mut)
        let (name, nameToken) = try expectIdentifier("variable name after 'let'")
        if match(.colon) { try skipType() }
        _ = try expect(.equal, "'=' in let declaration")
        let value = try parseExpression()
        let decl = VarDecl(name: name, loc: loc(nameToken), isMutable: isMutable)
        var clause: OtherwiseClause? = nil
        if checkKeyword(.otherwise) {
            let otherwiseToken = advance()
            let body: Block
            if check(.leftBrace) {
                body = try parseBlock()
            } else {
                let s = try parseStatement()
                body = Block([s], loc: loc(otherwiseToken))
            }
            clause = OtherwiseClause(errDecl: VarDecl(name: "err", loc: loc(otherwiseToken)), body: body)
        }
        return Stmt(.letDecl(decl, value, otherwise: clause), loc(letToken))
    }

    /// Skips a type annotation (types are parsed and ignored): `Name`, `Name<…>`, `[T]`,
    /// `(A, B)`, `fn(A) -> B`, optionally followed by `?`.
    mutating func skipType() throws {
        switch peekKind {
        case .identifier, .keyword(.map):
            advance()
            if match(.less) {
                var depth = 1
                while depth > 0 && !isAtEnd {
                    if check(.less) { depth += 1 }
                    if check(.greater) { depth -= 1 }
                    advance()
                }
            }
        case .keyword(.fn):
            advance()
            try skipBalanced(.leftParen, .rightParen)
            if match(.arrow) { try skipType() }
        case .leftBracket:
            try skipBalanced(.leftBracket, .rightBracket)
        case .leftParen:
            try skipBalanced(.leftParen, .rightParen)
        default:
            throw error("expected a type, found \(peekKind.spelling)")
        }
        _ = match(.question)
    }

    mutating func skipBalanced(_ open: TokenKind, _ close: TokenKind) throws {
        _ = try expect(open, open.spelling)
        var depth = 1
        while depth > 0 {
            if isAtEnd { throw error("expected \(close.spelling)") }
            if check(open) { depth += 1 }
            if check(close) { depth -= 1 }
            advance()
        }
    }

    /// `fn name(params) -> T requires … ensures … { body }`; `fn(params) { body }` for closures.
    mutating func parseFunction(named: Bool, start: Token) throws -> FunctionDecl {
        var name: String? = nil
        if named {
            let (n, _) = try expectIdentifier("function name")
            name = n
        }
        _ = try expect(.leftParen, "'(' after function name")
        var parameters: [Parameter] = []
        var sawDefault = false
        while !check(.rightParen) {
            let (pname, ptoken) = try expectIdentifier("parameter name")
            if match(.colon) { try skipType() }
            var defaultValue: Expr? = nil
            if match(.equal) {
                defaultValue = try parseExpression()
                sawDefault = true
            } else if sawDefault {
                throw error("parameters with defaults must come last", at: ptoken)
            }
            if parameters.contains(where: { $0.decl.name == pname }) {
                throw error("duplicate parameter '\(pname)'", at: ptoken)
            }
            parameters.append(Parameter(decl: VarDecl(name: pname, loc: loc(ptoken)), defaultValue: defaultValue))
            if !match(.comma) { break }
        }
        _ = try expect(.rightParen, "')' after parameters")
        if match(.arrow) { try skipType() }
        var requires: [ContractClause] = []
        var ensures: [ContractClause] = []
        var oldExpressions: [Expr] = []
        while checkKeyword(.requires) || checkKeyword(.ensures) {
            let isRequires = checkKeyword(.requires)
            if !named { throw error("closures cannot have contracts") }
            advance()
            let first = peek
            if !isRequires { collectingOld = oldExpressions }
            let cond = try parseExpression()
            if !isRequires {
                oldExpressions = collectingOld ?? []
                collectingOld = nil
            }
            let text = normalizedText(from: first.start, to: previous.end)
            if isRequires {
                requires.append(ContractClause(condition: cond, text: text))
            } else {
                ensures.append(ContractClause(condition: cond, text: text))
            }
        }
        let savedLoops = loopDepth
        loopDepth = 0
        defer { loopDepth = savedLoops }
        let body = try parseBlock()
        let f = FunctionDecl(name: name, loc: loc(start), parameters: parameters, requires: requires,
                             ensures: ensures, body: body)
        f.oldExpressions = oldExpressions
        if let name { f.decl = VarDecl(name: name, loc: loc(start)) }
        return f
    }

    /// Source text with runs of whitespace collapsed to one space, ends trimmed.
    func normalizedText(from start: Int, to end: Int) -> String {
        let raw = file.text(start, end)
        return raw.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" })
            .joined(separator: " ")
    }

    mutating func parseImport() throws -> Import {
        let importToken = advance()
        if match(.leftBrace) {
            var names: [(String, VarDecl)] = []
            while !check(.rightBrace) {
                let (name, t) = try expectIdentifier("imported name")
                var alias = VarDecl(name: name, loc: loc(t))
                if matchKeyword(.as) {
                    let (a, at) = try expectIdentifier("alias after 'as'")
                    alias = VarDecl(name: a, loc: loc(at))
                }
                names.append((name, alias))
                if !match(.comma) { break }
            }
            _ = try expect(.rightBrace, "'}' after imported names")
            guard matchKeyword(.from) else { throw error("expected 'from' after import list, found \(peekKind.spelling)") }
            let path = try parseImportPath()
            return Import(path: path, form: .names(names), loc: loc(importToken))
        }
        let pathToken = peek
        let path = try parseImportPath()
        var alias: VarDecl
        if matchKeyword(.as) {
            let (a, at) = try expectIdentifier("module alias after 'as'")
            alias = VarDecl(name: a, loc: loc(at))
        } else {
            let last = path.split(separator: "/").last.map(String.init) ?? path
            let base = last.hasSuffix(".tnt") ? String(last.dropLast(4)) : last
            alias = VarDecl(name: base, loc: loc(pathToken))
        }
        return Import(path: path, form: .namespace(alias), loc: loc(importToken))
    }

    mutating func parseImportPath() throws -> String {
        switch peekKind {
        case .string(let pieces):
            var s = ""
            for p in pieces {
                guard case .text(let t) = p else { throw error("import path cannot contain interpolation") }
                s += t
            }
            advance()
            return s
        case .rawString(let s):
            advance()
            return s
        default:
            throw error("expected module path string, found \(peekKind.spelling)")
        }
    }
}
