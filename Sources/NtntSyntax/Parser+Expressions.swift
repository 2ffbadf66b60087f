// Expressions, by precedence from lowest to highest (LANGUAGE.md §5.1):
// assignment → |> → ?? → || → && → equality → comparison → range → + - → * / % → unary →
// postfix (call, index, member, ?) → primary.

extension Parser {
    /// Parses an expression.
    public mutating func parseExpression() throws -> Expr {
        nesting += 1
        defer { nesting -= 1 }
        if nesting > Parser.maxNesting { throw error("expression nested too deeply") }
        return try parseAssignment()
    }

    mutating func parseAssignment() throws -> Expr {
        let startToken = peek
        let target = try parsePipe()
        let op: BinaryOp?
        switch peekKind {
        case .equal: op = nil
        case .plusEqual: op = .add
        case .minusEqual: op = .subtract
        case .starEqual: op = .multiply
        case .slashEqual: op = .divide
        case .percentEqual: op = .remainder
        default: return target
        }
        let opToken = advance()
        let value = try parseAssignment()
        return .assign(try assignTarget(target, startToken: startToken, opToken: opToken), op, value)
    }

    mutating func assignTarget(_ e: Expr, startToken: Token, opToken: Token) throws -> AssignTarget {
        if case .name(let ref) = e { return .variable(ref) }
        var indices: [Expr] = []
        var cur = e
        while true {
            switch cur {
            case .index(let base, let i):
                indices.append(i)
                cur = base
                continue
            case .member(let base, let name):
                indices.append(.string(name))
                cur = base
                continue
            case .name(let ref):
                return .path(root: ref, indices: indices.reversed(), rootIsMutable: MutabilityBox())
            default:
                break
            }
            break
        }
        throw error("invalid assignment target", at: opToken)
    }

    mutating func parsePipe() throws -> Expr {
        var left = try parseCoalesce()
        while check(.pipeGreater) {
            let pipeToken = advance()
            let right = try parseUnary()
            switch right {
            case .call(let callee, let args, let l):
                guard isPipeCallee(callee) else { throw error("the right side of '|>' must be a function name or a call of one", at: pipeToken) }
                left = .call(callee, [left] + args, l)
            case .name, .member:
                left = .call(right, [left], loc(pipeToken))
            default:
                throw error("the right side of '|>' must be a function name or a call of one", at: pipeToken)
            }
        }
        return left
    }

    func isPipeCallee(_ e: Expr) -> Bool {
        switch e {
        case .name, .member: return true
        default: return false
        }
    }

    mutating func parseCoalesce() throws -> Expr {
        var left = try parseOr()
        while match(.questionQuestion) { left = .coalesce(left, try parseOr()) }
        return left
    }

    mutating func parseOr() throws -> Expr {
        var left = try parseAnd()
        while match(.pipePipe) { left = .or(left, try parseAnd()) }
        return left
    }

    mutating func parseAnd() throws -> Expr {
        var left = try parseEquality()
        while match(.ampAmp) { left = .and(left, try parseEquality()) }
        return left
    }

    mutating func parseEquality() throws -> Expr {
        var left = try parseComparison()
        while true {
            if match(.equalEqual) { left = .binary(.equal, left, try parseComparison()) }
            else if match(.bangEqual) { left = .binary(.notEqual, left, try parseComparison()) }
            else { return left }
        }
    }

    mutating func parseComparison() throws -> Expr {
        var left = try parseRange()
        while true {
            let op: BinaryOp
            switch peekKind {
            case .less: op = .less
            case .lessEqual: op = .lessEqual
            case .greater: op = .greater
            case .greaterEqual: op = .greaterEqual
            default: return left
            }
            advance()
            left = .binary(op, left, try parseRange())
        }
    }

