// The database path under concurrency, in both modes and both statement modes: answers that
// match the table, a failing statement among many, transactions under load, a statement past
// the timeout, and a PostgreSQL restart under load (on a cluster of its own, so the other
// suites keep their database meanwhile).

import Foundation
import Testing
@testable import NtntTestSupport

@Suite(.serialized) struct DatabaseTests {
    static let modes = ["interpreted", "compiled"]

    /// The `world` table as PostgreSQL has it: id → randomnumber.
    static let world: [Int: Int] = {
        var table: [Int: Int] = [:]
        for line in TestCluster.main.query("SELECT id, randomnumber FROM world") {
            let parts = line.split(separator: "|")
            if parts.count == 2, let id = Int(parts[0]), let n = Int(parts[1]) { table[id] = n }
        }
        return table
    }()

    /// Starts `program` (a path for the interpreter; its compiled name for the binary).
    static func server(_ mode: String, app: String, compiledName: String, environment: [String: String] = [:]) throws -> ServerProcess {
        if mode == "compiled" {
            guard CompiledCorpus.build.built else { throw TestFailure("the compiled package did not build") }
            return try ServerProcess(app: "", environment: environment.merging(["NTNT_PROGRAM": compiledName]) { a, _ in a },
                                     compiledBinary: CompiledHTTPTests.binary)
        }
        return try ServerProcess(app: app, environment: environment)
    }

    /// Tests/Servers/database.tnt with a table of its own (the program recreates it at start).
    static func databaseApp(_ mode: String, table: String, _ environment: [String: String] = [:]) throws -> ServerProcess {
        try server(mode, app: "Tests/Servers/database.tnt", compiledName: "server_database",
                   environment: environment.merging(["NTNT_TEST_TABLE": table]) { a, _ in a })
    }

    /// Runs `body(client, connection)` on `clients` concurrent connections; the problems found.
    static func concurrently(_ clients: Int, port: Int, _ body: @escaping @Sendable (Int, HTTPTestClient) throws -> [String]) -> [String] {
        let lock = NSLock()
        nonisolated(unsafe) var problems: [String] = []
        DispatchQueue.concurrentPerform(iterations: clients) { client in
            var found: [String]
            do {
                let c = try HTTPTestClient(port: port)
                defer { c.close() }
                found = try body(client, c)
            } catch {
                found = ["client \(client): \(error)"]
            }
            lock.lock(); problems += found; lock.unlock()
        }
        return problems
    }

    /// Problems with rows `[{"id":…, "randomNumber":…}]` against the table.
    static func checkRows(_ rows: [[String: Int]], _ context: String) -> [String] {
        rows.compactMap { row in
            guard let id = row["id"], let n = row["randomNumber"] else { return "\(context): row without id/randomNumber" }
            return world[id] == n ? nil : "\(context): world \(id) is \(world[id].map(String.init) ?? "missing"), got \(n)"
        }
    }

