// Runtime unit tests: value layout, display, equality, arithmetic edges, float formatting,
// the JSON codec at its edges, maps, and template filters.

import Testing
@testable import NtntRuntime

@Suite struct ValueTests {
    @Test func valueStaysSmall() {
        // Inline payloads are at most a String (16 bytes) plus the tag.
        #expect(MemoryLayout<Value>.size <= 17)
    }

    @Test(arguments: [
        (Value.int(42), "42"), (.float(3.0), "3"), (.float(2.5), "2.5"), (.float(0.1 + 0.2), "0.30000000000000004"),
        (.float(1e21), "1000000000000000000000"), (.float(2.5e-7), "0.00000025"), (.float(-0.0), "-0"),
        (.float(.nan), "NaN"), (.float(.infinity), "inf"), (.float(-.infinity), "-inf"),
        (.float(123456789012345680), "123456789012345680"), (.float(5e-324), "0." + String(repeating: "0", count: 323) + "5"),
        (.array([.int(1), .string("a"), .array([.int(2)])]), "[1, a, [2]]"),
        (.map(ValueMap()), "{  }"), (.map(ValueMap([("b", .int(1)), ("a", .string("x"))])), "{ a: x, b: 1 }"),
        (.some(.int(1)), "1"), (.none, "none"), (.err(.string("e")), "error: e"), (.unit, "()"),
        (.range(lower: 0, upper: 5, inclusive: true), "0..=5"),
    ])
    func display(_ v: Value, _ expected: String) {
        #expect(v.displayString == expected)
    }

    @Test(arguments: [
        (Value.float(1e21), "1e21"), (.float(1.5e-7), "1.5e-7"), (.float(100), "100.0"), (.float(0), "0.0"),
        (.float(-0.0), "-0.0"), (.float(1e16), "1e16"), (.float(1e15), "1000000000000000.0"),
        (.float(0.00001), "0.00001"), (.float(0.000001), "1e-6"), (.float(.nan), "null"), (.float(123.456), "123.456"),
        (.float(1.7976931348623157e308), "1.7976931348623157e308"),
    ])
    func jsonNumbers(_ v: Value, _ expected: String) {
        #expect(JSONWriter.stringify(v) == expected)
    }

    @Test func equalityIsStructural() {
        #expect(Value.equals(.int(1), .float(1.0)))
        #expect(!Value.equals(.float(.nan), .float(.nan)))
        #expect(Value.equals(.array([.int(1), .map(ValueMap([("a", .none)]))]), .array([.float(1), .map(ValueMap([("a", .none)]))])))
        #expect(!Value.equals(.some(.int(1)), .ok(.int(1))))
        // Strings compare by scalars: precomposed é is not e + combining accent.
        #expect(!Value.equals(.string("\u{E9}"), .string("e\u{301}")))
    }

    @Test func arithmeticEdges() throws {
        #expect(throws: RuntimeError.self) { try Value.binary(.add, .int(.max), .int(1)) }
        #expect(throws: RuntimeError.self) { try Value.binary(.divide, .int(.min), .int(-1)) }
        #expect(throws: RuntimeError.self) { try Value.binary(.remainder, .int(1), .int(0)) }
        #expect(throws: RuntimeError.self) { try Value.negate(.int(.min)) }
        #expect(Value.equals(try Value.binary(.divide, .int(-7), .int(2)), .int(-3)))
        #expect(Value.equals(try Value.binary(.remainder, .int(-7), .int(2)), .int(-1)))
        #expect(Value.equals(try Value.binary(.add, .string("n="), .int(1)), .string("n=1")))
        #expect(Value.equals(try Value.binary(.divide, .float(1), .int(0)), .float(.infinity)))
        do {
            _ = try Value.binary(.subtract, .string("a"), .int(1))
            Issue.record("expected an error")
        } catch let e as RuntimeError {
            #expect(e.message == "Cannot apply '-' to String and Int")
        }
    }

