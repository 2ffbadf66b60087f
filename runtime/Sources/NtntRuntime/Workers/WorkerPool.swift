// The worker pool: a fixed set of threads that run request handlers, which may block (database
// calls, file reads). Event loops push jobs onto one shared, bounded FIFO (a full queue refuses
// the job, and the loop answers 503 at once); a worker takes a job, runs
// its handler and hands the response bytes back to the job's event loop. Each worker builds
// its own handler once at start (`makeHandler(index)`), so per-worker state — an interpreter,
// a database connection — needs no locking.

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
    private var queue: [HTTPJob] = []
    private var head = 0
    private var stopping = false
    private var threads: [NativeThread] = []
    private let queueLimit: Int

    init(count: Int, queueLimit: Int, stackSize: Int, makeHandler: @escaping (Int) -> HTTPServer.Handler) {
        self.queueLimit = queueLimit
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
        if queue.count - head >= queueLimit {
            monitor.unlock()
            return false
        }
        queue.append(job)
        monitor.signal()
        monitor.unlock()
        return true
    }

    private func next() -> HTTPJob? {
        monitor.lock()
        defer { monitor.unlock() }
        while head == queue.count && !stopping { monitor.wait() }
        if head == queue.count { return nil }
        let job = queue[head]
        head += 1
        // Compact once the consumed prefix dominates, so the array does not grow forever.
        if head > 1024 && head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return job
    }

    private func workLoop(_ handler: HTTPServer.Handler) {
        while var job = next() {
            let response = handler(&job.request)
            job.loop.complete(fd: job.fd, generation: job.generation, response: response,
                              keepAlive: job.request.keepAlive, headOnly: job.request.method == "HEAD")
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
