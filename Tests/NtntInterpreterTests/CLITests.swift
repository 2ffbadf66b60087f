// End-to-end tests of the `ntnt` binary: exit codes, where output goes, diagnostics as a user
// sees them. They run the executable SwiftPM built next to the test bundle.

import Foundation
import Testing
@testable import NtntTestSupport

@Suite(.serialized) struct CLITests {
    @Test func versionAndHelp() throws {
        let (status, out, _) = try CLI.run(["--version"])
        #expect(status == 0)
        #expect(out.hasPrefix("0."))
        let (helpStatus, help, _) = try CLI.run(["--help"])
        #expect(helpStatus == 0)
        #expect(help.contains("run") && help.contains("check"))
    }

    @Test func checkWarnsWhereRequestDataReachesHTMLUnescaped() throws {
        let (status, _, err) = try CLI.run(["check", "Tests/Check/unescaped.tnt"], in: ConformanceCorpus.projectRoot)
        #expect(status == 0)
        let source = try String(contentsOfFile: ConformanceCorpus.projectRoot + "/Tests/Check/unescaped.tnt", encoding: .utf8)
        let expectedLines = source.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .filter { $0.element.contains("// WARN") }.map { $0.offset + 1 }
        let warned = err.split(separator: "\n").filter { $0.contains(": warning: ") }
            .compactMap { Int($0.split(separator: ":")[1]) }
        #expect(warned == expectedLines)
        #expect(err.contains("Tests/Check/unescaped.tnt:10:16: warning: request data in a template interpolation without `| escape`"))
        #expect(err.hasSuffix("unescaped.tnt: ok (4 warnings)\n"))
        // Across modules: handlers imported by name, through a namespace, made by a factory.
        let (moduleStatus, _, moduleErr) = try CLI.run(["check", "Tests/Check/unescaped_modules.tnt"], in: ConformanceCorpus.projectRoot)
        #expect(moduleStatus == 0)
        let handlers = try String(contentsOfFile: ConformanceCorpus.projectRoot + "/Tests/Check/unescaped_handlers.tnt", encoding: .utf8)
        let handlerLines = handlers.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            .filter { $0.element.contains("// WARN") }.map { $0.offset + 1 }
        let moduleWarned = moduleErr.split(separator: "\n").filter { $0.contains("unescaped_handlers.tnt:") && $0.contains(": warning: ") }
            .compactMap { line in line.split(separator: ":").dropFirst().first.flatMap { Int($0) } }
        #expect(moduleWarned == handlerLines, "\(moduleErr)")
        // The samples are clean.
        for sample in ["samples/bench/app.tnt", "samples/todo/app.tnt", "samples/site/app.tnt", "samples/styles/factory.tnt"] {
            let (s, _, e) = try CLI.run(["check", sample], in: ConformanceCorpus.projectRoot)
            #expect(s == 0 && !e.contains("warning"), "\(sample): \(e)")
        }
    }

    @Test func runPrintsToStdoutOnly() throws {
        let (dir, name) = try CLI.temporaryFile("hello.tnt", "print(\"hi\")\nprint(1 + 2)\n")
        let (status, out, err) = try CLI.run(["run", name], in: dir)
        #expect(status == 0)
        #expect(out == "hi\n3\n")
        #expect(err == "")
    }

