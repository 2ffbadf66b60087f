// `ntnt new NAME`: writes a small app that runs at once (AppTemplates.swift holds the files).
// It never overwrites: an existing folder of that name is an error.

import ArgumentParser
import Foundation

struct New: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start a new app: a folder with app.tnt, a README and a .gitignore.",
        discussion: """
            `--template api` (default) writes a JSON API; `--template site` an HTML site with templates and \
            a public/ folder of static files. The app runs with `ntnt run app.tnt` and builds with \
            `ntnt build app.tnt`. An existing folder is never overwritten.
            """
    )

    enum Template: String, ExpressibleByArgument, CaseIterable {
        case api, site
    }

    @Argument(help: "The folder to create (its last component names the app).")
    var name: String

    @Option(help: "What to start from: api or site.")
    var template: Template = .api

    func run() throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: name) {
            printError("ntnt new: '\(name)' already exists; choose another name (nothing was written)")
            throw ExitCode(1)
        }
        let appName = URL(fileURLWithPath: name).lastPathComponent
        guard !appName.isEmpty, appName.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            printError("ntnt new: the app name '\(appName)' may only have letters, digits, '-' and '_'")
            throw ExitCode(1)
        }
        let files = AppTemplates.files(for: template, appName: appName)
        do {
            for (path, contents) in files {
                let full = name + "/" + path
                try fm.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try contents.write(toFile: full, atomically: true, encoding: .utf8)
            }
        } catch {
            printError("ntnt new: cannot write '\(name)': \(error.localizedDescription)")
            throw ExitCode(1)
        }
        for (path, _) in files { print("created \(name)/\(path)") }
        print("""

            next:
              cd \(name)
              ntnt run app.tnt        # serves http://localhost:8080/
              ntnt build app.tnt      # a compiled server in out/.build/release/app
            """)
    }
}
