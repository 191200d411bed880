import Foundation
import Synchronization
import Primitives

/// A fixed set of threads that run handlers, so that a blocking handler (SQLite, files)
/// never occupies an I/O thread nor makes Dispatch spawn a thread per blocked call.
public final class WorkerPool: Sendable {
    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var head = 0
        var stopped = false
    }

    private let state = Lock(State())
    private let condition = NSCondition()
    private let maxQueued: Int
    private let running = Atomic<Int>(0)

    public init(threads: Int, maxQueued: Int) {
        self.maxQueued = maxQueued
        for index in 0..<max(1, threads) {
            let thread = Thread { [self] in self.work() }
            thread.name = "foothold-worker-\(index)"
            thread.start()
        }
    }

    /// Jobs waiting for a thread, for metrics.
    public var queueDepth: Int {
        state.withLock { $0.jobs.count - $0.head }
    }

    /// Queues a job; false when the queue is full or the pool stopped (the caller answers 503).
    public func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let accepted = state.withLock { state -> Bool in
            guard !state.stopped, state.jobs.count - state.head < maxQueued else { return false }
            state.jobs.append(job)
            return true
        }
        if accepted { condition.signal() }
        return accepted
    }

    /// Lets the threads finish queued jobs and exit.
    public func stop() {
        condition.lock()
        state.withLock { $0.stopped = true }
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            var job: (@Sendable () -> Void)?
            while true {
                let (next, stopped) = state.withLock { state -> ((@Sendable () -> Void)?, Bool) in
                    guard state.head < state.jobs.count else { return (nil, state.stopped) }
                    let job = state.jobs[state.head]
                    state.head += 1
                    // Compact now and then so the array does not grow without bound.
                    if state.head > 1024 && state.head * 2 > state.jobs.count {
                        state.jobs.removeFirst(state.head)
                        state.head = 0
                    }
                    return (job, false)
                }
                if let next {
                    job = next
                    break
                }
                if stopped {
                    condition.unlock()
                    return
                }
                condition.wait()
            }
            condition.unlock()
            job?()
        }
    }
}
