// One epoll event loop: accepts connections on its own SO_REUSEPORT listener, reads and
// parses requests, hands complete requests to the worker pool, and writes responses back.
//
// Connections live in a table indexed by fd; the epoll data word packs the fd with a
// generation number so an event for a closed-and-reused fd is recognised and dropped. A
// connection has at most one request in flight: further pipelined requests wait in its input
// buffer until the response is queued, which keeps responses in request order. Workers hand
// responses back through a mutex-protected list and an eventfd wake-up; the loop thread is
// the only one that touches sockets and connection state.
//
// Memory per connection is bounded whatever the client does: a connection is not read while
// its unsent output is over `outputLimit` (a client that pipelines without reading answers
// stalls in TCP flow control, not in our buffers) or while a request is in flight and
// `pipelineLimit` bytes of further requests are already buffered. A connection the server
// closes is closed lingering: its write side is shut, and what the client still sends is read
// and dropped for up to `lingerMillis`, so an early error response (413) reaches a client that
// is still sending instead of being lost to a reset.

#if canImport(Glibc)
import Glibc
#endif
import CNtntSys

/// Per-connection state (owned by its event loop's thread).
final class Connection {
    let fd: Int32
    let generation: UInt32
    let peer: String
    var input: [UInt8] = []
    var inputStart = 0
    var output: [UInt8] = []
    var outputStart = 0
    var inFlight = false
    var closeAfterWrite = false
    var watchingWrites = false
    /// The epoll events currently registered.
    var interest: UInt32
    /// Requests are buffered that wait for the output to drain below the limit.
    var outputThrottled = false
    /// The client has closed its side (EOF read).
    var peerClosed = false
    /// Set once the response is out and the write side shut: drop input until then, then close.
    var lingerDeadline: Int?
    var lastActivity: Int
    /// When the first byte of the request being received arrived (for the request timeout).
    var requestStarted: Int?

    init(fd: Int32, generation: UInt32, peer: String, now: Int) {
        self.fd = fd
        self.generation = generation
        self.peer = peer
        self.lastActivity = now
        self.interest = UInt32(NTNT_EPOLLIN | NTNT_EPOLLRDHUP)
    }

    var pendingOutput: Int { output.count - outputStart }
    var bufferedInput: Int { input.count - inputStart }
}

final class EventLoop {
    private static let listenerToken: UInt64 = 1 << 62
    private static let wakeToken: UInt64 = 1 << 61
    private static let shutdownToken: UInt64 = 1 << 60
    /// Unsent response bytes beyond which a connection is not read (nor its pipelined requests run).
    static let outputLimit = 1 << 20
    /// Bytes of pipelined requests buffered behind an in-flight one before reading pauses.
    static let pipelineLimit = 64 * 1024
    /// Bytes read from one connection per readiness event (level-triggered: the rest comes next round).
    static let readBurst = 256 * 1024
    static let lingerMillis = 2_000

    let index: Int
    private let server: HTTPServer
    private let epfd: Int32
    private var listenFD: Int32
    private let wakeFD: Int32
    private var connections: [Connection?] = []
    private var nextGeneration: UInt32 = 1
    private var date = HTTPDate()
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var lastSweep = 0
    private var draining = false
    /// This loop's own handler for inline requests (built on the loop thread on first use).
    private var inlineHandler: HTTPServer.Handler?

    private struct Completion {
        let fd: Int32
        let generation: UInt32
        let response: HTTPResponse
        let keepAlive: Bool
        let headOnly: Bool
    }
    private let completionLock = Monitor()
    private var completions: [Completion] = []
    private var spareCompletions: [Completion] = []

    init(index: Int, server: HTTPServer, listenFD: Int32) {
        self.index = index
        self.server = server
        self.epfd = ntnt_epoll_create()
        self.listenFD = listenFD
        self.wakeFD = ntnt_eventfd()
        _ = ntnt_epoll_ctl(epfd, 0, listenFD, UInt32(NTNT_EPOLLIN), EventLoop.listenerToken)
        _ = ntnt_epoll_ctl(epfd, 0, wakeFD, UInt32(NTNT_EPOLLIN), EventLoop.wakeToken)
        if ServerSignals.fd >= 0 {
            _ = ntnt_epoll_ctl(epfd, 0, ServerSignals.fd, UInt32(NTNT_EPOLLIN), EventLoop.shutdownToken)
        }
    }

    // MARK: - Worker side

