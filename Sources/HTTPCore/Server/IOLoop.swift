#if canImport(Glibc)
import Glibc
#endif
import CSystemShims
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives

/// One thread that owns a share of the connections: it waits in epoll, runs their reads and
/// writes inline, runs tasks other threads hand it, and enforces timeouts with one sweep.
///
/// Written on epoll rather than Dispatch sources: on Linux a Dispatch source is re-armed
/// through the manager thread after every event, which measured a fifth of the CPU of
/// `GET /health` and a thread hop per request.
final class IOLoop: @unchecked Sendable {
    // `connections`, `readBuffer` and everything a Connection holds are touched only on
    // this loop's thread; other threads go through `execute`.
    var connections: [Int: Connection] = [:]
    let readBuffer: UnsafeMutableRawBufferPointer
    private let index: Int
    private let sweepNanos: UInt64
    private var epollFD: Int32 = -1
    private var wakeFD: Int32 = -1
    /// Tasks from other threads, and the loop's life: once `closed`, its descriptors are gone
    /// and nothing may write to `wakeFD` (the number may already name another file).
    private let tasks = Lock<(queued: [@Sendable () -> Void], stopping: Bool, closed: Bool)>(([], false, false))
    private static let wakeToken = UInt64.max

    init(index: Int, sweepInterval: Double) {
        self.index = index
        sweepNanos = UInt64(max(0.01, sweepInterval) * 1_000_000_000)
        readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    }

    deinit {
        readBuffer.deallocate()
    }

    /// Creates the epoll set and starts the thread.
    func start() throws {
        let epoll = foothold_epoll_create()
        guard epoll >= 0 else { throw SocketError("epoll_create1") }
        let wake = foothold_eventfd()
        guard wake >= 0 else {
            Glibc.close(epoll)
            throw SocketError("eventfd")
        }
        guard foothold_epoll_ctl(epoll, 0, wake, UInt32(FOOTHOLD_EPOLL_IN), Self.wakeToken) == 0 else {
            Glibc.close(epoll)
            Glibc.close(wake)
            throw SocketError("epoll_ctl")
        }
        tasks.withLock { _ in
            epollFD = epoll
            wakeFD = wake
        }
        SystemThread.start(name: "foothold-io-\(index)") { [self] in run() }
    }

    /// Runs `task` on the loop's thread, after what is already queued.
    /// Tasks handed over after the loop ended are dropped (only at shutdown).
    func execute(_ task: @escaping @Sendable () -> Void) {
        tasks.withLock { state in
            guard !state.closed else { return }
            state.queued.append(task)
            // One wake-up per batch: the loop takes every queued task when it wakes.
            if state.queued.count == 1 { signalWake() }
        }
    }

    /// Ends the thread once it has run what is queued; call after its connections are closed.
    func stop() {
        tasks.withLock { state in
            guard !state.closed else { return }
            state.stopping = true
            signalWake()
        }
    }

    /// Called with `tasks` held, so the descriptor cannot be closed underneath.
    private func signalWake() {
        guard wakeFD >= 0 else { return }
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { Glibc.write(wakeFD, $0.baseAddress, 8) }
    }

    // MARK: - Registration (loop thread only)

    /// Adds or changes the events a connection waits for; `events` 0 keeps it registered but quiet.
    @discardableResult
    func watch(_ fd: Int32, token: Int, events: UInt32, adding: Bool) -> Bool {
        foothold_epoll_ctl(epollFD, adding ? 0 : 1, fd, events, UInt64(token)) == 0
    }

    func unwatch(_ fd: Int32) {
        _ = foothold_epoll_ctl(epollFD, 2, fd, 0, 0)
    }

    // MARK: - The loop

    private func run() {
        let capacity = 256
        let tokens = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
        let events = UnsafeMutablePointer<UInt32>.allocate(capacity: capacity)
        defer {
            tokens.deallocate()
            events.deallocate()
            tasks.withLock { state in
                state.closed = true
                state.queued.removeAll()
                Glibc.close(epollFD)
                Glibc.close(wakeFD)
            }
        }
        var nextSweep = System.monotonicNanos() &+ sweepNanos
        while true {
            let now = System.monotonicNanos()
            let timeout = nextSweep > now ? Int32(min((nextSweep - now) / 1_000_000 + 1, 1000)) : 0
            let count = foothold_epoll_wait(epollFD, tokens, events, Int32(capacity), timeout)
            if count < 0 && errno != EINTR { break }
            var woken = false
            for slot in 0..<max(0, Int(count)) {
                if tokens[slot] == Self.wakeToken {
                    woken = true
                } else if let connection = connections[Int(truncatingIfNeeded: tokens[slot])] {
                    connection.onEvents(events[slot])
                }
            }
            if woken {
                var counter: UInt64 = 0
                _ = withUnsafeMutableBytes(of: &counter) { Glibc.read(wakeFD, $0.baseAddress, 8) }
                let (queued, stopping) = tasks.withLock { state -> ([@Sendable () -> Void], Bool) in
                    defer { state.queued.removeAll(keepingCapacity: true) }
                    return (state.queued, state.stopping)
                }
                for task in queued { task() }
                if stopping { return }
            }
            let after = System.monotonicNanos()
            if after >= nextSweep {
                for connection in Array(connections.values) { connection.checkTimeouts(now: after) }
                nextSweep = after &+ sweepNanos
            }
        }
    }
}
