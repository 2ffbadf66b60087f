// Differential conformance for the compiler: every conformance program is transpiled into one
// package (one program per file, selected by NTNT_PROGRAM), built once with
// `swift build -c release`, run, and compared with the same expected files the interpreter
// meets. Programs whose expected error is a parse error must make the transpiler fail with it.
//
// `Tests/Conformance/known-failures-compiled.txt` lists programs the compiler does not handle
// yet (`suite/NAME  reason`); like the interpreter's list it can only shrink.

import Foundation
import Testing
@testable import NtntCompiler
@testable import NtntInterpreter
@testable import NtntTestSupport

extension ConformanceCase: CustomTestStringConvertible {}

enum CompiledCorpus {
    /// One folder per checkout (the generated package records the runtime's absolute path).
    /// `make test-tsan` / `make test-asan` build the compiled programs with the same sanitizer.
    static let sanitizer = ProcessInfo.processInfo.environment["NTNT_TEST_SANITIZE"]

    static let packageDirectory: String = {
        var hash: UInt64 = 14695981039346656037
        for b in ConformanceCorpus.projectRoot.utf8 { hash = (hash ^ UInt64(b)) &* 1099511628211 }
        let sanitized = sanitizer.map { "-" + $0 } ?? ""
        return FileManager.default.temporaryDirectory.appendingPathComponent("ntnt-compiled-conformance-\(String(hash, radix: 16))\(sanitized)").path
    }()

    static let knownFailures = ConformanceCorpus.readKnownFailures("known-failures-compiled.txt")

    static func programName(_ c: ConformanceCase) -> String { "\(c.suite)_\(c.name)" }

