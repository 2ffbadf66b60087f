// One shared connection in libpq pipeline mode: request threads send on it, the pipeline
// driver's thread connects it and reads from it, always under `lock`.
//
// Tickets are sent as soon as they arrive (up to the pipeline depth): for each execution a
// Parse (first use of the SQL, when statements are prepared) and a Bind/Execute, then one
// Sync per ticket, so an error aborts only that ticket's statements. Results come back in
// the order sent; `pending` mirrors what the server still owes us, so each result goes to the
// ticket that sent it. The socket is non-blocking; the driver reads when epoll says so.

import CLibPQ
import CNtntSys

final class PipelinedConnection {
    enum State { case disconnected, connecting, ready }

    /// What the server owes us, in order: one entry per command sent, and one per sync.
    private enum Owed {
        case setup
        case prepare(sql: String, name: String)
        case execution(StatementTicket, index: Int, statement: String?)
        case sync(StatementTicket?)
    }

    let index: Int
    private let settings: PostgresSettings
    private(set) var state = State.disconnected { didSet { publish(.state, state == .ready ? 2 : state == .connecting ? 1 : 0) } }
    private(set) var conn: OpaquePointer?
    /// Guards everything here: request threads send, the driver thread connects and reads.
    let lock = Monitor()
    /// The socket registered with epoll (-1 when none), and the events it is watched for.
    var socket: Int32 = -1
    var watchedEvents: UInt32 = 0
    /// Tickets sent and not yet finished.
    private(set) var ticketsInFlight = 0 { didSet { publish(.inFlight, ticketsInFlight) } }
    /// Tickets waiting for the connection (while it connects, or beyond the depth).
    private var waiting: [StatementTicket] = []
    private var waitingHead = 0
    private var pending: [Owed] = []
    private var pendingHead = 0
    /// Prepared statement names by SQL text, on this session.
    private var prepared: [String: String] = [:]
    /// Why a statement's Parse failed, by name: a later execution of it reports that error.
    private var failedPrepares: [String: String] = [:]
    private var statementCounter = 0
    /// When connecting started, or the oldest ticket in flight was sent (monotonicMillis).
    private(set) var busySince = 0 { didSet { publish(.busySince, busySince) } }
    /// Why the last connect or session failed.
    private(set) var lastError: String?
    /// The ticket whose thread reads the socket now; nil: the driver thread does (via epoll).
    var reader: StatementTicket?
    private var sentAt: [Int] = []

    init(index: Int, settings: PostgresSettings) {
        self.index = index
        self.settings = settings
    }

    /// Tickets queued in `waiting` (a plain count: other threads read it without the lock).
    private(set) var waitingCount = 0 { didSet { publish(.waiting, waitingCount) } }
    var load: Int { ticketsInFlight + waitingCount }
    var hasRoom: Bool { ticketsInFlight < settings.pipelineDepth }

    // MARK: - Hints for other threads

    /// Copies of a few fields, written under `lock` and read without it (relaxed atomics) to
    /// choose a connection; whoever acts on the choice checks again under the lock.
    private enum Hint: Int { case state, inFlight, busySince, waiting }
    private let hints: UnsafeMutablePointer<Int> = {
        let p = UnsafeMutablePointer<Int>.allocate(capacity: 4)
        p.initialize(repeating: 0, count: 4)
        return p
    }()

    deinit { hints.deallocate() }

    private func publish(_ h: Hint, _ value: Int) { ntnt_relaxed_store(hints + h.rawValue, value) }
    private func hint(_ h: Hint) -> Int { ntnt_relaxed_load(hints + h.rawValue) }

    /// `state`, as last published.
    var stateHint: State { switch hint(.state) { case 2: return .ready; case 1: return .connecting; default: return .disconnected } }
    var inFlightHint: Int { hint(.inFlight) }
    var busySinceHint: Int { hint(.busySince) }
    var loadHint: Int { hint(.inFlight) + hint(.waiting) }
    var hasRoomHint: Bool { hint(.inFlight) < settings.pipelineDepth }

    // MARK: - Connecting

    /// Starts a non-blocking connect; false (tickets failed) if it cannot even start.
    func startConnecting(now: Int) -> Bool {
        guard let c = PQconnectStart(settings.url) else {
            failAll(PostgresError(message: "out of memory", connectionBroken: true))
            return false
        }
        if PQstatus(c) == CONNECTION_BAD {
            let e = PostgresError(message: PostgresSession.errorText(c), connectionBroken: true)
            lastError = e.message
            PQfinish(c)
            failAll(e)
            return false
        }
        conn = c
        silenceNotices(c)
        state = .connecting
        busySince = now
        return true
    }

