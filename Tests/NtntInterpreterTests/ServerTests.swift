// Socket-level tests of `ntnt run` serving the sample apps, bad HTTP input, PostgreSQL
// behaviour and recovery, and a concurrency run. They need the project's PostgreSQL cluster
// (`make db-start`; `make test` starts it). The database's own behaviour under load and
// restarts is in NtntCompilerTests/DatabaseTests (both modes).

import Foundation
import Testing
@testable import NtntTestSupport
@testable import NtntInterpreter

@Suite(.serialized) struct ServerTests {
    // MARK: - The benchmark app

    @Suite(.serialized) struct BenchApp {
        let server: ServerProcess

        init() throws {
            server = try ServerProcess(app: "samples/bench/app.tnt",
                                       environment: ["NTNT_MAX_BODY": "4096", "NTNT_REQUEST_TIMEOUT": "2", "NTNT_WORKERS": "8"])
        }

        func assertStillServing(sourceLocation: SourceLocation = #_sourceLocation) throws {
            let r = try fetch(server.port, "GET", "/plaintext")
            #expect(r.status == 200 && r.body == "Hello, World!", sourceLocation: sourceLocation)
        }

        @Test func sevenEndpoints() throws {
            defer { #expect(server.stop() == 0) }
            let port = server.port
            var r = try fetch(port, "GET", "/plaintext")
            #expect(r.status == 200)
            #expect(r.body == "Hello, World!")
            #expect(r.headers["content-type"] == "text/plain; charset=utf-8")
            #expect(r.headers["server"] == "ntnt")
            #expect(r.headers["date"]?.hasSuffix(" GMT") == true)
            #expect(r.headers["content-length"] == "13")

            r = try fetch(port, "GET", "/json")
            #expect(r.body == #"{"message":"Hello, World!"}"#)
            #expect(r.headers["content-type"] == "application/json")

            r = try fetch(port, "GET", "/users/a%20b")
            #expect(r.body == #"{"id":"a b"}"#)

            r = try fetch(port, "POST", "/json", body: #"{"message":"Hello, World!","numbers":[1,2,3,4,5],"nested":{"key":"value"}}"#)
            #expect(r.status == 200)
            #expect(r.body == #"{"message":"Hello, World!","nested":{"key":"value"},"numbers":[1,2,3,4,5]}"#)

            r = try fetch(port, "GET", "/db")
            let row = jsonObject(r.body) as? [String: Int]
            #expect(row?.keys.sorted() == ["id", "randomNumber"])
            #expect((1...10000).contains(row?["id"] ?? 0))

            for (query, expected) in [("count=20", 20), ("", 1), ("count=0", 1), ("count=abc", 1), ("count=501", 500)] {
                r = try fetch(port, "GET", "/queries?\(query)")
                let rows = jsonObject(r.body) as? [[String: Int]]
                #expect(rows?.count == expected, "queries?\(query)")
                #expect(rows?.allSatisfy { (1...10000).contains($0["id"] ?? 0) && $0["randomNumber"] != nil } == true)
            }

            r = try fetch(port, "GET", "/template")
            #expect(r.headers["content-type"] == "text/html; charset=utf-8")
            #expect(r.body.contains("<tr><th>ID</th><th>Random Number</th></tr>"))
            #expect(r.body.components(separatedBy: "<tr><td>").count - 1 == 10)

            r = try fetch(port, "GET", "/nope")
            #expect(r.status == 404 && r.body == "Not Found: GET /nope")
            r = try fetch(port, "DELETE", "/plaintext")
            #expect(r.status == 405 && r.body == "Method Not Allowed: DELETE /plaintext")
        }

        @Test func keepAliveAndPipelining() throws {
            defer { server.stop() }
            let c = try HTTPTestClient(port: server.port)
            defer { c.close() }
            for i in 0..<200 {
                let r = try c.request("GET", "/users/\(i)")
                #expect(r.body == "{\"id\":\"\(i)\"}")
            }
            // Five requests in one write; the answers come back in order.
            let paths = ["/users/1", "/json", "/users/2", "/plaintext", "/users/3"]
            c.send(paths.map { "GET \($0) HTTP/1.1\r\nHost: x\r\n\r\n" }.joined())
            let bodies = try paths.map { _ in try c.readResponse().body }
            #expect(bodies == [#"{"id":"1"}"#, #"{"message":"Hello, World!"}"#, #"{"id":"2"}"#, "Hello, World!", #"{"id":"3"}"#])
            // HTTP/1.0 without keep-alive closes after the response.
            let old = try HTTPTestClient(port: server.port)
            old.send("GET /plaintext HTTP/1.0\r\n\r\n")
            #expect(try old.readResponse().status == 200)
            #expect(old.isClosedByPeer())
            old.close()
        }

        @Test func chunkedBody() throws {
            defer { server.stop() }
            let c = try HTTPTestClient(port: server.port)
            defer { c.close() }
            c.send("POST /json HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n7;ext=1\r\n [1,2]}\r\n0\r\n\r\n")
            let r = try c.readResponse()
            #expect(r.status == 200)
            #expect(r.body == #"{"a":[1,2]}"#)
        }

        @Test func badInputGetsFourHundredsAndTheServerSurvives() throws {
            defer { #expect(server.stop() == 0) }
            let port = server.port

            var c = try HTTPTestClient(port: port)
            c.send([0, 1, 2, 0xFF] + Array("garbage\r\n\r\n".utf8))
            #expect(try c.readResponse().status == 400)
            #expect(c.isClosedByPeer())
            c.close()
            try assertStillServing()

            c = try HTTPTestClient(port: port)
            c.send("GET /plaintext HTTP/1.1\r\nX-Big: " + String(repeating: "a", count: 100_000) + "\r\n\r\n")
            #expect(try c.readResponse().status == 431)
            c.close()
            try assertStillServing()

            c = try HTTPTestClient(port: port)
            c.send("POST /json HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{")
            #expect(try c.readResponse().status == 413)
            c.close()
            try assertStillServing()

            c = try HTTPTestClient(port: port)
            c.send("POST /json HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2000\r\n" + String(repeating: "x", count: 0x2000) + "\r\n0\r\n\r\n")
            #expect(try c.readResponse().status == 413)
            c.close()

            c = try HTTPTestClient(port: port)
            c.send("GET /plaintext HTTP/1.1\r\nHo")
            c.close()  // truncated request, then gone
            try assertStillServing()

            c = try HTTPTestClient(port: port)
            #expect(try c.request("BREW", "/plaintext").status == 405)
            #expect(try c.request("BREW", "/coffee").status == 404)
            c.close()

            c = try HTTPTestClient(port: port)
            let r = try c.request("POST", "/json", body: "{not json")
            #expect(r.status == 400)
            #expect(r.body == #"{"error":"invalid JSON"}"#)
            c.close()

            c = try HTTPTestClient(port: port)
            c.send("GET /plaintext HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello")
            #expect(try c.readResponse().status == 400)
            c.close()

            c = try HTTPTestClient(port: port)
            c.send("GET /plaintext HTTP/2.0\r\n\r\n")
            #expect(try c.readResponse().status == 400)
            c.close()
            try assertStillServing()
        }

        @Test func slowClientTimesOut() throws {
            defer { server.stop() }
            let c = try HTTPTestClient(port: server.port)
            defer { c.close() }
            let started = Date()
            // One byte a second: the server gives up after NTNT_REQUEST_TIMEOUT (2 s here).
            var answered: TestResponse? = nil
            for byte in "GET /plaintext HTTP/1.1\r\nHost: x\r\n\r\n".utf8 {
                c.send([byte])
                sleep(1)
                if Date().timeIntervalSince(started) > 2.5 {
                    answered = try c.readResponse()
                    break
                }
            }
            #expect(answered?.status == 408)
            #expect(c.isClosedByPeer())
            try assertStillServing()
        }
    }

    // MARK: - Other sample apps

    @Test func todoCRUD() throws {
        let server = try ServerProcess(app: "samples/todo/app.tnt")
        defer { #expect(server.stop() == 0) }
        let c = try HTTPTestClient(port: server.port)
        defer { c.close() }
        var r = try c.request("POST", "/todos", body: #"{"title": "it's \"quoted\"; DROP TABLE todos; --"}"#)
        #expect(r.status == 201)
        let created = jsonObject(r.body) as? [String: Any]
        let id = created?["id"] as? Int ?? -1
        #expect(created?["title"] as? String == #"it's "quoted"; DROP TABLE todos; --"#)
        #expect(created?["done"] as? Bool == false)
        #expect((created?["created_at"] as? String)?.contains("T") == true)

        r = try c.request("PUT", "/todos/\(id)", body: #"{"done": true}"#)
        #expect((jsonObject(r.body) as? [String: Any])?["done"] as? Bool == true)
        r = try c.request("GET", "/todos/\(id)")
        #expect(r.status == 200)
        r = try c.request("GET", "/todos")
        #expect((jsonObject(r.body) as? [[String: Any]])?.contains { $0["id"] as? Int == id } == true)

        r = try c.request("POST", "/todos", body: #"{"title": "   "}"#)
        #expect(r.status == 400)
        #expect(r.body == "Bad Request: Precondition failed in 'add_todo': is_title(title)")
        r = try c.request("PUT", "/todos/\(id)", body: #"{"done": "yes"}"#)
        #expect(r.status == 400)
        r = try c.request("GET", "/todos/abc")
        #expect(r.status == 400)

        r = try c.request("DELETE", "/todos/\(id)")
        #expect(r.status == 204)
        r = try c.request("GET", "/todos/\(id)")
        #expect(r.status == 404)
        r = try c.request("DELETE", "/todos/\(id)")
        #expect(r.status == 404)
    }

    @Test func siteTemplatesAndStaticFiles() throws {
        let server = try ServerProcess(app: "samples/site/app.tnt")
        defer { #expect(server.stop() == 0) }
        let port = server.port
        var r = try fetch(port, "GET", "/?name=%3Cscript%3E")
        #expect(r.headers["content-type"] == "text/html; charset=utf-8")
        #expect(r.body.contains("<h1>Hello, &lt;script&gt;!</h1>"))
        #expect(r.body.contains(#"<nav><a href="/">Home</a> | <a href="/worlds">Worlds</a></nav>"#))
        r = try fetch(port, "GET", "/worlds?limit=3")
        #expect(r.body.contains("<h1>3 worlds</h1>"))
        #expect(r.body.contains(#"<tr class="even"><td>1</td>"#))
        #expect(r.body.contains(#"<tr class="odd"><td>2</td>"#))
        r = try fetch(port, "GET", "/static/style.css")
        #expect(r.status == 200)
        #expect(r.headers["content-type"] == "text/css; charset=utf-8")
        r = try fetch(port, "GET", "/static/")
        #expect(r.body.contains("static index"))
        for evil in ["/static/../app.tnt", "/static/%2e%2e/app.tnt", "/static/..%2fapp.tnt", "/static/missing.css"] {
            r = try fetch(port, "GET", evil)
            #expect(r.status == 404, "\(evil)")
            #expect(!r.body.contains("listen("), "\(evil) leaked the source")
        }
    }

    @Test func watchReloadsAndKeepsServingOnSyntaxErrors() throws {
        let (dir, name) = try CLI.temporaryFile("watched.tnt", "import { text } from \"std/http/server\"\nfn v(req) { text(\"one\") }\nget(\"/v\", v)\nlisten(1)\n")
        let path = dir + "/" + name
        let server = try ServerProcess(app: path, arguments: ["--watch"])
        defer { #expect(server.stop() == 0) }
        #expect(try fetch(server.port, "GET", "/v").body == "one")
        func waitFor(_ body: String) throws -> Bool {
            for _ in 0..<40 {
                if try fetch(server.port, "GET", "/v").body == body { return true }
                usleep(100_000)
            }
            return false
        }
        try "import { text } from \"std/http/server\"\nfn v(req) { text(\"two\") }\nget(\"/v\", v)\nlisten(1)\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try waitFor("two"))
        try "fn v(req) { text(\"three\" }\n".write(toFile: path, atomically: true, encoding: .utf8)
        usleep(1_500_000)
        #expect(try fetch(server.port, "GET", "/v").body == "two")
        #expect(server.stderr.contains("parse error"))
        #expect(server.stderr.contains("still serving the previous version"))
    }

    // MARK: - PostgreSQL

    @Test func postgresValuesTransactionsAndBatches() throws {
        let program = #"""
            import { connect, query, query_one, execute, query_batch, begin, commit, rollback } from "std/db/postgres"
            let db = unwrap(connect("\#(testDatabaseURL)"))
            unwrap(execute(db, "DROP TABLE IF EXISTS ntnt_types", []))
            unwrap(execute(db, "CREATE TABLE ntnt_types (id serial PRIMARY KEY, i2 smallint, i8 bigint, f float8, n numeric, b boolean, t text, v varchar(20), j jsonb, d date, ts timestamp, tz timestamptz, u uuid)", []))
            let inserted = execute(db, "INSERT INTO ntnt_types (i2, i8, f, n, b, t, v, j, d, ts, tz, u) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                [7, 9000000000, 2.5, "1.25", true, "it's \"x\"; DROP TABLE ntnt_types; --", "v", map { "k": [1, 2] }, "2024-02-29", "2024-01-02 03:04:05", "2024-01-02 03:04:05+02", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"])
            print(inserted)
            unwrap(execute(db, "INSERT INTO ntnt_types (t) VALUES (NULL)", []))
            let rows = unwrap(query(db, "SELECT i2, i8, f, n, b, t, v, j, d, ts, tz, u FROM ntnt_types ORDER BY id", []))
            print(rows[0])
            print(type(rows[0].i8))
            print(type(rows[0].f))
            print(rows[1].t == None)
            print(rows[1])
            print(query_one(db, "SELECT id FROM ntnt_types WHERE id = $1", [-1]))
            print(is_err(query(db, "SELECT nope FROM ntnt_types", [])))
            print(unwrap_or(query(db, "SELECT nope FROM ntnt_types", []), "x") == "x")
            let tx = unwrap(begin(db))
            unwrap(execute(tx, "INSERT INTO ntnt_types (t) VALUES ('rolled back')", []))
            print(len(unwrap(query(tx, "SELECT id FROM ntnt_types WHERE t = 'rolled back'", []))))
            print(rollback(tx))
            print(len(unwrap(query(db, "SELECT id FROM ntnt_types WHERE t = 'rolled back'", []))))
            let tx2 = unwrap(begin(db))
            unwrap(execute(tx2, "INSERT INTO ntnt_types (t) VALUES ('committed')", []))
            print(commit(tx2))
            print(len(unwrap(query(db, "SELECT id FROM ntnt_types WHERE t = 'committed'", []))))
            let batch = unwrap(query_batch(db, "SELECT id, randomnumber FROM world WHERE id = $1", [[1], [2], [10000], [0]]))
            print(len(batch))
            print(transform(batch, fn(rows) { len(rows) }))
            print(batch[2][0].id)
            print(is_err(query_batch(db, "SELECT id FROM world WHERE id = $1 / 0", [[1], [2]])))
            print(len(unwrap(query_batch(db, "SELECT 1 AS one", []))))
            print(is_err(connect("postgres://postgres@127.0.0.1:1/none")))
            unwrap(execute(db, "DROP TABLE ntnt_types", []))
            """#
        final class Buffer: @unchecked Sendable { var bytes: [UInt8] = [] }
        let out = Buffer()
        let outcome = ScriptRunner.run(path: "pg.tnt", source: program) { out.bytes += $0 }
        #expect(outcome.errorReport == "")
        let lines = String(decoding: out.bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let expected = [
            "1",
            #"{ b: true, d: 2024-02-29, f: 2.5, i2: 7, i8: 9000000000, j: { k: [1, 2] }, n: 1.25, t: it's "x"; DROP TABLE ntnt_types; --, ts: 2024-01-02T03:04:05, tz: 2024-01-02T01:04:05+00:00, u: a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11, v: v }"#,
            "Int", "Float", "true",
            "{ b: none, d: none, f: none, i2: none, i8: none, j: none, n: none, t: none, ts: none, tz: none, u: none, v: none }",
            "none", "true", "true",
            "1", "true", "0",
            "true", "1",
            "4", "[1, 1, 1, 0]", "10000", "true", "0", "true", "",
        ]
        #expect(lines == expected)
    }

    // MARK: - Concurrency

    @Test func thirtyTwoClientsFiveHundredRequestsEach() throws {
        let server = try ServerProcess(app: "samples/bench/app.tnt")
        defer { #expect(server.stop() == 0) }
        let port = server.port
        let failures = NSLock()
        var problems: [String] = []
        DispatchQueue.concurrentPerform(iterations: 32) { client in
            do {
                let c = try HTTPTestClient(port: port)
                defer { c.close() }
                for i in 0..<500 {
                    let ok: Bool
                    switch (client + i) % 7 {
                    case 0: ok = try c.request("GET", "/plaintext").body == "Hello, World!"
                    case 1: ok = try c.request("GET", "/json").body == #"{"message":"Hello, World!"}"#
                    case 2: ok = try c.request("GET", "/users/\(client)-\(i)").body == "{\"id\":\"\(client)-\(i)\"}"
                    case 3: ok = try c.request("POST", "/json", body: "{\"n\":\(i)}").body == "{\"n\":\(i)}"
                    case 4: ok = (jsonObject(try c.request("GET", "/db").body) as? [String: Int])?["randomNumber"] != nil
                    case 5: ok = (jsonObject(try c.request("GET", "/queries?count=5").body) as? [[String: Int]])?.count == 5
                    default: ok = try c.request("GET", "/template").body.components(separatedBy: "<tr><td>").count == 11
                    }
                    if !ok {
                        failures.lock(); problems.append("client \(client) request \(i)"); failures.unlock()
                    }
                }
            } catch {
                failures.lock(); problems.append("client \(client): \(error)"); failures.unlock()
            }
        }
        #expect(problems.isEmpty, "\(problems.prefix(5))")
    }
}
