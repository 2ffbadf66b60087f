// swift-tools-version:6.0
// A peer for the benchmark: the seven endpoints of BENCHMARKS.md on Hummingbird 2 with
// PostgresNIO's client (prepared statement, pool of 16) and swift-mustache for the template.
// Built and run by bench/harness.py (`make bench PEERS=1`); the main build never touches it.
import PackageDescription

let package = Package(
    name: "hummingbird-peer",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        .executableTarget(name: "App", dependencies: [
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
    ]
)
