// Parser tests: source → AST dump, and malformed source → its exact diagnostics.

import Testing
@testable import NtntSyntax

/// Parses `source` as a file called `test.tnt`.
func parse(_ source: String) -> (dump: String, diagnostics: [String]) {
    let file = SourceFiles.add(path: "test.tnt", bytes: Array(source.utf8))
    var parser = Parser(file: file)
    let module = parser.parseModule()
    let messages = parser.diagnostics.items.map { d -> String in
        let (line, col) = file.lineAndColumn(of: Int(d.loc.offset))
        return "\(line):\(col): \(d.message)"
    }
    return (module.dump(), messages)
}

func expectParse(_ source: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let (dump, diagnostics) = parse(source)
    #expect(diagnostics == [], sourceLocation: sourceLocation)
    #expect(dump == expected, sourceLocation: sourceLocation)
}

@Suite struct ParserTests {
    @Test(arguments: [
        ("let x = 1 + 2 * 3", "(let x (+ 1 (* 2 3)))"),
        ("let x = (1 + 2) * 3", "(let x (* (+ 1 2) 3))"),
        ("10 - 2 - 3", "(- (- 10 2) 3)"),
        ("a ?? 0 == 1", "(?? a (== 0 1))"),
        ("a || b && c", "(|| a (&& b c))"),
        ("-a / 2", "(/ (neg a) 2)"),
        ("!a == b", "(== (! a) b)"),
        ("0..n + 1", "(.. 0 (+ n 1))"),
        ("x = y = 3", "(= x (= y 3))"),
        ("x += 2", "(+= x 2)"),
        ("m.k[0] = v", "(= (path m \"k\" 0) v)"),
        ("5 |> double |> add(1)", "(call add (call double 5) 1)"),
        ("f(a)(b)[0].c?", "(? (. (index (call (call f a) b) 0) c))"),
        ("let mut xs = [1, 2,]", "(let-mut xs [1 2])"),
        ("map { \"a\": 1, \"b\": { \"c\": [{ \"d\": 2 }] } }", "(map \"a\":1 \"b\":(map \"c\":[(map \"d\":2)]))"),
        ("\"n={n + 1}!\"", "(str \"n=\" (+ n 1) \"!\")"),
        ("fn f(a, b = 2) -> Int requires a > 0 { a + b }", "(fn f (a b=2) (requires (> a 0)) {(+ a b)})"),
        ("let v = x otherwise { return 0 }", "(let v x (otherwise {(return 0)}))"),
        ("let v = x otherwise return", "(let v x (otherwise {(return)}))"),
        ("fn f() { return\n}", "(fn f () {(return)})"),
        ("for i in 0..3 { continue }", "(for i (.. 0 3) {(continue)})"),
        ("match x { Some(v) if v > 1 => v, [a, _] => a, -1 => 0, _ => 1 }",
         "(match x (Some(v) if (> v 1) => v) ([a _] => a) (-1 => 0) (_ => 1))"),
        ("let y = if a { 1 } else if b { 2 } else { 3 }", "(let y (if a {1} (if b {2} {3})))"),
        ("import { a, b as c } from \"./lib\"", "(import \"./lib\" {a, b as c})"),
        ("import \"std/math\"", "(import \"std/math\" as math)"),
        ("get(\"/users/{id}\", h)", "(call get \"/users/{id}\" h)"),
        ("let f = fn(x) { x * 2 }", "(let f (fn <closure> (x) {(* x 2)}))"),
        ("let t: Map<String, Int> = map {}", "(let t (map ))"),
        ("a\n(b)", "(call a b)"),
    ])
    func parses(_ source: String, _ expected: String) {
        expectParse(source, expected)
    }

