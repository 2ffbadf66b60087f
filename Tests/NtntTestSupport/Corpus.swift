// What both test targets share: the conformance corpus and its runner, the `ntnt` binary, the
// benchmark app's style corpus, and the socket-level helpers (ServerSupport.swift).
//
// The conformance corpus, run through the interpreter: every `NAME.tnt` in
// `../shared/conformance` (when that folder exists) and in `Tests/Conformance`, compared with
// `NAME.out` (stdout, exact), `NAME.code` (exit status, default 0) and `NAME.err` (each
// non-empty line must occur in the error report). Format: shared/conformance/README.md.
//
// `Tests/Conformance/known-failures.txt` lists programs allowed to fail, one per line as
// `suite/NAME  reason`. An unlisted failure fails the suite, and so does a listed program
// that passes, so the list can only shrink.

import Foundation
import NtntInterpreter

/// One conformance program.
struct ConformanceCase: Sendable {
    let suite: String
    let directory: String
    let name: String
    var testDescription: String { "\(suite)/\(name)" }

    /// What the program must do: its stdout (`NAME.out`), exit status (`NAME.code`, default 0)
    /// and the lines its error report must contain (`NAME.err`).
    var expected: (stdout: String, status: Int32, stderr: String) {
        let base = directory + "/" + name
        let out = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        let code = Int32((try? String(contentsOfFile: base + ".code", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "0") ?? 0
        let err = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
        return (out, code, err)
    }
}

enum ConformanceCorpus {
    static let projectRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let suites: [(name: String, directory: String)] = {
        var result: [(String, String)] = []
        let shared = URL(fileURLWithPath: projectRoot).deletingLastPathComponent().appendingPathComponent("shared/conformance").path
        if FileManager.default.fileExists(atPath: shared) { result.append(("shared", shared)) }
        result.append(("own", projectRoot + "/Tests/Conformance"))
        result.append(("docs", DocExamples.suiteDirectory))
        return result
    }()

    static let cases: [ConformanceCase] = suites.flatMap { suite in
        ((try? FileManager.default.contentsOfDirectory(atPath: suite.directory)) ?? [])
            .filter { $0.hasSuffix(".tnt") }
            .sorted()
            .map { ConformanceCase(suite: suite.name, directory: suite.directory, name: String($0.dropLast(4))) }
    }

    /// `suite/NAME` → reason.
    static let knownFailures = readKnownFailures("known-failures.txt")

    /// Reads a known-failures list of Tests/Conformance: `suite/NAME  reason` per line.
    static func readKnownFailures(_ file: String) -> [String: String] {
        let path = projectRoot + "/Tests/Conformance/" + file
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        var result: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let parts = line.split(separator: " ", maxSplits: 1)
            result[String(parts[0])] = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        }
        return result
    }

    /// Runs one case in-process and returns the mismatches (empty when it passes).
    static func check(_ c: ConformanceCase) -> [String] {
        let base = c.directory + "/" + c.name
        let (expectedOut, expectedCode, expectedErr) = c.expected

        final class Buffer: @unchecked Sendable { var bytes: [UInt8] = [] }
        let out = Buffer()
        let outcome = ScriptRunner.run(path: base + ".tnt", displayPath: c.name + ".tnt") { out.bytes += $0 }
        let stdout = String(decoding: out.bytes, as: UTF8.self)

        var problems: [String] = []
        if stdout != expectedOut {
            problems.append("stdout differs\n--- expected\n\(expectedOut)--- got\n\(stdout)")
        }
        if outcome.exitCode != expectedCode {
            problems.append("exit status \(outcome.exitCode), expected \(expectedCode)")
        }
        for line in expectedErr.split(separator: "\n") where !line.isEmpty {
            if !outcome.errorReport.contains(line) {
                problems.append("stderr lacks '\(line)'; got:\n\(outcome.errorReport)")
            }
        }
        return problems
    }
}

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

/// The seven benchmark endpoints written in several styles (samples/styles/).
/// The apps `ntnt new` writes, one per template, generated once per test run.
enum NewApps {
    static let templates = ["api", "site"]

    /// template → the app's app.tnt (nil when `ntnt new` failed).
    static let apps: [String: String] = {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ntnt-new-apps-\(getpid())").path
        try? FileManager.default.removeItem(atPath: root)
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        var result: [String: String] = [:]
        for t in templates {
            if let (status, _, _) = try? CLI.run(["new", "new_\(t)", "--template", t], in: root), status == 0 {
                result[t] = root + "/new_\(t)/app.tnt"
            }
        }
        return result
    }()
}

enum StyleCorpus {
    static let styles = ["closures", "modules", "namespace", "factory", "expressions"]
}
