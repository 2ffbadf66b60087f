// Typed rows (compile-time SQL): programs compiled with their statements described on the
// test database read rows into structs, and must answer exactly as `ntnt run` does; a binary
// whose table changed under it gives an Err naming the column, never a crash.

import Foundation
import NtntCompiler
import NtntInterpreter
import NtntRuntime
import Testing
@testable import NtntTestSupport

/// The programs the compiled corpus also builds with typed rows (`typed_…`).
enum TypedRowsCorpus {
    static let root = ConformanceCorpus.projectRoot

    /// (program name, path, display path).
    static let programs: [(String, String, String)] = {
        var list = [("typed_db_typed_rows", root + "/Tests/Conformance/db_typed_rows.tnt", "db_typed_rows.tnt"),
                    ("typed_schema_change", root + "/Tests/TypedRows/schema_change.tnt", "Tests/TypedRows/schema_change.tnt"),
                    ("typed_sample_bench", root + "/samples/bench/app.tnt", "samples/bench/app.tnt"),
                    ("typed_handlers", root + "/Tests/TypedRows/handlers.tnt", "Tests/TypedRows/handlers.tnt")]
        for style in StyleCorpus.styles {
            list.append(("typed_style_\(style)", root + "/samples/styles/\(style).tnt", "samples/styles/\(style).tnt"))
        }
        return list
    }()

    static let schemaTable = """
        DROP TABLE IF EXISTS ntnt_typed_schema;
        CREATE TABLE ntnt_typed_schema (id int PRIMARY KEY, score int NOT NULL, note text);
        INSERT INTO ntnt_typed_schema VALUES (1, 10, 'first'), (2, 20, NULL);
        """

    /// The table schema_change.tnt is compiled against, as it was.
    static func resetSchemaTable() { _ = TestCluster.main.query(schemaTable) }

    /// What `ntnt build --database-url` gives the compiler: the columns of every SQL literal
    /// of the program that the database describes.
    static func describedStatements(_ path: String) -> [String: [DescribedColumn]] {
        guard case .success(let calls) = ProgramInspection.sqlCalls(path: path, globalNames: Interpreter.globalNamesForCompiler) else { return [:] }
        var texts: [String] = []
        for c in calls where !c.interpolated { if let sql = c.sql, !texts.contains(sql) { texts.append(sql) } }
        guard case .success(let described) = StatementDescriber.describe(url: testDatabaseURL, statements: texts) else { return [:] }
        var statements: [String: [DescribedColumn]] = [:]
        for (sql, d) in zip(texts, described) {
            if case .success(let description) = d {
                statements[sql] = description.columns.map { DescribedColumn(name: $0.name, typeOID: $0.oid) }
            }
        }
        return statements
    }

    /// The corpus package's typed programs (compiled with their described statements).
    static func emit() -> (programs: [(name: String, source: String)], failures: [String: String]) {
        resetSchemaTable()
        var programs: [(name: String, source: String)] = []
        var failures: [String: String] = [:]
        for (name, path, display) in Self.programs {
            switch Compiler.compile(CompileUnit(name: name, path: path, displayPath: display),
                                    globalNames: Interpreter.globalNamesForCompiler, statements: describedStatements(path)) {
            case .success(let o): programs.append((o.name, o.source))
            case .failure(let f): failures[name] = f.report
            }
        }
        return (programs, failures)
    }

    /// Runs a typed program of the corpus package to its end.
    static func run(_ name: String, in directory: String) -> (status: Int32, stdout: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CompiledCorpus.packageDirectory + "/.build/release/app")
        p.currentDirectoryURL = URL(fileURLWithPath: directory)
        p.environment = ProcessInfo.processInfo.environment.merging(["NTNT_PROGRAM": name]) { _, b in b }
        let out = Pipe()
        p.standardOutput = out
        do { try p.run() } catch { return (-1, "\(error)") }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self))
    }
}

/// Which SQL a call is known to run (`StaticValues`, used by compile-time SQL and typed rows):
/// a parameter counts only when every caller is known and passes the same string.
@Suite struct KnownSQLTests {
    static func sql(_ files: [String: String]) throws -> [String?] {
        let (dir, main) = try CLI.temporaryFile("main.tnt", files["main.tnt"]!)
        for (name, text) in files where name != "main.tnt" {
            try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        }
        let calls = try ProgramInspection.sqlCalls(path: dir + "/" + main, globalNames: Interpreter.globalNamesForCompiler).get()
        return calls.map(\.sql)
    }

