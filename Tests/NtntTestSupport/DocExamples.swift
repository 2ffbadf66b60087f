// The examples of docs/*.md as tests. A ```tnt block followed (only blank lines between) by an
// ```output block is a program: it becomes a conformance case of the suite "docs" (so it runs
// interpreted and compiled, like every conformance program), with the output block as its
// expected stdout; an ```error block right after the output makes it a failing program (exit 1,
// each line in the error report). A ```tnt block without an output block is a fragment or a
// server: it must pass `ntnt check` (DocExamplesTests).

import Foundation

struct DocExample {
    let file: String
    let line: Int
    let source: String
    let output: String?
    let error: String?

    var name: String { "\(((file as NSString).lastPathComponent as NSString).deletingPathExtension)_L\(line)" }
}

enum DocExamples {
    static let docsDirectory = ConformanceCorpus.projectRoot + "/docs"

    static let all: [DocExample] = {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: docsDirectory)) ?? []).filter { $0.hasSuffix(".md") }.sorted()
        return files.flatMap { f in
            extract(from: (try? String(contentsOfFile: docsDirectory + "/" + f, encoding: .utf8)) ?? "", file: "docs/" + f)
        }
    }()

    /// A fenced block (`lang` nil for a line outside blocks).
    private struct Piece {
        let lang: String?
        let text: String
        let line: Int
    }

    static func extract(from markdown: String, file: String) -> [DocExample] {
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var pieces: [Piece] = []
        var i = 0
        while i < lines.count {
            let l = lines[i]
            if l.hasPrefix("```"), case let lang = l.dropFirst(3).trimmingCharacters(in: .whitespaces), !lang.isEmpty {
                var j = i + 1
                while j < lines.count && !lines[j].hasPrefix("```") { j += 1 }
                let body = lines[(i + 1)..<min(j, lines.count)]
                pieces.append(Piece(lang: lang, text: body.isEmpty ? "" : body.joined(separator: "\n") + "\n", line: i + 2))
                i = j + 1
            } else {
                pieces.append(Piece(lang: nil, text: l, line: i + 1))
                i += 1
            }
        }
        func nextBlock(after k: Int) -> Int? {
            var n = k + 1
            while n < pieces.count, pieces[n].lang == nil, pieces[n].text.trimmingCharacters(in: .whitespaces).isEmpty { n += 1 }
            return n < pieces.count && pieces[n].lang != nil ? n : nil
        }
        var examples: [DocExample] = []
        for (k, p) in pieces.enumerated() where p.lang == "tnt" {
            var output: String?, error: String?
            if let n = nextBlock(after: k), pieces[n].lang == "output" {
                output = pieces[n].text
                if let e = nextBlock(after: n), pieces[e].lang == "error" { error = pieces[e].text }
            }
            examples.append(DocExample(file: file, line: p.line, source: p.text, output: output, error: error))
        }
        return examples
    }

    /// The runnable examples written out as a conformance suite (one folder per checkout).
    static let suiteDirectory: String = {
        var hash: UInt64 = 14695981039346656037
        for b in ConformanceCorpus.projectRoot.utf8 { hash = (hash ^ UInt64(b)) &* 1099511628211 }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ntnt-doc-examples-\(String(hash, radix: 16))").path
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for e in all where e.output != nil {
            let base = dir + "/" + e.name
            try? e.source.write(toFile: base + ".tnt", atomically: true, encoding: .utf8)
            try? e.output!.write(toFile: base + ".out", atomically: true, encoding: .utf8)
            if let error = e.error {
                try? error.write(toFile: base + ".err", atomically: true, encoding: .utf8)
                try? "1\n".write(toFile: base + ".code", atomically: true, encoding: .utf8)
            }
        }
        return dir
    }()
}
