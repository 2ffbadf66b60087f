// The program analysis behind both backends' server decisions: what each function denotes
// whatever its spelling, whether it may block, what it reads of a request, and whether its
// response is a constant. A wrong "pure" would serve a stale answer, so the impure cases are
// pinned as carefully as the pure ones.

import Testing
@testable import NtntInterpreter
@testable import NtntSema
@testable import NtntSyntax

@Suite struct FunctionFactsTests {
    /// Loads `source` as one module and returns the facts of every top-level `let`/`fn` name
    /// that denotes a function (by name).
    static func facts(_ source: String) throws -> [String: FunctionFacts] {
        let loader = ProgramLoader(globalNames: Interpreter.globalNames)
        let module = try #require(loader.loadProgram(source: source, path: "facts_\(source.hashValue).tnt"))
        let program = ProgramFacts(loader: loader)
        let path = loader.loadOrder[0]
        var result: [String: FunctionFacts] = [:]
        for (name, _) in Resolver.moduleSlots(module) {
            if case .function(let f) = program.values.exported(name, of: path) { result[name] = program.facts(of: f) }
        }
        return result
    }

    static let prelude = """
        import { json, text, parse_json } from "std/http/server"
        import { query_one } from "std/db/postgres"
        import "std/math" as math

        """

    @Test(arguments: [
        // (definition, constant?)
        ("fn h(req) { text(\"hi\") }", true),
        ("let h = fn(req) { json(map { \"a\": [1, 2] }) }", true),
        ("fn greeting() { \"hi\" }\nfn h(req) { text(greeting()) }", true),
        ("fn make(body) { fn(req) { text(body) } }\nlet h = make(\"x\")", true),
        ("let handlers = map { \"a\": fn(req) { text(\"a\") } }\nlet h = handlers[\"a\"]", true),
        ("fn h(req) { print(\"x\"); text(\"hi\") }", false),
        ("fn h(req) { text(str(math.random_int(1, 6))) }", false),
        ("fn h(req) { text(req.params[\"id\"]) }", false),
        ("let mut n = 0\nfn h(req) { n = n + 1; text(str(n)) }", false),
        ("let mut label = \"a\"\nlabel = \"b\"\nfn h(req) { text(label) }", false),
        ("fn h(req) { let mut i = 0; while i < 3 { i += 1 }; text(str(i)) }", false),
        ("fn loop_forever(n) { loop_forever(n) }\nfn h(req) { loop_forever(1); text(\"x\") }", false),
        ("fn h(req) requires 1 > 0 { text(\"x\") }", false),
        ("fn h(req) { let row = query_one(1, \"SELECT 1\", []); text(\"x\") }", false),
    ])
    func constantResponses(_ definition: String, _ constant: Bool) throws {
        let facts = try Self.facts(Self.prelude + definition)
        let h = try #require(facts["h"], "\(definition)")
        #expect(h.isConstant == constant, "\(definition)")
    }

    @Test(arguments: [
        // (definition, fields read, escapes)
        ("fn h(req) { text(req.params[\"id\"]) }", ["params"], false),
        ("fn h(req) { text(req[\"query_params\"][\"q\"] ?? \"\") }", ["query_params"], false),
        ("fn h(req) { json(parse_json(req)) }", ["body"], false),
        ("fn h(req) { let f = fn() { req.headers[\"x\"] }; text(f() ?? \"\") }", ["headers"], false),
        ("fn h(req) { json(req) }", [], true),
        ("fn helper(r) { r.path }\nfn h(req) { text(helper(req)) }", [], true),
        ("fn h(req) { text(\"x\") }", [], false),
    ])
    func requestFields(_ definition: String, _ fields: [String], _ escapes: Bool) throws {
        let h = try #require(try Self.facts(Self.prelude + definition)["h"])
        #expect(h.request.fields == Set(fields), "\(definition)")
        #expect(h.request.escapes == escapes, "\(definition)")
    }

    @Test(arguments: [
        // (definition, may block)
        ("fn h(req) { text(\"x\") }", false),
        ("fn h(req) { let r = query_one(1, \"SELECT 1\", []); text(\"x\") }", true),
        ("fn q() { query_one(1, \"SELECT 1\", []) }\nfn make() { fn(req) { q(); text(\"x\") } }\nlet h = make()", true),
        ("fn make() { fn(req) { text(\"x\") } }\nlet h = make()", false),
        ("fn h(req) { let f = fn(x) { x }; text(f(\"x\")) }", true),
        ("fn h(req) { json(transform([1, 2], fn(x) { x * 2 })) }", false),
        ("fn h(req) { json(transform([1, 2], fn(x) { query_one(1, \"SELECT 1\", []) })) }", true),
        ("fn h(req) { text(str(math.sqrt(4.0))) }", false),
    ])
    func blocking(_ definition: String, _ blocks: Bool) throws {
        let h = try #require(try Self.facts(Self.prelude + definition)["h"])
        #expect(h.blocks == blocks, "\(definition)")
    }

    @Test func unresolvableNamesSayWhy() throws {
        let source = Self.prelude + """
            let mut swapped = fn(req) { text("a") }
            swapped = fn(req) { text("b") }
            fn pick(x) { if x { fn(req) { text("a") } } else { fn(req) { text("b") } } }
            let chosen = pick(true)
            """
        let loader = ProgramLoader(globalNames: Interpreter.globalNames)
        _ = try #require(loader.loadProgram(source: source, path: "unresolved.tnt"))
        let values = ProgramFacts(loader: loader).values
        let path = loader.loadOrder[0]
        guard case .unknown(let a) = values.exported("swapped", of: path),
              case .unknown(let b) = values.exported("chosen", of: path) else {
            Issue.record("both names should be unknown before running")
            return
        }
        #expect(a.contains("let mut") || a.contains("assigned again"))
        #expect(b.contains("factory does not end with an expression") || b.contains("computed at run time"))
    }
}
