// The thread that drives one database's shared pipelined connections over epoll.
//
// A request's thread sends its ticket itself on the least-loaded ready connection (under that
// connection's lock: no hand-off, no wake-up of the driver), and if nobody is reading that
// connection it reads it itself until its own ticket is finished, finishing the others' on
// the way (each wakes exactly its own waiter), then promotes the oldest waiter still owed a
// result to reader. So a result usually reaches the thread that asked for it straight from
// the socket. Idle connections are watched by the driver's epoll, which also reads whenever
// no request thread does (tickets sent by the driver itself).
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
        var reading: Bool
        switch sendDirectly(ticket) {
        case .notSent:
            submit(ticket)
            reading = false
        case .sent: reading = false
        case .sentAndReading: reading = true
        }
        while true {
            if reading {
                readAsReader(ticket)
                reading = false
            }
            switch try ticket.park() {
            case .finished: return try ticket.outcome()
            case .promoted: reading = true
            }
        }
    }

    private enum Sent { case notSent, sent, sentAndReading }

    /// Sends on a ready connection from the caller's thread, and claims the reading if nobody
    /// reads; `.notSent` when the driver must decide.
    private func sendDirectly(_ ticket: StatementTicket) -> Sent {
        // Unlocked reads choose a candidate; the choice is checked again under its lock.
        let (best, grow) = candidate(now: monotonicMillis())
        guard let c = best, !grow else { return .notSent }
        c.lock.lock()
        defer { c.lock.unlock() }
        guard c.state == .ready && c.hasRoom && !c.hasWaiting else { return .notSent }
        c.enqueue(ticket, now: monotonicMillis())
        guard c.state == .ready else {
            afterLoss(c, now: monotonicMillis())
            return .sent
        }
        if c.reader == nil {
            c.reader = ticket
            pushOutput(c)
            return .sentAndReading
        }
        pushOutput(c)
        return .sent
    }

    /// Reads `ticket`'s connection from the calling thread until the ticket is finished (or
    /// its deadline passes, or the connection is lost), then hands the reading on.
    private func readAsReader(_ ticket: StatementTicket) {
        guard let c = ticket.connection else { return }
        c.lock.lock()
        defer { c.lock.unlock() }
        guard c.reader === ticket else { return }
        pushOutput(c)
        while !ticket.finished && c.reader === ticket && c.state == .ready {
            let now = monotonicMillis()
            if now >= ticket.deadline { break }
            var p = pollfd(fd: c.socket, events: Int16(POLLIN), revents: 0)
            c.lock.unlock()
            _ = poll(&p, 1, Int32(min(ticket.deadline - now, 1000)))
            c.lock.lock()
            if c.reader !== ticket || c.state != .ready { break }
            c.receive(now: monotonicMillis())
            if c.state == .ready { pushOutput(c) }
        }
        if c.state != .ready {
            afterLoss(c, now: monotonicMillis())
        } else if c.reader === ticket && !c.promoteNextReader() {
            pushOutput(c)  // nobody left to read: the driver's epoll watches the socket again
        }
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
            // Unlocked: only the wait's timeout depends on it.
            let busy = connections.contains { $0.stateHint != .disconnected && ($0.loadHint > 0 || $0.stateHint == .connecting) }
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

    /// A ticket waits this long behind a statement before its connection counts as stalled.
    private static let stallMillis = 10

    /// Packs statements onto the first ready connection that is not stalled (nothing in
    /// flight, or its oldest statement sent less than `stallMillis` ago): one backend working
    /// through a deep pipeline batches best. A stalled connection is passed over, so a slow
    /// statement holds up only what was already queued behind it; when every ready connection
    /// is stalled or full, the least-loaded one is the fallback and `grow` says another may be
    /// opened (up to NTNT_DB_PIPELINES).
    private func candidate(now: Int) -> (PipelinedConnection?, grow: Bool) {
        var fallback: PipelinedConnection? = nil
        var canGrow = false
        for c in connections {
            switch c.stateHint {
            case .ready:
                guard c.hasRoomHint else { continue }
                if c.inFlightHint == 0 || now - c.busySinceHint < PipelineDriver.stallMillis { return (c, false) }
                if fallback == nil || c.loadHint < fallback!.loadHint { fallback = c }
            case .disconnected: canGrow = true
            case .connecting: break
            }
        }
        return (fallback, canGrow)
    }

    /// Chooses the connection for a ticket the caller could not send: see `candidate`; a new
    /// connection when that says so; else one that is connecting.
    private func dispatch(_ ticket: StatementTicket, now: Int) {
        var (best, grow) = candidate(now: now)
        if grow || best == nil, let fresh = connections.first(where: { $0.state == .disconnected }) {
            if connect(fresh, now: now) && best == nil { best = fresh }
        }
        if best == nil {
            best = connections.filter { $0.state != .disconnected }.min { $0.load < $1.load }
        }
        guard let target = best else {
            // Nothing could connect: `connect` already reported why to the tickets it held.
            let why = connections.lazy.compactMap(\.lastError).first
            ticket.fail(PostgresError(message: why ?? "cannot connect to the database", connectionBroken: true))
            ticket.finish()
            return
        }
        target.enqueue(ticket, now: now)
    }

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

    /// Flushes what libpq holds; the socket is watched for output while some remains, and for
    /// input while no request thread reads it.
    private func pushOutput(_ c: PipelinedConnection) {
        let more = c.flush()
        if c.state == .ready {
            watch(c, events: (c.reader == nil ? UInt32(NTNT_EPOLLIN) : 0) | (more ? UInt32(NTNT_EPOLLOUT) : 0))
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
            if c.state == .ready && c.reader == nil && flags & UInt32(NTNT_EPOLLIN | NTNT_EPOLLHUP | NTNT_EPOLLERR) != 0 {
                c.receive(now: now)
                if c.state == .ready { pushOutput(c) } else { afterLoss(c, now: now) }
            }
        }
    }

    /// After a connection broke: reconnect if tickets are waiting for it.
    private func afterLoss(_ c: PipelinedConnection, now: Int) {
        guard c.state == .disconnected else { return }
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
