// Template strings (LANGUAGE.md §7): the body of a `"""…"""` literal is scanned for `{{ … }}`
// tags at parse time, so a malformed template is a parse error with a location, and neither
// backend ever parses template text at run time.

/// The filter names templates accept (the runtime implements each one).
let knownFilters: Set<String> = [
    "upper", "uppercase", "lower", "lowercase", "capitalize", "trim", "truncate", "replace",
    "default", "length", "first", "last", "reverse", "join", "slice", "json", "number",
    "url_encode", "escape", "raw", "safe",
]

extension Parser {
    /// An open block tag while scanning a template body.
    private enum OpenBlock {
        case forLoop(variable: VarDecl, sequence: Expr, body: [TemplateNode], emptyBody: [TemplateNode]?, tagLoc: SourceLoc)
        case ifChain(branches: [(Expr, [TemplateNode])], current: Expr?, body: [TemplateNode], elseBody: [TemplateNode]?, tagLoc: SourceLoc)
    }

    mutating func parseTemplateBody(start: Int, end: Int) throws -> [TemplateNode] {
        let bytes = file.bytes
        var stack: [OpenBlock] = []
        var nodes: [TemplateNode] = []
        var text: [UInt8] = []
        var failed = false

        func flush() {
            if !text.isEmpty {
                nodes.append(.text(String(decoding: text, as: UTF8.self)))
                text.removeAll()
            }
        }
        func at(_ i: Int, _ s: String) -> Bool {
            let u = Array(s.utf8)
            guard i + u.count <= end else { return false }
            return Array(bytes[i..<(i + u.count)]) == u
        }
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

        var i = start
        while i < end {
            let c = bytes[i]
            if c == UInt8(ascii: "\\") {
                if at(i, "\\{{") { text += Array("{{".utf8); i += 3; continue }
                if at(i, "\\}}") { text += Array("}}".utf8); i += 3; continue }
                if at(i, "\\{") { text.append(UInt8(ascii: "{")); i += 2; continue }
                if at(i, "\\}") { text.append(UInt8(ascii: "}")); i += 2; continue }
                text.append(c)
                i += 1
                continue
            }
            guard at(i, "{{") else {
                text.append(c)
                i += 1
                continue
            }
            let tagStart = i
            let tagLoc = SourceLoc(file: file.id, offset: tagStart)
            // Comments: `{{! … }}`.
            if at(i, "{{!") {
                var j = i + 3
                while j < end && !at(j, "}}") { j += 1 }
                if j >= end {
                    diagnostics.error(tagLoc, "unclosed template comment")
                    failed = true
                    break
                }
                i = j + 2
                continue
            }
            let triple = at(i, "{{{")
            var contentStart = i + (triple ? 3 : 2)
            // The tag ends at the first `}}` (or `}}}`) outside nested `{ … }`.
            var j = contentStart
            var depth = 0
            var contentEnd = -1
            while j < end {
                let b = bytes[j]
                if b == UInt8(ascii: "{") { depth += 1 }
                else if b == UInt8(ascii: "}") {
                    if depth == 0 && at(j, triple ? "}}}" : "}}") { contentEnd = j; break }
                    depth = max(0, depth - 1)
                }
                j += 1
            }
            if contentEnd < 0 {
                diagnostics.error(tagLoc, "unclosed template tag '{{'")
                failed = true
                break
            }
            i = contentEnd + (triple ? 3 : 2)
            var contentLast = contentEnd
            while contentStart < contentLast && isSpace(bytes[contentStart]) { contentStart += 1 }
            while contentLast > contentStart && isSpace(bytes[contentLast - 1]) { contentLast -= 1 }
            let tag = file.text(contentStart, contentLast)
            let contentLoc = SourceLoc(file: file.id, offset: contentStart)

            flush()
            if !triple && tag.hasPrefix("#") || tag.hasPrefix("/") {
                // Block tags.
                let word = tag.prefix { $0 != " " && $0 != "\t" && $0 != "\n" }
                let restStart = contentStart + word.utf8.count
                switch word {
                case "#for":
                    // `#for NAME in EXPR`
                    var k = restStart
                    while k < contentLast && isSpace(bytes[k]) { k += 1 }
                    let nameStart = k
                    while k < contentLast && !isSpace(bytes[k]) { k += 1 }
                    let name = file.text(nameStart, k)
                    while k < contentLast && isSpace(bytes[k]) { k += 1 }
                    guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }),
                          k + 2 <= contentLast, file.text(k, k + 2) == "in",
                          k + 2 == contentLast || isSpace(bytes[k + 2]) else {
                        diagnostics.error(contentLoc, "expected '#for NAME in EXPRESSION'")
                        failed = true
                        continue
                    }
                    guard let seq = try? parseEmbedded(start: k + 2, end: contentLast, templateContext: true) else {
                        failed = true
                        continue
                    }
                    stack.append(.forLoop(variable: VarDecl(name: name, loc: SourceLoc(file: file.id, offset: nameStart)),
                                          sequence: seq, body: nodes, emptyBody: nil, tagLoc: tagLoc))
                    nodes = []
                case "#empty":
                    guard case .forLoop(let v, let seq, let outer, nil, let l)? = stack.last else {
                        diagnostics.error(tagLoc, "'{{#empty}}' outside of a '{{#for}}' block")
                        failed = true
                        continue
                    }
                    stack[stack.count - 1] = .forLoop(variable: v, sequence: seq, body: outer, emptyBody: nodes, tagLoc: l)
                    nodes = []
                case "/for":
                    guard case .forLoop(let v, let seq, let outer, let firstPart, _)? = stack.last else {
                        diagnostics.error(tagLoc, "'{{/for}}' without a matching '{{#for}}'")
                        failed = true
                        continue
                    }
                    stack.removeLast()
                    let body = firstPart ?? nodes
                    let empty = firstPart == nil ? nil : nodes
                    let loop = TemplateFor(variable: v, sequence: seq, body: body, emptyBody: empty)
                    nodes = outer + [.forLoop(loop)]
                case "#if":
                    guard let cond = try? parseEmbedded(start: restStart, end: contentLast, templateContext: true) else {
                        failed = true
                        continue
                    }
                    stack.append(.ifChain(branches: [], current: cond, body: nodes, elseBody: nil, tagLoc: tagLoc))
                    nodes = []
                case "#elif", "#else":
                    guard case .ifChain(var branches, let current, let outer, nil, let l)? = stack.last, let cur = current else {
                        diagnostics.error(tagLoc, "'{{\(word)}}' outside of an '{{#if}}' block")
                        failed = true
                        continue
                    }
                    branches.append((cur, nodes))
                    nodes = []
                    if word == "#elif" {
                        guard let cond = try? parseEmbedded(start: restStart, end: contentLast, templateContext: true) else {
                            failed = true
                            continue
                        }
                        stack[stack.count - 1] = .ifChain(branches: branches, current: cond, body: outer, elseBody: nil, tagLoc: l)
                    } else {
                        stack[stack.count - 1] = .ifChain(branches: branches, current: nil, body: outer, elseBody: [], tagLoc: l)
                    }
                case "/if":
                    guard case .ifChain(var branches, let current, let outer, let elseBody, _)? = stack.last else {
                        diagnostics.error(tagLoc, "'{{/if}}' without a matching '{{#if}}'")
                        failed = true
                        continue
                    }
                    stack.removeLast()
                    var finalElse: [TemplateNode]? = nil
                    if let cur = current {
                        branches.append((cur, nodes))
                    } else if elseBody != nil {
                        finalElse = nodes
                    }
                    nodes = outer + [.ifChain(branches.map { (cond: $0.0, body: $0.1) }, elseBody: finalElse)]
                default:
                    diagnostics.error(tagLoc, "unknown template block tag '{{\(word)}}'")
                    failed = true
                }
                continue
            }
            // Output tag: `EXPR | filter | filter(args)`.
            let pieces = splitFilters(contentStart, contentLast)
            guard let exprRange = pieces.first, exprRange.0 < exprRange.1 else {
                diagnostics.error(tagLoc, "empty template tag")
                failed = true
                continue
            }
            guard let expr = try? parseEmbedded(start: exprRange.0, end: exprRange.1, templateContext: true) else {
                failed = true
                continue
            }
            var filters: [FilterCall] = []
            for (fs, fe) in pieces.dropFirst() {
                guard let call = try? parseEmbedded(start: fs, end: fe, templateContext: true) else {
                    failed = true
                    continue
                }
                let floc = SourceLoc(file: file.id, offset: fs)
                switch call {
                case .name(let ref) where knownFilters.contains(ref.name):
                    filters.append(FilterCall(name: ref.name, arguments: [], loc: floc))
                case .call(.name(let ref), let args, _) where knownFilters.contains(ref.name):
                    filters.append(FilterCall(name: ref.name, arguments: args, loc: floc))
                case .name(let ref), .call(.name(let ref), _, _):
                    diagnostics.error(floc, "unknown template filter '\(ref.name)'")
                    failed = true
                default:
                    diagnostics.error(floc, "expected a filter name")
                    failed = true
                }
            }
            nodes.append(.output(expr, filters, tagLoc))
        }
        flush()
        for open in stack.reversed() {
            switch open {
            case .forLoop(_, _, _, _, let l): diagnostics.error(l, "unclosed '{{#for}}' block")
            case .ifChain(_, _, _, _, let l): diagnostics.error(l, "unclosed '{{#if}}' block")
            }
            failed = true
        }
        if failed { throw ParseAbort() }
        return nodes
    }

    /// Splits tag content at `|` characters that are not part of `||` or `|>` and not inside
    /// parentheses, brackets, braces or string literals. Returns trimmed byte ranges.
    private func splitFilters(_ start: Int, _ end: Int) -> [(Int, Int)] {
        let bytes = file.bytes
        var ranges: [(Int, Int)] = []
        var depth = 0
        var quote: UInt8? = nil
        var pieceStart = start
        var i = start
        while i < end {
            let b = bytes[i]
            if let q = quote {
                if b == UInt8(ascii: "\\") { i += 2; continue }
                if b == q { quote = nil }
            } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
                quote = b
            } else if b == UInt8(ascii: "(") || b == UInt8(ascii: "[") || b == UInt8(ascii: "{") {
                depth += 1
            } else if b == UInt8(ascii: ")") || b == UInt8(ascii: "]") || b == UInt8(ascii: "}") {
                depth -= 1
            } else if b == UInt8(ascii: "|") && depth == 0 {
                let next = i + 1 < end ? bytes[i + 1] : 0
                if next == UInt8(ascii: "|") || next == UInt8(ascii: ">") {
                    i += 2
                    continue
                }
                ranges.append((pieceStart, i))
                pieceStart = i + 1
            }
            i += 1
        }
        ranges.append((pieceStart, end))
        return ranges.map { r in
            var (a, b) = r
            while a < b && (bytes[a] == 0x20 || bytes[a] == 0x09 || bytes[a] == 0x0A || bytes[a] == 0x0D) { a += 1 }
            while b > a && (bytes[b - 1] == 0x20 || bytes[b - 1] == 0x09 || bytes[b - 1] == 0x0A || bytes[b - 1] == 0x0D) { b -= 1 }
            return (a, b)
        }
    }
}
