#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a plain pthread mutex.
///
/// Used instead of `Synchronization.Mutex`, whose Linux slow path spins and then takes a
/// priority-inheritance futex: with more busy threads than cores (workers, I/O threads and
/// the client on two cores) that spinning measured 13% of the CPU of a point-read workload.
/// glibc's default mutex parks a waiter at once.
public final class Lock<Value>: @unchecked Sendable {
    // The value is reached only inside `withLock`, which holds the mutex.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    public init(_ value: Value) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        self.value = value
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    @inline(__always)
    public func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
