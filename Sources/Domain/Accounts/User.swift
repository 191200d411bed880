#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An account; every other object belongs to exactly one.
public struct User: Sendable, Equatable {
    public var id: Int64
    public var name: String
    /// IANA zone used for business days and "today".
    public var timeZone: String
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int64
}