    static let imports = "import { connect, query } from \"std/db/postgres\"\n"
    static let header = imports + "let db = unwrap(connect(\"postgres://x@127.0.0.1:1/x\"))\n"
    static let namespaced = imports + "import \"./lib\" as repo\nlet db = unwrap(connect(\"postgres://x@127.0.0.1:1/x\"))\n"

    @Test func aParameterAlwaysGivenOneStringIsThatString() throws {
        let got = try Self.sql(["main.tnt": Self.header + """
            fn load(conn, sql) { query(conn, sql, []) }
            fn a() { load(db, "SELECT 1 AS a") }
            fn b() { load(db, "SELECT 1 AS a") }
            """])
        #expect(got == ["SELECT 1 AS a"])
    }

    @Test func differentStringsOrAValueUseLeaveItUnknown() throws {
        let two = try Self.sql(["main.tnt": Self.header + """
            fn load(conn, sql) { query(conn, sql, []) }
            load(db, "SELECT 1 AS a")
            load(db, "SELECT 2 AS b")
            """])
        #expect(two == [nil])
        let passed = try Self.sql(["main.tnt": Self.header + """
            fn load(conn, sql) { query(conn, sql, []) }
            fn call(f) { f(db, "SELECT 2 AS b") }
            load(db, "SELECT 1 AS a")
            call(load)
            """])
        #expect(passed == [nil])
    }

    /// `let sql = …` inside the function reuses the parameter's slot: not the caller's string.
    @Test func aLetNamingTheParameterHidesIt() throws {
        let got = try Self.sql(["main.tnt": Self.header + """
            fn load(conn, sql) {
                let sql = "SELECT 2 AS b"
                query(conn, sql, [])
            }
            load(db, "SELECT 1 AS a")
            """])
        #expect(got == [nil])
    }

    /// A module namespace handed around as a value may reach its functions from anywhere.
    @Test func aNamespaceUsedAsAValueLeavesItsFunctionsUnknown() throws {
        let lib = "import { query } from \"std/db/postgres\"\nfn load(conn, sql) { query(conn, sql, []) }\n"
        let got = try Self.sql(["lib.tnt": lib, "main.tnt": Self.namespaced + """
            fn other(m) { m.load(db, "SELECT 2 AS b") }
            repo.load(db, "SELECT 1 AS a")
            other(repo)
            """])
        #expect(got == [nil])
        let direct = try Self.sql(["lib.tnt": lib, "main.tnt": Self.namespaced + """
            repo.load(db, "SELECT 1 AS a")
            """])
        #expect(direct == ["SELECT 1 AS a"])
    }
}

@Suite(.serialized) struct TypedRowsTests {
    /// Every typed program really got row structs (the report says which variables).
    @Test func describedStatementsGiveRowStructs() throws {
        for (name, path, display) in TypedRowsCorpus.programs {
            let statements = TypedRowsCorpus.describedStatements(path)
            #expect(!statements.isEmpty, "\(name): nothing described (is the database up?)")
            let output = try Compiler.compile(CompileUnit(name: name, path: path, displayPath: display),
                                              globalNames: Interpreter.globalNamesForCompiler, statements: statements).get()
            #expect(output.report.contains(": Row {") || output.report.contains(": [Row {"), "\(name):\n\(output.report)")
            #expect(output.source.contains("RowQuery."), "\(name)")
            // Without a database the same program has no row structs.
            let plain = try Compiler.compile(CompileUnit(name: name, path: path, displayPath: display),
                                             globalNames: Interpreter.globalNamesForCompiler).get()
            #expect(!plain.source.contains("RowQuery.") && !plain.report.contains("Row {"), "\(name)")
        }
    }

    /// db_typed_rows.tnt compiled with typed rows prints exactly what `ntnt run` prints (its
    /// .out, which the untyped builds and the interpreter are held to as well).
    @Test func typedProgramPrintsWhatTheInterpreterPrints() throws {
        try #require(CompiledCorpus.build.built, "the compiled package did not build")
        #expect(CompiledCorpus.build.failures["typed_db_typed_rows"] == nil)
        let directory = TypedRowsCorpus.root + "/Tests/Conformance"
        let expected = try String(contentsOfFile: directory + "/db_typed_rows.out", encoding: .utf8)
        let (status, stdout) = TypedRowsCorpus.run("typed_db_typed_rows", in: directory)
        #expect(status == 0)
        #expect(stdout == expected)
    }

