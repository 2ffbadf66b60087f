// `ntnt transpile` and `ntnt build`: the compiler (NtntCompiler) writing a Swift package, and
// `swift build` making the server binary of it.

import ArgumentParser
import Foundation
import NtntCompiler
import NtntInterpreter

/// The file and output folder of `transpile` and `build`.
struct CompileArguments: ParsableArguments {
    @Argument(help: "The .tnt file to compile.")
    var file: String

    @Option(name: .shortAndLong, help: "Output folder for the package.")
    var output: String = "out"

    @Flag(help: "Print what the program became: each route and middleware typed or dynamic (with the reason), and the Swift types of each function's variables.")
    var report = false

    @Option(name: .customLong("database-url"), help: "Check every SQL literal against this database before writing anything (default: DATABASE_URL when set).")
    var databaseURL: String?
}

struct Transpile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compile a program to a Swift package (build it with `swift build -c release`).",
        discussion: """
            The package depends on the ntnt runtime: NTNT_HOME's runtime/ when set at build time, else the \
            runtime this ntnt uses (recorded when the package is written), else an installed one \
            (/usr/local/share/ntnt, /usr/share/ntnt). Errors are reported like `ntnt run`'s, before anything is written.
            """
    )

    @OptionGroup var arguments: CompileArguments

    func run() throws {
        let (file, output) = (arguments.file, arguments.output)
        let written = try transpile(arguments)
        for f in written { print("wrote \(f)") }
        print("next: cd \(output) && swift build -c release && .build/release/app")
    }
}

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Transpile a program and build the release binary (transpile + swift build -c release).",
        discussion: "With --static the binary carries the Swift runtime (it needs only the C libraries and libpq of the machine it runs on)."
    )

    @OptionGroup var arguments: CompileArguments

    @Flag(name: .customLong("static"), help: "Link the Swift runtime libraries statically (--static-swift-stdlib), so the binary runs where Swift is not installed.")
    var staticStdlib = false

    func run() throws {
        let (file, output) = (arguments.file, arguments.output)
        _ = try transpile(arguments)
        printError("building \(output) (swift build -c release)…")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["swift", "build", "-c", "release", "--package-path", output] + (staticStdlib ? ["--static-swift-stdlib"] : [])
        try p.run()
        p.waitUntilExit()
        if p.terminationStatus != 0 {
            printError("swift build failed: this is a bug in the ntnt compiler; `ntnt run \(file)` runs the program meanwhile")
            throw ExitCode(1)
        }
        print(URL(fileURLWithPath: output).standardizedFileURL.path + "/.build/release/app")
    }
}

/// Transpiles `file` into a package at `output`; prints diagnostics and exits 1 on errors
/// (the program's, and its SQL's when a database is given).
func transpile(_ arguments: CompileArguments) throws -> [String] {
    let (file, output, report) = (arguments.file, arguments.output, arguments.report)
    guard let paths = ToolchainPaths.locate(executable: CommandLine.arguments[0]) ?? ToolchainPaths.locate(executable: Bundle.main.executablePath ?? "") else {
        printError("cannot find the ntnt runtime and Templates/ (set NTNT_HOME to the ntnt source folder)")
        throw ExitCode(1)
    }
    let name = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
    // SQL first: the statements it describes give the compiled program its typed rows.
    let sql = SQLCheck.run(file: file, databaseURL: arguments.databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"])
    switch Compiler.compile(CompileUnit(name: name, path: file), globalNames: Interpreter.globalNamesForCompiler,
                            statements: sql.statements) {
    case .failure(let f):
        printError(f.report)
        throw ExitCode(1)
    case .success(let program):
        if !sql.errors.isEmpty {
            printError(sql.errors)
            throw ExitCode(1)
        }
        if report { print(program.report + sql.report, terminator: "") }
        return try PackageWriter.write(programs: [(program.name, program.source)], to: output, paths: paths)
    }
}