    /// Called by a worker with a finished response (any thread).
    func complete(fd: Int32, generation: UInt32, response: HTTPResponse, keepAlive: Bool, headOnly: Bool) {
        completionLock.lock()
        let wasEmpty = completions.isEmpty
        completions.append(Completion(fd: fd, generation: generation, response: response, keepAlive: keepAlive, headOnly: headOnly))
        completionLock.unlock()
        // One wake-up per batch: the loop drains everything queued when it runs.
        if wasEmpty {
            var one: UInt64 = 1
            _ = write(wakeFD, &one, 8)
        }
    }

    // MARK: - Loop

    func run() {
        var datas = [UInt64](repeating: 0, count: 256)
        var flags = [UInt32](repeating: 0, count: 256)
        while true {
            if draining && !hasPendingWork() { break }
            let n = ntnt_epoll_wait(epfd, &datas, &flags, 256, 250)
            date.refresh()
            let now = monotonicMillis()
            if n < 0 && ntnt_errno() != EINTR { break }
            for i in 0..<max(0, Int(n)) {
                let data = datas[i]
                if data == EventLoop.listenerToken {
                    acceptAll(now: now)
                } else if data == EventLoop.wakeToken {
                    var value: UInt64 = 0
                    _ = read(wakeFD, &value, 8)
                    drainCompletions(now: now)
                } else if data == EventLoop.shutdownToken {
                    beginDrain()
                } else {
                    let fd = Int32(truncatingIfNeeded: data & 0xFFFF_FFFF)
                    let generation = UInt32(truncatingIfNeeded: data >> 32)
                    guard let conn = connection(fd, generation) else { continue }
                    let f = flags[i]
                    if f & UInt32(NTNT_EPOLLERR) != 0 {
                        close(conn)
                        continue
                    }
                    if f & UInt32(NTNT_EPOLLOUT) != 0 { flush(conn) }
                    if f & UInt32(NTNT_EPOLLIN | NTNT_EPOLLHUP | NTNT_EPOLLRDHUP) != 0, connection(fd, generation) != nil {
                        readAvailable(conn, now: now)
                    }
                }
            }
            if now - lastSweep >= 250 {
                lastSweep = now
                sweepTimeouts(now: now)
                if index == 0 { _ = ntnt_release_memory_if_noted() }
            }
        }
        for case let conn? in connections { close(conn) }
        Glibc.close(epfd)
        Glibc.close(wakeFD)
    }

    private func hasPendingWork() -> Bool {
        completionLock.lock()
        let pending = !completions.isEmpty
        completionLock.unlock()
        if pending { return true }
        for case let conn? in connections where conn.inFlight || conn.outputStart < conn.output.count { return true }
        return false
    }

    /// Stops accepting; the loop ends once in-flight requests are answered.
    private func beginDrain() {
        if draining { return }
        draining = true
        if listenFD >= 0 {
            _ = ntnt_epoll_ctl(epfd, 2, listenFD, 0, 0)
            Glibc.close(listenFD)
            listenFD = -1
        }
        // Idle keep-alive connections will not send anything we would answer: close them now.
        for case let conn? in connections where !conn.inFlight && conn.outputStart >= conn.output.count {
            close(conn)
        }
    }

    private func connection(_ fd: Int32, _ generation: UInt32) -> Connection? {
        guard fd >= 0, Int(fd) < connections.count, let c = connections[Int(fd)], c.generation == generation else { return nil }
        return c
    }

    private func token(_ c: Connection) -> UInt64 {
        UInt64(c.generation) << 32 | UInt64(UInt32(bitPattern: c.fd))
    }

    private func acceptAll(now: Int) {
        while true {
            var peerIP: UInt32 = 0
            let fd = ntnt_accept(listenFD, &peerIP)
            if fd < 0 { return }
            ntnt_set_nodelay(fd)
            let peer = "\(peerIP >> 24).\((peerIP >> 16) & 255).\((peerIP >> 8) & 255).\(peerIP & 255)"
            nextGeneration = nextGeneration &+ 1
            if nextGeneration == 0 { nextGeneration = 1 }
            let conn = Connection(fd: fd, generation: nextGeneration, peer: peer, now: now)
            if Int(fd) >= connections.count {
                connections.append(contentsOf: repeatElement(nil, count: Int(fd) + 1 - connections.count + 64))
            }
            connections[Int(fd)] = conn
            _ = ntnt_epoll_ctl(epfd, 0, fd, UInt32(NTNT_EPOLLIN | NTNT_EPOLLRDHUP), token(conn))
        }
    }

