// `ntnt transpile --report`, pinned: the style corpus (every route typed) and a program whose
// routes are dynamic on purpose (each with its reason and location). Regenerate the expected
// files (Tests/Reports/NAME.report) with NTNT_UPDATE_GOLDEN=1.

import Foundation
import Testing
@testable import NtntCompiler
@testable import NtntInterpreter
@testable import NtntTestSupport

@Suite struct CompileReportTests {
    static let programs: [(name: String, path: String)] =
        [("bench", "samples/bench/app.tnt")] + StyleCorpus.styles.map { ($0, "samples/styles/\($0).tnt") }
        + [("dynamic_routes", "Tests/Servers/dynamic_routes.tnt"), ("db_batching", "Tests/Conformance/db_batching.tnt"),
           ("routing", "Tests/Servers/routing.tnt"), ("middleware", "Tests/Servers/middleware.tnt")]

    static func report(_ path: String) throws -> String {
        let unit = CompileUnit(name: "report", path: ConformanceCorpus.projectRoot + "/" + path, displayPath: path)
        return try Compiler.compile(unit, globalNames: Interpreter.globalNamesForCompiler).get().report
    }

    @Test(arguments: programs.map(\.name))
    func pinned(_ name: String) throws {
        let path = Self.programs.first { $0.name == name }!.path
        let report = try Self.report(path)
        let expectedPath = ConformanceCorpus.projectRoot + "/Tests/Reports/\(name).report"
        if ProcessInfo.processInfo.environment["NTNT_UPDATE_GOLDEN"] != nil {
            try report.write(toFile: expectedPath, atomically: true, encoding: .utf8)
        }
        #expect(report == (try String(contentsOfFile: expectedPath, encoding: .utf8)))
    }

    @Test(arguments: ["bench"] + StyleCorpus.styles)
    func everyRouteOfTheCorpusIsTyped(_ name: String) throws {
        let report = try Self.report(Self.programs.first { $0.name == name }!.path)
        let routes = report.split(separator: "\n").drop { $0 != "routes:" }.dropFirst().prefix { !$0.hasPrefix("router:") }
        #expect(routes.count >= 7)
        for line in routes { #expect(line.contains(": typed, "), "\(line)") }
        #expect(report.contains("\nrouter: generated ("), "\(report)")
    }

    /// Every database loop of the sample and the style corpus is batched.
    @Test(arguments: ["bench"] + StyleCorpus.styles)
    func everyDatabaseLoopOfTheCorpusIsBatched(_ name: String) throws {
        let report = try Self.report(Self.programs.first { $0.name == name }!.path)
        let loops = report.split(separator: "\n").drop { $0 != "loops:" }.dropFirst().prefix { $0 != "functions:" }
        #expect(!loops.isEmpty)
        for line in loops { #expect(line.contains(": batched: query_one"), "\(line)") }
    }

    /// The loops that must stay sequential say why.
    @Test func sequentialLoopsSayWhy() throws {
        let report = try Self.report("Tests/Conformance/db_batching.tnt")
        for expected in [
            "db_batching.tnt:118:1: sequential: the query's parameters depend on 'next', which the loop assigns",
            "db_batching.tnt:129:1: sequential: the first thing an iteration does is not a query",
            "db_batching.tnt:142:5: sequential: the function runs a transaction (begin)",
            "db_batching.tnt:36:5: batched: query_one through twice_of",
            "db_batching.tnt:48:5: batched: query_one",
        ] {
            #expect(report.contains(expected), "report lacks \(expected):\n\(report)")
        }
    }

    @Test func dynamicRoutesSayWhy() throws {
        let report = try Self.report("Tests/Servers/dynamic_routes.tnt")
        for expected in [
            "GET <computed>: dynamic: pattern computed at run time (Tests/Servers/dynamic_routes.tnt:17:",
            "GET /chosen: dynamic: handler not known before running: value computed at run time",
            "GET /swapped: dynamic: handler not known before running: 'swapped' is assigned again",
            "dynamic: registered inside a block, loop or condition",
            "dynamic: registered from inside a function",
        ] {
            #expect(report.contains(expected), "report lacks \(expected):\n\(report)")
        }
        #expect(report.contains("GET /static/{name} -> <closure> (Tests/Servers/dynamic_routes.tnt:31:"))
        #expect(report.contains("router: the runtime's: a route's pattern is computed at run time (Tests/Servers/dynamic_routes.tnt:17:"))
    }

    /// A middleware that returns its request as it is passes it on: typed, reading only its
    /// fields; a handler returning its request, or a closure inside a middleware returning it,
    /// uses the whole request.
    @Test func middlewarePassingItsRequestOnIsTyped() throws {
        let report = try Self.report("Tests/Servers/middleware.tnt")
        #expect(report.contains("middleware -> remember (Tests/Servers/middleware.tnt:9:1): typed, passes its request on, reads id, method, path, runs on the event loop"), "\(report)")
        let (dir, main) = try CLI.temporaryFile("main.tnt", """
            import { text } from "std/http/server"
            fn echo(req) { req }
            fn keeps(req) {
                let later = fn() { req }
                if req.path == "/x" { return later() }
                req
            }
            fn branches(req) { if req.method == "GET" { req } else { return req } }
            use_middleware(echo)
            use_middleware(keeps)
            use_middleware(branches)
            get("/echo", echo)
            listen(8080)
            """)
        let unit = CompileUnit(name: "report", path: dir + "/" + main, displayPath: main)
        let r = try Compiler.compile(unit, globalNames: Interpreter.globalNamesForCompiler).get().report
        #expect(r.contains("middleware -> echo (") && r.contains("): typed, passes its request on, runs on the event loop"), "\(r)")
        #expect(r.contains("middleware -> keeps (") && r.contains("untyped: it uses its request as a whole value"), "\(r)")
        #expect(r.contains("middleware -> branches (") && r.contains("typed, passes its request on, reads method"), "\(r)")
        #expect(r.contains("GET /echo -> echo (") && r.contains("untyped: it uses its request as a whole value, reads the whole request"), "\(r)")
    }

    /// Which patterns the generated router takes: the runtime router's rules, or none.
    @Test func generatedRouterSegments() {
        #expect(GeneratedRouter.segments("/users/{id}//posts/") == [.literal("users"), .parameter("id"), .literal("posts")])
        #expect(GeneratedRouter.segments("/") == [])
        #expect(GeneratedRouter.segments("/{}/x") == [.parameter(""), .literal("x")])
        #expect(GeneratedRouter.segments("/{/x}") == [.literal("{"), .literal("x}")])
        #expect(GeneratedRouter.segments("/caf%C3%A9") == nil)
        #expect(GeneratedRouter.segments("/café") == nil)
        #expect(GeneratedRouter.segments("/1/2/3/4/5/6/7/8") != nil)
        #expect(GeneratedRouter.segments("/1/2/3/4/5/6/7/8/9") == nil)
    }
}
