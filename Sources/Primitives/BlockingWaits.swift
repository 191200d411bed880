#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Marks threads on which a blocking wait is a bug. The database's writer thread runs every
/// write; one of them waiting for a future that another write completes would wait forever,
/// so `Future.wait` there fails at once instead.
public enum BlockingWaits {
    /// A thread-specific flag; any non-nil value means forbidden.
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Forbids blocking waits on the calling thread for the rest of its life.
    public static func forbidOnThisThread() {
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1))
    }

    /// Whether the calling thread forbade them.
    public static var areForbidden: Bool { pthread_getspecific(key) != nil }
}
