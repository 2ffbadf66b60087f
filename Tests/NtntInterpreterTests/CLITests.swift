// End-to-end tests of the `ntnt` binary: exit codes, where output goes, diagnostics as a user
// sees them. They run the executable SwiftPM built next to the test bundle.

import Foundation
import Testing

enum CLI {
    /// The `ntnt` executable built alongside the tests.
    static let binary: String = {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidates = [dir.appendingPathComponent("ntnt").path]
        candidates.append(ConformanceCorpus.projectRoot + "/.build/debug/ntnt")
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()

    /// Runs `ntnt ARGS` in `directory`; returns (status, stdout, stderr).
    static func run(_ args: [String], in directory: String? = nil) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    static func temporaryFile(_ name: String, _ contents: String) throws -> (dir: String, name: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ntnt-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try contents.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        return (dir.path, name)
    }
}

@Suite(.serialized) struct CLITests {
    @Test func versionAndHelp() throws {
        let (status, out, _) = try CLI.run(["--version"])
        #expect(status == 0)
        #expect(out.hasPrefix("0."))
        let (helpStatus, help, _) = try CLI.run(["--help"])
        #expect(helpStatus == 0)
        #expect(help.contains("run") && help.contains("check"))
    }

    @Test func runPrintsToStdoutOnly() throws {
        let (dir, name) = try CLI.temporaryFile("hello.tnt", "print(\"hi\")\nprint(1 + 2)\n")
        let (status, out, err) = try CLI.run(["run", name], in: dir)
        #expect(status == 0)
        #expect(out == "hi\n3\n")
        #expect(err == "")
    }

    @Test func parseErrorIsLocatedWithCaretAndNothingRuns() throws {
        let (dir, name) = try CLI.temporaryFile("bad.tnt", "print(\"side effect\")\nlet y = 5 +* 2\n")
        let (status, out, err) = try CLI.run(["run", name], in: dir)
        #expect(status == 1)
        #expect(out == "")
        #expect(err == """
            bad.tnt:2:12: parse error: expected expression, found '*'
             2 | let y = 5 +* 2
               |            ^

            """)
    }

    @Test func runtimeErrorReportsStack() throws {
        let (dir, name) = try CLI.temporaryFile("boom.tnt", "fn f(x) {\n  return x / 0\n}\nprint(\"a\")\nf(1)\n")
        let (status, out, err) = try CLI.run(["run", name], in: dir)
        #expect(status == 1)
        #expect(out == "a\n")
        #expect(err == "runtime error: Division by zero\n --> boom.tnt:2\n    at boom.tnt:2 in f\n    at boom.tnt:5 in <main>\n")
        #expect(!err.contains("Fatal error"))
    }

    @Test func checkReportsAllErrorsAndExitCodes() throws {
        let (dir, name) = try CLI.temporaryFile("two.tnt", "let = 1\nlet x = )\n")
        let (status, _, err) = try CLI.run(["check", name], in: dir)
        #expect(status == 1)
        #expect(err.contains("two.tnt:1:5: parse error"))
        #expect(err.contains("two.tnt:2:9: parse error"))
        let (cleanDir, clean) = try CLI.temporaryFile("ok.tnt", "fn f() { 1 }\nprint(f())\n")
        let (okStatus, okOut, _) = try CLI.run(["check", clean], in: cleanDir)
        #expect(okStatus == 0)
        #expect(okOut == "")  // check runs nothing
    }

    @Test func transpileWritesAPackageOrReportsErrors() throws {
        let (dir, name) = try CLI.temporaryFile("bad.tnt", "print(1)\nlet = 2\n")
        let (status, _, err) = try CLI.run(["transpile", name, "-o", "out"], in: dir)
        #expect(status == 1)
        #expect(err.hasPrefix("bad.tnt:2:5: parse error"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/out/Package.swift"))
        let (goodDir, good) = try CLI.temporaryFile("good.tnt", "print(\"hi\")\n")
        let (okStatus, out, _) = try CLI.run(["transpile", good, "-o", "out"], in: goodDir)
        #expect(okStatus == 0)
        #expect(out.contains("wrote out/Package.swift"))
        let manifest = try String(contentsOfFile: goodDir + "/out/Package.swift", encoding: .utf8)
        #expect(manifest.contains(ConformanceCorpus.projectRoot + "/runtime"))
        #expect(FileManager.default.fileExists(atPath: goodDir + "/out/Sources/App/good.swift"))
    }

    @Test func missingFileIsAClearError() throws {
        let (status, _, err) = try CLI.run(["run", "/nonexistent/app.tnt"])
        #expect(status == 1)
        #expect(err.contains("cannot read file '/nonexistent/app.tnt'"))
    }

    @Test func usageErrorIsNotACrash() throws {
        let (status, _, err) = try CLI.run(["run"])
        #expect(status == 64)
        #expect(err.contains("Missing expected argument"))
    }
}
