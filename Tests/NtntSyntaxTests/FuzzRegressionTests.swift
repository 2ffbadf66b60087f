// Replays the front-end fuzzers' seeds and every input that once failed (fuzz/corpus/, fuzz/
// regressions/ for `syntax` and `template`) the way the libFuzzer targets feed them: a parse
// must end in a tree or diagnostics, never a trap.

import Foundation
import Testing
@testable import NtntSyntax

@Suite struct FrontEndFuzzRegressionTests {
    static func inputs(_ kind: String) -> [(name: String, bytes: [UInt8])] {
        let fuzz = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../fuzz").standardized.path
        var found: [(String, [UInt8])] = []
        for folder in ["corpus", "regressions"] {
            let dir = "\(fuzz)/\(folder)/\(kind)"
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() {
                if let data = FileManager.default.contents(atPath: "\(dir)/\(name)") { found.append(("\(folder)/\(name)", [UInt8](data))) }
            }
        }
        return found
    }

    @Test func syntaxInputsParse() {
        let inputs = Self.inputs("syntax")
        #expect(!inputs.isEmpty)
        for (name, bytes) in inputs {
            var parser = Parser(file: SourceFiles.unregistered(path: name, bytes: bytes))
            _ = parser.parseModule()
        }
    }

    @Test func templateInputsParse() {
        let inputs = Self.inputs("template")
        #expect(!inputs.isEmpty)
        for (name, bytes) in inputs {
            // As FuzzTemplate does: the text as a template literal's body, quotes made harmless.
            let body = bytes.map { $0 == UInt8(ascii: "\"") ? UInt8(ascii: "'") : $0 }
            var parser = Parser(file: SourceFiles.unregistered(path: name, bytes: Array("let page = \"\"\"".utf8) + body + Array("\"\"\"\n".utf8)))
            let module = parser.parseModule()
            if name.hasPrefix("corpus/") { #expect(!parser.diagnostics.hasErrors, "\(name): a seed should be a valid template") }
            _ = module
        }
    }
}
