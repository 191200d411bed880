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
    /// What pitches call the user (`me.name`); the login name when unset.
    public var displayName: String?
    /// One line about the user (`me.headline` in pitches).
    public var headline: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int64
}

/// A merge-patch of `/me`.
public struct UserDraft: Sendable {
    public var displayName: Patch<String> = .absent
    public var headline: Patch<String> = .absent
    /// An IANA name ("Europe/Oslo"); business days and "today" follow it.
    public var timeZone: Patch<String> = .absent

    public init() {}
}
