// Server settings shared by `ntnt run` and compiled programs.

/// How a program serves HTTP (from CLI flags and the environment); both backends use it.
public struct ServeOptions: Sendable {
    /// Overrides the port passed to `listen`.
    public var port: Int?
    /// No per-request log line.
    public var quiet: Bool
    /// Reload the program when one of its source files changes.
    public var watch: Bool
    public var workers: Int
    public var eventLoops: Int
    public var maxBodyBytes: Int
    public var requestTimeoutSeconds: Int
    public var idleTimeoutSeconds: Int
    public var queueLimit: Int

    public init(port: Int? = nil, quiet: Bool = false, watch: Bool = false) {
        self.port = port ?? environmentInt("NTNT_PORT")
        self.quiet = quiet
        self.watch = watch
        self.workers = environmentInt("NTNT_WORKERS") ?? ServeOptions.defaultWorkers
        self.eventLoops = environmentInt("NTNT_EVENT_LOOPS") ?? onlineCPUCount()
        self.maxBodyBytes = environmentInt("NTNT_MAX_BODY") ?? 1 << 20
        self.requestTimeoutSeconds = environmentInt("NTNT_REQUEST_TIMEOUT") ?? 10
        self.idleTimeoutSeconds = environmentInt("NTNT_IDLE_TIMEOUT") ?? 60
        self.queueLimit = environmentInt("NTNT_QUEUE") ?? 1024
    }

    /// Handlers wait for the database, so there are many more workers than cores: a waiting
    /// worker is a statement in flight, and the more are in flight the more the shared
    /// pipelines batch (ad-hoc wrk runs on 2 cores: 32 beat 16 and 64 on /queries and /template).
    public static let defaultWorkers = 32
}


extension ServeOptions {
    /// The server configuration for `port`.
    public func configuration(port: Int, workerStackSize: Int) -> HTTPServer.Configuration {
        HTTPServer.Configuration(
            port: port,
            eventLoops: max(1, eventLoops),
            workers: max(1, workers),
            workerStackSize: workerStackSize,
            limits: HTTPLimits(maxBodyBytes: maxBodyBytes),
            requestTimeoutMillis: requestTimeoutSeconds * 1000,
            idleTimeoutMillis: idleTimeoutSeconds * 1000,
            queueLimit: queueLimit
        )
    }

    /// Reads `--port N`, `--quiet` from a compiled program's command line.
    public static func fromCommandLine(_ args: [String]) -> ServeOptions {
        var port: Int? = nil
        var quiet = false
        var i = 1
        while i < args.count {
            if args[i] == "--port", i + 1 < args.count { port = Int(args[i + 1]); i += 1 }
            else if args[i] == "--quiet" { quiet = true }
            i += 1
        }
        return ServeOptions(port: port, quiet: quiet)
    }
}
