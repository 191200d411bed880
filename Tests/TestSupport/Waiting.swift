import Dispatch
import Foundation
import Primitives

/// Polls `condition` every 2 ms until it holds or `seconds` pass; returns whether it held.
/// Tests wait on events this way, never for a fixed time.
public func waitUntil(seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(2_000)
    }
    return try condition()
}

extension Future {
    /// Waits at most `seconds` for the result: a test that would hang fails instead.
    public func value(within seconds: Double = 10) throws -> Value {
        let box = Lock<Result<Value, any Error>?>(nil)
        let arrived = DispatchSemaphore(value: 0)
        whenComplete { result in
            box.withLock { $0 = result }
            arrived.signal()
        }
        guard arrived.wait(timeout: .now() + seconds) == .success, let result = box.withLock({ $0 }) else {
            throw ClientError("no result within \(seconds) s")
        }
        return try result.get()
    }
}

extension DispatchSemaphore {
    /// Waits at most `seconds`; throws instead of hanging the test run.
    public func waitOrThrow(_ seconds: Double = 10, _ what: String = "signal") throws {
        guard wait(timeout: .now() + seconds) == .success else { throw ClientError("no \(what) within \(seconds) s") }
    }
}

/// Runs `body` on a thread of its own and waits at most `seconds` for it: a call that should
/// return but hangs fails the test instead of the whole run (the stuck thread is left behind).
public func finishes<T: Sendable>(within seconds: Double = 10, _ body: @escaping @Sendable () throws -> T) throws -> T {
    let outcome = Future<T>()
    Thread.detachNewThread { outcome.complete(Result { try body() }) }
    return try outcome.value(within: seconds)
}
