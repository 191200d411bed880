#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives

/// Counts failed authentications per client address in fixed windows; past the limit the
/// address gets 429 until its window ends (slows token guessing).
final class AuthRateLimiter: Sendable {
    private struct Window {
        var start: Date
        var failures: Int
    }

    private let limit: Int
    private let window: TimeInterval
    private let windows = Lock<[String: Window]>([:])

    init(limit: Int, window: TimeInterval = 60) {
        self.limit = limit
        self.window = window
    }

    /// Seconds until the address may try again, or nil when it may now.
    func retryAfter(_ address: String, now: Date? = nil) -> Int? {
        windows.withLock { windows -> Int? in
            // Every authenticated request asks; nearly always no address has failed at all.
            guard !windows.isEmpty, let entry = windows[address], entry.failures >= limit else { return nil }
            let remaining = window - (now ?? Date()).timeIntervalSince(entry.start)
            if remaining <= 0 {
                windows[address] = nil
                return nil
            }
            return max(1, Int(remaining.rounded(.up)))
        }
    }

    /// Whether the key failed at all within its current window.
    func hasFailures(_ key: String, now: Date = Date()) -> Bool {
        windows.withLock { windows in
            guard !windows.isEmpty, let entry = windows[key] else { return false }
            return now.timeIntervalSince(entry.start) < window && entry.failures > 0
        }
    }

    func recordFailure(_ address: String, now: Date = Date()) {
        windows.withLock { windows in
            if windows.count > 10_000 {
                // Bounded memory: forget expired windows.
                windows = windows.filter { now.timeIntervalSince($0.value.start) < window }
            }
            if var entry = windows[address], now.timeIntervalSince(entry.start) < window {
                entry.failures += 1
                windows[address] = entry
            } else {
                windows[address] = Window(start: now, failures: 1)
            }
        }
    }
}
