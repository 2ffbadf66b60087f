// Threads and locks over pthreads: small, explicit, no Foundation. Threads get an explicit
// stack size because ntnt code recurses on the Swift stack (interpreter workers need room
// for the language's own recursion limit).

#if canImport(Glibc)
import Glibc
#endif

/// Starts a detached-or-joinable pthread running `body` with `stackSize` bytes of stack.
public final class NativeThread {
    private var thread = pthread_t()
    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Starts the thread; if a thread cannot be created the body runs on the caller's thread.
    public init(stackSize: Int = 8 << 20, _ body: @escaping () -> Void) {
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        pthread_attr_setstacksize(&attr, stackSize)
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let rc = pthread_create(&thread, &attr, { arg in
            Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue().body()
            return nil
        }, box)
        pthread_attr_destroy(&attr)
        if rc != 0 {
            Unmanaged<Box>.fromOpaque(box).takeRetainedValue().body()
        }
    }

    /// Waits for the thread to finish.
    public func join() {
        pthread_join(thread, nil)
    }

    /// For a thread nobody will join: its resources are freed when it ends.
    public func detach() {
        pthread_detach(thread)
    }

    /// Runs `body` on a new thread with a large stack and waits for it.
    public static func runWithStack(_ stackSize: Int, _ body: @escaping () -> Void) {
        NativeThread(stackSize: stackSize, body).join()
    }
}

/// A pthread mutex with a condition variable.
public final class Monitor {
    private var mutex = pthread_mutex_t()
    private var cond = pthread_cond_t()

    public init() {
        pthread_mutex_init(&mutex, nil)
        // Timed waits measure the monotonic clock, so a wall-clock jump cannot stretch them.
        var attr = pthread_condattr_t()
        pthread_condattr_init(&attr)
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
        pthread_cond_init(&cond, &attr)
        pthread_condattr_destroy(&attr)
    }

    deinit {
        pthread_cond_destroy(&cond)
        pthread_mutex_destroy(&mutex)
    }

    @inline(__always) public func lock() { pthread_mutex_lock(&mutex) }
    @inline(__always) public func unlock() { pthread_mutex_unlock(&mutex) }
    /// Waits on the condition; call with the lock held.
    @inline(__always) public func wait() { pthread_cond_wait(&cond, &mutex) }
    /// Waits on the condition until `deadline` (monotonicMillis); false once it has passed.
    public func wait(until deadline: Int) -> Bool {
        var ts = timespec(tv_sec: deadline / 1000, tv_nsec: (deadline % 1000) * 1_000_000)
        return pthread_cond_timedwait(&cond, &mutex, &ts) == 0 || monotonicMillis() < deadline
    }
    @inline(__always) public func signal() { pthread_cond_signal(&cond) }
    @inline(__always) public func broadcast() { pthread_cond_broadcast(&cond) }

    @inline(__always)
    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// Number of online CPUs.
public func onlineCPUCount() -> Int {
    max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
}

/// Monotonic milliseconds.
public func monotonicMillis() -> Int {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts)
    return Int(ts.tv_sec) * 1000 + Int(ts.tv_nsec) / 1_000_000
}
