// The request as handlers see it: the Map with only the fields read (its keys in map order,
// each value as in the whole Map), the typed handlers' RequestView (the same values), and
// request ids from the per-thread generator.

import Testing
@testable import NtntRuntime

@Suite struct RequestValueTests {
    static let request = HTTPRequest(method: "POST", target: "/users/7?q=a+b&n=1",
                                     headers: [("host", "x"), ("x-n", "1"), ("x-n", "2")],
                                     body: Array(#"{"a":1}"#.utf8), keepAlive: true, remoteAddress: "127.0.0.1")
    static let parameters = [(name: "id", value: "7")]

    @Test func everyFieldSubsetMatchesTheWholeMap() throws {
        guard case .map(let whole) = Self.request.makeValue(parameters: Self.parameters, fields: .all) else {
            Issue.record("not a map")
            return
        }
        #expect(whole.keys == whole.keys.sorted { compareKeys($0, $1) < 0 })
        #expect(whole.count == 10)
        for (name, field) in RequestFields.names where name != "id" {
            guard case .map(let one) = Self.request.makeValue(parameters: Self.parameters, fields: field) else {
                Issue.record("\(name): not a map")
                continue
            }
            #expect(one.keys == [name])
            #expect(one[name].map { Value.equals($0, whole[name]!) } == true, "\(name)")
            #expect(Value.equals(RequestView(Self.request, parameters: Self.parameters).field(name), whole[name]!), "\(name)")
        }
        #expect(Self.request.makeValue(parameters: Self.parameters, fields: []).typeName == "Unit")
    }

    @Test func viewLookupsAreTheMapsEntries() {
        let view = RequestView(Self.request, parameters: Self.parameters)
        #expect(Value.equals(view.param("id"), .string("7")))
        #expect(Value.equals(view.param("nope"), .none))
        #expect(Value.equals(view.queryParam("q"), .string("a b")))
        #expect(Value.equals(view.header("x-n"), .string("2")))  // a repeated header: the last one
        #expect(Value.equals(view.header("X-N"), .none))  // names are lower-case in the Map too
        #expect(Value.equals(view.field("nonsense"), .none))
        // The id is made once per request, however often it is read.
        #expect(Value.equals(view.field("id"), view.field("id")))
    }

    @Test func requestIdsAreVersion4UUIDs() {
        var seen: Set<String> = []
        for _ in 0..<1000 {
            let id = makeUUID()
            let bytes = Array(id.utf8)
            #expect(bytes.count == 36 && bytes[14] == UInt8(ascii: "4") && "89ab".utf8.contains(bytes[19]), "\(id)")
            seen.insert(id)
        }
        #expect(seen.count == 1000)
    }
}

/// Responses on the wire: 204 and 304 carry no body, and 204 no Content-Length (RFC 9110 §8.6),
/// whatever body the program gave them; other statuses carry theirs.
@Suite struct ResponseWireTests {
    static func wire(_ status: Int, _ body: String) -> String {
        var out: [UInt8] = []
        HTTPResponseWriter.write(HTTPResponse(status: status, headers: [("content-type", "text/plain")], body: Array(body.utf8)),
                           keepAlive: true, date: Array("Tue, 01 Dec 2026 00:00:00 GMT".utf8), into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func bodilessStatusesHaveNoBodyOrLength() {
        for status in [204, 304] {
            let w = Self.wire(status, "ignored")
            #expect(w.hasSuffix("\r\n\r\n") && !w.contains("ignored") && !w.contains("content-length"), "\(status): \(w)")
        }
        let ok = Self.wire(200, "hello")
        #expect(ok.contains("content-length: 5\r\n") && ok.hasSuffix("\r\n\r\nhello"))
    }
}
