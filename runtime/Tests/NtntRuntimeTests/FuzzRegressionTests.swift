// Replays the fuzzers' seed corpora and every input that once failed (fuzz/regressions/) through
// the same checks the libFuzzer targets make (fuzz/Sources/), so a fixed crash stays fixed in
// `make test` without a fuzzing build.

import Foundation
import Testing
@testable import NtntRuntime

@Suite struct FuzzRegressionTests {
    /// The files of fuzz/corpus/KIND and fuzz/regressions/KIND.
    static func inputs(_ kind: String) -> [(name: String, bytes: [UInt8])] {
        let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../fuzz").standardized.path
        var found: [(String, [UInt8])] = []
        for folder in ["corpus", "regressions"] {
            let dir = "\(fuzz)/\(folder)/\(kind)"
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() {
                if let data = FileManager.default.contents(atPath: "\(dir)/\(name)") { found.append(("\(folder)/\(name)", [UInt8](data))) }
            }
        }
        return found
    }

    @Test func httpParserInputs() {
        let inputs = Self.inputs("http")
        #expect(inputs.count >= 5)
        let limits = HTTPLimits(maxHeaderBytes: 512, maxBodyBytes: 256, maxHeaders: 8, maxTargetBytes: 128)
        for (name, bytes) in inputs {
            bytes.withUnsafeBufferPointer { buffer in
                var start = 0
                while start < buffer.count {
                    guard case .complete(let request, let consumed) = HTTPRequestParser.parse(buffer, start: start, end: buffer.count, limits: limits) else { break }
                    #expect(consumed > 0 && start + consumed <= buffer.count, "\(name)")
                    #expect(request.body.count <= limits.maxBodyBytes, "\(name)")
                    start += max(consumed, 1)
                }
            }
        }
    }

    @Test func jsonInputsRoundTrip() {
        let inputs = Self.inputs("json")
        #expect(inputs.count >= 4)
        for (name, bytes) in inputs {
            guard case .success(let value) = JSONParser.parse(bytes: bytes) else { continue }
            let text = JSONWriter.stringify(value)
            guard case .success(let again) = JSONParser.parse(text) else {
                Issue.record("\(name): the writer's output does not parse: \(text)")
                continue
            }
            #expect(Value.equals(value, again), "\(name): \(text)")
        }
    }
}
