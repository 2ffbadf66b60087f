// swift-tools-version:5.9
// The ntnt toolchain: front end (NtntSyntax), resolver (NtntSema), tree-walking interpreter
// (NtntInterpreter) and the `ntnt` command. The runtime is a package of its own (runtime/),
// which is also what every transpiled program links against.
import PackageDescription

let package = Package(
    name: "ntnt",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ntnt", targets: ["ntnt"]),
    ],
    dependencies: [
        .package(path: "runtime"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    ],
    targets: [
        .target(name: "NtntSyntax"),
        .target(name: "NtntSema", dependencies: ["NtntSyntax"]),
        .target(
            name: "NtntInterpreter",
            dependencies: ["NtntSyntax", "NtntSema", .product(name: "NtntRuntime", package: "runtime")]
        ),
        .target(name: "NtntCompiler", dependencies: ["NtntSyntax", "NtntSema"]),
        .executableTarget(
            name: "ntnt",
            dependencies: [
                "NtntInterpreter", "NtntSyntax", "NtntCompiler",
                .product(name: "NtntRuntime", package: "runtime"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "NtntSyntaxTests", dependencies: ["NtntSyntax"]),
        // What both test targets share: the conformance corpus, the ntnt binary, socket helpers.
        .target(name: "NtntTestSupport", dependencies: ["NtntInterpreter"], path: "Tests/NtntTestSupport"),
        .testTarget(
            name: "NtntInterpreterTests",
            dependencies: ["NtntInterpreter", "NtntSyntax", "NtntSema", "NtntTestSupport", .product(name: "NtntRuntime", package: "runtime")]
        ),
        .testTarget(
            name: "NtntCompilerTests",
            dependencies: ["NtntCompiler", "NtntInterpreter", "NtntTestSupport", .product(name: "NtntRuntime", package: "runtime")]
        ),
    ]
)
