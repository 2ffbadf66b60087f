// The conformance corpus, run through the interpreter: every `NAME.tnt` in
// `../shared/conformance` (when that folder exists) and in `Tests/Conformance`, compared with
// `NAME.out` (stdout, exact), `NAME.code` (exit status, default 0) and `NAME.err` (each
// non-empty line must occur in the error report). Format: shared/conformance/README.md.
//
// `Tests/Conformance/known-failures.txt` lists programs allowed to fail, one per line as
// `suite/NAME  reason`. An unlisted failure fails the suite, and so does a listed program
// that passes, so the list can only shrink.

import Foundation
import Testing
@testable import NtntInterpreter

/// One conformance program.
struct ConformanceCase: CustomTestStringConvertible, Sendable {
    let suite: String
    let directory: String
    let name: String
    var testDescription: String { "\(suite)/\(name)" }
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
        let expectedOut = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        let expectedCode = Int32((try? String(contentsOfFile: base + ".code", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines) ?? "0") ?? 0
        let expectedErr = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""

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

@Suite struct ConformanceTests {
    @Test func corpusIsPresent() {
        let own = ConformanceCorpus.cases.filter { $0.suite == "own" }
        #expect(own.count >= 30, "the project's own corpus should have at least 30 programs")
        print("conformance: \(ConformanceCorpus.cases.count) programs, \(ConformanceCorpus.knownFailures.count) listed as known failures")
    }

    @Test(arguments: ConformanceCorpus.cases)
    func interpreter(_ c: ConformanceCase) {
        let problems = ConformanceCorpus.check(c)
        if let reason = ConformanceCorpus.knownFailures[c.testDescription] {
            #expect(!problems.isEmpty, "\(c.testDescription) is listed as a known failure (\(reason)) but passes: remove it from the list")
        } else {
            #expect(problems.isEmpty, "\(c.testDescription): \(problems.joined(separator: "\n"))")
        }
    }

    @Test func knownFailuresNameRealPrograms() {
        let names = Set(ConformanceCorpus.cases.map(\.testDescription))
        for listed in ConformanceCorpus.knownFailures.keys {
            #expect(names.contains(listed), "known-failures.txt lists \(listed), which does not exist")
        }
    }
}
