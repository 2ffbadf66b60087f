// Template filters (LANGUAGE.md §7) and the template display rule. Both backends call these:
// the interpreter while walking a parsed template, compiled code from straight-line Swift.

#if canImport(Glibc)
import Glibc
#endif

/// The filters a template may use after `|`.
public enum TemplateFilter: String, CaseIterable, Sendable {
    case upper, uppercase, lower, lowercase, capitalize, trim, truncate, replace, `default`
    case length, first, last, reverse, join, slice, json, number
    case urlEncode = "url_encode"
    case escape, raw, safe
}

/// The text a template inserts for a value: its display form, but `None` and `()` are empty.
@inlinable
public func templateText(_ v: Value) -> String {
    switch v {
    case .none, .unit: return ""
    case .string(let s): return s
    default: return v.displayString
    }
}

/// Appends the template text of `v` to `out`.
@inlinable
public func appendTemplateText(_ v: Value, to out: inout String) {
    switch v {
    case .none, .unit: return
    case .string(let s): out += s
    default: v.appendDisplay(to: &out)
    }
}

extension TemplateFilter {
    /// Applies the filter to `value` with already evaluated arguments.
    public func apply(_ value: Value, _ args: [Value]) throws -> Value {
        func unsupported() -> RuntimeError {
            RuntimeError("Filter '\(rawValue)' not supported for \(value.typeName)")
        }
        func intArg(_ i: Int, _ d: Int) throws -> Int {
            guard i < args.count else { return d }
            if case .int(let n) = args[i] { return n }
            throw RuntimeError("Filter '\(rawValue)': expected Int argument, got \(args[i].typeName)")
        }
        func textArg(_ i: Int, _ d: String) -> String {
            i < args.count ? templateText(args[i]) : d
        }
        switch self {
        case .upper, .uppercase: return .string(templateText(value).uppercased())
        case .lower, .lowercase: return .string(templateText(value).lowercased())
        case .capitalize: return .string(capitalizeString(templateText(value), lowerRest: false))
        case .trim: return .string(trimScalars(templateText(value), left: true, right: true))
        case .truncate:
            let n = try intArg(0, 50)
            let s = templateText(value)
            let xs = s.scalarArray
            if xs.count <= n { return .string(s) }
            return .string(String(scalars: xs[0..<Swift.max(n, 0)]) + "...")
        case .replace:
            return .string(replaceString(templateText(value), textArg(0, ""), textArg(1, "")))
        case .default:
            switch value {
            case .none, .unit: return args.first ?? .string("")
            case .string(let s) where s.isEmpty: return args.first ?? .string("")
            default: return value
            }
        case .length:
            switch value {
            case .string(let s): return .int(scalarCount(s))
            case .array(let xs): return .int(xs.count)
            case .map(let m): return .int(m.count)
            default: throw unsupported()
            }
        case .first, .last:
            switch value {
            case .array(let xs): return (self == .first ? xs.first : xs.last) ?? .none
            case .string(let s):
                let c = self == .first ? s.unicodeScalars.first : s.unicodeScalars.last
                return c.map { .string(String($0)) } ?? .none
            default: throw unsupported()
            }
        case .reverse:
            switch value {
            case .array(let xs): return .array(xs.reversed())
            case .string(let s): return .string(String(scalars: s.unicodeScalars.reversed()))
            default: throw unsupported()
            }
        case .join:
            guard case .array(let xs) = value else { throw unsupported() }
            let sep = textArg(0, ", ")
            var out = ""
            for (i, x) in xs.enumerated() {
                if i > 0 { out += sep }
                appendTemplateText(x, to: &out)
            }
            return .string(out)
        case .slice:
            let start = try intArg(0, 0)
            switch value {
            case .array(let xs):
                return .array(Array(xs[clampedRange(start, try intArg(1, xs.count), count: xs.count)]))
            case .string(let s):
                let xs = s.scalarArray
                return .string(String(scalars: xs[clampedRange(start, try intArg(1, xs.count), count: xs.count)]))
            default: throw unsupported()
            }
        case .json: return .string(JSONWriter.stringify(value))
        case .number:
            let decimals = try intArg(0, 2)
            guard let d = value.numericDouble else { return .string(templateText(value)) }
            return .string(formatFixed(d, decimals: decimals))
        case .urlEncode: return .string(percentEncode(templateText(value)))
        case .escape: return .string(escapeHTML(templateText(value)))
        case .raw, .safe: return value
        }
    }
}

/// `d` with exactly `decimals` digits after the point, rounded half-to-even on the exact
/// binary value (glibc's printf does exactly this).
public func formatFixed(_ d: Double, decimals: Int) -> String {
    let places = Swift.max(0, Swift.min(decimals, 100))
    var buffer = [CChar](repeating: 0, count: 512)
    let n = withVaList([Int32(places), d]) { vsnprintf(&buffer, buffer.count, "%.*f", $0) }
    if n < 0 || Int(n) >= buffer.count { return formatFloatForDisplay(d) }
    return String(cString: buffer)
}
