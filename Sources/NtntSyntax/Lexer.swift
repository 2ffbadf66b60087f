// The lexer: bytes → tokens, over any byte range of a source file.
//
// Working on a range (not a whole file) is what lets the parser lex the inside of `{expr}`
// interpolations and `{{ … }}` template tags in place, so every token keeps its true file
// offset and diagnostics inside strings point at the right column. String literals are cut
// into pieces here — decoded text and the byte ranges of interpolations — and the parser
// parses those ranges as expressions.

/// Turns a byte range of a `SourceFile` into tokens.
public struct Lexer {
    let file: SourceFile
    let bytes: [UInt8]
    var pos: Int
    let end: Int
    /// Inside template tags `@index` and friends are identifiers.
    let allowsAtNames: Bool
    var sawNewline = true

    public init(file: SourceFile, start: Int = 0, end: Int? = nil, allowsAtNames: Bool = false) {
        self.file = file
        self.bytes = file.bytes
        self.pos = start
        self.end = end ?? file.bytes.count
        self.allowsAtNames = allowsAtNames
    }

    /// Lexes the whole range; errors go to `diagnostics`, the result always ends with `.eof`.
    public mutating func tokenize(_ diagnostics: inout Diagnostics) -> [Token] {
        var tokens: [Token] = []
        while true {
            let t = next(&diagnostics)
            tokens.append(t)
            if t.kind == .eof { return tokens }
        }
    }

    private func loc(_ offset: Int) -> SourceLoc { SourceLoc(file: file.id, offset: offset) }

    private func peek(_ k: Int = 0) -> UInt8 {
        pos + k < end ? bytes[pos + k] : 0
    }

