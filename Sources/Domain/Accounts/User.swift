#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives

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
    /// The 3B7 rule's two intervals in business days: try a second contact, then follow up.
    public var followUpDays: [Int] = UserSettings.defaultFollowUpDays
    /// Local dates (YYYY-MM-DD) the 3B7 rule skips, as it skips weekends.
    public var holidays: [String] = []
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
    public var followUpDays: Patch<[Int]> = .absent
    public var holidays: Patch<[String]> = .absent
    /// The morning digest; null turns it off.
    public var digest: Patch<DigestDraft> = .absent

    public init() {}
}

/// How `users.follow_up_days` and `users.holidays` are stored (comma-separated) and checked.
public enum UserSettings {
    public static let defaultFollowUpDays = [3, 7]
    public static let maxHolidays = 400

    static func followUpDays(_ stored: String) -> [Int] {
        let days = stored.split(separator: ",").compactMap { Int($0) }
        return days.count == 2 ? days : defaultFollowUpDays
    }

    static func holidays(_ stored: String) -> [String] {
        stored.split(separator: ",").map(String.init)
    }

    /// A user's settings as a draft changes them, checked: `PATCH /me` and a restored export's
    /// `account` answer to these rules alike.
    struct Change: Sendable {
        var displayName: Patch<String> = .absent
        var headline: Patch<String> = .absent
        var timeZone: String?
        var followUpDays: [Int]?
        var holidays: [String]?

        init(_ draft: UserDraft) throws(DomainError) {
            var validator = Validator()
            if !draft.displayName.isAbsent {
                displayName = Patch(validator.optional("display_name", draft.displayName.applied(to: nil), maxLength: 200))
            }
            if !draft.headline.isAbsent { headline = Patch(validator.optional("headline", draft.headline.applied(to: nil), maxLength: 500)) }
            switch draft.timeZone {
            case .absent: break
            case .null: validator.add("time_zone", "cannot be null; UTC is \"UTC\"")
            case .value(let name):
                // Only a zone this machine's tzdata can read: an unknown one would fail later, at every due date.
                if (try? ZoneRules.load(named: name)) != nil { timeZone = name } else { validator.add("time_zone", "must be an IANA time zone name such as Europe/Oslo") }
            }
            switch draft.followUpDays {
            case .absent: break
            case .null: validator.add("follow_up_days", "cannot be null; the default is [3, 7]")
            case .value(let days):
                UserSettings.checkFollowUpDays(days, &validator)
                followUpDays = days
            }
            switch draft.holidays {
            case .absent: break
            case .null: validator.add("holidays", "cannot be null; send [] for none")
            case .value(let days): holidays = UserSettings.normalizedHolidays(days, &validator)
            }
            try validator.finish()
        }

        func applied(to current: User) -> User {
            var updated = current
            updated.displayName = displayName.applied(to: current.displayName)
            updated.headline = headline.applied(to: current.headline)
            if let timeZone { updated.timeZone = timeZone }
            if let followUpDays { updated.followUpDays = followUpDays }
            if let holidays { updated.holidays = holidays }
            return updated
        }
    }

    /// Two intervals, each 1 to 30 business days, the second not before the first.
    static func checkFollowUpDays(_ days: [Int], _ validator: inout Validator) {
        if days.count != 2 || !days.allSatisfy({ (1...30).contains($0) }) {
            validator.add("follow_up_days", "must be two numbers of business days from 1 to 30, like [3, 7]")
        } else if days[0] > days[1] {
            validator.add("follow_up_days", "the second contact comes before the follow-up: the first number cannot be larger")
        }
    }

    /// Dates as YYYY-MM-DD, sorted, each once.
    static func normalizedHolidays(_ days: [String], _ validator: inout Validator) -> [String] {
        if days.count > maxHolidays { validator.add("holidays", "must hold at most \(maxHolidays) dates") }
        for day in days where LocalDay.parse(day) == nil {
            validator.add("holidays", "must be dates as YYYY-MM-DD; \"\(day)\" is not one")
            return []
        }
        return Array(Set(days)).sorted()
    }
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
