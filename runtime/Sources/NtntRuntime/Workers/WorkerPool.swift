// The worker pool: a fixed set of threads that run request handlers, which may block (database
// calls, file reads). Event loops push jobs onto one shared, bounded FIFO (a full queue refuses
// the job, and the loop answers 503 at once); a worker takes a job, runs
// its handler and hands the response bytes back to the job's event loop. Each worker builds
// its own handler once at start (`makeHandler(index)`), so per-worker state — an interpreter,
// a database connection — needs no locking.

import CNtntSys

/// Bodies this large leave enough memory behind (their parse) that it is worth returning to
/// the kernel once they are done (`ntnt_release_memory_if_noted`, in the event loop's sweep).
let largeBodyBytes = 256 * 1024

/// A request waiting for a worker.
struct HTTPJob {
    var request: HTTPRequest
    unowned let loop: EventLoop
    let fd: Int32
    let generation: UInt32
}

/// Runs jobs on `count` threads.
final class WorkerPool {
    private let monitor = Monitor()
    /// A ring of `queueLimit` slots; a taken slot is cleared at once, so a finished request's
    /// body is not kept alive by the queue.
    private var slots: [HTTPJob?]
    private var head = 0
    private var waiting = 0
    private var stopping = false
    private var threads: [NativeThread] = []
    private let queueLimit: Int

    init(count: Int, queueLimit: Int, stackSize: Int, makeHandler: @escaping (Int) -> HTTPServer.Handler) {
        self.queueLimit = queueLimit
        slots = Array(repeating: nil, count: queueLimit)
        for i in 0..<count {
            threads.append(NativeThread(stackSize: stackSize) { [unowned self] in
                let handler = makeHandler(i)
                self.workLoop(handler)
            })
        }
    }

    /// Queues a job; false (nothing queued) when `queueLimit` jobs are already waiting.
    func submit(_ job: HTTPJob) -> Bool {
        monitor.lock()
        if waiting == queueLimit {
            monitor.unlock()
            return false
        }
        slots[(head + waiting) % queueLimit] = job
        waiting += 1
        monitor.signal()
        monitor.unlock()
        return true
    }

    private func next() -> HTTPJob? {
        monitor.lock()
        defer { monitor.unlock() }
        while waiting == 0 && !stopping { monitor.wait() }
        if waiting == 0 { return nil }
        let job = slots[head]
        slots[head] = nil
        head = (head + 1) % queueLimit
        waiting -= 1
        return job
    }

    private func workLoop(_ handler: HTTPServer.Handler) {
        while var job = next() {
            let response = handler(&job.request)
            job.loop.complete(fd: job.fd, generation: job.generation, response: response,
                              keepAlive: job.request.keepAlive, headOnly: job.request.method == "HEAD")
            if job.request.body.count >= largeBodyBytes { ntnt_note_large_request() }
        }
    }

    /// Lets workers finish queued jobs, then stops them.
    func shutdown() {
        monitor.lock()
        stopping = true
        monitor.broadcast()
        monitor.unlock()
        for t in threads { t.join() }
    }
}
