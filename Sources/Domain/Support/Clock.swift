#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives

/// The source of "now" for services, so tests can pin time.
public protocol Clock: Sendable {
    func now() -> Date
}

/// The real wall clock.
public struct SystemClock: Clock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that stands still until told to move: tests pin "now" with it (time zones,
/// weekends, DST edges, what is due when).
public final class ManualClock: Clock, Sendable {
    private let current: Lock<Date>

    public init(_ date: Date) {
        current = Lock(date)
    }

    public func now() -> Date { current.withLock { $0 } }

    public func set(_ date: Date) { current.withLock { $0 = date } }
}
