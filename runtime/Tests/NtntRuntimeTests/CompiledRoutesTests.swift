// The runtime half of generated routing: path segments as byte ranges (empty ones dropped,
// percent-decoding only where there is a `%`), `Router`'s rules around a generated pass
// (HEAD falls back to GET, a path only other methods route is a 405), the table check that
// keeps the runtime router when the program registered something else, and map identity (a
// middleware passing its request on).

import Testing
@testable import NtntRuntime

@Suite struct CompiledRoutesTests {
    /// The pass the compiler prints for GET /a/b, POST /a/{x}, GET /: written out by hand.
    static let routes = CompiledRoutes(table: [("GET", "/a/b"), ("POST", "/a/{x}"), ("GET", "/")]) { wanted, path, other in
        switch path.count {
        case 0:
            if wanted == "GET" { return .found(index: 2, parameters: []) }
            other = true
        case 2:
            if path.is(0, "a") && path.is(1, "b") {
                if wanted == "GET" { return .found(index: 0, parameters: []) }
                other = true
            }
            if path.is(0, "a") {
                if wanted == "POST" { return .found(index: 1, parameters: [("x", path.string(1))]) }
                other = true
            }
        default: break
        }
        return nil
    }

    func describe(_ m: RouteMatch) -> String {
        switch m {
        case let .found(i, ps): return "\(i)" + ps.map { " \($0.name)=\($0.value)" }.joined()
        case .methodNotAllowed: return "405"
        case .notFound: return "404"
        }
    }

    @Test func matchesByTheRouterRules() {
        let r = Self.routes
        #expect(describe(r.match(method: "GET", path: "//a///b/")) == "0")
        #expect(describe(r.match(method: "GET", path: "/a/%62")) == "0")
        // Compared as Strings, as Router does: U+212A KELVIN SIGN is canonically "K".
        let kelvin = CompiledRoutes(table: [("GET", "/K")]) { wanted, path, other in
            if path.count == 1 && path.is(0, "K") {
                if wanted == "GET" { return .found(index: 0, parameters: []) }
                other = true
            }
            return nil
        }
        #expect(describe(kelvin.match(method: "GET", path: "/%E2%84%AA")) == "0")
        #expect(describe(kelvin.match(method: "GET", path: "/\u{212A}")) == "0")
        var router = Router<Int>()
        router.add(method: "GET", pattern: "/K", handler: 0)
        if case .found = router.match(method: "GET", path: "/%E2%84%AA") {} else { Issue.record("Router: the Kelvin sign should match K") }
        #expect(describe(r.match(method: "HEAD", path: "/a/b")) == "0")
        #expect(describe(r.match(method: "POST", path: "/a/x%20y")) == "1 x=x y")
        #expect(describe(r.match(method: "POST", path: "/a/b")) == "1 x=b")
        #expect(describe(r.match(method: "GET", path: "/a/c")) == "405")
        #expect(describe(r.match(method: "HEAD", path: "/a/c")) == "405")
        #expect(describe(r.match(method: "DELETE", path: "/")) == "405")
        #expect(describe(r.match(method: "GET", path: "")) == "2")
        #expect(describe(r.match(method: "GET", path: "/a/b/c")) == "404")
        #expect(describe(r.match(method: "GET", path: "/1/2/3/4/5/6/7/8/9/10")) == "404")
    }

    @Test func segmentsPastTheCapacityAreCountedNotKept() {
        var path = "/1/2/3/4/5/6/7/8/9/10"[...]
        let count = path.withUTF8 { PathSegments($0).count }
        #expect(count == 10)
    }

    @Test func usedOnlyWhenTheProgramRegisteredExactlyTheTable() {
        let handler = Value.unit
        #expect(Self.routes.describes([("GET", "/a/b", handler), ("POST", "/a/{x}", handler), ("GET", "/", handler)]))
        #expect(!Self.routes.describes([("GET", "/a/b", handler), ("POST", "/a/{x}", handler)]))
        #expect(!Self.routes.describes([("POST", "/a/{x}", handler), ("GET", "/a/b", handler), ("GET", "/", handler)]))
        #expect(!Self.routes.describes([("GET", "/a/b", handler), ("POST", "/a/{y}", handler), ("GET", "/", handler)]))
    }

    @Test func aMapIsItsOwnStorageOnlyUntilChanged() {
        let m = ValueMap(sortedKeys: ["a", "b"], values: [.int(1), .int(2)])
        var copy = m
        #expect(m.isSameStorage(as: copy))
        #expect(!m.isSameStorage(as: ValueMap(sortedKeys: ["a", "b"], values: [.int(1), .int(2)])))
        copy["a"] = .int(1)
        #expect(!m.isSameStorage(as: copy))
        #expect(!ValueMap().isSameStorage(as: ValueMap()))
    }
}