    private mutating func skipTrivia(_ diagnostics: inout Diagnostics) {
        while pos < end {
            let c = bytes[pos]
            if c == UInt8(ascii: "\n") {
                sawNewline = true
                pos += 1
            } else if c == 0x20 || c == 0x09 || c == 0x0D {
                pos += 1
            } else if c == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "/") {
                while pos < end && bytes[pos] != UInt8(ascii: "\n") { pos += 1 }
            } else if c == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "*") {
                let start = pos
                pos += 2
                while pos < end && !(bytes[pos] == UInt8(ascii: "*") && peek(1) == UInt8(ascii: "/")) {
                    if bytes[pos] == UInt8(ascii: "\n") { sawNewline = true }
                    pos += 1
                }
                if pos >= end {
                    diagnostics.error(loc(start), "unterminated block comment")
                } else {
                    pos += 2
                }
            } else {
                return
            }
        }
    }

    mutating func next(_ diagnostics: inout Diagnostics) -> Token {
        skipTrivia(&diagnostics)
        let lineStart = sawNewline
        sawNewline = false
        let start = pos
        func make(_ kind: TokenKind, _ length: Int) -> Token {
            pos = start + length
            return Token(kind: kind, start: start, end: pos, isAtLineStart: lineStart)
        }
        guard pos < end else { return Token(kind: .eof, start: end, end: end, isAtLineStart: true) }
        let c = bytes[pos]
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
            if c == UInt8(ascii: "r") && (peek(1) == UInt8(ascii: "\"") || peek(1) == UInt8(ascii: "#")) {
                if let t = rawString(lineStart, &diagnostics) { return t }
            }
            var i = pos + 1
            while i < end, isIdentifierByte(bytes[i]) { i += 1 }
            let word = String(decoding: bytes[pos..<i], as: UTF8.self)
            if let k = Keyword(rawValue: word) { return make(.keyword(k), i - pos) }
            return make(.identifier(word), i - pos)
        case UInt8(ascii: "@") where allowsAtNames:
            var i = pos + 1
            while i < end, isIdentifierByte(bytes[i]) { i += 1 }
            return make(.identifier(String(decoding: bytes[pos..<i], as: UTF8.self)), i - pos)
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            return number(lineStart, &diagnostics)
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            if c == UInt8(ascii: "\"") && peek(1) == c && peek(2) == c {
                return template(lineStart, &diagnostics)
            }
            return string(quote: c, lineStart, &diagnostics)
        case UInt8(ascii: "("): return make(.leftParen, 1)
        case UInt8(ascii: ")"): return make(.rightParen, 1)
        case UInt8(ascii: "["): return make(.leftBracket, 1)
        case UInt8(ascii: "]"): return make(.rightBracket, 1)
        case UInt8(ascii: "{"): return make(.leftBrace, 1)
        case UInt8(ascii: "}"): return make(.rightBrace, 1)
        case UInt8(ascii: ","): return make(.comma, 1)
        case UInt8(ascii: ":"): return make(.colon, 1)
        case UInt8(ascii: ";"): return make(.semicolon, 1)
        case UInt8(ascii: "."):
            if peek(1) == UInt8(ascii: ".") {
                return peek(2) == UInt8(ascii: "=") ? make(.dotDotEqual, 3) : make(.dotDot, 2)
            }
            return make(.dot, 1)
        case UInt8(ascii: "+"): return peek(1) == UInt8(ascii: "=") ? make(.plusEqual, 2) : make(.plus, 1)
        case UInt8(ascii: "-"):
            if peek(1) == UInt8(ascii: ">") { return make(.arrow, 2) }
            return peek(1) == UInt8(ascii: "=") ? make(.minusEqual, 2) : make(.minus, 1)
        case UInt8(ascii: "*"): return peek(1) == UInt8(ascii: "=") ? make(.starEqual, 2) : make(.star, 1)
        case UInt8(ascii: "/"): return peek(1) == UInt8(ascii: "=") ? make(.slashEqual, 2) : make(.slash, 1)
        case UInt8(ascii: "%"): return peek(1) == UInt8(ascii: "=") ? make(.percentEqual, 2) : make(.percent, 1)
        case UInt8(ascii: "="):
            if peek(1) == UInt8(ascii: "=") { return make(.equalEqual, 2) }
            if peek(1) == UInt8(ascii: ">") { return make(.fatArrow, 2) }
            return make(.equal, 1)
        case UInt8(ascii: "!"): return peek(1) == UInt8(ascii: "=") ? make(.bangEqual, 2) : make(.bang, 1)
        case UInt8(ascii: "<"): return peek(1) == UInt8(ascii: "=") ? make(.lessEqual, 2) : make(.less, 1)
        case UInt8(ascii: ">"): return peek(1) == UInt8(ascii: "=") ? make(.greaterEqual, 2) : make(.greater, 1)
        case UInt8(ascii: "&") where peek(1) == UInt8(ascii: "&"): return make(.ampAmp, 2)
        case UInt8(ascii: "|") where peek(1) == UInt8(ascii: "|"): return make(.pipePipe, 2)
        case UInt8(ascii: "|") where peek(1) == UInt8(ascii: ">"): return make(.pipeGreater, 2)
        case UInt8(ascii: "?"): return peek(1) == UInt8(ascii: "?") ? make(.questionQuestion, 2) : make(.question, 1)
        default:
            // One diagnostic for the whole run of unknown bytes (a UTF-8 character is several).
            var i = pos + 1
            while i < end, bytes[i] & 0xC0 == 0x80 { i += 1 }
            let text = String(decoding: bytes[pos..<i], as: UTF8.self)
            diagnostics.error(loc(pos), "unexpected character '\(text)'")
            pos = i
            return next(&diagnostics)
        }
    }

    private func isIdentifierByte(_ b: UInt8) -> Bool {
        (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || (b >= 48 && b <= 57) || b == 95
    }

    // MARK: - Numbers

    private mutating func number(_ lineStart: Bool, _ diagnostics: inout Diagnostics) -> Token {
        let start = pos
        func finish(_ kind: TokenKind) -> Token {
            Token(kind: kind, start: start, end: pos, isAtLineStart: lineStart)
        }
        if bytes[pos] == UInt8(ascii: "0") && (peek(1) == UInt8(ascii: "x") || peek(1) == UInt8(ascii: "b")) {
            let radix = peek(1) == UInt8(ascii: "x") ? 16 : 2
            pos += 2
            var digits = ""
            while pos < end {
                let b = bytes[pos]
                if b == UInt8(ascii: "_") { pos += 1; continue }
                let isDigit = radix == 16 ? isHexDigit(b) : (b == 48 || b == 49)
                if !isDigit { break }
                digits.append(Character(Unicode.Scalar(b)))
                pos += 1
            }
            guard !digits.isEmpty, let v = Int(digits, radix: radix) else {
                diagnostics.error(loc(start), digits.isEmpty ? "invalid number literal" : "integer literal is too large")
                return finish(.int(0))
            }
            return finish(.int(v))
        }
        var text = ""
        var isFloat = false
        func digits() {
            while pos < end {
                let b = bytes[pos]
                if b == UInt8(ascii: "_") && pos + 1 < end && bytes[pos + 1] >= 48 && bytes[pos + 1] <= 57 {
                    pos += 1
                    continue
                }
                guard b >= 48 && b <= 57 else { break }
                text.append(Character(Unicode.Scalar(b)))
                pos += 1
            }
        }
        digits()
        // A digit must follow `.`, so `1..5` is a range and `2.` is not a float.
        if peek() == UInt8(ascii: "."), peek(1) >= 48, peek(1) <= 57 {
            isFloat = true
            text.append(".")
            pos += 1
            digits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            var k = 1
            if peek(1) == UInt8(ascii: "+") || peek(1) == UInt8(ascii: "-") { k = 2 }
            if peek(k) >= 48 && peek(k) <= 57 {
                isFloat = true
                text.append("e")
                if k == 2 { text.append(Character(Unicode.Scalar(peek(1)))) }
                pos += k
                digits()
            }
        }
        if isFloat {
            return finish(.float(Double(text) ?? 0))
        }
        guard let v = Int(text) else {
            diagnostics.error(loc(start), "integer literal is too large")
            return finish(.int(0))
        }
        return finish(.int(v))
    }

    private func isHexDigit(_ b: UInt8) -> Bool {
        (b >= 48 && b <= 57) || (b >= 97 && b <= 102) || (b >= 65 && b <= 70)
    }

    // MARK: - Strings

    private mutating func string(quote: UInt8, _ lineStart: Bool, _ diagnostics: inout Diagnostics) -> Token {
        let start = pos
        pos += 1
        var pieces: [StringPiece] = []
        var text: [UInt8] = []
        func flush() {
            if !text.isEmpty {
                pieces.append(.text(String(decoding: text, as: UTF8.self)))
                text.removeAll()
            }
        }
        while pos < end {
            let c = bytes[pos]
            if c == quote {
                pos += 1
                flush()
                return Token(kind: .string(pieces), start: start, end: pos, isAtLineStart: lineStart)
            }
            if c == UInt8(ascii: "\\") {
                guard pos + 1 < end else { break }
                let e = bytes[pos + 1]
                switch e {
                case UInt8(ascii: "n"): text.append(0x0A)
                case UInt8(ascii: "t"): text.append(0x09)
                case UInt8(ascii: "r"): text.append(0x0D)
                default: text.append(e)  // \\ \" \' \{ \} and any other character: itself
                }
                pos += 2
                continue
            }
            if c == UInt8(ascii: "{") {
                // The raw text up to the matching `}` (nested braces counted, quotes not special).
                let exprStart = pos + 1
                var depth = 1
                var i = exprStart
                while i < end {
                    if bytes[i] == UInt8(ascii: "{") { depth += 1 }
                    if bytes[i] == UInt8(ascii: "}") {
                        depth -= 1
                        if depth == 0 { break }
                    }
                    i += 1
                }
                if i >= end {
                    diagnostics.error(loc(pos), "unterminated interpolation in string")
                    pos = end
                    break
                }
                if isBlank(exprStart, i) {
                    diagnostics.error(loc(pos), "empty interpolation '{}' in string")
                } else {
                    flush()
                    pieces.append(.interpolation(start: exprStart, end: i))
                }
                pos = i + 1
                continue
            }
            text.append(c)
            pos += 1
        }
        diagnostics.error(loc(start), "unterminated string")
        flush()
        return Token(kind: .string(pieces), start: start, end: pos, isAtLineStart: lineStart)
    }

    private func isBlank(_ a: Int, _ b: Int) -> Bool {
        bytes[a..<b].allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    }

    private mutating func rawString(_ lineStart: Bool, _ diagnostics: inout Diagnostics) -> Token? {
        let start = pos
        var i = pos + 1
        var hashes = 0
        while i < end, bytes[i] == UInt8(ascii: "#") { hashes += 1; i += 1 }
        guard i < end, bytes[i] == UInt8(ascii: "\"") else { return nil }  // an identifier like `r` or `r#`
        i += 1
        let bodyStart = i
        while i < end {
            if bytes[i] == UInt8(ascii: "\"") {
                var k = 0
                while k < hashes, i + 1 + k < end, bytes[i + 1 + k] == UInt8(ascii: "#") { k += 1 }
                if k == hashes {
                    pos = i + 1 + hashes
                    return Token(kind: .rawString(String(decoding: bytes[bodyStart..<i], as: UTF8.self)),
                                 start: start, end: pos, isAtLineStart: lineStart)
                }
            }
            i += 1
        }
        diagnostics.error(loc(start), "unterminated raw string")
        pos = end
        return Token(kind: .rawString(""), start: start, end: pos, isAtLineStart: lineStart)
    }

    private mutating func template(_ lineStart: Bool, _ diagnostics: inout Diagnostics) -> Token {
        let start = pos
        let bodyStart = pos + 3
        var i = bodyStart
        while i + 2 < end {
            if bytes[i] == UInt8(ascii: "\"") && bytes[i + 1] == UInt8(ascii: "\"") && bytes[i + 2] == UInt8(ascii: "\"") {
                pos = i + 3
                return Token(kind: .template(start: bodyStart, end: i), start: start, end: pos, isAtLineStart: lineStart)
            }
            i += 1
        }
        diagnostics.error(loc(start), "unterminated template string")
        pos = end
        return Token(kind: .template(start: bodyStart, end: end), start: start, end: pos, isAtLineStart: lineStart)
    }
}