    mutating func parseRange() throws -> Expr {
        let left = try parseAdditive()
        if check(.dotDot) || check(.dotDotEqual) {
            let inclusive = check(.dotDotEqual)
            advance()
            let right = try parseAdditive()
            if check(.dotDot) || check(.dotDotEqual) { throw error("range operators cannot be chained") }
            return .range(left, right, inclusive: inclusive)
        }
        return left
    }

    mutating func parseAdditive() throws -> Expr {
        var left = try parseMultiplicative()
        while true {
            if match(.plus) { left = .binary(.add, left, try parseMultiplicative()) }
            else if match(.minus) { left = .binary(.subtract, left, try parseMultiplicative()) }
            else { return left }
        }
    }

    mutating func parseMultiplicative() throws -> Expr {
        var left = try parseUnary()
        while true {
            if match(.star) { left = .binary(.multiply, left, try parseUnary()) }
            else if match(.slash) { left = .binary(.divide, left, try parseUnary()) }
            else if match(.percent) { left = .binary(.remainder, left, try parseUnary()) }
            else { return left }
        }
    }

    mutating func parseUnary() throws -> Expr {
        if check(.bang) || check(.minus) {
            let isNot = check(.bang)
            advance()
            nesting += 1
            defer { nesting -= 1 }
            if nesting > Parser.maxNesting { throw error("expression nested too deeply") }
            let operand = try parseUnary()
            return .unary(isNot ? .not : .negate, operand)
        }
        return try parsePostfix()
    }

    mutating func parsePostfix() throws -> Expr {
        var e = try parsePrimary()
        while true {
            switch peekKind {
            case .leftParen:
                let open = advance()
                let args = try parseArguments()
                e = makeCall(e, args, loc(open))
            case .leftBracket:
                advance()
                let i = try parseExpression()
                _ = try expect(.rightBracket, "']' after index")
                e = .index(e, i)
            case .dot:
                advance()
                if case .identifier(let name) = peekKind {
                    advance()
                    e = .member(e, name)
                } else if case .keyword(let k) = peekKind {
                    advance()
                    e = .member(e, k.rawValue)
                } else {
                    throw error("expected member name after '.', found \(peekKind.spelling)")
                }
            case .question:
                advance()
                e = .tryUnwrap(e)
            default:
                return e
            }
        }
    }

    /// Builds a call, applying the two call-site rules of the language: `old(e)` inside an
    /// ensures clause, and `{name}` segments kept literally in route patterns (§10.7).
    mutating func makeCall(_ callee: Expr, _ args: [Expr], _ l: SourceLoc) -> Expr {
        if case .name(let ref) = callee {
            if ref.name == "old", args.count == 1, collectingOld != nil {
                collectingOld!.append(args[0])
                return .old(collectingOld!.count - 1)
            }
            if ["get", "post", "put", "patch", "delete"].contains(ref.name), var args = Optional(args),
               case .interpolated(let parts)? = args.first {
                var text = ""
                var literal = true
                var kept: [InterpolationPart] = []
                for p in parts {
                    switch p {
                    case .text(let t): text += t
                    case .expr(.name(let r)): text += "{\(r.name)}"
                    case .expr:
                        literal = false
                        if !text.isEmpty { kept.append(.text(text)); text = "" }
                        kept.append(p)
                    }
                }
                if literal {
                    args[0] = .string(text)
                } else {
                    if !text.isEmpty { kept.append(.text(text)) }
                    args[0] = .interpolated(kept)
                }
                return .call(callee, args, l)
            }
        }
        return .call(callee, args, l)
    }

    mutating func parseArguments() throws -> [Expr] {
        var args: [Expr] = []
        let saved = mapEntryDepth
        mapEntryDepth = 0
        defer { mapEntryDepth = saved }
        while !check(.rightParen) {
            args.append(try parseExpression())
            if !match(.comma) { break }
        }
        _ = try expect(.rightParen, "')' after arguments")
        return args
    }