    @Test func mapKeepsKeysSorted() {
        var m = ValueMap()
        for k in ["z", "é", "a", "B", "10", "9", ""] { m[k] = .int(1) }
        #expect(m.keys == ["", "10", "9", "B", "a", "z", "é"])
        m["a"] = nil
        #expect(m.keys == ["", "10", "9", "B", "z", "é"])
        #expect(m["zz"] == nil)
    }
}

@Suite struct JSONTests {
    @Test(arguments: [
        ("{\"b\": [1, 2.5, null], \"a\": {\"x\": \"y\"}}", "{ a: { x: y }, b: [1, 2.5, none] }"),
        ("\"\\u00e9\\ud83c\\udf89\\n\"", "é🎉\n"),
        ("-0", "0"), ("1E2", "100"), ("[true,false]", "[true, false]"), ("  7  ", "7"),
        ("12345678901234567890", "12345678901234567000"),
    ])
    func parses(_ text: String, _ display: String) throws {
        let v = try JSONParser.parse(text).get()
        #expect(v.displayString == display)
    }

    @Test(arguments: ["", "[1,]", "{\"a\" 1}", "01", "1.", ".5", "-", "\"\\x\"", "\"\\ud800\"", "[1] 2", "nul", "{'a':1}", "\"\u{1}\"", "[", "{\"a\":"])
    func rejects(_ text: String) {
        #expect(throws: JSONError.self) { try JSONParser.parse(text).get() }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONError.self) { try JSONParser.parse(text).get() }
    }

    @Test func roundTrip() throws {
        let text = "{\"a\":[1,2.5,\"x\\\"y\"],\"b\":{\"c\":null},\"d\":true}"
        #expect(JSONWriter.stringify(try JSONParser.parse(text).get()) == text)
    }

    @Test func escapes() {
        #expect(JSONWriter.stringify(.string("q\"\\\n\r\t\u{8}\u{c}\u{1}é/")) == "\"q\\\"\\\\\\n\\r\\t\\b\\f\\u0001é/\"")
    }
}

@Suite struct FilterTests {
    @Test(arguments: [
        (TemplateFilter.number, Value.float(2.675), [Value.int(2)], "2.67"),
        (.number, .float(0.125), [.int(2)], "0.12"),
        (.number, .int(7), [], "7.00"),
        (.truncate, .string("hello world"), [.int(5)], "hello..."),
        (.urlEncode, .string("a b&é"), [], "a%20b%26%C3%A9"),
        (.escape, .string("<a href='x'>&\"</a>"), [], "&lt;a href=&#x27;x&#x27;&gt;&amp;&quot;&lt;/a&gt;"),
        (.join, .array([.int(1), .none, .string("x")]), [], "1, , x"),
        (.capitalize, .string("hELLO"), [], "HELLO"),
        (.default, .string(""), [.string("d")], "d"),
    ])
    func filter(_ f: TemplateFilter, _ input: Value, _ args: [Value], _ expected: String) throws {
        #expect(templateText(try f.apply(input, args)) == expected)
    }

    @Test func unsupportedTypeNamesTheFilter() {
        do {
            _ = try TemplateFilter.length.apply(.int(3), [])
            Issue.record("expected an error")
        } catch let e as RuntimeError {
            #expect(e.message == "Filter 'length' not supported for Int")
        } catch {
            Issue.record("wrong error")
        }
    }

    /// Map key order is Unicode scalar order (= UTF-8 byte order), whichever path compares.
    @Test func keyComparisonAndScalarCount() {
        let keys = ["", "a", "ab", "b", "Z", "é", "e\u{301}", "\u{1F600}", "zzzzzzzzzzzzzzzzzzzzz", "zzzzzzzzzzzzzzzzzzzzzz"]
        for a in keys {
            for b in keys {
                let expected = a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) ? -1
                    : (b.unicodeScalars.lexicographicallyPrecedes(a.unicodeScalars) ? 1 : 0)
                #expect(compareKeys(a, b) == expected, "\(a) vs \(b)")
            }
            #expect(scalarCount(a) == a.unicodeScalars.count, "\(a)")
        }
    }
}
