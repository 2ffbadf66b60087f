// std/string (§10.1) and the functions several std modules share (reverse, contains,
// index_of, is_empty). Positions and lengths count Unicode scalars, so these work on
// `unicodeScalars` views rather than on Swift Characters (grapheme clusters).

extension String {
    /// The scalars of the string as an array, for index-based algorithms.
    var scalarArray: [Unicode.Scalar] { Array(unicodeScalars) }

    init(scalars: some Sequence<Unicode.Scalar>) {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: scalars)
        self = String(s)
    }

    /// Position (in scalars) of the first occurrence of `needle` at or after `from`.
    func scalarIndex(of needle: [Unicode.Scalar], in hay: [Unicode.Scalar], from: Int = 0) -> Int? {
        if needle.isEmpty { return from <= hay.count ? from : nil }
        if needle.count > hay.count { return nil }
        var i = from
        while i + needle.count <= hay.count {
            if hay[i] == needle[0] {
                var j = 1
                while j < needle.count && hay[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }
}

/// Splits `s` on every occurrence of `sep` (empty pieces kept); `sep == ""` → characters.
public func splitString(_ s: String, _ sep: String) -> [String] {
    if sep.isEmpty { return s.unicodeScalars.map { String($0) } }
    let hay = s.scalarArray, needle = sep.scalarArray
    var pieces: [String] = []
    var start = 0
    while let i = s.scalarIndex(of: needle, in: hay, from: start) {
        pieces.append(String(scalars: hay[start..<i]))
        start = i + needle.count
    }
    pieces.append(String(scalars: hay[start...]))
    return pieces
}

/// Replaces occurrences of `a` with `b` (all, or only the first).
public func replaceString(_ s: String, _ a: String, _ b: String, firstOnly: Bool = false) -> String {
    if a.isEmpty { return s }
    let hay = s.scalarArray, needle = a.scalarArray
    var out = String.UnicodeScalarView()
    var start = 0
    while let i = s.scalarIndex(of: needle, in: hay, from: start) {
        out.append(contentsOf: hay[start..<i])
        out.append(contentsOf: b.unicodeScalars)
        start = i + needle.count
        if firstOnly { break }
    }
    out.append(contentsOf: hay[start...])
    return String(out)
}

func trimScalars(_ s: String, left: Bool, right: Bool) -> String {
    let xs = s.scalarArray
    var lo = 0, hi = xs.count
    if left { while lo < hi && xs[lo].properties.isWhitespace { lo += 1 } }
    if right { while hi > lo && xs[hi - 1].properties.isWhitespace { hi -= 1 } }
    return String(scalars: xs[lo..<hi])
}

/// Upper-cases the first character; the rest is lower-cased when `lowerRest`.
public func capitalizeString(_ s: String, lowerRest: Bool) -> String {
    guard let first = s.unicodeScalars.first else { return s }
    let rest = String(scalars: s.unicodeScalars.dropFirst())
    return String(first).uppercased() + (lowerRest ? rest.lowercased() : rest)
}

/// `[start, end)` of a string or array, both clamped to `0..len`.
func clampedRange(_ start: Int, _ end: Int, count: Int) -> Range<Int> {
    let lo = Swift.max(0, Swift.min(start, count))
    let hi = Swift.max(lo, Swift.min(end, count))
    return lo..<hi
}

/// Escapes text for HTML (the `escape` filter).
public func escapeHTML(_ s: String) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(s.utf8.count + 16)
    for b in s.utf8 {
        switch b {
        case UInt8(ascii: "&"): out.append(contentsOf: "&amp;".utf8)
        case UInt8(ascii: "<"): out.append(contentsOf: "&lt;".utf8)
        case UInt8(ascii: ">"): out.append(contentsOf: "&gt;".utf8)
        case UInt8(ascii: "\""): out.append(contentsOf: "&quot;".utf8)
        case UInt8(ascii: "'"): out.append(contentsOf: "&#x27;".utf8)
        default: out.append(b)
        }
    }
    return String(decoding: out, as: UTF8.self)
}

extension Builtins {
    /// Functions offered by several std modules; each is the same function everywhere (§10).
    static let sharedFunctions: [BuiltinFunction] = [
        BuiltinFunction("reverse", arity: 1...1) { a, _ in
            switch a[0] {
            case .string(let s): return .string(String(scalars: s.unicodeScalars.reversed()))
            case .array(let xs): return .array(xs.reversed())
            default: throw typeError("reverse", "String or Array", a[0])
            }
        },
        BuiltinFunction("contains", arity: 2...2) { a, _ in
            switch a[0] {
            case .string(let s):
                let n = try a.string(1, "contains")
                return .bool(s.scalarIndex(of: n.scalarArray, in: s.scalarArray) != nil)
            case .array(let xs): return .bool(xs.contains { Value.equals($0, a[1]) })
            default: throw typeError("contains", "String or Array", a[0])
            }
        },
        BuiltinFunction("index_of", arity: 2...2) { a, _ in
            switch a[0] {
            case .string(let s):
                let n = try a.string(1, "index_of")
                return .int(s.scalarIndex(of: n.scalarArray, in: s.scalarArray) ?? -1)
            case .array(let xs): return .int(xs.firstIndex { Value.equals($0, a[1]) } ?? -1)
            default: throw typeError("index_of", "String or Array", a[0])
            }
        },
        BuiltinFunction("is_empty", arity: 1...1) { a, _ in
            switch a[0] {
            case .string(let s): return .bool(s.isEmpty)
            case .array(let xs): return .bool(xs.isEmpty)
            case .map(let m): return .bool(m.isEmpty)
            default: throw typeError("is_empty", "String, Array or Map", a[0])
            }
        },
    ]

    static let stringFunctions: [BuiltinFunction] = [
        BuiltinFunction("split", arity: 2...2) { a, _ in
            .array(splitString(try a.string(0, "split"), try a.string(1, "split")).map(Value.string))
        },
        BuiltinFunction("join", arity: 2...2) { a, _ in
            let xs = try a.array(0, "join")
            let sep = try a.string(1, "join")
            var out = ""
            for (i, x) in xs.enumerated() {
                if i > 0 { out += sep }
                x.appendDisplay(to: &out)
            }
            return .string(out)
        },
        BuiltinFunction("trim", arity: 1...1) { a, _ in .string(trimScalars(try a.string(0, "trim"), left: true, right: true)) },
        BuiltinFunction("trim_left", arity: 1...1) { a, _ in .string(trimScalars(try a.string(0, "trim_left"), left: true, right: false)) },
        BuiltinFunction("trim_right", arity: 1...1) { a, _ in .string(trimScalars(try a.string(0, "trim_right"), left: false, right: true)) },
        BuiltinFunction("to_upper", arity: 1...1) { a, _ in .string(try a.string(0, "to_upper").uppercased()) },
        BuiltinFunction("to_lower", arity: 1...1) { a, _ in .string(try a.string(0, "to_lower").lowercased()) },
        BuiltinFunction("capitalize", arity: 1...1) { a, _ in .string(capitalizeString(try a.string(0, "capitalize"), lowerRest: true)) },
        BuiltinFunction("starts_with", arity: 2...2) { a, _ in
            .bool(try a.string(0, "starts_with").unicodeScalars.starts(with: try a.string(1, "starts_with").unicodeScalars))
        },
        BuiltinFunction("ends_with", arity: 2...2) { a, _ in
            let s = try a.string(0, "ends_with").scalarArray, p = try a.string(1, "ends_with").scalarArray
            return .bool(p.count <= s.count && Array(s[(s.count - p.count)...]) == p)
        },
        BuiltinFunction("replace", arity: 3...3) { a, _ in
            .string(replaceString(try a.string(0, "replace"), try a.string(1, "replace"), try a.string(2, "replace")))
        },
        BuiltinFunction("replace_first", arity: 3...3) { a, _ in
            .string(replaceString(try a.string(0, "replace_first"), try a.string(1, "replace_first"),
                                  try a.string(2, "replace_first"), firstOnly: true))
        },
        BuiltinFunction("substring", arity: 3...3) { a, _ in
            let s = try a.string(0, "substring").scalarArray
            let r = clampedRange(try a.int(1, "substring"), try a.int(2, "substring"), count: s.count)
            return .string(String(scalars: s[r]))
        },
        BuiltinFunction("char_at", arity: 2...2) { a, _ in
            let s = try a.string(0, "char_at").scalarArray
            let i = try a.int(1, "char_at")
            return i >= 0 && i < s.count ? .string(String(s[i])) : .none
        },
        BuiltinFunction("chars", arity: 1...1) { a, _ in
            .array(try a.string(0, "chars").unicodeScalars.map { .string(String($0)) })
        },
        BuiltinFunction("lines", arity: 1...1) { a, _ in
            var pieces = splitString(try a.string(0, "lines"), "\n")
            if pieces.last == "" { pieces.removeLast() }
            return .array(pieces.map { p in
                var p = p
                if p.unicodeScalars.last == "\r" { p = String(scalars: p.unicodeScalars.dropLast()) }
                return .string(p)
            })
        },
        BuiltinFunction("repeat", arity: 2...2) { a, _ in
            let s = try a.string(0, "repeat"), n = try a.int(1, "repeat")
            if n < 0 { throw RuntimeError("repeat(): count must not be negative") }
            if s.utf8.count.multipliedReportingOverflow(by: n).overflow || s.utf8.count * n > 1 << 30 {
                throw RuntimeError("repeat(): result too large")
            }
            return .string(String(repeating: s, count: n))
        },
        BuiltinFunction("pad_left", arity: 3...3) { a, _ in .string(try pad(a, "pad_left", left: true)) },
        BuiltinFunction("pad_right", arity: 3...3) { a, _ in .string(try pad(a, "pad_right", left: false)) },
        BuiltinFunction("count", arity: 2...2) { a, _ in
            let s = try a.string(0, "count"), sub = try a.string(1, "count")
            if sub.isEmpty { return .int(0) }
            let hay = s.scalarArray, needle = sub.scalarArray
            var n = 0, from = 0
            while let i = s.scalarIndex(of: needle, in: hay, from: from) { n += 1; from = i + needle.count }
            return .int(n)
        },
        BuiltinFunction("truncate", arity: 3...3) { a, _ in
            let s = try a.string(0, "truncate"), n = try a.int(1, "truncate"), suffix = try a.string(2, "truncate")
            let xs = s.scalarArray
            if xs.count <= n { return .string(s) }
            let keep = Swift.max(n - suffix.unicodeScalars.count, 0)
            return .string(String(scalars: xs[0..<Swift.min(keep, xs.count)]) + suffix)
        },
    ]

    private static func pad(_ a: [Value], _ name: String, left: Bool) throws -> String {
        let s = try a.string(0, name), width = try a.int(1, name), padText = try a.string(2, name)
        let fill = padText.unicodeScalars.first ?? " "
        let missing = width - s.unicodeScalars.count
        if missing <= 0 { return s }
        if missing > 1 << 24 { throw RuntimeError("\(name)(): width too large") }
        let padding = String(String.UnicodeScalarView(repeatElement(fill, count: missing)))
        return left ? padding + s : s + padding
    }
}