    mutating func parsePrimary() throws -> Expr {
        let t = peek
        switch t.kind {
        case .int(let v):
            advance()
            return .int(v)
        case .float(let v):
            advance()
            return .float(v)
        case .keyword(.true):
            advance()
            return .bool(true)
        case .keyword(.false):
            advance()
            return .bool(false)
        case .string(let pieces):
            advance()
            return try stringExpr(pieces)
        case .rawString(let s):
            advance()
            return .string(s)
        case .template(let start, let end):
            advance()
            return .template(Template(try parseTemplateBody(start: start, end: end)))
        case .identifier(let name):
            advance()
            if reservedWords.contains(name) {
                throw error("'\(name)' is a reserved word and cannot be used as a name", at: t)
            }
            return .name(VarRef(name: name, loc: loc(t), isInTemplate: isTemplateContext))
        case .leftParen:
            advance()
            if match(.rightParen) { return .unit }
            let saved = mapEntryDepth
            mapEntryDepth = 0
            defer { mapEntryDepth = saved }
            let e = try parseExpression()
            _ = try expect(.rightParen, "')'")
            return e
        case .leftBracket:
            advance()
            var items: [Expr] = []
            while !check(.rightBracket) {
                items.append(try parseExpression())
                if !match(.comma) { break }
            }
            _ = try expect(.rightBracket, "']' after array elements")
            return .array(items)
        case .keyword(.map):
            advance()
            guard check(.leftBrace) else { throw error("expected '{' after 'map'") }
            return try parseMapBody()
        case .leftBrace where mapEntryDepth > 0 && looksLikeNestedMap():
            return try parseMapBody()
        case .keyword(.fn):
            advance()
            guard check(.leftParen) else { throw error("expected '(' for a closure, found \(peekKind.spelling)") }
            return .closure(try parseFunction(named: false, start: t))
        case .keyword(.if):
            return try parseIf(requireElse: true)
        case .keyword(.match):
            return try parseMatch()
        default:
            throw error("expected expression, found \(t.kind.spelling)")
        }
    }

    /// `{` followed by `}` or by a string or identifier and `:` (§4.7).
    func looksLikeNestedMap() -> Bool {
        switch peekKind(at: 1) {
        case .rightBrace: return true
        case .string, .rawString, .identifier: return peekKind(at: 2) == .colon
        default: return false
        }
    }

    mutating func parseMapBody() throws -> Expr {
        _ = try expect(.leftBrace, "'{'")
        mapEntryDepth += 1
        defer { mapEntryDepth -= 1 }
        var entries: [(key: Expr, value: Expr)] = []
        while !check(.rightBrace) {
            let key = try parseExpression()
            _ = try expect(.colon, "':' after map key")
            let value = try parseExpression()
            entries.append((key, value))
            if !match(.comma) { break }
        }
        _ = try expect(.rightBrace, "'}' after map entries")
        return .map(entries)
    }

    /// Turns lexed string pieces into a literal or an interpolation; each `{expr}` range is
    /// parsed in place.
    mutating func stringExpr(_ pieces: [StringPiece]) throws -> Expr {
        var parts: [InterpolationPart] = []
        for p in pieces {
            switch p {
            case .text(let s): parts.append(.text(s))
            case let .interpolation(start, end):
                parts.append(.expr(try parseEmbedded(start: start, end: end)))
            }
        }
        if parts.isEmpty { return .string("") }
        if parts.count == 1, case .text(let s) = parts[0] { return .string(s) }
        return .interpolated(parts)
    }

    /// Parses one expression from a byte range of this file (an interpolation or a tag).
    mutating func parseEmbedded(start: Int, end: Int, templateContext: Bool? = nil) throws -> Expr {
        var sub = Parser(file: file, start: start, end: end, isTemplateContext: templateContext ?? isTemplateContext)
        sub.nesting = nesting
        sub.collectingOld = collectingOld
        var result: Expr? = nil
        do {
            let e = try sub.parseExpression()
            if !sub.isAtEnd {
                throw sub.error("unexpected \(sub.peekKind.spelling) in embedded expression")
            }
            result = e
        } catch {}
        if sub.collectingOld != nil { collectingOld = sub.collectingOld }
        for d in sub.diagnostics.items { diagnostics.error(d.loc, d.message) }
        guard let result else { throw ParseAbort() }
        return result
    }

