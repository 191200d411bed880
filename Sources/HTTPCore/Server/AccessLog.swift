#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives

/// One logfmt line per request on standard output, buffered so that logging costs no
/// syscall per request; flushed when the buffer fills, every second, and at shutdown.
public final class AccessLog: Sendable {
    private let buffer = Lock<[UInt8]>([])
    private let fd: Int32
    private let flushThreshold = 32 * 1024

    public init(fd: Int32 = 1) {
        self.fd = fd
    }

    /// Records one finished exchange.
    func record(method: String, path: String, status: Int, bytes: Int, durationNanos: UInt64, requestID: String, remote: String) {
        let millis = Double(durationNanos) / 1_000_000
        let rounded = (millis * 1000).rounded() / 1000
        let line = "time=\(Timestamp.rfc3339(Date())) method=\(method) path=\(path) status=\(status) bytes=\(bytes) duration_ms=\(rounded) request_id=\(requestID) remote=\(remote)\n"
        let pending: [UInt8]? = buffer.withLock { bytes in
            bytes.append(contentsOf: line.utf8)
            guard bytes.count >= flushThreshold else { return nil }
            defer { bytes.removeAll(keepingCapacity: true) }
            return bytes
        }
        if let pending { write(pending) }
    }

    public func flush() {
        let pending = buffer.withLock { bytes -> [UInt8] in
            defer { bytes.removeAll(keepingCapacity: true) }
            return bytes
        }
        if !pending.isEmpty { write(pending) }
    }

    private func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { FileOutput.writeAll(fd, $0) }
    }
}

/// RFC 3339 UTC timestamps, as the API writes them.
public enum Timestamp {
    /// `2026-11-27T14:05:00Z`, to the second.
    public static func rfc3339(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ n: Int32, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))Z"
    }
}
