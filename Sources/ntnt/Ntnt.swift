// The `ntnt` command line. Each subcommand is a thin shell over the libraries: running and
// checking (RunCommands.swift), compiling (CompileCommands.swift), starting and inspecting an
// app (NewCommand.swift, InspectCommand.swift), and the reference and shell completions
// (DocsCommand.swift).

import ArgumentParser
import Foundation

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
            Start an app with `ntnt new myapp`, run it with `ntnt run app.tnt`, check it without running \
            it with `ntnt check app.tnt`, compile it with `ntnt build app.tnt`. Look a function up with \
            `ntnt docs NAME`. Documentation: docs/guide.md (the language), docs/stdlib.md, docs/http.md, \
            docs/database.md, docs/compiling.md and docs/deploy.md in the ntnt repository.
            """,
        version: ntntVersion,
        subcommands: [Run.self, Check.self, New.self, Inspect.self, Transpile.self, Build.self, Docs.self, Completions.self, Parse.self]
    )
}

/// Writes a report to stderr with a trailing newline.
func printError(_ text: String) {
    var s = text
    if !s.hasSuffix("\n") { s += "\n" }
    fputs(s, stderr)
}
