// swift-tools-version:6.0
// A peer for the benchmark: the seven endpoints of BENCHMARKS.md on Vapor 4 with PostgresNIO's
// client (prepared statement, pool of 16) and Leaf for the template.
// Built and run by bench/harness.py (`make bench PEERS=1`); the main build never touches it.
import PackageDescription

let package = Package(
    name: "vapor-peer",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        .executableTarget(name: "App", dependencies: [
            .product(name: "Vapor", package: "vapor"),
            .product(name: "Leaf", package: "leaf"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),
    ]
)
