// swift-tools-version:5.9
// libFuzzer targets for the parsers that read untrusted or user-written input: the HTTP request
// parser, the JSON parser, the lexer + parser, and the template parser. A package of its own so
// the main build never compiles them; `make fuzz` builds it with `--sanitize=fuzzer` (plus
// AddressSanitizer) and runs each target on its seed corpus under fuzz/corpus/.
import PackageDescription

// libFuzzer supplies `main`; the targets only define LLVMFuzzerTestOneInput.
let asLibrary: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
    name: "ntnt-fuzz",
    dependencies: [
        .package(path: "../runtime"),
    ],
    targets: [
        // The front end's sources, through a symbolic link (a dependency on the enclosing
        // package would name it by its checkout folder's name).
        .target(name: "NtntSyntax"),
        .executableTarget(name: "FuzzHTTPParser", dependencies: [.product(name: "NtntRuntime", package: "runtime")],
                          swiftSettings: asLibrary),
        .executableTarget(name: "FuzzJSON", dependencies: [.product(name: "NtntRuntime", package: "runtime")],
                          swiftSettings: asLibrary),
        .executableTarget(name: "FuzzSyntax", dependencies: ["NtntSyntax"],
                          swiftSettings: asLibrary),
        .executableTarget(name: "FuzzTemplate", dependencies: ["NtntSyntax"],
                          swiftSettings: asLibrary),
    ]
)
