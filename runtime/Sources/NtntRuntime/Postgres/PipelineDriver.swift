// The thread that drives one database's shared pipelined connections over epoll.
//
// A request's thread sends its ticket itself on the least-loaded ready connection (under that
// connection's lock: no hand-off, no wake-up of the driver). The driver reads results as the
// sockets become readable and finishes each ticket, which wakes exactly its own waiter.
// Tickets that cannot be sent at once (no connection ready, or a new one is worth opening, up
// to NTNT_DB_PIPELINES) go through the driver's queue: a locked append and one eventfd write
// when the driver is not already due to look.
// Connections that break are reconnected when work is waiting; a connection that owes an
// answer far past the statement timeout is treated as dead, so nothing waits forever.

#if canImport(Glibc)
import Glibc
#endif
import CNtntSys
import CLibPQ

final class PipelineDriver {
    private let settings: PostgresSettings
    private let connections: [PipelinedConnection]
    private let epfd: Int32
    private let wakeFD: Int32
    private let submitLock = Monitor()
    private var submitted: [StatementTicket] = []
    private var taken: [StatementTicket] = []
    private var wakePending = false
    private var thread: NativeThread?

    private static let wakeToken = UInt64.max

    init(settings: PostgresSettings) {
        self.settings = settings
        connections = (0..<settings.pipelines).map { PipelinedConnection(index: $0, settings: settings) }
        epfd = ntnt_epoll_create()
        wakeFD = ntnt_eventfd()
        _ = ntnt_epoll_ctl(epfd, 0, wakeFD, UInt32(NTNT_EPOLLIN), PipelineDriver.wakeToken)
        thread = NativeThread(stackSize: 1 << 20) { [unowned self] in self.run() }
    }

    /// Submits `ticket` and waits for its results (any thread but the driver's).
    func execute(_ ticket: StatementTicket) throws {
        if !sendDirectly(ticket) { submit(ticket) }
        try ticket.wait()
    }

    /// Sends on a ready connection from the caller's thread; false when the driver must decide.
    private func sendDirectly(_ ticket: StatementTicket) -> Bool {
        // Unlocked reads choose a candidate; the choice is checked again under its lock.
        var best: PipelinedConnection? = nil
        var bestLoad = Int.max
        var canGrow = false
        for c in connections {
            switch c.state {
            case .ready:
                let load = c.load
                if load < bestLoad { best = c; bestLoad = load }
            case .disconnected: canGrow = true
            case .connecting: break
            }
        }
        guard let c = best, bestLoad == 0 || !canGrow else { return false }
        c.lock.lock()
        defer { c.lock.unlock() }
        guard c.state == .ready && c.hasRoom && !c.hasWaiting else { return false }
        c.enqueue(ticket, now: monotonicMillis())
        pushOutput(c)
        return true
    }

    private func submit(_ ticket: StatementTicket) {
        submitLock.lock()
        submitted.append(ticket)
        let wake = !wakePending
        wakePending = true
        submitLock.unlock()
        if wake {
            var one: UInt64 = 1
            _ = write(wakeFD, &one, 8)
        }
    }

    // MARK: - The driver thread

    private func run() {
        var datas = [UInt64](repeating: 0, count: 64)
        var flags = [UInt32](repeating: 0, count: 64)
        while true {
            let busy = connections.contains { $0.state != .disconnected && ($0.load > 0 || $0.state == .connecting) }
            let n = ntnt_epoll_wait(epfd, &datas, &flags, 64, busy ? 100 : 1000)
            let now = monotonicMillis()
            for i in 0..<max(0, Int(n)) {
                if datas[i] == PipelineDriver.wakeToken {
                    takeSubmissions(now: now)
                } else {
                    let c = connections[Int(datas[i])]
                    c.lock.withLock { handle(c, flags: flags[i], now: now) }
                }
            }
            sweep(now: now)
        }
    }

    private func takeSubmissions(now: Int) {
        var value: UInt64 = 0
        _ = read(wakeFD, &value, 8)
        submitLock.lock()
        swap(&submitted, &taken)
        wakePending = false
        submitLock.unlock()
        for c in connections { c.lock.lock() }
        for ticket in taken { dispatch(ticket, now: now) }
        for c in connections where c.state == .ready { pushOutput(c) }
        for c in connections { c.lock.unlock() }
        taken.removeAll(keepingCapacity: true)
    }

