// `ntnt inspect`, pinned for the samples, a style variant with middleware and a factory, and a
// program whose routes are dynamic on purpose. Regenerate the expected files
// (Tests/Inspect/NAME.json) with NTNT_UPDATE_GOLDEN=1.

import Foundation
import Testing
@testable import NtntCompiler
@testable import NtntInterpreter
@testable import NtntTestSupport

@Suite struct InspectTests {
    static let programs: [(name: String, path: String)] = [
        ("bench", "samples/bench/app.tnt"), ("site", "samples/site/app.tnt"), ("todo", "samples/todo/app.tnt"),
        ("factory", "samples/styles/factory.tnt"), ("dynamic_routes", "Tests/Servers/dynamic_routes.tnt"),
    ]

    static func inspect(_ path: String) throws -> String {
        try ProgramInspection.inspect(path: ConformanceCorpus.projectRoot + "/" + path, displayPath: path,
                                      globalNames: Interpreter.globalNamesForCompiler).get()
    }

    @Test(arguments: programs.map(\.name))
    func pinned(_ name: String) throws {
        let json = try Self.inspect(Self.programs.first { $0.name == name }!.path)
        let expectedPath = ConformanceCorpus.projectRoot + "/Tests/Inspect/\(name).json"
        if ProcessInfo.processInfo.environment["NTNT_UPDATE_GOLDEN"] != nil {
            try json.write(toFile: expectedPath, atomically: true, encoding: .utf8)
        }
        #expect(json == (try String(contentsOfFile: expectedPath, encoding: .utf8)))
        // Well-formed JSON with the documented members.
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["file", "routes", "middleware", "functions", "imports", "sql"])
    }

    @Test func routesSayWhatTheCompilerMakesOfThem() throws {
        let bench = try #require(try JSONSerialization.jsonObject(with: Data(try Self.inspect("samples/bench/app.tnt").utf8)) as? [String: Any])
        let routes = try #require(bench["routes"] as? [[String: Any]])
        #expect(routes.count == 7 && routes.allSatisfy { $0["compiled"] as? String == "typed" })
        #expect(routes.contains { $0["method"] as? String == "GET" && $0["pattern"] as? String == "/users/{id}" && $0["handler"] as? String == "user" })
        let sql = try #require(bench["sql"] as? [[String: Any]])
        #expect(sql.contains { $0["sql"] as? String == "SELECT id, randomnumber FROM world WHERE id = $1" })

        let factory = try #require(try JSONSerialization.jsonObject(with: Data(try Self.inspect("samples/styles/factory.tnt").utf8)) as? [String: Any])
        #expect((factory["middleware"] as? [[String: Any]])?.count == 1)
        #expect((factory["routes"] as? [[String: Any]])?.contains { $0["handler"] as? String == "<closure>" } == true)

        let dynamic = try #require(try JSONSerialization.jsonObject(with: Data(try Self.inspect("Tests/Servers/dynamic_routes.tnt").utf8)) as? [String: Any])
        let dynamicRoutes = try #require(dynamic["routes"] as? [[String: Any]])
        #expect(dynamicRoutes.contains { $0["compiled"] as? String == "dynamic" && $0["reason"] as? String == "pattern computed at run time" && $0["pattern"] is NSNull })
    }

    @Test func contractsAreListed() throws {
        let todo = try #require(try JSONSerialization.jsonObject(with: Data(try Self.inspect("samples/todo/app.tnt").utf8)) as? [String: Any])
        let functions = try #require(todo["functions"] as? [[String: Any]])
        let add = try #require(functions.first { $0["name"] as? String == "add_todo" })
        #expect(add["requires"] as? [String] == ["is_title(title)"])
        #expect(add["parameters"] as? [String] == ["title"])
    }

    @Test func errorsAreReportedLikeCheck() throws {
        let (dir, name) = try CLI.temporaryFile("bad.tnt", "let x = 5 +* 2\n")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (status, out, err) = try CLI.run(["inspect", name], in: dir)
        #expect(status == 1 && out.isEmpty)
        #expect(err.contains("bad.tnt:1:12: parse error"))
    }
}
