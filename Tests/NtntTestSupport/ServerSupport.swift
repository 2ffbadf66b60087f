// Helpers for socket-level tests: start `ntnt run` on a sample app, talk raw HTTP/1.1 to it
// over real sockets on 127.0.0.1, parse what comes back.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The database the tests use (the project's cluster unless DATABASE_URL says otherwise).
let testDatabaseURL = ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "postgres://postgres@127.0.0.1:54329/ntnt"

/// Set by `make test-tsan` / `make test-asan`: memory and time bounds do not apply there.
let underSanitizer = ProcessInfo.processInfo.environment["NTNT_TEST_SANITIZE"] != nil

/// A port that was free a moment ago.
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// A running `ntnt run` server.
final class ServerProcess {
    let process = Process()
    let port: Int
    private let errPipe = Pipe()
    private var stderrData = Data()
    private let lock = NSLock()

    /// Starts `ntnt run --quiet --port P app` and waits until it accepts connections.
    init(app: String, environment: [String: String] = [:], arguments: [String] = ["--quiet"], compiledBinary: String? = nil) throws {
        port = freePort()
        if let compiledBinary {
            process.executableURL = URL(fileURLWithPath: compiledBinary)
            process.arguments = arguments + ["--port", String(port)]
        } else {
            process.executableURL = URL(fileURLWithPath: CLI.binary)
            process.arguments = ["run"] + arguments + ["--port", String(port), app]
        }
        process.currentDirectoryURL = URL(fileURLWithPath: ConformanceCorpus.projectRoot)
        var env = ProcessInfo.processInfo.environment
        env["DATABASE_URL"] = testDatabaseURL
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errPipe
        errPipe.fileHandleForReading.readabilityHandler = { [weak self] h in
            let d = h.availableData
            guard let self else { return }
            self.lock.lock(); self.stderrData.append(d); self.lock.unlock()
        }
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let c = try? HTTPTestClient(port: port) { c.close(); return }
            if !process.isRunning { break }
            usleep(50_000)
        }
        stop()
        throw TestFailure("server for \(app) did not start: \(stderr)")
    }

    var stderr: String {
        lock.lock(); defer { lock.unlock() }
        return String(decoding: stderrData, as: UTF8.self)
    }

    /// The server's resident memory (VmRSS) in MiB.
    var residentMiB: Int { statusMiB("VmRSS:") }
    /// The most resident memory the server has had (VmHWM) in MiB.
    var peakResidentMiB: Int { statusMiB("VmHWM:") }

    private func statusMiB(_ field: String) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix(field) } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
    }

    /// Sends SIGTERM and waits; returns the exit status. A server that has not drained within
    /// `graceSeconds` is killed (status 137), so a stuck server fails its test instead of hanging it.
    @discardableResult
    func stop(graceSeconds: Double = underSanitizer ? 90 : 20) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(graceSeconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            errPipe.fileHandleForReading.readabilityHandler = nil
            return 137
        }
        process.waitUntilExit()
        errPipe.fileHandleForReading.readabilityHandler = nil
        return process.terminationStatus
    }

    deinit { if process.isRunning { stop() } }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A parsed HTTP response.
struct TestResponse {
    var status: Int
    var headers: [String: String]
    var body: String
    var closed: Bool
}

/// A blocking HTTP/1.1 client over one TCP connection.
final class HTTPTestClient {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int, timeoutSeconds: Int = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 {
            Glibc.close(fd)
            throw TestFailure("connect failed")
        }
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    func close() { Glibc.close(fd) }

    func send(_ text: String) { send(Array(text.utf8)) }

    /// Sends all of `bytes` (blocking); false if the connection failed first (reset, closed).
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + off, bytes.count - off, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            off += n
        }
        return true
    }

    /// Sends `bytes` over and over without blocking and without reading, for `seconds`;
    /// returns how many bytes the connection took (what flow control let through).
    func flood(_ bytes: [UInt8], seconds: Double) -> Int {
        let deadline = Date().addingTimeInterval(seconds)
        var sent = 0
        var off = 0
        while Date() < deadline {
            let n = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + off, bytes.count - off, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            if n > 0 {
                sent += n
                off = (off + n) % bytes.count
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                usleep(2_000)
            } else {
                break
            }
        }
        return sent
    }

    /// Reads more bytes; false at EOF, timeout or error.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    /// Reads one response (content-length framed).
    func readResponse(headOnly: Bool = false) throws -> TestResponse {
        var headerEnd: Int? = nil
        while headerEnd == nil {
            if let r = buffer.firstRange(of: Array("\r\n\r\n".utf8)) { headerEnd = r.lowerBound; break }
            if !fill() { throw TestFailure("connection closed before a response (got \(buffer.count) bytes)") }
        }
        let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw TestFailure("bad status line \(statusLine)") }
        var headers: [String: String] = [:]
        for l in lines {
            guard let colon = l.firstIndex(of: ":") else { continue }
            headers[l[..<colon].lowercased()] = l[l.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = headOnly ? 0 : Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = headerEnd! + 4
        while buffer.count < bodyStart + length {
            if !fill() { throw TestFailure("connection closed inside a body") }
        }
        let body = String(decoding: buffer[bodyStart..<(bodyStart + length)], as: UTF8.self)
        buffer.removeFirst(bodyStart + length)
        return TestResponse(status: status, headers: headers, body: body, closed: headers["connection"] == "close")
    }

    /// True when the server closed the connection (EOF) within the receive timeout.
    func isClosedByPeer() -> Bool {
        while fill() {}
        var probe: UInt8 = 0
        return recv(fd, &probe, 1, Int32(MSG_DONTWAIT)) == 0
    }

    /// One request on this connection.
    func request(_ method: String, _ path: String, body: String? = nil, headers: [String: String] = [:]) throws -> TestResponse {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (k, v) in headers { text += "\(k): \(v)\r\n" }
        if let body { text += "Content-Length: \(body.utf8.count)\r\n" }
        text += "\r\n" + (body ?? "")
        send(text)
        return try readResponse(headOnly: method == "HEAD")
    }
}

