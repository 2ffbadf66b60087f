// The `ntnt` command line: `ntnt run FILE`, `ntnt check FILE`, `ntnt --version`.
// Each subcommand is a thin shell over `ScriptRunner`, which holds the actual pipeline.

import ArgumentParser
import Foundation
import NtntCompiler
import NtntInterpreter
import NtntRuntime
import NtntSyntax

#if canImport(Glibc)
import Glibc
#endif

/// The ntnt version this build reports.
let ntntVersion = "0.1.0"

@main
struct Ntnt: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ntnt",
        abstract: "ntnt: a small language for web services, implemented in Swift.",
        discussion: """
            Run a program with `ntnt run app.tnt`. Check it for errors without running it with \
            `ntnt check app.tnt`. Language reference: LANGUAGE.md in the project documentation.
            """,
        version: ntntVersion,
        subcommands: [Run.self, Check.self, Transpile.self, Build.self, Parse.self]
    )
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run an ntnt program with the interpreter.",
        discussion: """
            Parse errors are reported before anything runs. Exit status: 0 on success, 1 on a parse or \
            runtime error. A program that calls listen(port) serves HTTP until SIGINT/SIGTERM, then \
            finishes the requests in flight and exits 0. Environment: NTNT_PORT, NTNT_WORKERS (handler \
            threads, default 16), NTNT_EVENT_LOOPS (default: one per core), NTNT_DB_POOL (database \
            connections), NTNT_MAX_BODY (request body limit in bytes, default 1 MiB), \
            NTNT_REQUEST_TIMEOUT and NTNT_IDLE_TIMEOUT (seconds, default 10 and 60).
            """
    )

    @Option(help: "Serve on this port, whatever the program passes to listen() (also NTNT_PORT).")
    var port: Int?

    @Flag(help: "Do not log one line per HTTP request on stderr.")
    var quiet = false

    @Flag(help: "Reload the program when one of its source files changes (a version with errors is not loaded).")
    var watch = false

    @Argument(help: "The .tnt file to run.")
    var file: String

    @Argument(parsing: .captureForPassthrough, help: "Arguments passed to the program.")
    var programArguments: [String] = []

    func run() throws {
        let outcome = ScriptRunner.run(path: file, serve: ServeOptions(port: port, quiet: quiet, watch: watch)) { bytes in
            writeAllBytes(1, bytes)
        }
        if !outcome.errorReport.isEmpty { printError(outcome.errorReport) }
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Parse and resolve a program (and its local imports) without running it.",
        discussion: "Reports every error found; exits 0 when the program is clean. Warns (still exiting 0) where request data reaches html() or a template interpolation without the escape filter."
    )

    @Argument(help: "The .tnt file to check.")
    var file: String

    func run() throws {
        let (errors, warnings) = ScriptRunner.check(path: file)
        if !errors.isEmpty {
            printError(errors)
            throw ExitCode(1)
        }
        for w in warnings { printError(w + "\n") }
        printError("\(file): ok" + (warnings.isEmpty ? "" : " (\(warnings.count) warning\(warnings.count == 1 ? "" : "s"))"))
    }
}

struct Parse: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the syntax tree of a file as S-expressions (for debugging the parser)."
    )

    @Argument(help: "The .tnt file to parse.")
    var file: String

    func run() throws {
        guard let source = SourceFiles.load(path: file) else {
            printError("cannot read file '\(file)'")
            throw ExitCode(1)
        }
        var parser = Parser(file: source)
        let module = parser.parseModule()
        if parser.diagnostics.hasErrors {
            printError(parser.diagnostics.render())
            throw ExitCode(1)
        }
        print(module.dump())
    }
}

/// The file and output folder of `transpile` and `build`.
struct CompileArguments: ParsableArguments {
    @Argument(help: "The .tnt file to compile.")
    var file: String

    @Option(name: .shortAndLong, help: "Output folder for the package.")
    var output: String = "out"

    @Flag(help: "Print what the program became: each route and middleware typed or dynamic (with the reason), and the Swift types of each function's variables.")
    var report = false
}

struct Transpile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compile a program to a Swift package (build it with `swift build -c release`).",
        discussion: "The package depends on the ntnt runtime by absolute path. Errors are reported like `ntnt run`'s, before anything is written."
    )

    @OptionGroup var arguments: CompileArguments

    func run() throws {
        let (file, output) = (arguments.file, arguments.output)
        let written = try transpile(file: file, output: output, report: arguments.report)
        for f in written { print("wrote \(f)") }
        print("next: cd \(output) && swift build -c release && .build/release/app")
    }
}

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Transpile a program and build the release binary (transpile + swift build -c release)."
    )

    @OptionGroup var arguments: CompileArguments

    func run() throws {
        let (file, output) = (arguments.file, arguments.output)
        _ = try transpile(file: file, output: output, report: arguments.report)
        printError("building \(output) (swift build -c release)…")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["swift", "build", "-c", "release", "--package-path", output]
        try p.run()
        p.waitUntilExit()
        if p.terminationStatus != 0 {
            printError("swift build failed: this is a bug in the ntnt compiler; `ntnt run \(file)` runs the program meanwhile")
            throw ExitCode(1)
        }
        print(URL(fileURLWithPath: output).standardizedFileURL.path + "/.build/release/app")
    }
}

/// Transpiles `file` into a package at `output`; prints diagnostics and exits 1 on errors.
func transpile(file: String, output: String, report: Bool) throws -> [String] {
    guard let paths = ToolchainPaths.locate(executable: CommandLine.arguments[0]) ?? ToolchainPaths.locate(executable: Bundle.main.executablePath ?? "") else {
        printError("cannot find the ntnt runtime and Templates/ (set NTNT_HOME to the ntnt source folder)")
        throw ExitCode(1)
    }
    let name = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
    switch Compiler.compile(CompileUnit(name: name, path: file), globalNames: Interpreter.globalNamesForCompiler) {
    case .failure(let f):
        printError(f.report)
        throw ExitCode(1)
    case .success(let program):
        if report { print(program.report, terminator: "") }
        return try PackageWriter.write(programs: [(program.name, program.source)], to: output, paths: paths)
    }
}

/// Writes a report to stderr with a trailing newline.
func printError(_ text: String) {
    var s = text
    if !s.hasSuffix("\n") { s += "\n" }
    fputs(s, stderr)
}