    @Test func parseErrorIsLocatedWithCaretAndNothingRuns() throws {
        let (dir, name) = try CLI.temporaryFile("bad.tnt", "print(\"side effect\")\nlet y = 5 +* 2\n")
        let (status, out, err) = try CLI.run(["run", name], in: dir)
        #expect(status == 1)
        #expect(out == "")
        #expect(err == """
            bad.tnt:2:12: parse error: expected expression, found '*'
             2 | let y = 5 +* 2
               |            ^

            """)
    }

    @Test func runtimeErrorReportsStack() throws {
        let (dir, name) = try CLI.temporaryFile("boom.tnt", "fn f(x) {\n  return x / 0\n}\nprint(\"a\")\nf(1)\n")
        let (status, out, err) = try CLI.run(["run", name], in: dir)
        #expect(status == 1)
        #expect(out == "a\n")
        #expect(err == "runtime error: Division by zero\n --> boom.tnt:2\n    at boom.tnt:2 in f\n    at boom.tnt:5 in <main>\n")
        #expect(!err.contains("Fatal error"))
    }

    @Test func checkReportsAllErrorsAndExitCodes() throws {
        let (dir, name) = try CLI.temporaryFile("two.tnt", "let = 1\nlet x = )\n")
        let (status, _, err) = try CLI.run(["check", name], in: dir)
        #expect(status == 1)
        #expect(err.contains("two.tnt:1:5: parse error"))
        #expect(err.contains("two.tnt:2:9: parse error"))
        let (cleanDir, clean) = try CLI.temporaryFile("ok.tnt", "fn f() { 1 }\nprint(f())\n")
        let (okStatus, okOut, _) = try CLI.run(["check", clean], in: cleanDir)
        #expect(okStatus == 0)
        #expect(okOut == "")  // check runs nothing
    }

    @Test func transpileWritesAPackageOrReportsErrors() throws {
        let (dir, name) = try CLI.temporaryFile("bad.tnt", "print(1)\nlet = 2\n")
        let (status, _, err) = try CLI.run(["transpile", name, "-o", "out"], in: dir)
        #expect(status == 1)
        #expect(err.hasPrefix("bad.tnt:2:5: parse error"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/out/Package.swift"))
        let (goodDir, good) = try CLI.temporaryFile("good.tnt", "print(\"hi\")\n")
        let (okStatus, out, _) = try CLI.run(["transpile", good, "-o", "out"], in: goodDir)
        #expect(okStatus == 0)
        #expect(out.contains("wrote out/Package.swift"))
        let manifest = try String(contentsOfFile: goodDir + "/out/Package.swift", encoding: .utf8)
        #expect(manifest.contains(ConformanceCorpus.projectRoot + "/runtime"))
        #expect(FileManager.default.fileExists(atPath: goodDir + "/out/Sources/App/good.swift"))
    }

    /// Compile-time SQL: with a database, each SQL literal is prepared before anything is written;
    /// what PostgreSQL rejects is a located compile error, the report gives each row's type
    /// (nullable columns with `?`); without a database the program compiles as always.
    @Test func sqlIsCheckedAgainstTheDatabaseAtCompileTime() throws {
        let good = """
            import { connect, query_one, execute } from "std/db/postgres"
            let db = unwrap(connect("\(testDatabaseURL)"))
            let sql = "SELECT id, randomnumber, NULLIF(id, 0) AS maybe FROM world WHERE id = $1"
            print(query_one(db, sql, [1]))
            execute(db, "CREATE TABLE IF NOT EXISTS ntnt_made_at_start (n int)", [])
            print(query_one(db, "SELECT n FROM ntnt_made_at_start_never LIMIT 1", []))
            """
        let (dir, name) = try CLI.temporaryFile("good.tnt", good.replacingOccurrences(of: "ntnt_made_at_start_never", with: "ntnt_made_at_start"))
        let (status, out, err) = try CLI.run(["transpile", "--report", "--database-url", testDatabaseURL, name, "-o", "out"], in: dir)
        #expect(status == 0, "\(err)")
        #expect(out.contains("sql:\n  good.tnt:4:21: query_one: row { id: Int, randomnumber: Int, maybe: Int? }"), "\(out)")
        #expect(out.contains("query_one: not checked: table ntnt_made_at_start is created by the program"), "\(out)")

        let typo = "import { connect, query } from \"std/db/postgres\"\nlet db = unwrap(connect(\"\(testDatabaseURL)\"))\nprint(query(db, \"SELECT id, randomnumbr FROM world WHERE id = $1\", [1]))\n"
        let (tdir, tname) = try CLI.temporaryFile("typo.tnt", typo)
        let (tstatus, tout, terr) = try CLI.run(["transpile", "--database-url", testDatabaseURL, tname, "-o", "out"], in: tdir)
        #expect(tstatus == 1 && !tout.contains("wrote"))
        #expect(terr.contains("typo.tnt:3:17: compile error: SQL: column \"randomnumbr\" does not exist"), "\(terr)")
        #expect(terr.contains("                ^"), "\(terr)")
        #expect(!FileManager.default.fileExists(atPath: tdir + "/out/Package.swift"))

        let count = "import { connect, query } from \"std/db/postgres\"\nlet db = unwrap(connect(\"\(testDatabaseURL)\"))\nprint(query(db, \"SELECT id FROM world WHERE id = $1\", []))\n"
        let (cdir, cname) = try CLI.temporaryFile("count.tnt", count)
        let (cstatus, _, cerr) = try CLI.run(["transpile", "--database-url", testDatabaseURL, cname, "-o", "out"], in: cdir)
        #expect(cstatus == 1 && cerr.contains("count.tnt:3:17: compile error: SQL takes 1 parameter, 0 given"), "\(cerr)")

        // No database: compiled as always, and the report says the SQL was not checked.
        let (nstatus, nout, _) = try CLI.run(["transpile", "--report", "--database-url", "", tname, "-o", "out"], in: tdir)
        #expect(nstatus == 0 && nout.contains("sql:\n  not checked: no database given"), "\(nout)")
        let (ustatus, uout, _) = try CLI.run(["transpile", "--report", "--database-url", "postgres://postgres@127.0.0.1:1/none", tname, "-o", "out"], in: tdir)
        #expect(ustatus == 0 && uout.contains("not checked: cannot connect to the database"), "\(uout)")
    }

    @Test func transpileReportSaysWhatTheProgramBecame() throws {
        let source = """
            import { json } from "std/http/server"
            fn square(n) { n * n }
            get("/users/{id}", fn(req) { json(map { "id": req.params["id"], "n": square(3) }) })
            let route = "/dyn"
            get(route + "/x", fn(req) { json(map {}) })
            """
        let (dir, name) = try CLI.temporaryFile("report.tnt", source)
        let (status, out, _) = try CLI.run(["transpile", "--report", name, "-o", "out"], in: dir)
        #expect(status == 0)
        #expect(out.contains("GET /users/{id} -> <closure> (report.tnt:3:20): typed, reads params, runs on the event loop"), "\(out)")
        #expect(out.contains("GET <computed>: dynamic: pattern computed at run time (report.tnt:5:1)"), "\(out)")
        #expect(out.contains("square (report.tnt:2:1): n: Int"), "\(out)")
    }

    @Test func missingFileIsAClearError() throws {
        let (status, _, err) = try CLI.run(["run", "/nonexistent/app.tnt"])
        #expect(status == 1)
        #expect(err.contains("cannot read file '/nonexistent/app.tnt'"))
    }

    @Test func usageErrorIsNotACrash() throws {
        let (status, _, err) = try CLI.run(["run"])
        #expect(status == 64)
        #expect(err.contains("Missing expected argument"))
    }
}
