// What a request hands the pipeline driver, and how its thread waits for the answer.
//
// A ticket is one statement, or one statement with many parameter sets (query_batch), ended
// by its own sync point: an error aborts only the ticket's own statements. The submitting
// thread parks on its `Parker` until its ticket is finished, or until it is promoted to read
// the connection's socket itself (then results reach it without a hop through another
// thread), or until the deadline passes; a ticket given up on is marked abandoned and whoever
// reads its results frees them.

#if canImport(Glibc)
import Glibc
#endif
import CLibPQ

/// One thread's parking spot (a mutex and condition), made once per thread.
final class Parker {
    let monitor = Monitor()

    nonisolated(unsafe) private static var key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k) { p in
            if let p { Unmanaged<Parker>.fromOpaque(p).release() }
        }
        return k
    }()

    /// The calling thread's parker.
    static var current: Parker {
        if let p = pthread_getspecific(key) { return Unmanaged<Parker>.fromOpaque(p).takeUnretainedValue() }
        let parker = Parker()
        pthread_setspecific(key, Unmanaged.passRetained(parker).toOpaque())
        return parker
    }
}

/// Statements in flight for one request.
final class StatementTicket {
    let sql: String
    /// One parameter list per execution, in text form (nil = NULL).
    let parameterSets: [[String?]]
    let parker: Parker
    /// When the waiter gives up (monotonicMillis).
    let deadline: Int

    // Written by the thread reading the connection; read by the waiter once `done`.
    /// A successful result per execution, in order, decoded as it arrives (the PGresult is
    /// freed at once: a batch of 20 would otherwise hold 20 result blocks per request).
    var results: [ResultTable?]
    var error: PostgresError?
    /// The connection it was sent on (under that connection's lock).
    var connection: PipelinedConnection?
    /// Set under the connection's lock when the ticket is finished.
    private(set) var finished = false
    // Under parker.monitor:
    private var done = false
    private var abandoned = false
    private var promoted = false

    init(sql: String, parameterSets: [[String?]], deadline: Int) {
        self.sql = sql
        self.parameterSets = parameterSets
        self.parker = Parker.current
        self.deadline = deadline
        self.results = Array(repeating: nil, count: parameterSets.count)
    }

    /// Records the first error of the ticket's statements.
    func fail(_ e: PostgresError) {
        if error == nil { error = e }
    }

    /// Called by the driver once the ticket's sync point (or its connection's loss) is reached.
    func finish() {
        finished = true
        parker.monitor.lock()
        if abandoned {
            clearResults()
        } else {
            done = true
        }
        parker.monitor.unlock()
        parker.monitor.signal()
    }

    /// Asks the waiting thread to read the connection; false if it no longer waits.
    func promote() -> Bool {
        parker.monitor.lock()
        let waiting = !done && !abandoned
        if waiting { promoted = true }
        parker.monitor.unlock()
        if waiting { parker.monitor.signal() }
        return waiting
    }

    enum Wake { case finished, promoted }

    /// Parks until the ticket is finished or its thread is promoted to reader; throws once the
    /// deadline has passed (the ticket is then abandoned).
    func park() throws -> Wake {
        let monitor = parker.monitor
        monitor.lock()
        while !done && !promoted {
            if !monitor.wait(until: deadline) && !done && !promoted {
                abandoned = true
                monitor.unlock()
                throw PostgresError(message: "statement timed out (no answer from the database)", connectionBroken: false)
            }
        }
        let wake: Wake = done ? .finished : .promoted
        promoted = false
        monitor.unlock()
        return wake
    }

    /// After `.finished`: throws the ticket's error; otherwise the caller owns `results`.
    func outcome() throws {
        if let e = error {
            clearResults()
            throw e
        }
    }

    func clearResults() {
        results = []
    }
}