    /// A table changed after compiling: every typed read is an Err that names the column.
    @Test func aChangedSchemaIsAnErrNamingTheColumn() throws {
        try #require(CompiledCorpus.build.built, "the compiled package did not build")
        defer { TypedRowsCorpus.resetSchemaTable() }
        let run = { TypedRowsCorpus.run("typed_schema_change", in: TypedRowsCorpus.root) }
        TypedRowsCorpus.resetSchemaTable()
        var (status, out) = run()
        #expect(status == 0 && out == "star: 1 10\n1 10 first\n2 20 none\nall: 2\n", "\(out)")

        _ = TestCluster.main.query("ALTER TABLE ntnt_typed_schema ALTER score TYPE text")
        (status, out) = run()
        let retyped = "Query failed: column \"score\" is now String, but was Int when the program was compiled; rebuild it against this database"
        #expect(status == 0 && out == "error: \(retyped)\nerror: \(retyped)\nerror: \(retyped)\nall: \(retyped)\n", "\(out)")

        TypedRowsCorpus.resetSchemaTable()
        _ = TestCluster.main.query("ALTER TABLE ntnt_typed_schema ALTER score DROP NOT NULL; UPDATE ntnt_typed_schema SET score = NULL WHERE id = 2")
        (status, out) = run()
        // A NULL where the table said NOT NULL (as an outer join gives): read as None, like `ntnt run`.
        #expect(status == 0 && out == "star: 1 10\n1 10 first\n2 none none\nall: 2\n", "\(out)")

        TypedRowsCorpus.resetSchemaTable()
        _ = TestCluster.main.query("ALTER TABLE ntnt_typed_schema ADD COLUMN extra int")
        (status, out) = run()
        #expect(status == 0 && out.hasPrefix("error: Query failed: the statement has a new column \"extra\" since the program was compiled (it returns id, score, note, extra); rebuild it against this database\n1 10 first\n"), "\(out)")

        TypedRowsCorpus.resetSchemaTable()
        _ = TestCluster.main.query("ALTER TABLE ntnt_typed_schema RENAME COLUMN note TO remark")
        (status, out) = run()
        #expect(status == 0 && out.hasPrefix("error: Query failed: the statement no longer has column \"note\""), "\(out)")
        // The statements naming the column fail in PostgreSQL itself: an Err as well.
        #expect(out.components(separatedBy: "column \"note\" does not exist").count == 4, "\(out)")
    }

    /// The sample and every style, compiled with typed rows, answer like the interpreted sample.
    @Test func typedSampleAndStylesAnswerLikeTheSample() throws {
        try #require(CompiledCorpus.build.built, "the compiled package did not build")
        let sample = try ServerProcess(app: "samples/bench/app.tnt")
        defer { #expect(sample.stop() == 0) }
        for program in ["typed_sample_bench"] + StyleCorpus.styles.map({ "typed_style_\($0)" }) {
            #expect(CompiledCorpus.build.failures[program] == nil)
            let compiled = try ServerProcess(app: "", environment: ["NTNT_PROGRAM": program], compiledBinary: CompiledHTTPTests.binary)
            defer { #expect(compiled.stop() == 0) }
            try CompiledHTTPTests.expectAnswersLikeTheSample(sample, compiled, program)
        }
    }

    /// Typed rows read with `?` directly in route handlers (their typed response entries)
    /// answer exactly like `ntnt run`, the Err of a failed statement included.
    @Test func typedRowsInHandlersAnswerLikeTheInterpreter() throws {
        try #require(CompiledCorpus.build.built, "the compiled package did not build")
        #expect(CompiledCorpus.build.failures["typed_handlers"] == nil)
        let interpreted = try ServerProcess(app: "Tests/TypedRows/handlers.tnt")
        defer { #expect(interpreted.stop() == 0) }
        let compiled = try ServerProcess(app: "", environment: ["NTNT_PROGRAM": "typed_handlers"], compiledBinary: CompiledHTTPTests.binary)
        defer { #expect(compiled.stop() == 0) }
        for path in ["/world/7", "/world/0", "/worlds/3", "/worlds/0", "/bad/x", "/bad/5"] {
            let a = try fetch(interpreted.port, "GET", path)
            let b = try fetch(compiled.port, "GET", path)
            #expect(a.status == b.status && a.body == b.body, "GET \(path): \(a.status) \(a.body) vs \(b.status) \(b.body)")
            #expect(a.headers["content-type"] == b.headers["content-type"], "GET \(path)")
        }
        #expect(try fetch(compiled.port, "GET", "/world/7").body == #"{"id":7,"known":true}"#)
    }
}
