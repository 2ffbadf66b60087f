// Golden tests for the Swift emitter: small programs and the exact Swift they compile to
// (Tests/Golden/NAME.tnt → NAME.swift.golden), so a reader sees what the compiler produces
// and any change to the generated code is deliberate. Regenerate with NTNT_UPDATE_GOLDEN=1.

import Foundation
import Testing
@testable import NtntCompiler
@testable import NtntInterpreter
@testable import NtntTestSupport

@Suite struct GoldenEmitterTests {
    static let directory = ConformanceCorpus.projectRoot + "/Tests/Golden"

    @Test(arguments: ["add", "page", "count", "closure_handler", "factory_handler"])
    func emitted(_ name: String) throws {
        let unit = CompileUnit(name: name, path: Self.directory + "/\(name).tnt", displayPath: "\(name).tnt")
        let source = try Compiler.emit([unit], globalNames: Interpreter.globalNamesForCompiler).get()[0].source
            // The entry directory is machine-specific.
            .replacingOccurrences(of: Self.directory, with: "GOLDEN_DIR")
        let goldenPath = Self.directory + "/\(name).swift.golden"
        if ProcessInfo.processInfo.environment["NTNT_UPDATE_GOLDEN"] != nil {
            try source.write(toFile: goldenPath, atomically: true, encoding: .utf8)
        }
        let golden = try String(contentsOfFile: goldenPath, encoding: .utf8)
        #expect(source == golden)
    }
}
