#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small wrappers over the C library that several files need.
public enum System {
    public static var coreCount: Int {
        Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// Monotonic nanoseconds, for timeouts and durations (never the wall clock).
    public static func monotonicNanos() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    static func seconds(_ value: Double) -> UInt64 { UInt64(max(0, value) * 1_000_000_000) }
}

/// A failed system call, with errno captured at once (before anything else can change it).
public struct SocketError: Error, CustomStringConvertible, Sendable {
    public var call: String
    public var code: Int32

    init(_ call: String, code: Int32 = errno) {
        self.call = call
        self.code = code
    }

    public var description: String { "\(call) failed: \(String(cString: strerror(code)))" }
}
