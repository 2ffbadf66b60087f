// The conformance corpus (NtntTestSupport/Corpus.swift) through the interpreter.

import Foundation
import Testing
@testable import NtntInterpreter
@testable import NtntTestSupport

extension ConformanceCase: CustomTestStringConvertible {}

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
