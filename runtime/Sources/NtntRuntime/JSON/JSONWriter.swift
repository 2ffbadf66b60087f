// Value → JSON text (LANGUAGE.md §10.4), written straight into a byte buffer.
//
// This sits on the request path of every `json(...)` response, so it appends UTF-8 bytes to
// one growing `[UInt8]` and never builds intermediate Strings. Map keys are already sorted
// (ValueMap), which is the key order the language fixes for JSON.

/// Serialises values as compact or pretty JSON.
public enum JSONWriter {
    /// Compact JSON text of `value`.
    public static func stringify(_ value: Value) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        write(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Pretty JSON: 2-space indentation, `": "` after keys, empty containers as `[]`/`{}`.
    public static func stringifyPretty(_ value: Value) -> String {
        var out: [UInt8] = []
        writePretty(value, indent: 0, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the compact JSON of `value` to `out`.
    public static func write(_ value: Value, to out: inout [UInt8]) {
        switch value {
        case .none, .unit: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): appendInt(i, to: &out)
        case .float(let d): out.append(contentsOf: formatFloatForJSON(d).utf8)
        case .string(let s): writeString(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .map(let m):
            out.append(UInt8(ascii: "{"))
            for i in 0..<m.count {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(m.keys[i], to: &out)
                out.append(UInt8(ascii: ":"))
                write(m.values[i], to: &out)
            }
            out.append(UInt8(ascii: "}"))
        case .some(let v), .ok(let v): write(v, to: &out)
        case .err(let e):
            out.append(contentsOf: "{\"error\":".utf8)
            write(e, to: &out)
            out.append(UInt8(ascii: "}"))
        case .range, .function, .module, .connection:
            writeString(value.displayString, to: &out)
        }
    }

    static func writePretty(_ value: Value, indent: Int, to out: inout [UInt8]) {
        func newline(_ level: Int) {
            out.append(UInt8(ascii: "\n"))
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: level * 2))
        }
        switch value {
        case .array(let items):
            if items.isEmpty { out.append(contentsOf: "[]".utf8); return }
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                writePretty(item, indent: indent + 1, to: &out)
            }
            newline(indent)
            out.append(UInt8(ascii: "]"))
        case .map(let m):
            if m.isEmpty { out.append(contentsOf: "{}".utf8); return }
            out.append(UInt8(ascii: "{"))
            for i in 0..<m.count {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                writeString(m.keys[i], to: &out)
                out.append(contentsOf: ": ".utf8)
                writePretty(m.values[i], indent: indent + 1, to: &out)
            }
            newline(indent)
            out.append(UInt8(ascii: "}"))
        case .some(let v), .ok(let v):
            writePretty(v, indent: indent, to: &out)
        case .err(let e):
            writePretty(.map(ValueMap([("error", e)])), indent: indent, to: &out)
        default:
            write(value, to: &out)
        }
    }

    /// Appends a decimal Int.
    @inlinable
    public static func appendInt(_ i: Int, to out: inout [UInt8]) {
        if i >= 0 && i < 10 {
            out.append(UInt8(48 + i))
            return
        }
        out.append(contentsOf: String(i).utf8)
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends a JSON string literal with the escapes of §10.4.
    public static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case 0x0A: out.append(contentsOf: "\\n".utf8)
            case 0x0D: out.append(contentsOf: "\\r".utf8)
            case 0x09: out.append(contentsOf: "\\t".utf8)
            case 0x08: out.append(contentsOf: "\\b".utf8)
            case 0x0C: out.append(contentsOf: "\\f".utf8)
            case 0..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 15)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