    enum ConnectProgress { case reading, writing, connected, failed }

    /// Advances the connect; on success enters pipeline mode and sends the session setup.
    func continueConnecting(now: Int) -> ConnectProgress {
        guard let c = conn else { return .failed }
        switch PQconnectPoll(c) {
        case PGRES_POLLING_READING: return .reading
        case PGRES_POLLING_WRITING: return .writing
        case PGRES_POLLING_OK:
            guard PQsetnonblocking(c, 1) == 0, PQenterPipelineMode(c) == 1 else {
                disconnect(PostgresError(message: PostgresSession.errorText(c), connectionBroken: true))
                return .failed
            }
            for sql in settings.sessionSetup {
                guard PQsendQueryParams(c, sql, 0, nil, nil, nil, nil, 0) == 1 else { return brokenWhileSending() }
                pending.append(.setup)
            }
            guard PQpipelineSync(c) == 1 else { return brokenWhileSending() }
            pending.append(.sync(nil))
            state = .ready
            sendWaiting(now: now)
            return state == .ready ? .connected : .failed
        default:
            disconnect(PostgresError(message: PostgresSession.errorText(c), connectionBroken: true))
            return .failed
        }
    }

    private func brokenWhileSending() -> ConnectProgress {
        disconnect(PostgresError(message: PostgresSession.errorText(conn), connectionBroken: true))
        return .failed
    }

    // MARK: - Sending

    /// Takes a ticket: sends it now if the connection is ready and has room, else queues it.
    func enqueue(_ ticket: StatementTicket, now: Int) {
        if state == .ready && hasRoom && waitingHead == waiting.count {
            send(ticket, now: now)
        } else {
            waiting.append(ticket)
            waitingCount += 1
        }
    }

    /// Sends queued tickets while there is room.
    func sendWaiting(now: Int) {
        while state == .ready && hasRoom && waitingHead < waiting.count {
            let t = waiting[waitingHead]
            waitingHead += 1
            waitingCount -= 1
            send(t, now: now)
        }
        if waitingHead == waiting.count {
            waiting.removeAll(keepingCapacity: true)
            waitingHead = 0
        }
    }

    private func send(_ ticket: StatementTicket, now: Int) {
        guard let c = conn else { return }
        var name: String? = nil
        if settings.prepare {
            if let known = prepared[ticket.sql] {
                name = known
            } else {
                let fresh = "ntnt_\(statementCounter)"
                statementCounter += 1
                let count = Int32(ticket.parameterSets.first?.count ?? 0)
                guard PQsendPrepare(c, fresh, ticket.sql, count, nil) == 1 else { return lostWhileSending(ticket) }
                pending.append(.prepare(sql: ticket.sql, name: fresh))
                prepared[ticket.sql] = fresh
                name = fresh
            }
        }
        for (i, texts) in ticket.parameterSets.enumerated() {
            let sent: Int32 = withParameterPointers(texts) { ptrs in
                if let name { return PQsendQueryPrepared(c, name, Int32(ptrs.count), ptrs, nil, nil, 0) }
                return PQsendQueryParams(c, ticket.sql, Int32(ptrs.count), nil, ptrs, nil, nil, 0)
            }
            guard sent == 1 else { return lostWhileSending(ticket) }
            pending.append(.execution(ticket, index: i, statement: name))
        }
        guard PQpipelineSync(c) == 1 else { return lostWhileSending(ticket) }
        pending.append(.sync(ticket))
        ticket.connection = self
        if ticketsInFlight == 0 { busySince = now }
        ticketsInFlight += 1
        sentAt.append(now)
    }

    private func lostWhileSending(_ ticket: StatementTicket) {
        let e = PostgresError(message: PostgresSession.errorText(conn), connectionBroken: true)
        // The ticket may be partly in `pending`; `disconnect` finishes every ticket there once.
        pending.append(.sync(ticket))
        ticketsInFlight += 1
        disconnect(e)
    }

    /// Pushes buffered output; true while some remains (the driver then waits for EPOLLOUT).
    func flush() -> Bool {
        guard let c = conn else { return false }
        let r = PQflush(c)
        if r < 0 { disconnect(PostgresError(message: PostgresSession.errorText(c), connectionBroken: true)) }
        return r == 1
    }

    // MARK: - Receiving