    /// Transpiles every case; builds the package once. Returns per-case transpile failures.
    static let build: (failures: [String: String], buildLog: String, built: Bool) = {
        var programs: [(name: String, source: String)] = []
        var failures: [String: String] = [:]
        for c in ConformanceCorpus.cases {
            let unit = CompileUnit(name: programName(c), path: c.directory + "/" + c.name + ".tnt", displayPath: c.name + ".tnt")
            switch Compiler.emit([unit], globalNames: Interpreter.globalNamesForCompiler) {
            case .success(let p): programs += p
            case .failure(let f): failures[c.testDescription] = f.report
            }
        }
        // The sample apps go into the same package (one build for everything).
        for sample in ["bench", "todo", "site"] {
            let unit = CompileUnit(name: "sample_\(sample)", path: ConformanceCorpus.projectRoot + "/samples/\(sample)/app.tnt",
                                   displayPath: "samples/\(sample)/app.tnt")
            switch Compiler.emit([unit], globalNames: Interpreter.globalNamesForCompiler) {
            case .success(let p): programs += p
            case .failure(let f): failures["sample/\(sample)"] = f.report
            }
        }
        // The benchmark endpoints in every style of the corpus (samples/styles/).
        for style in StyleCorpus.styles {
            let unit = CompileUnit(name: "style_\(style)", path: ConformanceCorpus.projectRoot + "/samples/styles/\(style).tnt",
                                   displayPath: "samples/styles/\(style).tnt")
            switch Compiler.emit([unit], globalNames: Interpreter.globalNamesForCompiler) {
            case .success(let p): programs += p
            case .failure(let f): failures["style/\(style)"] = f.report
            }
        }
        // The apps `ntnt new` writes.
        for template in NewApps.templates {
            guard let path = NewApps.apps[template] else { failures["new/\(template)"] = "ntnt new failed"; continue }
            switch Compiler.emit([CompileUnit(name: "new_\(template)", path: path, displayPath: "app.tnt")], globalNames: Interpreter.globalNamesForCompiler) {
            case .success(let p): programs += p
            case .failure(let f): failures["new/\(template)"] = f.report
            }
        }
        for script in ["one_pipeline"] {
            let unit = CompileUnit(name: "batching_\(script)", path: ConformanceCorpus.projectRoot + "/Tests/Batching/\(script).tnt",
                                   displayPath: "Tests/Batching/\(script).tnt")
            switch Compiler.emit([unit], globalNames: Interpreter.globalNamesForCompiler) {
            case .success(let p): programs += p
            case .failure(let f): failures["batching/\(script)"] = f.report
            }
        }
        for server in ["module_state", "dynamic_routes", "database", "routing", "middleware"] {
            let unit = CompileUnit(name: "server_\(server)", path: ConformanceCorpus.projectRoot + "/Tests/Servers/\(server).tnt",
                                   displayPath: "Tests/Servers/\(server).tnt")
            switch Compiler.emit([unit], globalNames: Interpreter.globalNamesForCompiler) {
            case .success(let p): programs += p
            case .failure(let f): failures["server/\(server)"] = f.report
            }
        }
        // Programs compiled with their statements described on the test database (typed rows).
        let typed = TypedRowsCorpus.emit()
        programs += typed.programs
        failures.merge(typed.failures) { a, _ in a }
        let paths = ToolchainPaths(templates: ConformanceCorpus.projectRoot + "/Templates", runtime: ConformanceCorpus.projectRoot + "/runtime")
        do {
            try PackageWriter.write(programs: programs, to: packageDirectory, paths: paths)
        } catch {
            return (failures, "cannot write package: \(error)", false)
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["swift", "build", "-c", "release", "--package-path", packageDirectory] + (sanitizer.map { ["--sanitize=\($0)"] } ?? [])
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try? p.run()
        let log = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (failures, log, p.terminationStatus == 0)
    }()

    static func run(_ c: ConformanceCase) -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: packageDirectory + "/.build/release/app")
        p.currentDirectoryURL = URL(fileURLWithPath: c.directory)
        var env = ProcessInfo.processInfo.environment
        env["NTNT_PROGRAM"] = programName(c)
        env.removeValue(forKey: "NTNT_CONFORMANCE_SURELY_UNSET_VAR")
        p.environment = env
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        do { try p.run() } catch { return (-1, "", "\(error)") }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    static func check(_ c: ConformanceCase) -> [String] {
        let (expectedOut, expectedCode, expectedErr) = c.expected
        var problems: [String] = []
        if let failure = build.failures[c.testDescription] {
            // Only an expected parse error may stop the transpiler.
            if !expectedErr.contains("parse error") { return ["transpile failed:\n\(failure)"] }
            for line in expectedErr.split(separator: "\n") where !line.isEmpty && !failure.contains(line) {
                problems.append("transpiler report lacks '\(line)'; got:\n\(failure)")
            }
            return problems
        }
        if expectedErr.contains("parse error") { return ["transpile should have failed with a parse error"] }
        let (status, stdout, stderr) = run(c)
        if stdout != expectedOut { problems.append("stdout differs\n--- expected\n\(expectedOut)--- got\n\(stdout)") }
        if status != expectedCode { problems.append("exit status \(status), expected \(expectedCode); stderr: \(stderr)") }
        for line in expectedErr.split(separator: "\n") where !line.isEmpty && !stderr.contains(line) {
            problems.append("stderr lacks '\(line)'; got:\n\(stderr)")
        }
        return problems
    }
}

@Suite struct CompiledConformanceTests {
    @Test func packageBuilds() {
        #expect(CompiledCorpus.build.built, "swift build of the generated package failed:\n\(CompiledCorpus.build.buildLog.suffix(4000))")
        print("compiled conformance: \(ConformanceCorpus.cases.count) programs, \(CompiledCorpus.knownFailures.count) listed as known failures")
    }

