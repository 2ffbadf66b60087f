// The one place generated Swift is written: lines at the current indentation, blocks that own
// their braces, fresh temporaries, and the one escaper for Swift string literals and
// identifiers. Emitters say what to write; the writer decides how it is laid out.

/// Accumulates Swift source lines.
final class SwiftCodeWriter {
    private(set) var lines: [String] = []
    /// Nesting depth of the next line (four spaces each).
    var indent: Int
    private var tempCounter = 0

    init(indent: Int = 0) {
        self.indent = indent
    }

    /// Writes one line at the current indentation.
    func line(_ s: String) {
        lines.append(String(repeating: "    ", count: indent) + s)
    }

    /// Appends a line exactly as given (already indented: code captured at another depth).
    func raw(_ s: String) {
        lines.append(s)
    }

    /// Writes `opener {`, the body one level deeper, and `}`.
    func block(_ opener: String, _ body: () throws -> Void) rethrows {
        line(opener + " {")
        indent += 1
        try body()
        indent -= 1
        line("}")
    }

    /// Runs `body` one level deeper.
    func indented(_ body: () throws -> Void) rethrows {
        indent += 1
        defer { indent -= 1 }
        try body()
    }

    /// A fresh name for a temporary (unique within the writer).
    func temp(_ prefix: String = "t") -> String {
        tempCounter += 1
        return "\(prefix)\(tempCounter)"
    }

    /// Writes what `body` writes into a separate list of lines at `indent`, and returns it
    /// (for code that ends up inside another expression, like a closure's body).
    func capture(indent depth: Int, _ body: () throws -> Void) rethrows -> [String] {
        let saved = (lines, indent)
        lines = []
        indent = depth
        defer { (lines, indent) = saved }
        try body()
        return lines
    }

    /// A Swift string literal with the text `s`.
    static func literal(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// `name` made into part of a Swift identifier (ASCII letters, digits and `_`).
    static func identifier(_ name: String) -> String {
        String(name.unicodeScalars.map { ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") && $0.isASCII ? Character($0) : "_" })
    }
}
