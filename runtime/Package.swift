// swift-tools-version:5.9
// NtntRuntime: the library shared by the interpreter and every generated package.
// It depends on nothing beyond the Swift toolchain and the system libpq,
// so a generated package builds fast and offline.
import PackageDescription

let package = Package(
    name: "NtntRuntime",
    products: [
        .library(name: "NtntRuntime", targets: ["NtntRuntime"]),
    ],
    targets: [
        .target(name: "CNtntSys"),
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(name: "NtntRuntime", dependencies: ["CNtntSys", "CLibPQ"]),
        .testTarget(name: "NtntRuntimeTests", dependencies: ["NtntRuntime"]),
    ]
)
