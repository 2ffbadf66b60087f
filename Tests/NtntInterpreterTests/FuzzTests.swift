// Fuzzing the front end and the interpreter: random mutations of the conformance programs
// (fixed seed, bounded count and time) must only ever produce diagnostics or runtime errors —
// never a crash, a hang or a Swift trap. Runaway programs are cut off by a step limit.

import Foundation
import Testing
@testable import NtntTestSupport
@testable import NtntInterpreter

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed == 0 ? 0x9E3779B97F4A7C15 : seed }
    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 2685821657736338717
    }
}

enum Mutator {
    /// Fragments that tend to reach unusual parser and evaluator states.
    static let fragments: [String] = [
        "{", "}", "(", ")", "[", "]", "\"", "'", "\"\"\"", "{{", "}}", "{{#for x in xs}}", "{{/for}}",
        "{{#if x}}", "{{/if}}", "{{#else}}", "fn", "fn(", "let", "let mut", "=", "==", "..", "..=", "?",
        "??", "|>", "=>", "match", "if", "else", "for", "in", "while", "loop", "break", "continue",
        "return", "otherwise", "requires", "ensures", "import", "map {", "0", "-1", "9223372036854775807",
        "1e308", "0.0", "\n", ";", ",", ".", "x", "None", "Some(", "Err(", "\\", "r#\"", "#", "@index",
        "| upper", "| number(3)", "old(", "result", "print(", "[[[[", "]]]]", "-", "!", "*", "/", "%",
    ]

    static func mutate(_ source: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
        var bytes = source
        let edits = Int.random(in: 1...4, using: &rng)
        for _ in 0..<edits {
            let pos = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0:  // delete a span
                let len = min(Int.random(in: 1...12, using: &rng), bytes.count - pos)
                if len > 0 { bytes.removeSubrange(pos..<(pos + len)) }
            case 1:  // insert a fragment
                bytes.insert(contentsOf: Array(fragments.randomElement(using: &rng)!.utf8), at: pos)
            case 2:  // duplicate a span
                let len = min(Int.random(in: 1...40, using: &rng), bytes.count - pos)
                if len > 0 { bytes.insert(contentsOf: Array(bytes[pos..<(pos + len)]), at: pos) }
            case 3:  // replace a byte with a random printable or arbitrary byte
                if pos < bytes.count { bytes[pos] = UInt8.random(in: 0...255, using: &rng) }
            default:  // swap two spans
                let other = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
                let len = min(8, bytes.count - max(pos, other))
                if len > 0 && abs(pos - other) >= len {
                    for k in 0..<len { bytes.swapAt(pos + k, other + k) }
                }
            }
        }
        return bytes
    }
}

@Suite struct FuzzTests {
    @Test func mutatedProgramsNeverCrash() {
        let sources = ConformanceCorpus.cases.compactMap { c -> [UInt8]? in
            FileManager.default.contents(atPath: c.directory + "/" + c.name + ".tnt").map { [UInt8]($0) }
        }
        #expect(!sources.isEmpty)
        var rng = SeededGenerator(seed: 0x5EED_2026)
        // A time box, not a rate: the socket suites running beside this one can take most of
        // the CPU for a while (a CI run once got 188 programs through in 20 s).
        let deadline = Date().addingTimeInterval(60)
        var runs = 0, parseErrors = 0, runtimeErrors = 0
        while runs < 1000 && Date() < deadline {
            let mutated = Mutator.mutate(sources.randomElement(using: &rng)!, &rng)
            // Invalid UTF-8 is repaired the same way a file read would be.
            let text = String(decoding: mutated, as: UTF8.self)
            let outcome = ScriptRunner.run(path: "fuzz.tnt", source: text, stepLimit: 20_000) { _ in }
            runs += 1
            if outcome.errorReport.contains("parse error") { parseErrors += 1 }
            else if outcome.errorReport.hasPrefix("runtime error") { runtimeErrors += 1 }
            else { #expect(outcome.exitCode == 0 && outcome.errorReport.isEmpty, "unexpected outcome: \(outcome.errorReport)") }
        }
        print("fuzz: \(runs) mutated programs, \(parseErrors) parse errors, \(runtimeErrors) runtime errors, no crash")
        #expect(runs >= 200)
    }

    @Test func randomBytesOnlyGiveDiagnostics() {
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<300 {
            let n = Int.random(in: 0...200, using: &rng)
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...127, using: &rng) }
            let outcome = ScriptRunner.run(path: "noise.tnt", source: String(decoding: bytes, as: UTF8.self), stepLimit: 10_000) { _ in }
            #expect(outcome.exitCode == 0 || !outcome.errorReport.isEmpty)
        }
    }
}
