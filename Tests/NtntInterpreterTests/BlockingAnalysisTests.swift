// Which top-level functions the server may run on its event loops: only those that can
// never reach the database or an unknown function value.

import Testing
@testable import NtntInterpreter
@testable import NtntSema

@Suite struct BlockingAnalysisTests {
    @Test func provesOnlyCodeThatCannotBlock() throws {
        let source = """
            import { json, text } from "std/http/server"
            import { connect, query } from "std/db/postgres"
            import { to_upper } from "std/string"
            let db = connect("postgres://x")
            let mut hook = fn(x) { x }
            fn plain(req) { text(to_upper("hi")) }
            fn uses_plain(req) { plain(req) }
            fn reads_db(req) { json(query(db, "SELECT 1", [])) }
            fn via_helper(req) { reads_db(req) }
            fn calls_module_variable(req) { hook(req) }
            fn calls_argument(f) { f(1) }
            fn through_local(req) { let f = fn(x) { x + 1 }; json(map { "n": f(1) }) }
            fn mapped(req) { json(transform([1, 2], fn(x) { x * 2 })) }
            fn mapped_with_known(req) { json(transform([req], plain)) }
            fn mapped_with_argument(f) { transform([1], f) }
            fn recursive(n) { if n == 0 { 0 } else { recursive(n - 1) } }
            """
        let loader = ProgramLoader(globalNames: Interpreter.globalNames)
        let module = try #require(loader.loadProgram(source: source, path: "blocking.tnt"))
        let safe = BlockingAnalysis.nonBlockingFunctions(module, globalNames: Interpreter.globalNames)
        // Calls through locals (parameters, closures in variables) count as blocking: the
        // analysis does not track which function a variable holds.
        #expect(safe == ["plain", "uses_plain", "mapped", "mapped_with_known", "recursive"])
    }
}
