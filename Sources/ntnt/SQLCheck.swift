// Compile-time SQL for `ntnt transpile` / `ntnt build` given a database (`--database-url` or
// DATABASE_URL): every SQL literal the program passes to query, query_one, execute or
// query_batch is prepared on that database (runtime's StatementDescriber) before anything is
// written. What PostgreSQL rejects is a compile error at the call, with its message; a wrong
// number of parameters too. The report lists each statement with the row it gives.

import NtntCompiler
import NtntInterpreter
import NtntRuntime
import NtntSyntax

enum SQLCheck {
    /// What checking found: errors (rendered diagnostics, empty when none), the report's
    /// `sql:` section, and the columns of every statement described (for typed rows).
    struct Outcome {
        var errors = ""
        var report = ""
        var statements: [String: [DescribedColumn]] = [:]
    }

    static func run(file: String, databaseURL: String?) -> Outcome {
        guard let url = databaseURL, !url.isEmpty else {
            return Outcome(report: "sql:\n  not checked: no database given (--database-url or DATABASE_URL); rows are Maps\n")
        }
        guard case .success(let calls) = ProgramInspection.sqlCalls(path: file, globalNames: Interpreter.globalNamesForCompiler) else {
            return Outcome()  // the compiler reports the program's own errors
        }
        let checked = calls.filter { $0.sql != nil && !$0.interpolated }
        var texts: [String] = []
        for c in checked where !texts.contains(c.sql!) { texts.append(c.sql!) }
        let described: [Result<StatementDescriber.Description, StatementDescriber.Failure>]
        switch StatementDescriber.describe(url: url, statements: texts) {
        case .failure(let why): return Outcome(report: "sql:\n  not checked: cannot connect to the database: \(why.message); rows are Maps\n")
        case .success(let d): described = d
        }
        // Tables the program creates itself may not exist yet at compile time.
        let created = Set(calls.compactMap { $0.sql.flatMap(createdTable) })
        var errors: [String] = []
        var statements: [String: [DescribedColumn]] = [:]
        var report = "sql:\n"
        if checked.isEmpty { report += "  (no SQL literals)\n" }
        for c in checked {
            let at = argumentLocation(c.loc)
            let position = describe(at)
            switch described[texts.firstIndex(of: c.sql!)!] {
            case .failure(let failure):
                let message = failure.message
                if let table = missingTable(message), created.contains(table) {
                    report += "  \(position): \(c.call): not checked: table \(table) is created by the program\n"
                } else {
                    errors.append(Diagnostic(at, "SQL: \(message)").render(kind: "compile error"))
                }
            case .success(let d):
                if let given = c.parameterCount, given != d.parameters {
                    errors.append(Diagnostic(at, "SQL takes \(d.parameters) parameter\(d.parameters == 1 ? "" : "s"), \(given) given").render(kind: "compile error"))
                    continue
                }
                let row = d.columns.isEmpty ? "no rows"
                    : "row { " + d.columns.map { "\($0.name): \($0.type)\($0.nullable ? "?" : "")" }.joined(separator: ", ") + " }"
                report += "  \(position): \(c.call): \(row)\n"
                statements[c.sql!] = d.columns.map { DescribedColumn(name: $0.name, typeOID: $0.oid) }
            }
        }
        return Outcome(errors: errors.joined(separator: "\n\n"), report: report, statements: statements)
    }

    /// Where the call's SQL argument starts (the call's location is its parenthesis): after the
    /// first comma outside brackets.
    static func argumentLocation(_ call: SourceLoc) -> SourceLoc {
        guard let f = SourceFiles.file(call.file) else { return call }
        let b = f.bytes
        var i = Int(call.offset) + 1, depth = 0
        var inString = false
        while i < b.count {
            let c = b[i]
            if inString {
                if c == UInt8(ascii: "\\") { i += 1 } else if c == UInt8(ascii: "\"") { inString = false }
            } else if c == UInt8(ascii: "\"") {
                inString = true
            } else if c == UInt8(ascii: "(") || c == UInt8(ascii: "[") || c == UInt8(ascii: "{") {
                depth += 1
            } else if c == UInt8(ascii: ")") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") {
                if depth == 0 { return call }
                depth -= 1
            } else if c == UInt8(ascii: ","), depth == 0 {
                i += 1
                while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x09 { i += 1 }
                return SourceLoc(file: Int(call.file), offset: i)
            }
            i += 1
        }
        return call
    }

    static func describe(_ loc: SourceLoc) -> String {
        guard let f = SourceFiles.file(loc.file) else { return "?" }
        let (line, col) = f.lineAndColumn(of: Int(loc.offset))
        return "\(f.path):\(line):\(col)"
    }

    /// `relation "name" does not exist` → name.
    static func missingTable(_ message: String) -> String? {
        guard message.hasPrefix("relation \""), message.hasSuffix("\" does not exist") else { return nil }
        return String(message.dropFirst(10).dropLast(16))
    }

    /// `CREATE [TEMP] TABLE [IF NOT EXISTS] name …` → name.
    static func createdTable(_ sql: String) -> String? {
        var words = sql.lowercased().split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "(" }).map(String.init)
        guard words.first == "create" else { return nil }
        words.removeFirst()
        if let w = words.first, ["temp", "temporary", "unlogged"].contains(w) { words.removeFirst() }
        guard words.first == "table" else { return nil }
        words.removeFirst()
        if words.starts(with: ["if", "not", "exists"]) { words.removeFirst(3) }
        return words.first
    }
}