    /// Reads what the socket has and hands out every complete result.
    func receive(now: Int) {
        guard let c = conn, state == .ready else { return }
        if PQconsumeInput(c) == 0 {
            return disconnect(PostgresError(message: PostgresSession.errorText(c), connectionBroken: true))
        }
        while pendingHead < pending.count && PQisBusy(c) == 0 && PQstatus(c) == CONNECTION_OK {
            guard take(PQgetResult(c), now: now) else { break }
            if state != .ready { return }
        }
        if pendingHead == pending.count {
            pending.removeAll(keepingCapacity: true)
            pendingHead = 0
        } else if pendingHead > 256 && pendingHead * 2 > pending.count {
            pending.removeFirst(pendingHead)
            pendingHead = 0
        }
        sendWaiting(now: now)
        if PQstatus(c) == CONNECTION_BAD {
            disconnect(PostgresError(message: PostgresSession.errorText(c), connectionBroken: true))
        }
    }

    /// One PQgetResult: a result of the command at the head of `pending`, its end (nil), or a
    /// sync. False when there was nothing to take.
    private func take(_ result: OpaquePointer?, now: Int) -> Bool {
        let head = pending[pendingHead]
        guard let r = result else {
            // The end of one command's results; a sync has no such end.
            if case .sync = head { return false }
            pendingHead += 1
            return true
        }
        let status = PQresultStatus(r)
        if status == PGRES_PIPELINE_SYNC {
            PQclear(r)
            pendingHead += 1
            if case .sync(let ticket?) = head { finishOldest(ticket, now: now) }
            return true
        }
        switch head {
        case .setup, .sync:
            if status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK {
                let why = PostgresSession.resultError(r) ?? "unknown error"
                PQclear(r)
                disconnect(PostgresError(message: "session setup failed: \(why)", connectionBroken: true))
                return false
            }
            PQclear(r)
        case .prepare(let sql, let name):
            if status != PGRES_COMMAND_OK {
                prepared[sql] = nil
                failedPrepares[name] = PostgresSession.resultError(r) ?? "prepare failed"
            }
            PQclear(r)
        case .execution(let ticket, let i, let statement):
            if status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK {
                ticket.results[i] = PostgresValues.decode(r)
                PQclear(r)
                return true
            }
            let message: String
            if let name = statement, let why = failedPrepares[name] {
                message = why
            } else if status == PGRES_PIPELINE_ABORTED {
                message = "statement not run: an earlier statement of the same request failed"
            } else {
                message = PostgresSession.resultError(r) ?? PostgresSession.errorText(conn)
            }
            ticket.fail(PostgresError(message: message, connectionBroken: false))
            PQclear(r)
        }
        return true
    }

    private func finishOldest(_ ticket: StatementTicket, now: Int) {
        ticketsInFlight -= 1
        if !sentAt.isEmpty { sentAt.removeFirst() }
        busySince = sentAt.first ?? now
        ticket.finish()
    }

    // MARK: - Failure

    /// Closes the session: tickets in flight fail with `error`; waiting ones stay queued for
    /// the next connection (they were never sent, so retrying them is safe).
    func disconnect(_ error: PostgresError) {
        lastError = error.message
        reader = nil
        var seen = Set<ObjectIdentifier>()
        for owed in pending[pendingHead...] {
            switch owed {
            case .execution(let t, _, _), .sync(let t?):
                if seen.insert(ObjectIdentifier(t)).inserted {
                    t.fail(error)
                    t.finish()
                }
            default: break
            }
        }
        pending.removeAll()
        pendingHead = 0
        sentAt.removeAll()
        ticketsInFlight = 0
        prepared.removeAll()
        failedPrepares.removeAll()
        if let c = conn { PQfinish(c) }
        conn = nil
        state = .disconnected
    }

    /// Fails every waiting ticket (the connection could not be made).
    func failAll(_ error: PostgresError) {
        for t in waiting[waitingHead...] {
            t.fail(error)
            t.finish()
        }
        waiting.removeAll()
        waitingHead = 0
        waitingCount = 0
    }

    var hasWaiting: Bool { waitingCount > 0 }

    /// Hands reading to the oldest ticket in flight, other than the current reader's, whose
    /// thread still waits; false if none.
    func promoteNextReader() -> Bool {
        for owed in pending[pendingHead...] {
            if case .sync(let t?) = owed, t !== reader, !t.finished, t.promote() {
                reader = t
                return true
            }
        }
        reader = nil
        return false
    }
}
