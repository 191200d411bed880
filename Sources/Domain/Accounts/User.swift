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
    /// What the account may do in account management (never another account's data).
    public var role: Role = .member
    /// A disabled account's tokens and sessions stop working and it cannot sign in.
    public var disabled = false
    /// Whether a password is set (the hash itself never leaves the store).
    public var hasPassword = false
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

/// Account-management rights: the first account is the `owner`; owners and admins manage
/// accounts and invitations; only an owner makes or unmakes owners and admins.
public enum Role: String, Sendable, CaseIterable, Comparable {
    case owner, admin, member

    /// Owners and admins manage accounts.
    public var managesAccounts: Bool { self != .member }

    private var rank: Int {
        switch self {
        case .owner: 0
        case .admin: 1
        case .member: 2
        }
    }

    public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
}

/// A merge-patch of `/users/{id}`.
public struct UserAdminDraft: Sendable {
    public var role: Patch<String> = .absent
    public var disabled: Patch<Bool> = .absent

    public init() {}
}