    private func readAvailable(_ conn: Connection, now: Int) {
        var sawEOF = false
        var burst = 0
        while burst < EventLoop.readBurst {
            let n = readBuffer.withUnsafeMutableBytes { recv(conn.fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                burst += n
                if conn.closeAfterWrite { continue }  // no request will be read any more: drop it
                conn.input.append(contentsOf: readBuffer[0..<n])
                if n < readBuffer.count { break }
            } else if n == 0 {
                sawEOF = true
                break
            } else {
                let e = ntnt_errno()
                if e == EAGAIN || e == EWOULDBLOCK { break }
                if e == EINTR { continue }
                close(conn)
                return
            }
        }
        if sawEOF { conn.peerClosed = true }
        if let deadline = conn.lingerDeadline {
            if sawEOF || now > deadline { close(conn) }
            return
        }
        conn.lastActivity = now
        processInput(conn, now: now)
        if sawEOF {
            // The client is done sending. Finish what is in flight, then close.
            if conn.inFlight || conn.pendingOutput > 0 {
                conn.closeAfterWrite = true
                if !conn.inFlight { flush(conn) }
            } else {
                close(conn)
            }
        }
    }

    /// Reading stops while the client has not taken its answers, or while a request is in flight
    /// and enough of the next ones are buffered; it resumes as output drains and requests finish.
    private func wantsInput(_ conn: Connection) -> Bool {
        if conn.closeAfterWrite { return true }  // only to drop what still arrives
        if conn.pendingOutput > EventLoop.outputLimit { return false }
        if conn.inFlight && conn.bufferedInput >= EventLoop.pipelineLimit { return false }
        return true
    }

    /// Registers the events the connection's state calls for (no syscall when unchanged).
    private func updateInterest(_ conn: Connection) {
        var events: UInt32 = 0
        // Without EPOLLIN, EPOLLRDHUP is left out too: it is level-triggered and would spin.
        if wantsInput(conn) { events |= UInt32(NTNT_EPOLLIN | NTNT_EPOLLRDHUP) }
        if conn.watchingWrites { events |= UInt32(NTNT_EPOLLOUT) }
        if events != conn.interest {
            conn.interest = events
            _ = ntnt_epoll_ctl(epfd, 1, conn.fd, events, token(conn))
        }
    }

    private func processInput(_ conn: Connection, now: Int) {
        let limits = server.configuration.limits
        requests: while !conn.inFlight && !conn.closeAfterWrite && conn.inputStart < conn.input.count
                && conn.pendingOutput <= EventLoop.outputLimit {
            let result = conn.input.withUnsafeBufferPointer {
                HTTPRequestParser.parse($0, start: conn.inputStart, end: conn.input.count, limits: limits)
            }
            switch result {
            case .partial:
                if conn.requestStarted == nil { conn.requestStarted = now }
                // A chunked body of tiny chunks can be several times its decoded size on the wire.
                if conn.bufferedInput > limits.maxHeaderBytes + 2 * limits.maxBodyBytes + 64 * 1024 {
                    conn.input.removeAll()
                    conn.inputStart = 0
                    respondAndClose(conn, status: 413, reason: "request too large")
                    return
                }
                compactInput(conn)
                // Answers to the pipelined requests before this partial one still go out below.
                break requests
            case .invalid(let status, let reason):
                conn.input.removeAll()
                conn.inputStart = 0
                respondAndClose(conn, status: status, reason: reason)
                return
            case .complete(var request, let consumed):
                conn.inputStart += consumed
                conn.requestStarted = nil
                compactInput(conn)
                request.remoteAddress = conn.peer
                if draining { request.keepAlive = false }
                if let inline = server.canRunInline, inline(&request) {
                    if inlineHandler == nil { inlineHandler = server.makeHandler(server.configuration.workers + index) }
                    let response = inlineHandler!(&request)
                    if request.body.count >= largeBodyBytes { ntnt_note_large_request() }
                    let keepAlive = request.keepAlive
                    HTTPResponseWriter.write(response, keepAlive: keepAlive, date: date.bytes,
                                             headOnly: request.method == "HEAD", into: &conn.output)
                    if !keepAlive { conn.closeAfterWrite = true }
                    continue
                }
                let job = HTTPJob(request: request, loop: self, fd: conn.fd, generation: conn.generation)
                if server.workers.submit(job) {
                    conn.inFlight = true
                } else {
                    // Every worker is busy and the queue is full: refuse fast rather than queue more.
                    let busy = HTTPResponse.plainText(503, "Service Unavailable: the server is busy, try again")
                    HTTPResponseWriter.write(busy, keepAlive: request.keepAlive, date: date.bytes,
                                             headOnly: request.method == "HEAD", into: &conn.output)
                    if !request.keepAlive { conn.closeAfterWrite = true }
                }
            }
        }
        conn.outputThrottled = !conn.inFlight && conn.bufferedInput > 0 && conn.pendingOutput > EventLoop.outputLimit
        // Answers produced inline (possibly several pipelined ones) go out in one write.
        if !conn.inFlight && conn.pendingOutput > 0 { flush(conn) }
        if connection(conn.fd, conn.generation) === conn { updateInterest(conn) }
    }

    private func compactInput(_ conn: Connection) {
        if conn.inputStart == conn.input.count {
            conn.input.removeAll(keepingCapacity: conn.input.capacity <= 64 * 1024)
            conn.inputStart = 0
        } else if conn.inputStart > 32 * 1024 {
            conn.input.removeFirst(conn.inputStart)
            conn.inputStart = 0
        }
    }

    private func respondAndClose(_ conn: Connection, status: Int, reason: String) {
        let response = HTTPResponse.plainText(status, "\(reasonPhrase(status)): \(reason)")
        HTTPResponseWriter.write(response, keepAlive: false, date: date.bytes, into: &conn.output)
        conn.closeAfterWrite = true
        flush(conn)
    }

    private func drainCompletions(now: Int) {
        completionLock.lock()
        swap(&completions, &spareCompletions)
        completionLock.unlock()
        for c in spareCompletions {
            guard let conn = connection(c.fd, c.generation) else { continue }
            conn.inFlight = false
            conn.lastActivity = now
            let keepAlive = c.keepAlive && !draining && !conn.closeAfterWrite
            HTTPResponseWriter.write(c.response, keepAlive: keepAlive, date: date.bytes, headOnly: c.headOnly, into: &conn.output)
            if !keepAlive { conn.closeAfterWrite = true }
            // Pipelined requests already buffered can be parsed now; their responses queue behind.
            processInput(conn, now: now)
            flush(conn)
        }
        spareCompletions.removeAll(keepingCapacity: true)
    }

    private func flush(_ conn: Connection) {
        if conn.lingerDeadline != nil { return }
        var progressed = false
        while conn.outputStart < conn.output.count {
            let n = conn.output.withUnsafeBytes {
                ntnt_send(conn.fd, $0.baseAddress! + conn.outputStart, UInt(conn.output.count - conn.outputStart))
            }
            if n > 0 {
                conn.outputStart += n
                progressed = true
                continue
            }
            let e = ntnt_errno()
            if n < 0 && (e == EAGAIN || e == EWOULDBLOCK) {
                if progressed { conn.lastActivity = monotonicMillis() }
                conn.watchingWrites = true
                updateInterest(conn)
                return
            }
            if n < 0 && e == EINTR { continue }
            close(conn)
            return
        }
        conn.output.removeAll(keepingCapacity: conn.output.capacity <= 256 * 1024)
        conn.outputStart = 0
        conn.watchingWrites = false
        if conn.closeAfterWrite && !conn.inFlight {
            closeLingering(conn)
            return
        }
        // Output drained: requests buffered behind it can run now (no new input may ever come).
        if conn.outputThrottled {
            conn.outputThrottled = false
            processInput(conn, now: monotonicMillis())
            return
        }
        updateInterest(conn)
    }

    /// Ends a connection whose last response is written: at once if the client has closed too,
    /// else by shutting the write side and dropping its input until EOF or `lingerMillis`.
    private func closeLingering(_ conn: Connection) {
        if conn.peerClosed || draining {
            close(conn)
            return
        }
        _ = shutdown(conn.fd, Int32(SHUT_WR))
        conn.lingerDeadline = monotonicMillis() + EventLoop.lingerMillis
        conn.input.removeAll()
        conn.inputStart = 0
        updateInterest(conn)
    }

    private func close(_ conn: Connection) {
        guard Int(conn.fd) < connections.count, connections[Int(conn.fd)] === conn else { return }
        connections[Int(conn.fd)] = nil
        _ = ntnt_epoll_ctl(epfd, 2, conn.fd, 0, 0)
        Glibc.close(conn.fd)
    }

    /// Closes idle keep-alive connections and answers 408 to requests that arrive too slowly.
    private func sweepTimeouts(now: Int) {
        let requestTimeout = server.configuration.requestTimeoutMillis
        let idleTimeout = server.configuration.idleTimeoutMillis
        for case let conn? in connections {
            if let deadline = conn.lingerDeadline {
                if now > deadline { close(conn) }
                continue
            }
            // A client that takes none of its answers for this long is gone.
            if conn.pendingOutput > 0 && now - conn.lastActivity > idleTimeout {
                close(conn)
                continue
            }
            if conn.inFlight || conn.closeAfterWrite { continue }
            if let started = conn.requestStarted, now - started > requestTimeout {
                conn.input.removeAll()
                conn.inputStart = 0
                respondAndClose(conn, status: 408, reason: "request not received in time")
            } else if conn.requestStarted == nil && conn.input.isEmpty && conn.output.isEmpty && now - conn.lastActivity > idleTimeout {
                close(conn)
            }
        }
    }
}