/// One request on a fresh connection.
func fetch(_ port: Int, _ method: String = "GET", _ path: String, body: String? = nil) throws -> TestResponse {
    let c = try HTTPTestClient(port: port)
    defer { c.close() }
    return try c.request(method, path, body: body)
}

/// Runs `scripts/db.sh ARG`. (Through system(3): Foundation's Process does not notice the
/// script's exit while the PostgreSQL server it started keeps running.)
@discardableResult
func dbScript(_ arg: String, cluster: TestCluster = .main) -> Int32 {
    let status = system("\(cluster.environment) bash '\(ConformanceCorpus.projectRoot)/scripts/db.sh' \(arg) >/dev/null 2>&1")
    return (status >> 8) & 0xFF
}

/// A PostgreSQL cluster of scripts/db.sh: the shared one, or one a test may stop and start
/// without disturbing the suites that run meanwhile.
struct TestCluster {
    let directory: String?
    let port: Int

    static let main = TestCluster(directory: nil, port: 54329)
    /// Outside Linux's ephemeral port range (32768–60999), so no client socket can hold it.
    static let restartable = TestCluster(directory: "/tmp/ntnt-pg-restart", port: 25431)

    var environment: String {
        directory.map { "NTNT_DB_DIR='\($0)' NTNT_DB_PORT=\(port)" } ?? ""
    }

    var url: String {
        directory == nil ? testDatabaseURL : "postgres://postgres@127.0.0.1:\(port)/ntnt"
    }

    /// Lines of `psql -tA` output for `sql` (fields separated by `|`).
    func query(_ sql: String) -> [String] {
        let bin = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql"))?.sorted().last
            .map { "/usr/lib/postgresql/\($0)/bin/psql" } ?? "psql"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: FileManager.default.fileExists(atPath: bin) ? bin : "/usr/bin/psql")
        p.arguments = ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", "ntnt", "-tAc", sql]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return [] }
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return out.split(separator: "\n").map(String.init)
    }
}

/// Parses a JSON text with Foundation (independent of the runtime's own codec).
func jsonObject(_ text: String) -> Any? {
    try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
}

/// PgBouncer in transaction pooling mode in front of a cluster (Debian's `pgbouncer`), for
/// the NTNT_DB_PREPARE=off test; nil when it is not installed or does not start.
final class PgBouncer {
    let port: Int
    private let directory: String

    /// `port` lies outside the ephemeral range, so no client socket of a parallel test holds it.
    init?(port: Int = 25432, upstream: TestCluster = .main) {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/pgbouncer") else { return nil }
        self.port = port
        directory = "/tmp/ntnt-pgbouncer-\(port)"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ini = """
            [databases]
            ntnt = host=127.0.0.1 port=\(upstream.port) dbname=ntnt user=postgres
            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = \(port)
            auth_type = trust
            auth_file = \(directory)/users.txt
            pool_mode = transaction
            default_pool_size = 4
            max_client_conn = 200
            unix_socket_dir =
            logfile = \(directory)/pgbouncer.log
            pidfile = \(directory)/pgbouncer.pid
            """
        FileManager.default.createFile(atPath: directory + "/pgbouncer.ini", contents: Data(ini.utf8))
        FileManager.default.createFile(atPath: directory + "/users.txt", contents: Data("\"postgres\" \"\"\n".utf8))
        // PgBouncer refuses to run as root; the cluster's owner runs it then.
        let asOwner = getuid() == 0 ? "chown -R postgres '\(directory)' && runuser -u postgres -- " : ""
        guard system("\(asOwner)/usr/sbin/pgbouncer -d '\(directory)/pgbouncer.ini' >/dev/null 2>&1") == 0 else { return nil }
        for _ in 0..<50 {
            if let c = try? HTTPTestClient(port: port) { c.close(); return }
            usleep(100_000)
        }
        return nil
    }

    var url: String { "postgres://postgres@127.0.0.1:\(port)/ntnt" }

    func stop() {
        _ = system("kill $(cat '\(directory)/pgbouncer.pid') 2>/dev/null")
    }
}
