// `ntnt inspect FILE`: the program's routes, middleware, functions, imports and SQL as JSON
// (NtntCompiler.ProgramInspection), for editors, scripts and curious users.

import ArgumentParser
import NtntCompiler
import NtntInterpreter

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a program's routes, middleware, functions, imports and SQL statements as JSON.",
        discussion: """
            Each route has its method, pattern, handler (a name or <closure>), where it is registered and \
            what the compiler makes of it: typed, untyped or dynamic, with the reason. Nothing runs.
            """
    )

    @Argument(help: "The .tnt file to inspect.")
    var file: String

    func run() throws {
        switch ProgramInspection.inspect(path: file, globalNames: Interpreter.globalNamesForCompiler) {
        case .success(let json): print(json, terminator: "")
        case .failure(let f):
            printError(f.report)
            throw ExitCode(1)
        }
    }
}