    /// Chooses the connection for a ticket: the least-loaded ready one; a new one if every
    /// ready connection already has work; else one that is connecting.
    private func dispatch(_ ticket: StatementTicket, now: Int) {
        var best: PipelinedConnection? = nil
        for c in connections where c.state == .ready && c.hasRoom {
            if best == nil || c.load < best!.load { best = c }
        }
        if best == nil || best!.load > 0, let fresh = connections.first(where: { $0.state == .disconnected }) {
            if connect(fresh, now: now) && best == nil { best = fresh }
        }
        if best == nil {
            best = connections.filter { $0.state != .disconnected }.min { $0.load < $1.load }
        }
        guard let target = best else {
            // Nothing could connect: `connect` already reported why to the tickets it held.
            ticket.fail(PostgresError(message: lastConnectError ?? "cannot connect to the database", connectionBroken: true))
            ticket.finish()
            return
        }
        target.enqueue(ticket, now: now)
    }

    private var lastConnectError: String?

    /// Starts connecting `c`; false when that failed at once.
    private func connect(_ c: PipelinedConnection, now: Int) -> Bool {
        guard c.startConnecting(now: now) else { return false }
        return advanceConnect(c, now: now)
    }

    private func advanceConnect(_ c: PipelinedConnection, now: Int) -> Bool {
        let progress = c.continueConnecting(now: now)
        switch progress {
        case .reading: watch(c, events: UInt32(NTNT_EPOLLIN))
        case .writing: watch(c, events: UInt32(NTNT_EPOLLOUT))
        case .connected:
            watch(c, events: UInt32(NTNT_EPOLLIN))
            pushOutput(c)
        case .failed:
            lastConnectError = c.lastError
            forget(c)
            c.failAll(PostgresError(message: c.lastError ?? "cannot connect to the database", connectionBroken: true))
            return false
        }
        return true
    }

    /// Registers (or re-registers) the connection's current socket for `events`.
    private func watch(_ c: PipelinedConnection, events: UInt32) {
        guard let conn = c.conn else { return }
        let fd = PQsocket(conn)
        if fd != c.socket {
            if c.socket >= 0 { _ = ntnt_epoll_ctl(epfd, 2, c.socket, 0, 0) }
            c.socket = fd
            if fd >= 0 { _ = ntnt_epoll_ctl(epfd, 0, fd, events, UInt64(c.index)) }
        } else if fd >= 0 && events != c.watchedEvents {
            _ = ntnt_epoll_ctl(epfd, 1, fd, events, UInt64(c.index))
        }
        c.watchedEvents = events
    }

    /// The socket is closed by libpq; epoll drops a closed descriptor by itself.
    private func forget(_ c: PipelinedConnection) {
        c.socket = -1
        c.watchedEvents = 0
    }

    private func pushOutput(_ c: PipelinedConnection) {
        let more = c.flush()
        if c.state == .ready {
            watch(c, events: UInt32(NTNT_EPOLLIN) | (more ? UInt32(NTNT_EPOLLOUT) : 0))
        } else {
            afterLoss(c, now: monotonicMillis())
        }
    }

    private func handle(_ c: PipelinedConnection, flags: UInt32, now: Int) {
        switch c.state {
        case .disconnected:
            return
        case .connecting:
            _ = advanceConnect(c, now: now)
        case .ready:
            if flags & UInt32(NTNT_EPOLLOUT) != 0 { pushOutput(c) }
            if c.state == .ready && flags & UInt32(NTNT_EPOLLIN | NTNT_EPOLLHUP | NTNT_EPOLLERR) != 0 {
                c.receive(now: now)
                if c.state == .ready { pushOutput(c) } else { afterLoss(c, now: now) }
            }
        }
    }

    /// After a connection broke: reconnect if tickets are waiting for it.
    private func afterLoss(_ c: PipelinedConnection, now: Int) {
        forget(c)
        if c.hasWaiting { _ = connect(c, now: now) }
    }

    /// Gives up on connects and answers that take far longer than the statement timeout.
    private func sweep(now: Int) {
        for c in connections {
            c.lock.lock()
            defer { c.lock.unlock() }
            switch c.state {
            case .connecting where now - c.busySince > settings.timeoutMillis:
                c.disconnect(PostgresError(message: "timed out connecting to the database", connectionBroken: true))
                forget(c)
                c.failAll(PostgresError(message: "timed out connecting to the database", connectionBroken: true))
            case .ready where c.ticketsInFlight > 0 && now - c.busySince > settings.timeoutMillis + 2000:
                c.disconnect(PostgresError(message: "no answer from the database", connectionBroken: true))
                afterLoss(c, now: now)
            default:
                break
            }
        }
    }
}
