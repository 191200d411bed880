#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A result that another thread delivers later, to at most one callback or one waiter.
///
/// The write path uses it so that a request thread can hand a write to the database's writer
/// thread and move on: the response goes out from the completion, once the write committed.
public final class Future<Value>: @unchecked Sendable {
    // Visible to inlined code, so that callers in other modules get these methods specialized
    // for their value type instead of instantiating metadata on every call.
    @usableFromInline enum State {
        case waiting
        case subscribed(@Sendable (Result<Value, any Error>) -> Void)
        case done(Result<Value, any Error>)
        case delivered
    }

    // `state` is reached only under `lock`; callbacks run outside it.
    @usableFromInline let lock = Lock<State>(.waiting)

    public init() {}

    /// A future that already holds `result`.
    public convenience init(_ result: Result<Value, any Error>) {
        self.init()
        complete(result)
    }

    /// Delivers the result: to the subscriber now, or to the one that comes later.
    /// Only the first call counts.
    @inlinable
    public func complete(_ result: Result<Value, any Error>) {
        let callback = lock.withLock { state -> (@Sendable (Result<Value, any Error>) -> Void)? in
            switch state {
            case .waiting:
                state = .done(result)
                return nil
            case .subscribed(let callback):
                state = .delivered
                return callback
            case .done, .delivered:
                return nil
            }
        }
        callback?(result)
    }

    /// Calls `callback` once with the result, on the completing thread (or this one, when the
    /// result is already there). A second subscriber is ignored.
    @inlinable
    public func whenComplete(_ callback: @escaping @Sendable (Result<Value, any Error>) -> Void) {
        _ = subscribe(callback)
    }

    /// Blocks this thread until the result arrives. Throws `FutureError.taken` at once if
    /// another subscriber already has the result (waiting would never end), and
    /// `FutureError.blockingForbidden` on a thread that must never block (the database's
    /// writer thread: a write waiting there for another write would wait for itself).
    public func wait() throws -> Value {
        if BlockingWaits.areForbidden { throw FutureError.blockingForbidden }
        let box = WaitBox<Value>()
        guard subscribe({ result in box.put(result) }) else { throw FutureError.taken }
        return try box.take().get()
    }

    /// Whether `callback` became the subscriber.
    @inlinable
    func subscribe(_ callback: @escaping @Sendable (Result<Value, any Error>) -> Void) -> Bool {
        let (accepted, ready) = lock.withLock { state -> (Bool, Result<Value, any Error>?) in
            switch state {
            case .waiting:
                state = .subscribed(callback)
                return (true, nil)
            case .done(let result):
                state = .delivered
                return (true, result)
            case .subscribed, .delivered:
                return (false, nil)
            }
        }
        if let ready { callback(ready) }
        return accepted
    }
}

/// Hands one result from the completing thread to a blocked waiter.
private final class WaitBox<Value>: @unchecked Sendable {
    // `result` is written before `sem_post` and read after `sem_wait`, which orders them.
    private var result: Result<Value, any Error>?
    private let semaphore: UnsafeMutablePointer<sem_t>

    init() {
        semaphore = .allocate(capacity: 1)
        semaphore.initialize(to: sem_t())
        sem_init(semaphore, 0, 0)
    }

    deinit {
        sem_destroy(semaphore)
        semaphore.deinitialize(count: 1)
        semaphore.deallocate()
    }

    func put(_ result: Result<Value, any Error>) {
        self.result = result
        sem_post(semaphore)
    }

    func take() -> Result<Value, any Error> {
        while sem_wait(semaphore) != 0 {}
        // `put` always stores before posting, so the optional is set here.
        return result ?? .failure(FutureError.lost)
    }
}

extension Future {
    /// A future with this one's value, and its error passed through `transform`.
    @inlinable
    public func mapError(_ transform: @escaping @Sendable (any Error) -> any Error) -> Future<Value> {
        let mapped = Future<Value>()
        whenComplete { result in mapped.complete(result.mapError(transform)) }
        return mapped
    }
}

/// Why `wait` could not return a result.
public enum FutureError: Error, CustomStringConvertible {
    /// Another subscriber was given the result.
    case taken
    /// `wait` was called on a thread that must never block (see `BlockingWaits`).
    case blockingForbidden
    /// The result went missing (a bug, never expected).
    case lost

    public var description: String {
        switch self {
        case .taken: "Future.wait: another subscriber already took the result"
        case .blockingForbidden: "Future.wait on a thread that must never block (the database writer thread): it would wait for itself"
        case .lost: "Future.wait: the result went missing"
        }
    }
}
