// `ntnt transpile --report`: what the program became. Per route and middleware, whether the
// compiler resolved it to a function of the program (typed: the server knows before running
// what it reads, whether it blocks, whether its response is constant) or left it dynamic, with
// the reason and where; per function, the variables and parameters that got Swift types.

import NtntSema
import NtntSyntax

/// Renders the compile report of one program.
struct CompileReport {
    let facts: ProgramFacts
    let loadOrder: [String]
    let emitters: [SwiftEmitter]

    func render() -> String {
        var out = "routes:\n"
        let entries = RouteTable.entries(facts.values, loadOrder: loadOrder)
        if entries.isEmpty { out += "  (none)\n" }
        for e in entries {
            let what: String
            switch e.kind {
            case .route(let method): what = "\(method) \(e.pattern ?? "<computed>")"
            case .middleware: what = "middleware"
            }
            if let f = e.handler {
                out += "  \(what) -> \(name(f)) (\(location(f.loc))): typed, \(describe(facts.facts(of: f)))\n"
            } else {
                out += "  \(what): dynamic: \(e.dynamicReason ?? "unknown") (\(location(e.reasonLoc)))\n"
            }
        }
        out += "functions:\n"
        for emitter in emitters {
            for (f, typed) in emitter.nativeTypesByFunction() {
                let types = typed.isEmpty ? "no native types" : typed.map { "\($0.name): \($0.type)" }.joined(separator: ", ")
                out += "  \(name(f)) (\(location(f.loc))): \(types)\n"
            }
        }
        return out
    }

    private func name(_ f: FunctionDecl) -> String { f.name ?? "<closure>" }

    /// What the server knows of a handler.
    private func describe(_ f: FunctionFacts) -> String {
        var parts: [String] = []
        if f.isConstant {
            parts.append("constant response")
        } else if f.request.escapes {
            parts.append("reads the whole request")
        } else if f.request.fields.isEmpty {
            parts.append("reads nothing of the request")
        } else {
            parts.append("reads " + f.request.fields.sorted().joined(separator: ", "))
        }
        parts.append(f.blocks ? "may block (worker pool)" : "runs on the event loop")
        return parts.joined(separator: ", ")
    }

    private func location(_ loc: SourceLoc) -> String {
        guard let file = SourceFiles.file(loc.file) else { return "?" }
        let (line, column) = file.lineAndColumn(of: Int(loc.offset))
        return "\(file.path):\(line):\(column)"
    }
}
