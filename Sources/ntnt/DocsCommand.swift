// `ntnt docs [QUERY]`: the standard library reference (docs/stdlib.md, embedded in the binary
// by scripts/embed-docs.py as StdlibReference.swift) searched from the terminal; and
// `ntnt completions SHELL`, ArgumentParser's completion scripts.

import ArgumentParser

struct Docs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Look up a builtin or std function: `ntnt docs split`, `ntnt docs std/string`, `ntnt docs json`.",
        discussion: """
            Without a query, lists every module and its functions. A function's name prints its entry \
            (signature, behaviour, errors, example); a module's name prints the whole module; other words \
            list the entries that mention them.
            """
    )

    @Argument(help: "A function name, a module (std/string), or words to search for.")
    var query: [String] = []

    func run() throws {
        let reference = StdlibReference(markdown: stdlibReferenceMarkdown)
        let q = query.joined(separator: " ")
        if q.isEmpty {
            print(reference.index(), terminator: "")
            return
        }
        switch reference.search(q) {
        case .entries(let texts): print(texts.joined(separator: "\n"), terminator: "")
        case .mentions(let lines): print("no function named '\(q)'; mentioned in:\n" + lines.joined(separator: "\n"))
        case .nothing:
            printError("ntnt docs: nothing matches '\(q)' (`ntnt docs` lists every function)")
            throw ExitCode(1)
        }
    }
}

/// The reference split into modules (`## `) and entries (`### `).
struct StdlibReference {
    struct Entry {
        let module: String
        let name: String
        let text: String
    }
    struct Module {
        let name: String
        let text: String
        var entries: [Entry]
    }
    var modules: [Module] = []

    init(markdown: String) {
        var module: Module?
        var entry: (name: String, lines: [String])?
        func closeEntry() {
            guard let e = entry, module != nil else { entry = nil; return }
            module!.entries.append(Entry(module: module!.name, name: e.name, text: e.lines.joined(separator: "\n").trimmedTrailingNewlines() + "\n"))
            entry = nil
        }
        var moduleLines: [String] = []
        func closeModule() {
            closeEntry()
            if let m = module { modules.append(Module(name: m.name, text: moduleLines.joined(separator: "\n").trimmedTrailingNewlines() + "\n", entries: m.entries)) }
            module = nil
            moduleLines = []
        }
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("## ") {
                closeModule()
                module = Module(name: String(line.dropFirst(3)).trimmingSpaces(), text: "", entries: [])
            } else if line.hasPrefix("### ") {
                closeEntry()
                entry = (String(line.dropFirst(4)).trimmingSpaces(), [line])
            } else if entry != nil {
                entry!.lines.append(line)
            }
            if module != nil { moduleLines.append(line) }
        }
        closeModule()
    }

    func index() -> String {
        var out = ""
        for m in modules {
            out += m.name + "\n"
            var line = " "
            for e in m.entries {
                if line.count + e.name.count + 1 > 78 { out += line + "\n"; line = " " }
                line += " " + e.name
            }
            if line.count > 1 { out += line + "\n" }
        }
        return out + "`ntnt docs NAME` shows one entry.\n"
    }

    enum Answer {
        case entries([String])
        case mentions([String])
        case nothing
    }

    func search(_ query: String) -> Answer {
        let q = query.lowercased()
        if let m = modules.first(where: { $0.name.lowercased() == q }) { return .entries([m.text]) }
        let named = modules.flatMap(\.entries).filter { $0.name.lowercased() == q }
        if !named.isEmpty { return .entries(named.map { "(\($0.module))\n" + $0.text }) }
        let mentions = modules.flatMap(\.entries).filter { $0.name.lowercased().contains(q) || $0.text.lowercased().contains(q) }
        if !mentions.isEmpty { return .mentions(mentions.map { "  \($0.name)  (\($0.module))" }) }
        return .nothing
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }

    fileprivate func trimmedTrailingNewlines() -> String {
        var s = Substring(self)
        while s.last == "\n" { s = s.dropLast() }
        return String(s)
    }
}

struct Completions: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a shell completion script: `ntnt completions bash > /etc/bash_completion.d/ntnt`.",
        discussion: "zsh: put the output in a folder of $fpath as _ntnt. fish: ~/.config/fish/completions/ntnt.fish."
    )

    enum Shell: String, ExpressibleByArgument, CaseIterable {
        case bash, zsh, fish
    }

    @Argument(help: "bash, zsh or fish.")
    var shell: Shell

    func run() throws {
        let kind: CompletionShell
        switch shell {
        case .bash: kind = .bash
        case .zsh: kind = .zsh
        case .fish: kind = .fish
        }
        print(Ntnt.completionScript(for: kind))
    }
}