    @Test(arguments: modes, ["on", "off"])
    func answersMatchTheDatabaseUnderSixtyFourConnections(_ mode: String, _ prepare: String) throws {
        #expect(Self.world.count == 10000)
        let server = try Self.server(mode, app: "samples/bench/app.tnt", compiledName: "sample_bench", environment: ["NTNT_DB_PREPARE": prepare])
        defer { #expect(server.stop() == 0) }
        let problems = Self.concurrently(64, port: server.port) { client, c in
            var problems: [String] = []
            for i in 0..<24 {
                switch (client + i) % 3 {
                case 0:
                    let r = try c.request("GET", "/db")
                    guard let row = jsonObject(r.body) as? [String: Int] else { problems.append("/db: \(r.status) \(r.body)"); continue }
                    problems += Self.checkRows([row], "/db")
                case 1:
                    let count = 1 + (client * 7 + i) % 20
                    let r = try c.request("GET", "/queries?count=\(count)")
                    guard let rows = jsonObject(r.body) as? [[String: Int]], rows.count == count else {
                        problems.append("/queries?count=\(count): \(r.status) \(r.body.prefix(80))"); continue
                    }
                    problems += Self.checkRows(rows, "/queries")
                default:
                    let r = try c.request("GET", "/template")
                    let cells = r.body.components(separatedBy: "<tr><td>").dropFirst().map { cell -> [String: Int] in
                        let fields = cell.components(separatedBy: "</td><td>")
                        let id = Int(fields[0]) ?? -1
                        let n = Int(fields.count > 1 ? fields[1].components(separatedBy: "<")[0] : "") ?? -1
                        return ["id": id, "randomNumber": n]
                    }
                    if cells.count != 10 { problems.append("/template: \(r.status) \(cells.count) rows") }
                    problems += Self.checkRows(cells, "/template")
                }
            }
            return problems
        }
        #expect(problems.isEmpty, "\(problems.count) problems: \(problems.prefix(5))")
    }

    @Test(arguments: modes, ["on", "off"])
    func aFailingStatementFailsOnlyItsOwnRequest(_ mode: String, _ prepare: String) throws {
        let server = try Self.databaseApp(mode, table: "ntnt_fail_test", ["NTNT_DB_PREPARE": prepare])
        defer { #expect(server.stop() == 0) }
        let problems = Self.concurrently(33, port: server.port) { client, c in
            var problems: [String] = []
            for i in 0..<40 {
                if client == 0 {
                    let r = try c.request("GET", "/bad/not-a-number-\(i)")
                    if r.status != 500 || !r.body.contains("invalid input syntax for type integer") {
                        problems.append("bad parameter answered \(r.status) \(r.body)")
                    }
                } else {
                    let id = 1 + (client * 313 + i * 17) % 10000
                    let r = try c.request("GET", "/world/\(id)")
                    let row = jsonObject(r.body) as? [String: Int]
                    if r.status != 200 || row?["id"] != id || row?["randomnumber"] != Self.world[id] {
                        problems.append("/world/\(id): \(r.status) \(r.body)")
                    }
                }
            }
            return problems
        }
        #expect(problems.isEmpty, "\(problems.count) problems: \(problems.prefix(5))")
    }

    @Test(arguments: modes, ["on", "off"])
    func transactionsWithRollbackUnderLoadLeaveTheExpectedRows(_ mode: String, _ prepare: String) throws {
        let server = try Self.databaseApp(mode, table: "ntnt_tx_test", ["NTNT_DB_PREPARE": prepare])
        defer { #expect(server.stop() == 0) }
        let problems = Self.concurrently(32, port: server.port) { client, c in
            var problems: [String] = []
            for i in 0..<15 {
                let n = client * 100 + i
                let r = try c.request("POST", "/tx/\(n)")
                let expected = n % 2 == 1 ? "rolled back \(n)" : "committed \(n)"
                if r.body != expected { problems.append("/tx/\(n): \(r.status) \(r.body)") }
                // Plain statements on the shared connections meanwhile.
                if try c.request("GET", "/world/\(1 + n)").status != 200 { problems.append("/world during transactions") }
            }
            return problems
        }
        #expect(problems.isEmpty, "\(problems.count) problems: \(problems.prefix(5))")
        let rows = jsonObject(try fetch(server.port, "GET", "/rows").body) as? [[String: Any]] ?? []
        let expected = (0..<32).flatMap { c in (0..<15).map { c * 100 + $0 } }.filter { $0 % 2 == 0 }
        #expect(rows.compactMap { $0["id"] as? Int } == expected)
        #expect(rows.allSatisfy { $0["note"] as? String == "done" })
    }

    @Test(arguments: modes)
    func aStatementPastTheTimeoutIsAnErrorAndOthersGoOn(_ mode: String) throws {
        let server = try Self.databaseApp(mode, table: "ntnt_timeout_test", ["NTNT_DB_TIMEOUT": "1"])
        defer { #expect(server.stop() == 0) }
        let port = server.port
        final class Outcome: @unchecked Sendable { var response: TestResponse?; var seconds = 0.0 }
        let slow = Outcome()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let start = Date()
            slow.response = try? fetch(port, "GET", "/sleep/30")
            slow.seconds = Date().timeIntervalSince(start)
            done.signal()
        }
        usleep(100_000)
        var fastOnes = 0
        let c = try HTTPTestClient(port: port)
        defer { c.close() }
        for i in 0..<50 where try c.request("GET", "/world/\(i + 1)").status == 200 { fastOnes += 1 }
        #expect(fastOnes == 50)
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(slow.response?.status == 500)
        #expect(slow.response?.body.contains("statement timeout") == true, "\(slow.response?.body ?? "no response")")
        #expect(slow.seconds < 3.5, "the slow statement took \(slow.seconds) s")
        #expect(try fetch(port, "GET", "/world/7").status == 200)
    }

    @Test(arguments: modes)
    func aFullQueueAnswersFiveHundredThreeAtOnce(_ mode: String) throws {
        let server = try Self.databaseApp(mode, table: "ntnt_queue_test", ["NTNT_WORKERS": "1", "NTNT_QUEUE": "1"])
        defer { #expect(server.stop() == 0) }
        let port = server.port
        // The worker is ready once it has answered.
        #expect(try fetch(port, "GET", "/world/1").status == 200)
        // One request on the only worker, one in the queue: the third is refused at once.
        // (Threads of their own: a blocked dispatch queue may start the next block late.)
        final class Statuses: @unchecked Sendable { let lock = NSLock(); var values: [Int] = [] }
        let slow = Statuses()
        let finished = DispatchSemaphore(value: 0)
        for i in 0..<2 {
            Thread.detachNewThread {
                let status = (try? fetch(port, "GET", "/sleep/1.5"))?.status ?? -1
                slow.lock.withLock { slow.values.append(status) }
                finished.signal()
            }
            usleep(i == 0 ? 300_000 : 200_000)
        }
        let start = Date()
        let refused = try fetch(port, "GET", "/world/1")
        #expect(refused.status == 503, "\(refused.status) \(refused.body)")
        #expect(Date().timeIntervalSince(start) < 0.5)
        finished.wait()
        finished.wait()
        #expect(slow.values == [200, 200])
        #expect(try fetch(port, "GET", "/world/1").status == 200)
    }

    @Test(arguments: modes)
    func unnamedStatementsWorkBehindPgBouncerTransactionPooling(_ mode: String) throws {
        guard let bouncer = PgBouncer() else {
            Issue.record("PgBouncer is needed for this test: apt-get install pgbouncer (.ci/run installs it)")
            return
        }
        defer { bouncer.stop() }
        let server = try Self.server(mode, app: "samples/bench/app.tnt", compiledName: "sample_bench",
                                     environment: ["DATABASE_URL": bouncer.url, "NTNT_DB_PREPARE": "off"])
        defer { #expect(server.stop() == 0) }
        let problems = Self.concurrently(32, port: server.port) { client, c in
            var problems: [String] = []
            for i in 0..<10 {
                let count = 1 + (client + i) % 20
                let r = try c.request("GET", "/queries?count=\(count)")
                guard let rows = jsonObject(r.body) as? [[String: Int]], rows.count == count else {
                    problems.append("/queries?count=\(count): \(r.status) \(r.body.prefix(80))"); continue
                }
                problems += Self.checkRows(rows, "/queries")
            }
            return problems
        }
        #expect(problems.isEmpty, "\(problems.count) problems: \(problems.prefix(5))")
    }

    @Test(arguments: modes)
    func survivesADatabaseRestartUnderLoad(_ mode: String) throws {
        let cluster = TestCluster.restartable
        #expect(dbScript("start", cluster: cluster) == 0)
        defer { dbScript("stop", cluster: cluster) }
        let pool = 4
        let server = try Self.server(mode, app: "samples/bench/app.tnt", compiledName: "sample_bench",
                                     environment: ["DATABASE_URL": cluster.url, "NTNT_DB_POOL": String(pool), "NTNT_DB_TIMEOUT": "2"])
        defer { #expect(server.stop() == 0) }
        let port = server.port
        final class Log: @unchecked Sendable {
            let lock = NSLock()
            var entries: [(at: Date, status: Int, seconds: Double)] = []
            var stop = false
        }
        let log = Log()
        let group = DispatchGroup()
        for _ in 0..<8 {
            DispatchQueue.global().async(group: group) {
                while !log.lock.withLock({ log.stop }) {
                    let start = Date()
                    let status = (try? fetch(port, "GET", "/db").status) ?? -1
                    log.lock.withLock { log.entries.append((start, status, Date().timeIntervalSince(start))) }
                }
            }
        }
        // Until some requests have been answered (a loaded machine may take a while to start).
        let deadline = Date().addingTimeInterval(10)
        while log.lock.withLock({ log.entries.count }) < 8 && Date() < deadline { usleep(50_000) }
        usleep(200_000)
        let stopping = Date()
        #expect(dbScript("stop", cluster: cluster) == 0)
        let down = Date()
        usleep(1_000_000)
        #expect(dbScript("start", cluster: cluster) == 0)
        let up = Date()
        usleep(2_500_000)
        log.lock.withLock { log.stop = true }
        group.wait()
        let entries = log.lock.withLock { log.entries }
        // Before the stop everything succeeds; during the outage errors come fast; from 2 s
        // after the restart everything succeeds again; nothing ever hangs.
        let before = entries.filter { $0.at.addingTimeInterval($0.seconds) < stopping }
        #expect(!before.isEmpty && before.allSatisfy { $0.status == 200 }, "\(before.map(\.status).suffix(20))")
        #expect(entries.allSatisfy { $0.status == 200 || $0.status == 500 || $0.status == 503 }, "\(Set(entries.map(\.status)))")
        #expect(entries.filter { $0.at > down && $0.at < up }.contains { $0.status != 200 })
        #expect(entries.allSatisfy { $0.seconds < 4 }, "slowest \(entries.map(\.seconds).max() ?? 0) s")
        let recovered = entries.filter { $0.at > up.addingTimeInterval(2) }
        #expect(!recovered.isEmpty && recovered.allSatisfy { $0.status == 200 }, "\(recovered.map(\.status).prefix(20))")
        let backends = cluster.query("SELECT count(*) FROM pg_stat_activity WHERE datname = 'ntnt' AND backend_type = 'client backend' AND pid <> pg_backend_pid()")
        #expect((Int(backends.first ?? "") ?? 99) <= pool, "\(backends)")
    }
}

/// A batched loop's statements really travel as one pipeline, compiled and interpreted (they
/// share one implicit transaction, so one now(); sent one by one, each has its own). Sequential
/// equivalence is Tests/Conformance/db_batching.tnt, run in both modes by the conformance suites.
@Suite struct QueryBatchingTests {
    @Test func compiledLoopSendsItsQueriesTogether() throws {
        guard CompiledCorpus.build.built else {
            Issue.record("the compiled package did not build")
            return
        }
        #expect(CompiledCorpus.build.failures["batching/one_pipeline"] == nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CompiledCorpus.packageDirectory + "/.build/release/app")
        var env = ProcessInfo.processInfo.environment
        env["NTNT_PROGRAM"] = "batching_one_pipeline"
        env["DATABASE_URL"] = testDatabaseURL
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let compiled = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(compiled == "1 distinct transaction start(s) for 20 statements\n")
        let (status, interpreted, _) = try CLI.run(["run", "Tests/Batching/one_pipeline.tnt"], in: ConformanceCorpus.projectRoot)
        #expect(status == 0 && interpreted == "1 distinct transaction start(s) for 20 statements\n", "\(interpreted)")
    }
}
