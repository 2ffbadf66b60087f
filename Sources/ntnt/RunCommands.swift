// `ntnt run`, `ntnt check` and `ntnt parse`: the interpreter's pipeline (ScriptRunner) from the shell.

import ArgumentParser
import NtntInterpreter
import NtntRuntime
import NtntSyntax

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run an ntnt program with the interpreter.",
        discussion: """
            Parse errors are reported before anything runs. Exit status: 0 on success, 1 on a parse or \
            runtime error. A program that calls listen(port) serves HTTP until SIGINT/SIGTERM, then \
            finishes the requests in flight and exits 0. Environment: NTNT_PORT, NTNT_WORKERS (handler \
            threads, default 32), NTNT_EVENT_LOOPS (default: one per core), NTNT_DB_POOL (database \
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