    /// Malformed programs and the exact diagnostics they produce (line:col: message).
    @Test(arguments: [
        ("let y = 5 +* 2", ["1:12: expected expression, found '*'"]),
        ("let = 3", ["1:5: expected variable name after 'let', found '='"]),
        ("let x = (1 + 2", ["1:15: expected ')', found end of file"]),
        ("fn f(a, b { return a }", ["1:11: expected ')' after parameters, found '{'"]),
        ("let z = [1, 2", ["1:14: expected ']' after array elements, found end of file"]),
        ("if x > 1 { print(x)", ["1:20: expected '}' to close the block opened at line 1"]),
        ("break", ["1:1: 'break' outside of a loop"]),
        ("continue", ["1:1: 'continue' outside of a loop"]),
        ("while true { let f = fn() { break } }", ["1:29: 'break' outside of a loop"]),
        ("let m = map { \"a\" 1 }", ["1:19: expected ':' after map key, found number"]),
        ("let n = 99999999999999999999", ["1:9: integer literal is too large"]),
        ("let s = \"{}\"", ["1:10: empty interpolation '{}' in string"]),
        ("let struct = 1", ["1:5: 'struct' is a reserved word and cannot be used as a name"]),
        ("print(1)\nimport \"std/math\"", ["2:1: imports must come before all other statements"]),
        ("let t = \"\"\"{{#for x in xs}}{{x}}\"\"\"", ["1:12: unclosed '{{#for}}' block"]),
        ("let u = \"\"\"{{name | shout}}\"\"\"", ["1:21: unknown template filter 'shout'"]),
        ("let v = \"\"\"{{/if}}\"\"\"", ["1:12: '{{/if}}' without a matching '{{#if}}'"]),
        ("let v = \"\"\"{{#else}}\"\"\"", ["1:12: '{{#else}}' outside of an '{{#if}}' block"]),
        ("let v = \"\"\"{{x\"\"\"", ["1:12: unclosed template tag '{{'"]),
        ("let w = 1 .. 2 .. 3", ["1:16: range operators cannot be chained"]),
        ("fn g(a = 1, b) { a }", ["1:13: parameters with defaults must come last"]),
        ("let q = x |> 5", ["1:11: the right side of '|>' must be a function name or a call of one"]),
        ("let r = if true { 1 }", ["1:9: an 'if' used as a value needs an 'else' branch"]),
        ("let a = 1 $ 2", ["1:11: unexpected character '$'"]),
        ("let c = 0x", ["1:9: invalid number literal"]),
        ("let k = r#\"abc", ["1:9: unterminated raw string"]),
        ("x = = 2", ["1:5: expected expression, found '='"]),
        ("let d = \"\"\"{{ 1 + }}\"\"\"", ["1:18: expected expression, found end of file"]),
        ("print(\"a {1 +} b\")", ["1:14: expected expression, found end of file"]),
        ("let x = 1\nlet = 2\nlet y = )\nprint(x)", ["2:5: expected variable name after 'let', found '='", "3:9: expected expression, found ')'"]),
        ("fn f(a, a) { a }", ["1:9: duplicate parameter 'a'"]),
        ("1 = 2", ["1:3: invalid assignment target"]),
    ])
    func diagnostics(_ source: String, _ expected: [String]) {
        let (_, messages) = parse(source)
        #expect(messages == expected)
    }

    @Test func renderedDiagnosticHasLocationSourceLineAndCaret() {
        let file = SourceFiles.add(path: "app.tnt", bytes: Array("let x = 1\nlet y = add(1, 2\n".utf8))
        var parser = Parser(file: file)
        _ = parser.parseModule()
        #expect(parser.diagnostics.render() == """
            app.tnt:3:1: parse error: expected ')' after arguments, found end of file
             3 | \("")
               | ^
            """)
    }

    @Test func deeplyNestedInputIsADiagnosticNotACrash() {
        let source = "let x = " + String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
        let (_, messages) = parse(source)
        #expect(messages.first?.contains("nested too deeply") == true)
    }

    @Test func contractTextIsNormalised() {
        let file = SourceFiles.add(path: "c.tnt", bytes: Array("fn f(x)\n  requires x >   0 &&\n     x < 10\n{ x }".utf8))
        var parser = Parser(file: file)
        let m = parser.parseModule()
        guard case .function(let f) = m.body.statements[0].kind else { Issue.record("no function"); return }
        #expect(f.requires.map(\.text) == ["x > 0 && x < 10"])
    }

    @Test func templateParsesBlocksAndFilters() {
        let (dump, messages) = parse("let t = \"\"\"{{#for x in xs}}{{x | upper | truncate(3)}}{{#empty}}-{{/for}}\"\"\"")
        #expect(messages == [])
        #expect(dump == "(let t (template 1))")
    }
}
