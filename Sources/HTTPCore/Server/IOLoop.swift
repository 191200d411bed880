import Dispatch

/// One serial queue that owns a share of the connections, with a shared read buffer and a
/// timer that enforces their timeouts (one timer per loop instead of one per connection).
final class IOLoop: @unchecked Sendable {
    // `connections` and `readBuffer` are touched only on `queue`.
    let queue: DispatchQueue
    var connections: [Int: Connection] = [:]
    let readBuffer: UnsafeMutableRawBufferPointer
    private var timer: DispatchSourceTimer?

    init(index: Int, sweepInterval: Double) {
        queue = DispatchQueue(label: "foothold.io.\(index)")
        readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        let timer = DispatchSource.makeTimerSource(queue: queue)
        let nanos = Int(max(0.01, sweepInterval) * 1_000_000_000)
        timer.schedule(deadline: .now() + .nanoseconds(nanos), repeating: .nanoseconds(nanos), leeway: .milliseconds(5))
        timer.setEventHandler { [weak self] in self?.sweep() }
        timer.resume()
        self.timer = timer
    }

    deinit {
        readBuffer.deallocate()
    }

    private func sweep() {
        let now = System.monotonicNanos()
        for connection in connections.values { connection.checkTimeouts(now: now) }
    }

    /// Stops the timer; the loop is done once its connections are.
    func stop() {
        queue.async {
            self.timer?.cancel()
            self.timer = nil
        }
    }
}
