// Lexer tests: source → token kinds, table-driven.

import Testing
@testable import NtntSyntax

/// Lexes `source` and returns the token kinds without the final `.eof`, plus diagnostics.
func lex(_ source: String) -> ([TokenKind], [String]) {
    let file = SourceFiles.add(path: "test.tnt", bytes: Array(source.utf8))
    var lexer = Lexer(file: file)
    var d = Diagnostics()
    let tokens = lexer.tokenize(&d)
    return (tokens.dropLast().map(\.kind), d.items.map(\.message))
}

@Suite struct LexerTests {
    @Test(arguments: [
        ("let mut x = 1", [TokenKind.keyword(.let), .keyword(.mut), .identifier("x"), .equal, .int(1)]),
        ("1_000 0xFF 0b101 2.5 1e3 2.0e-3", [.int(1000), .int(255), .int(5), .float(2.5), .float(1000), .float(0.002)]),
        ("1..5 1..=5", [.int(1), .dotDot, .int(5), .int(1), .dotDotEqual, .int(5)]),
        ("a ?? b? |> c", [.identifier("a"), .questionQuestion, .identifier("b"), .question, .pipeGreater, .identifier("c")]),
        ("x += 1 -= *= /= %=", [.identifier("x"), .plusEqual, .int(1), .minusEqual, .starEqual, .slashEqual, .percentEqual]),
        ("-> => == != <= >= && ||", [.arrow, .fatArrow, .equalEqual, .bangEqual, .lessEqual, .greaterEqual, .ampAmp, .pipePipe]),
        ("// comment\n/* block\n */ x", [.identifier("x")]),
        (#"r"raw {x}\n""#, [.rawString(#"raw {x}\n"#)]),
        (##"r#"with "quotes""#"##, [.rawString(#"with "quotes""#)]),
        (#""a\tb\q\{c\}""#, [.string([.text("a\tbq{c}")])]),
        (#"'single'"#, [.string([.text("single")])]),
        ("type struct_x", [.identifier("type"), .identifier("struct_x")]),
    ] as [(String, [TokenKind])])
    func tokens(_ source: String, _ expected: [TokenKind]) {
        let (kinds, diagnostics) = lex(source)
        #expect(diagnostics.isEmpty)
        #expect(kinds == expected)
    }

    @Test func interpolationKeepsByteRanges() {
        let source = #""Hi {name}!""#
        let (kinds, _) = lex(source)
        #expect(kinds == [.string([.text("Hi "), .interpolation(start: 5, end: 9), .text("!")])])
    }

    @Test func nestedBracesInInterpolation() {
        let (kinds, d) = lex(#""{m["k"]} {map { "a": 1 }}""#)
        #expect(d.isEmpty)
        guard case .string(let pieces) = kinds.first else { Issue.record("not a string"); return }
        #expect(pieces.count == 3)
    }

    @Test func templateBodyIsVerbatim() {
        let (kinds, d) = lex("\"\"\"a \\n {{x}}\"\"\"")
        #expect(d.isEmpty)
        #expect(kinds == [.template(start: 3, end: 13)])
    }

    @Test(arguments: [
        ("99999999999999999999", "integer literal is too large"),
        ("\"open", "unterminated string"),
        ("/* never closed", "unterminated block comment"),
        ("§", "unexpected character '§'"),
        ("\"\"\"open", "unterminated template string"),
    ])
    func errors(_ source: String, _ message: String) {
        let (_, diagnostics) = lex(source)
        #expect(diagnostics.first == message)
    }

    @Test func tokensRecordLineStarts() {
        let file = SourceFiles.add(path: "t.tnt", bytes: Array("a\nb c".utf8))
        var lexer = Lexer(file: file)
        var d = Diagnostics()
        let t = lexer.tokenize(&d)
        #expect(t.map(\.isAtLineStart) == [true, true, false, true])
    }
}
