import CSystemShims

/// A fixed set of threads that run handlers, so that a blocking handler (SQLite, files)
/// never occupies an I/O thread nor makes Dispatch spawn a thread per blocked call.
public final class WorkerPool: Sendable {
    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var head = 0
        var stopped = false
    }

    private let state = ConditionLock(State())
    private let maxQueued: Int

    /// How much lower than the I/O threads the workers run (nice +5). An I/O thread serves
    /// every connection it owns, reading, writing and compressing; at equal priority four busy
    /// workers on two cores left it a third of a core, and responses that were ready waited
    /// for it. Measured on gzip'd 50-contact pages (W7): +25% requests/s, p99 -20%.
    public static let niceness: Int32 = 5

    public init(threads: Int, maxQueued: Int, name: String = "foothold-worker") {
        self.maxQueued = maxQueued
        for index in 0..<max(1, threads) {
            SystemThread.start(name: "\(name)-\(index)") { [self] in
                _ = foothold_lower_thread_priority(Self.niceness)
                self.work()
            }
        }
    }

    /// Jobs waiting for a thread, for metrics.
    public var queueDepth: Int {
        state.withLock { $0.jobs.count - $0.head }
    }

    /// Queues a job; false when the queue is full or the pool stopped (the caller answers 503).
    public func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        let accepted = state.withLock { state -> Bool in
            guard !state.stopped, state.jobs.count - state.head < maxQueued else { return false }
            state.jobs.append(job)
            return true
        }
        if accepted { state.signal() }
        return accepted
    }

    /// Lets the threads finish queued jobs and exit.
    public func stop() {
        state.withLock { $0.stopped = true }
        state.broadcast()
    }

    private enum Step {
        case run(@Sendable () -> Void)
        case exit
    }

    private func work() {
        while true {
            let step = state.wait { state -> Step? in
                if state.head < state.jobs.count {
                    let job = state.jobs[state.head]
                    state.head += 1
                    // Compact now and then so the array does not grow without bound.
                    if state.head > 1024 && state.head * 2 > state.jobs.count {
                        state.jobs.removeFirst(state.head)
                        state.head = 0
                    }
                    return .run(job)
                }
                return state.stopped ? .exit : nil
            }
            switch step {
            case .run(let job): job()
            case .exit: return
            }
        }
    }
}
