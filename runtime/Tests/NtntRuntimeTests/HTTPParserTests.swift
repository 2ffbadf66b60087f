// Request framing per RFC 9112, at the parser: Transfer-Encoding, Host, the target forms and
// the URI limit. The socket-level behaviour (status, whether the connection closes, lingering
// close) is in the server tests.

import Testing
@testable import NtntRuntime

@Suite struct HTTPParserTests {
    enum Outcome: Equatable {
        case complete(target: String, body: String)
        case partial
        case invalid(Int)
    }

    func parse(_ text: String, limits: HTTPLimits = HTTPLimits()) -> Outcome {
        let bytes = Array(text.utf8)
        let result = bytes.withUnsafeBufferPointer { HTTPRequestParser.parse($0, start: 0, end: bytes.count, limits: limits) }
        switch result {
        case .complete(let r, _): return .complete(target: r.target, body: String(decoding: r.body, as: UTF8.self))
        case .partial: return .partial
        case .invalid(let status, _): return .invalid(status)
        }
    }

    func chunked(_ coding: String) -> String {
        "POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \(coding)\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
    }

    @Test func transferEncodingMustBeExactlyChunked() {
        #expect(parse(chunked("chunked")) == .complete(target: "/p", body: "abc"))
        #expect(parse(chunked("Chunked ")) == .complete(target: "/p", body: "abc"))
        // Other codings before it are well-formed but not supported.
        #expect(parse(chunked("gzip, chunked")) == .invalid(501))
        #expect(parse(chunked("gzip,chunked")) == .invalid(501))
        // Look-alikes, chunked not last, twice, or alone without chunked: the framing is unknown.
        for bad in ["xchunked", "chunkedx", "chunked, gzip", "chunked, chunked", "gzip", "identity", "", "chu nked"] {
            #expect(parse(chunked(bad)) == .invalid(400), "\(bad)")
        }
        // Two fields are one list.
        let twoFields = "POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
        #expect(parse(twoFields) == .invalid(501))
        // HTTP/1.0 has no chunked coding.
        #expect(parse("POST /p HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") == .invalid(400))
        #expect(parse("POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n") == .invalid(400))
    }

    @Test func hostIsRequiredOnHTTP11AndUnique() {
        #expect(parse("GET / HTTP/1.1\r\n\r\n") == .invalid(400))
        #expect(parse("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") == .invalid(400))
        #expect(parse("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n") == .invalid(400))
        #expect(parse("GET / HTTP/1.1\r\nHost:\r\n\r\n") == .complete(target: "/", body: ""))
        #expect(parse("GET / HTTP/1.0\r\n\r\n") == .complete(target: "/", body: ""))
        #expect(parse("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n") == .invalid(400))
    }

    @Test func absoluteFormTargetsAreReducedToPathAndQuery() {
        let cases = [
            ("http://example.com/users/7?x=1", "/users/7?x=1"),
            ("HTTP://example.com:8080/a", "/a"),
            ("https://example.com", "/"),
            ("http://example.com?q=1", "/?q=1"),
        ]
        for (form, target) in cases {
            #expect(parse("GET \(form) HTTP/1.1\r\nHost: example.com\r\n\r\n") == .complete(target: target, body: ""), "\(form)")
        }
        for bad in ["http:/x/a", "ftp://x/a", "http:///a", "users", "**"] {
            #expect(parse("GET \(bad) HTTP/1.1\r\nHost: x\r\n\r\n") == .invalid(400), "\(bad)")
        }
        #expect(parse("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n") == .complete(target: "*", body: ""))
    }

    @Test func longTargetsAre414EvenBeforeTheyEnd() {
        let limits = HTTPLimits(maxTargetBytes: 100)
        let ok = "/" + String(repeating: "a", count: 99)
        #expect(parse("GET \(ok) HTTP/1.1\r\nHost: x\r\n\r\n", limits: limits) == .complete(target: ok, body: ""))
        let long = "/" + String(repeating: "a", count: 100)
        #expect(parse("GET \(long) HTTP/1.1\r\nHost: x\r\n\r\n", limits: limits) == .invalid(414))
        // Still arriving: refused as soon as the target is over the limit.
        #expect(parse("GET \(long)", limits: limits) == .invalid(414))
        #expect(parse("GET \(ok)", limits: limits) == .partial)
        // The default limit (8 KiB) is under the header limit: a 64 KiB URI is a 414, not a 431.
        #expect(parse("GET /" + String(repeating: "a", count: 64 * 1024)) == .invalid(414))
    }
}
