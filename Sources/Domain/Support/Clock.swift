#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The source of "now" for services, so tests can pin time.
public protocol Clock: Sendable {
    func now() -> Date
}

/// The real wall clock.
public struct SystemClock: Clock {
    public init() {}
    public func now() -> Date { Date() }
}