    @Test(arguments: ConformanceCorpus.cases)
    func compiled(_ c: ConformanceCase) {
        guard CompiledCorpus.build.built else { return }  // reported once by packageBuilds
        let problems = CompiledCorpus.check(c)
        if let reason = CompiledCorpus.knownFailures[c.testDescription] {
            #expect(!problems.isEmpty, "\(c.testDescription) is listed as a known compiled failure (\(reason)) but passes: remove it from the list")
        } else {
            #expect(problems.isEmpty, "\(c.testDescription): \(problems.joined(separator: "\n"))")
        }
    }
}

/// The sample apps served by `ntnt run` and by their compiled binary answer the same requests
/// the same way (random rows compared by shape).
@Suite(.serialized) struct CompiledHTTPTests {
    static var binary: String { CompiledCorpus.packageDirectory + "/.build/release/app" }

    /// (method, path, body) requests and whether the body is deterministic.
    static let requests: [String: [(String, String, String?, Bool)]] = [
        "bench": [
            ("GET", "/plaintext", nil, true), ("GET", "/json", nil, true), ("GET", "/users/42", nil, true),
            ("GET", "/users/a%20b", nil, true), ("POST", "/json", #"{"message":"Hello, World!","numbers":[1,2,3,4,5],"nested":{"key":"value"}}"#, true),
            ("POST", "/json", "{bad", true), ("GET", "/db", nil, false), ("GET", "/queries?count=20", nil, false),
            ("GET", "/queries?count=x", nil, false), ("GET", "/template", nil, false), ("GET", "/missing", nil, true),
            ("DELETE", "/json", nil, true), ("HEAD", "/plaintext", nil, true),
        ],
        "site": [
            ("GET", "/?name=%3Cb%3E", nil, true), ("GET", "/worlds?limit=5", nil, true), ("GET", "/static/style.css", nil, true),
            ("GET", "/static/../app.tnt", nil, true), ("GET", "/nope", nil, true),
        ],
        "todo": [
            ("GET", "/todos/abc", nil, true), ("POST", "/todos", #"{"title": ""}"#, true), ("POST", "/todos", "nope", true),
            ("GET", "/todos/999999999", nil, true), ("DELETE", "/todos/999999999", nil, true),
        ],
    ]

    /// Replaces digits so random rows compare by shape.
    static func shape(_ s: String) -> String {
        String(s.map { $0.isNumber ? "9" : $0 }).replacingOccurrences(of: "9+", with: "9", options: .regularExpression)
    }

    @Test(arguments: ["bench", "site", "todo"])
    func sameAnswersInBothModes(_ sample: String) throws {
        guard CompiledCorpus.build.built else {
            Issue.record("the compiled package did not build")
            return
        }
        #expect(CompiledCorpus.build.failures["sample/\(sample)"] == nil)
        let interpreted = try ServerProcess(app: "samples/\(sample)/app.tnt")
        defer { #expect(interpreted.stop() == 0) }
        let compiled = try ServerProcess(app: "", environment: ["NTNT_PROGRAM": "sample_\(sample)"], compiledBinary: Self.binary)
        defer { #expect(compiled.stop() == 0) }
        for (method, path, body, deterministic) in Self.requests[sample]! {
            let a = try fetch(interpreted.port, method, path, body: body)
            let b = try fetch(compiled.port, method, path, body: body)
            #expect(a.status == b.status, "\(method) \(path)")
            #expect(a.headers["content-type"] == b.headers["content-type"], "\(method) \(path)")
            #expect(a.headers["cache-control"] == b.headers["cache-control"], "\(method) \(path)")
            #expect(b.headers["server"] == "ntnt" && b.headers["date"] != nil)
            if deterministic {
                #expect(a.body == b.body, "\(method) \(path)")
            } else {
                #expect(Self.shape(a.body) == Self.shape(b.body), "\(method) \(path)")
            }
        }
    }

    /// The benchmark endpoints written in each style of the corpus answer exactly like the
    /// sample, interpreted and compiled.
    @Test(arguments: StyleCorpus.styles)
    func styleVariantAnswersLikeTheSample(_ style: String) throws {
        guard CompiledCorpus.build.built else {
            Issue.record("the compiled package did not build")
            return
        }
        #expect(CompiledCorpus.build.failures["style/\(style)"] == nil)
        let sample = try ServerProcess(app: "samples/bench/app.tnt")
        defer { #expect(sample.stop() == 0) }
        let interpreted = try ServerProcess(app: "samples/styles/\(style).tnt")
        defer { #expect(interpreted.stop() == 0) }
        let compiled = try ServerProcess(app: "", environment: ["NTNT_PROGRAM": "style_\(style)"], compiledBinary: Self.binary)
        defer { #expect(compiled.stop() == 0) }
        try Self.expectAnswersLikeTheSample(sample, interpreted, "\(style) interpreted")
        try Self.expectAnswersLikeTheSample(sample, compiled, "\(style) compiled")
    }

    /// Every benchmark request of the sample gets the same answer from `server` as from
    /// `sample` (status, content type, cache-control, body; random rows by shape).
    static func expectAnswersLikeTheSample(_ sample: ServerProcess, _ server: ServerProcess, _ label: String) throws {
        for (method, path, body, deterministic) in requests["bench"]! {
            let expected = try fetch(sample.port, method, path, body: body)
            let got = try fetch(server.port, method, path, body: body)
            let what = "\(label): \(method) \(path)"
            #expect(got.status == expected.status, "\(what)")
            #expect(got.headers["content-type"] == expected.headers["content-type"], "\(what)")
            #expect(got.headers["cache-control"] == expected.headers["cache-control"], "\(what)")
            if deterministic {
                #expect(got.body == expected.body, "\(what)")
            } else {
                #expect(shape(got.body) == shape(expected.body), "\(what)")
            }
        }
    }

    /// The apps of `ntnt new` build and answer their routes compiled exactly as interpreted.
    @Test(arguments: NewApps.templates)
    func newAppsAnswerAlikeInBothModes(_ template: String) throws {
        guard CompiledCorpus.build.built else {
            Issue.record("the compiled package did not build")
            return
        }
        #expect(CompiledCorpus.build.failures["new/\(template)"] == nil, "\(CompiledCorpus.build.failures["new/\(template)"] ?? "")")
        let app = try #require(NewApps.apps[template])
        let interpreted = try ServerProcess(app: app)
        defer { #expect(interpreted.stop() == 0) }
        let compiled = try ServerProcess(app: "", environment: ["NTNT_PROGRAM": "new_\(template)"], compiledBinary: Self.binary)
        defer { #expect(compiled.stop() == 0) }
        let requests: [(String, String, String?)] = template == "api"
            ? [("GET", "/", nil), ("GET", "/hello/Ada", nil), ("POST", "/sum", #"{"a": 2, "b": 40}"#), ("POST", "/sum", "[1]"),
               ("POST", "/sum", "nope"), ("GET", "/health", nil), ("GET", "/missing", nil)]
            : [("GET", "/?name=%3Cb%3E", nil), ("GET", "/about", nil), ("GET", "/static/style.css", nil), ("GET", "/missing", nil)]
        for (method, path, body) in requests {
            let a = try fetch(interpreted.port, method, path, body: body)
            let b = try fetch(compiled.port, method, path, body: body)
            #expect(a.status == b.status && a.body == b.body && a.headers["content-type"] == b.headers["content-type"], "\(template): \(method) \(path)")
        }
    }

    /// The generated router (empty segments, percent-decoding, parameters, HEAD, 405, 404) and
    /// the typed responses of every builder, early returns and converted Maps answer exactly
    /// like `ntnt run`: status, every header but the date, body.
    @Test func routingAndResponsesAnswerLikeTheInterpreter() throws {
        let requests: [(String, String, String?)] = [
            ("GET", "/", nil), ("GET", "//a///b/", nil), ("GET", "/a/b", nil), ("GET", "/a/c", nil), ("GET", "/a/%62", nil),
            ("GET", "/a/x%20y", nil), ("GET", "/a/%zz", nil), ("HEAD", "/a/b", nil), ("POST", "/a/q", "hi"), ("POST", "/a/b", ""),
            ("GET", "/users/1/posts/2", nil), ("PUT", "/items/1", ""), ("DELETE", "/items/7", nil), ("PATCH", "/items/<i>", ""),
            ("GET", "/items/1", nil), ("OPTIONS", "/items/1", nil), ("HEAD", "/items/1", nil), ("POST", "/", ""),
            ("GET", "/a/b/c/d/e/f/g/h", nil), ("GET", "/a/b/c/d/e/f/g/h/i", nil), ("GET", "/bad-status", nil),
            ("GET", "/bad-body", nil), ("GET", "/none", nil), ("GET", "/none-text", nil), ("GET", "/fail", nil),
            ("GET", "/raw", nil), ("GET", "/unit", nil), ("GET", "/early/3", nil), ("GET", "/early/30", nil),
            ("GET", "/early/x", nil), ("GET", "/value", nil), ("GET", "/nope", nil), ("GET", "/a", nil),
            ("GET", "/value/%22q%22", nil), ("GET", "/fail/default", nil), ("GET", "/fail/boom", nil),
            ("GET", "/none/default", nil), ("GET", "/none/gone", nil), ("GET", "/status/204", nil), ("GET", "/status/418", nil),
            ("GET", "/status/99", nil), ("GET", "/status/1000", nil), ("GET", "/status/x", nil), ("GET", "/bad/status", nil),
            ("GET", "/bad/type", nil), ("GET", "/bad/json", nil), ("GET", "/bad/redirect", nil), ("GET", "/bad/body", nil),
            ("GET", "/unit/1", nil), ("GET", "/moved/there", nil), ("HEAD", "/moved/there", nil),
        ]
        try Self.expectSameAnswersInBothModes("routing", requests)
    }

    /// Serves Tests/Servers/NAME.tnt interpreted and compiled; each request gets the same status,
    /// body and headers (but the date; `withOwnHeaders` paths answer with the request's own,
    /// the host and its port among them) from both; then `check` looks at the compiled server.
    static func expectSameAnswersInBothModes(_ name: String, _ requests: [(String, String, String?)],
                                            withOwnHeaders: Set<String> = [],
                                            then check: (ServerProcess) throws -> Void = { _ in }) throws {
        guard CompiledCorpus.build.built else {
            Issue.record("the compiled package did not build")
            return
        }
        #expect(CompiledCorpus.build.failures["server/\(name)"] == nil)
        let interpreted = try ServerProcess(app: "Tests/Servers/\(name).tnt")
        defer { #expect(interpreted.stop() == 0) }
        let compiled = try ServerProcess(app: "", environment: ["NTNT_PROGRAM": "server_\(name)"], compiledBinary: binary)
        defer { #expect(compiled.stop() == 0) }
        for (method, path, body) in requests {
            let a = try fetch(interpreted.port, method, path, body: body)
            let b = try fetch(compiled.port, method, path, body: body)
            #expect(a.status == b.status && a.body == b.body, "\(method) \(path): \(a.status) \(a.body) vs \(b.status) \(b.body)")
            if !withOwnHeaders.contains(path) {
                #expect(a.headers.filter { $0.key != "date" } == b.headers.filter { $0.key != "date" }, "\(method) \(path)")
            }
        }
        try check(compiled)
    }

    /// Typed handlers behind middleware that passes the request on, answers early or replaces
    /// the request answer like `ntnt run`, and see the id the middleware saw.
    @Test func handlersBehindMiddlewareAnswerLikeTheInterpreter() throws {
        let paths = ["/same-id", "/hello/x", "/replaced", "/blocked", "/many/1/2/3", "/plain", "/nope", "/denied", "/echo"]
        try Self.expectSameAnswersInBothModes("middleware", paths.map { ("GET", $0, nil) }, withOwnHeaders: ["/echo"]) { (compiled: ServerProcess) throws in
            #expect(try fetch(compiled.port, "GET", "/same-id").body == "same")
            #expect(try fetch(compiled.port, "GET", "/denied").status == 403)
            #expect(try fetch(compiled.port, "GET", "/echo").status == 200)
        }
    }

    /// Routes the compiler leaves dynamic on purpose behave exactly like `ntnt run`.
    @Test func dynamicRoutesAnswerLikeTheInterpreter() throws {
        guard CompiledCorpus.build.built else {
            Issue.record("the compiled package did not build")
            return
        }
        #expect(CompiledCorpus.build.failures["server/dynamic_routes"] == nil)
        let interpreted = try ServerProcess(app: "Tests/Servers/dynamic_routes.tnt")
        defer { #expect(interpreted.stop() == 0) }
        let compiled = try ServerProcess(app: "", environment: ["NTNT_PROGRAM": "server_dynamic_routes"], compiledBinary: Self.binary)
        defer { #expect(compiled.stop() == 0) }
        let paths = ["/api/ping", "/chosen", "/swapped", "/x", "/y", "/from-function", "/static/a%20b", "/nope"]
        for path in paths {
            let a = try fetch(interpreted.port, "GET", path)
            let b = try fetch(compiled.port, "GET", path)
            #expect(a.status == b.status && a.body == b.body && a.headers["content-type"] == b.headers["content-type"], "GET \(path)")
        }
        #expect(try fetch(compiled.port, "GET", "/chosen").body == "b")
        #expect(try fetch(compiled.port, "GET", "/from-function").body == #"{"id_length":36,"path":"/from-function"}"#)
    }

    /// Handlers mutating module variables from several connections at once: every answer is
    /// consistent (each worker has its own copy, LANGUAGE.md §10.7), nothing crashes, and both
    /// modes behave alike.
    @Test(arguments: ["interpreted", "compiled"])
    func moduleVariablesArePerWorker(_ mode: String) throws {
        guard CompiledCorpus.build.built else {
            Issue.record("the compiled package did not build")
            return
        }
        #expect(CompiledCorpus.build.failures["server/module_state"] == nil)
        let server = mode == "compiled"
            ? try ServerProcess(app: "", environment: ["NTNT_PROGRAM": "server_module_state"], compiledBinary: Self.binary)
            : try ServerProcess(app: "Tests/Servers/module_state.tnt")
        let connections = 6, requests = 300
        let problems = NSLock()
        nonisolated(unsafe) var found: [String] = []
        DispatchQueue.concurrentPerform(iterations: connections) { c in
            var local: [String] = []
            defer { problems.lock(); found += local; problems.unlock() }
            guard let client = try? HTTPTestClient(port: server.port) else { local.append("connect \(c)"); return }
            defer { client.close() }
            for i in 0..<requests {
                let path = i % 3 == 2 ? "/closure" : "/hit/\(c)-\(i)"
                guard let r = try? client.request("GET", path), r.status == 200 else { local.append("\(path) failed"); return }
                if path == "/closure" {
                    guard let n = Int(r.body), n > 0 else { local.append("\(path): \(r.body)"); return }
                } else {
                    // No other request's update shows between this request's update and its reads.
                    guard let o = jsonObject(r.body) as? [String: Any], let hits = o["hits"] as? Int, o["mine"] as? Int == hits,
                          o["last"] as? String == "\(c)-\(i)", let seen = o["seen"] as? Int, 0 < seen, seen <= hits else {
                        local.append("\(path): \(r.body)")
                        return
                    }
                }
            }
        }
        #expect(found.isEmpty, "\(found.prefix(5))")
        #expect(server.stop() == 0, "\(server.stderr)")
    }
}
