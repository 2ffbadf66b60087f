// The commands around the language: the docs' examples (the runnable ones are conformance
// cases of the suite "docs"; here the others must check clean), `ntnt new`, `ntnt docs`,
// `ntnt completions`, and the embedded reference being current.

import Foundation
import Testing
@testable import NtntInterpreter
@testable import NtntTestSupport

@Suite struct DocExamplesTests {
    static let requiredDocs = ["guide", "stdlib", "http", "database", "compiling", "deploy"]

    @Test func everyDocumentExistsAndHasExamples() {
        for doc in Self.requiredDocs {
            let examples = DocExamples.all.filter { $0.file == "docs/\(doc).md" }
            #expect(!examples.isEmpty, "docs/\(doc).md is missing or has no ```tnt example")
        }
        #expect(DocExamples.all.filter { $0.output != nil }.count >= 100, "expected at least 100 runnable examples in docs/")
        // Examples become conformance cases by name; two on one line of one file cannot happen.
        let names = DocExamples.all.map(\.name)
        #expect(Set(names).count == names.count)
    }

    /// A ```tnt block without an output block: a server or a fragment; it must parse and resolve.
    @Test(arguments: DocExamples.all.filter { $0.output == nil }.map { "\($0.file):\($0.line)" })
    func checkOnlyExampleIsClean(_ at: String) throws {
        let example = DocExamples.all.first { "\($0.file):\($0.line)" == at }!
        let (dir, name) = try CLI.temporaryFile("example.tnt", example.source)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (errors, _) = ScriptRunner.check(path: dir + "/" + name)
        #expect(errors.isEmpty, "\(at): \(errors)")
    }

    @Test func extractionPairsProgramsWithTheirOutput() {
        let markdown = """
            Text.

            ```tnt
            print(1)
            ```

            ```output
            1
            ```

            ```tnt
            listen(8080)
            ```
            Between.
            ```output
            not this one's
            ```

            ```tnt
            print(1 / 0)
            ```
            ```output
            ```
            ```error
            runtime error: Division by zero
            ```
            """
        let e = DocExamples.extract(from: markdown, file: "docs/t.md")
        #expect(e.count == 3)
        #expect(e[0].line == 4 && e[0].source == "print(1)\n" && e[0].output == "1\n" && e[0].error == nil)
        #expect(e[1].output == nil)
        #expect(e[2].output == "")
        #expect(e[2].error == "runtime error: Division by zero\n")
    }
}

@Suite(.serialized) struct ToolingTests {
    /// `ntnt new` for each template: the files, a README naming the commands, an app that checks
    /// clean and answers the routes it lists; a second `new` into the same folder is refused.
    @Test(arguments: ["api", "site"])
    func newWritesAnAppThatRuns(_ template: String) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ntnt-new-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (status, out, err) = try CLI.run(["new", "shop", "--template", template], in: root)
        #expect(status == 0, "\(err)")
        #expect(out.contains("created shop/app.tnt"))
        let app = root + "/shop/app.tnt"
        for file in ["app.tnt", "README.md", ".gitignore"] + (template == "site" ? ["public/style.css"] : []) {
            #expect(FileManager.default.fileExists(atPath: root + "/shop/" + file), "\(file)")
        }
        let readme = try String(contentsOfFile: root + "/shop/README.md", encoding: .utf8)
        #expect(readme.hasPrefix("# shop\n") && readme.contains("ntnt run app.tnt") && readme.contains("ntnt build app.tnt"))
        #expect(ScriptRunner.check(path: app) == ("", []))

        let server = try ServerProcess(app: app)
        defer { #expect(server.stop() == 0) }
        if template == "api" {
            let index = try fetch(server.port, "GET", "/")
            #expect(index.status == 200 && index.body == #"{"app":"shop","routes":["GET /","GET /hello/{name}","POST /sum","GET /health"]}"#)
            #expect(try fetch(server.port, "GET", "/hello/Ada").body == #"{"message":"Hello, Ada!"}"#)
            #expect(try fetch(server.port, "POST", "/sum", body: #"{"a": 2, "b": 40}"#).body == #"{"sum":42}"#)
            #expect(try fetch(server.port, "POST", "/sum", body: #"{"a": "2"}"#).status == 422)
            #expect(try fetch(server.port, "POST", "/sum", body: "nope").status == 400)
            #expect(try fetch(server.port, "GET", "/health").body == #"{"ok":true}"#)
        } else {
            let home = try fetch(server.port, "GET", "/?name=%3Cb%3E")
            #expect(home.status == 200 && home.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(home.body.contains("<h1>Hello, &lt;b&gt;!</h1>") && home.body.contains("<title>Home · shop</title>"))
            #expect(try fetch(server.port, "GET", "/about").body.contains("shop is written in ntnt"))
            let css = try fetch(server.port, "GET", "/static/style.css")
            #expect(css.status == 200 && css.body.contains("font-family"))
        }
        #expect(try fetch(server.port, "GET", "/missing").status == 404)

        let (again, _, againErr) = try CLI.run(["new", "shop"], in: root)
        #expect(again == 1 && againErr.contains("already exists"))
        let (badName, _, badErr) = try CLI.run(["new", "my app"], in: root)
        #expect(badName == 1 && badErr.contains("may only have letters"))
    }

    @Test func docsFindsFunctionsModulesAndWords() throws {
        let (status, out, _) = try CLI.run(["docs", "split"])
        #expect(status == 0)
        #expect(out.contains("### split") && out.contains("split("), "\(out)")
        let (moduleStatus, module, _) = try CLI.run(["docs", "std/string"])
        #expect(moduleStatus == 0 && module.hasPrefix("## std/string"))
        let (indexStatus, index, _) = try CLI.run(["docs"])
        #expect(indexStatus == 0 && index.contains("std/db/postgres") && index.contains("query_one"))
        let (none, _, noneErr) = try CLI.run(["docs", "zzzz-no-such-thing"])
        #expect(none == 1 && noneErr.contains("nothing matches"))
    }

    @Test func embeddedReferenceIsCurrent() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", ConformanceCorpus.projectRoot + "/scripts/embed-docs.py", "--check"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(text)")
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScriptsGenerate(_ shell: String) throws {
        let (status, out, _) = try CLI.run(["completions", shell])
        #expect(status == 0)
        for command in ["run", "check", "new", "inspect", "build", "docs"] { #expect(out.contains(command), "\(shell): \(command)") }
        // The script must be valid for its shell (syntax check only; nothing is run).
        let interpreter = ["bash": "/bin/bash", "zsh": "/usr/bin/zsh", "fish": "/usr/bin/fish"][shell]!
        guard FileManager.default.isExecutableFile(atPath: interpreter) else { return }
        let (dir, name) = try CLI.temporaryFile("ntnt.\(shell)", out)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: interpreter)
        p.arguments = ["-n", dir + "/" + name]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(shell) -n rejects the script")
    }
}
