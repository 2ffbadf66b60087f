// std/collections (§10.2), std/json (§10.4), std/env (§10.5) and std/time (§10.6).

#if canImport(Glibc)
import Glibc
#endif

extension Builtins {
    static let collectionFunctions: [BuiltinFunction] = [
        BuiltinFunction("first", arity: 1...2) { a, _ in
            let xs = try a.array(0, "first")
            if a.count == 2 { return xs.first ?? a[1] }
            return xs.first.map(Value.some) ?? .none
        },
        BuiltinFunction("last", arity: 1...2) { a, _ in
            let xs = try a.array(0, "last")
            if a.count == 2 { return xs.last ?? a[1] }
            return xs.last.map(Value.some) ?? .none
        },
        BuiltinFunction("slice", arity: 3...3) { a, _ in
            let xs = try a.array(0, "slice")
            return .array(Array(xs[clampedRange(try a.int(1, "slice"), try a.int(2, "slice"), count: xs.count)]))
        },
        BuiltinFunction("concat", arity: 2...2) { a, _ in .array(try a.array(0, "concat") + a.array(1, "concat")) },
        BuiltinFunction("keys", arity: 1...1) { a, _ in .array(try a.map(0, "keys").keys.map(Value.string)) },
        BuiltinFunction("values", arity: 1...1) { a, _ in .array(try a.map(0, "values").values) },
        BuiltinFunction("entries", arity: 1...1) { a, _ in
            let m = try a.map(0, "entries")
            return .array((0..<m.count).map { .array([.string(m.keys[$0]), m.values[$0]]) })
        },
        BuiltinFunction("has_key", arity: 2...2) { a, _ in
            .bool(try a.map(0, "has_key")[try a.string(1, "has_key")] != nil)
        },
        BuiltinFunction("get_key", arity: 2...3) { a, _ in
            let v = try a.map(0, "get_key")[try a.string(1, "get_key")]
            if a.count == 3 { return v ?? a[2] }
            return v.map(Value.some) ?? .none
        },
    ]

    /// `parse_json` accepts a String or a request map (uses its `body`).
    static let sharedParseJSON = BuiltinFunction("parse_json", arity: 1...1) { a, _ in
        parseJSONValue(try bodyText(a[0], "parse_json"))
    }

    static let jsonFunctions: [BuiltinFunction] = [
        BuiltinFunction("parse", arity: 1...1) { a, _ in parseJSONValue(try bodyText(a[0], "parse")) },
        BuiltinFunction("stringify", arity: 1...1) { a, _ in .string(JSONWriter.stringify(a[0])) },
        BuiltinFunction("stringify_pretty", arity: 1...1) { a, _ in .string(JSONWriter.stringifyPretty(a[0])) },
    ]

    static let envFunctions: [BuiltinFunction] = [
        BuiltinFunction("get_env", arity: 1...1) { a, _ in
            guard let p = getenv(try a.string(0, "get_env")) else { return .none }
            return .some(.string(String(cString: p)))
        },
    ]

    static let timeFunctions: [BuiltinFunction] = [
        BuiltinFunction("now", arity: 0...0) { _, _ in .int(Int(currentTimeMillis() / 1000)) },
        BuiltinFunction("now_millis", arity: 0...0) { _, _ in .int(Int(currentTimeMillis())) },
    ]
}

/// Milliseconds since the Unix epoch (wall clock).
public func currentTimeMillis() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

/// `Ok(value)` or `Err(message)` for a JSON text.
public func parseJSONValue(_ text: String) -> Value {
    switch JSONParser.parse(text) {
    case .success(let v): return .ok(v)
    case .failure(let e): return .err(.string("Invalid JSON: \(e.description)"))
    }
}

/// The text of a String argument, or the `body` of a request map.
func bodyText(_ v: Value, _ fn: String) throws -> String {
    switch v {
    case .string(let s): return s
    case .map(let m):
        if case .string(let s)? = m["body"] { return s }
        return ""
    default: throw typeError(fn, "String or request Map", v)
    }
}
