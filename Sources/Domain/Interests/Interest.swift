#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An interest area: a field the user is exploring, with a goal.
public struct Interest: Sendable, Equatable {
    public var id: Int64
    public var userID: Int64
    public var name: String
    public var goal: String?
    /// `YYYY-MM-DD`.
    public var targetDate: String?
    /// Completed meetings the area's goal needs by `target_date`.
    public var targetMeetings: Int?
    /// 1–5 (default 3): weighs the area's gaps in `GET /skills/gaps`.
    public var priority: Int
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int64
    public var coverage: Coverage
}

/// How well an interest area is covered by the network.
public struct Coverage: Sendable, Equatable {
    public var contacts: Int
    public var organizations: Int
    /// Meetings with contacts in the area; there is no meeting yet until meetings land.
    public var meetings: Int
}

/// A create or merge-patch of an interest.
public struct InterestDraft: Sendable {
    public var name: Patch<String> = .absent
    public var goal: Patch<String> = .absent
    public var targetDate: Patch<String> = .absent
    public var targetMeetings: Patch<Int> = .absent
    public var priority: Patch<Int> = .absent

    public init() {}
}

/// Filters of `GET /interests`.
public struct InterestFilter: Sendable {
    public var text: String?
    public var updatedSince: Date?

    public init() {}
}
