// The HTTP server: event loops (one per core, each with its own SO_REUSEPORT listener so the
// kernel spreads connections), a worker pool for handlers, and a graceful drain on
// SIGINT/SIGTERM: stop accepting, answer every request already received, exit.

#if canImport(Glibc)
import Glibc
#endif
import CNtntSys

/// The process-wide shutdown signal: an eventfd every event loop watches. Written from the
/// signal handler (write(2) is async-signal-safe).
enum ServerSignals {
    nonisolated(unsafe) static var fd: Int32 = -1

    static func install() {
        if fd >= 0 { return }
        fd = ntnt_eventfd()
        ntnt_install_signal_handlers { _ in
            var one: UInt64 = 1
            _ = write(ServerSignals.fd, &one, 8)
        }
    }

    /// Starts a drain as if a signal had arrived (tests, programmatic stop).
    static func trigger() {
        var one: UInt64 = 1
        _ = write(fd, &one, 8)
    }
}

/// Why the server could not start.
public enum HTTPServerError: Error, CustomStringConvertible {
    case listenFailed(port: Int, errno: Int32)

    public var description: String {
        switch self {
        case let .listenFailed(port, e):
            return "cannot listen on port \(port): \(String(cString: strerror(e)))"
        }
    }
}

/// An HTTP/1.1 server.
public final class HTTPServer {
    /// Runs on a worker thread; may block.
    public typealias Handler = (inout HTTPRequest) -> HTTPResponse

    /// Server settings (see the README for the matching environment variables).
    public struct Configuration {
        public var port: Int
        public var eventLoops: Int
        public var workers: Int
        public var workerStackSize: Int
        public var limits: HTTPLimits
        /// A request must arrive completely within this time from its first byte (else 408).
        public var requestTimeoutMillis: Int
        /// Keep-alive connections idle this long are closed.
        public var idleTimeoutMillis: Int
        /// Requests that may wait for a worker; beyond it a request gets a fast 503.
        public var queueLimit: Int

        public init(port: Int = 8080, eventLoops: Int = onlineCPUCount(), workers: Int = ServeOptions.defaultWorkers,
                    workerStackSize: Int = 8 << 20, limits: HTTPLimits = HTTPLimits(),
                    requestTimeoutMillis: Int = 10_000, idleTimeoutMillis: Int = 60_000, queueLimit: Int = 1024) {
            self.port = port
            self.eventLoops = eventLoops
            self.workers = workers
            self.workerStackSize = workerStackSize
            self.limits = limits
            self.requestTimeoutMillis = requestTimeoutMillis
            self.idleTimeoutMillis = idleTimeoutMillis
            self.queueLimit = queueLimit
        }
    }

    public let configuration: Configuration
    let makeHandler: (Int) -> Handler
    /// Requests for which this returns true are answered on the event loop itself (their
    /// handlers are proven not to block), skipping the hand-off to a worker.
    let canRunInline: ((inout HTTPRequest) -> Bool)?
    private(set) var workers: WorkerPool!

    /// `makeHandler(i)` builds the handler of worker `i` (0..<workers) or of event loop
    /// `workers + k` (used for inline requests).
    public init(configuration: Configuration, canRunInline: ((inout HTTPRequest) -> Bool)? = nil,
                makeHandler: @escaping (Int) -> Handler) {
        self.configuration = configuration
        self.makeHandler = makeHandler
        self.canRunInline = canRunInline
    }

    /// Serves until SIGINT/SIGTERM, then drains and returns. `onReady` runs once the port is bound.
    public func run(onReady: () -> Void = {}) throws {
        ServerSignals.install()
        // The listeners share the port among the event loops (SO_REUSEPORT), which would also
        // share it with another server already on it: refuse that instead.
        if configuration.port != 0, case let e = ntnt_port_free(UInt16(clamping: configuration.port)), e < 0 {
            throw HTTPServerError.listenFailed(port: configuration.port, errno: -e)
        }
        var listeners: [Int32] = []
        for _ in 0..<max(1, configuration.eventLoops) {
            let fd = ntnt_listen(UInt16(clamping: configuration.port), 1024)
            if fd < 0 {
                for l in listeners { close(l) }
                throw HTTPServerError.listenFailed(port: configuration.port, errno: -fd)
            }
            listeners.append(fd)
        }
        workers = WorkerPool(count: max(1, configuration.workers), queueLimit: max(1, configuration.queueLimit),
                             stackSize: configuration.workerStackSize, makeHandler: makeHandler)
        let loops = listeners.enumerated().map { EventLoop(index: $0.offset, server: self, listenFD: $0.element) }
        onReady()
        let threads = loops.map { loop in NativeThread(stackSize: 1 << 20) { loop.run() } }
        for t in threads { t.join() }
        workers.shutdown()
    }

    /// Runs the server for `listen(port)`, announcing it on stderr; a port that cannot be bound
    /// becomes the runtime error `listen(): …`.
    public func serveProgram(routeCount: Int, mode: String) throws {
        let config = configuration
        do {
            try run {
                writeStandardError("ntnt: serving \(routeCount) route(s) on http://0.0.0.0:\(config.port) "
                                   + "(\(config.eventLoops) event loop(s), \(config.workers) worker(s)\(mode))\n")
            }
        } catch let e as HTTPServerError {
            throw RuntimeError("listen(): \(e.description)")
        }
        writeStandardError("ntnt: stopped\n")
    }

    /// Asks a running server to drain and stop (as SIGTERM would).
    public static func requestShutdown() {
        ServerSignals.trigger()
    }
}

/// Reads an integer setting from the environment.
public func environmentInt(_ name: String) -> Int? {
    guard let p = getenv(name) else { return nil }
    return Int(String(cString: p))
}

/// The value of environment variable `name`, if set.
public func environmentString(_ name: String) -> String? {
    guard let p = getenv(name) else { return nil }
    return String(cString: p)
}