    /// `if c { … } else if … else { … }`; in expression position the final else is required.
    mutating func parseIf(requireElse: Bool) throws -> Expr {
        let ifToken = advance()
        let cond = try parseExpression()
        let then = try parseBlock()
        var elseBranch: ElseBranch? = nil
        if matchKeyword(.else) {
            if checkKeyword(.if) {
                elseBranch = .elseIf(try parseIf(requireElse: requireElse))
            } else {
                elseBranch = .block(try parseBlock())
            }
        } else if requireElse {
            throw error("an 'if' used as a value needs an 'else' branch", at: ifToken)
        }
        return .ifElse(cond: cond, then: then, elseBranch: elseBranch)
    }

    mutating func parseMatch() throws -> Expr {
        advance()
        let subject = try parseExpression()
        _ = try expect(.leftBrace, "'{' after match subject")
        var arms: [MatchArm] = []
        while !check(.rightBrace) && !isAtEnd {
            let pattern = try parsePattern()
            var guardExpr: Expr? = nil
            if matchKeyword(.if) { guardExpr = try parseExpression() }
            _ = try expect(.fatArrow, "'=>' after match pattern")
            let body: Expr
            if check(.leftBrace) {
                let block = try parseBlock()
                body = .ifElse(cond: .bool(true), then: block, elseBranch: nil)
            } else {
                body = try parseExpression()
            }
            arms.append(MatchArm(pattern: pattern, guardExpr: guardExpr, body: body))
            _ = match(.comma)
        }
        _ = try expect(.rightBrace, "'}' after match arms")
        return .match(subject, arms)
    }

    mutating func parsePattern() throws -> Pattern {
        let t = peek
        switch t.kind {
        case .identifier(let name):
            advance()
            switch name {
            case "_": return .wildcard
            case "None": return .none
            case "Some", "Ok", "Err":
                _ = try expect(.leftParen, "'(' after \(name)")
                let inner = try parsePattern()
                _ = try expect(.rightParen, "')' after pattern")
                return name == "Some" ? .some(inner) : (name == "Ok" ? .ok(inner) : .err(inner))
            default:
                if reservedWords.contains(name) { throw error("'\(name)' is a reserved word and cannot be used as a name", at: t) }
                return .binding(VarDecl(name: name, loc: loc(t)))
            }
        case .int(let v):
            advance()
            return .int(v)
        case .float(let v):
            advance()
            return .float(v)
        case .minus:
            advance()
            switch peekKind {
            case .int(let v):
                advance()
                return .int(-v)
            case .float(let v):
                advance()
                return .float(-v)
            default:
                throw error("expected a number after '-' in pattern")
            }
        case .string(let pieces):
            advance()
            var s = ""
            for p in pieces {
                guard case .text(let text) = p else { throw error("string patterns cannot interpolate", at: t) }
                s += text
            }
            return .string(s)
        case .rawString(let s):
            advance()
            return .string(s)
        case .keyword(.true):
            advance()
            return .bool(true)
        case .keyword(.false):
            advance()
            return .bool(false)
        case .leftParen:
            advance()
            _ = try expect(.rightParen, "')' for the unit pattern '()'")
            return .unit
        case .leftBracket:
            advance()
            var items: [Pattern] = []
            while !check(.rightBracket) {
                items.append(try parsePattern())
                if !match(.comma) { break }
            }
            _ = try expect(.rightBracket, "']' after array pattern")
            return .array(items)
        default:
            throw error("expected a pattern, found \(t.kind.spelling)")
        }
    }
}
