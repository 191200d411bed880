#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where a meeting is in its life (docs/product.md step 5): proposed → scheduled → completed,
/// cancelled or no_show. Only the actions on `/meetings/{id}/…` move it.
public enum MeetingStatus: String, Sendable, CaseIterable {
    case proposed
    case scheduled
    case completed
    case cancelled
    case noShow = "no_show"
}

/// How a meeting is held.
public enum MeetingMedium: String, Sendable, CaseIterable {
    case inPerson = "in_person"
    case phone
    case video
}

/// Something a meeting pointed to (a book, a newsletter, a community), recorded at completion.
public struct MeetingResource: Sendable, Equatable {
    public var id: Int64
    public var title: String
    public var url: String?
    public var note: String?

    public init(id: Int64 = 0, title: String, url: String?, note: String?) {
        self.id = id
        self.title = title
        self.url = url
        self.note = note
    }
}

extension MeetingResource {
    /// A resource's rules, for a completion and a restore alike; issues named under `prefix`.
    static func checked(title: String?, url: String?, note: String?, prefix: String?, _ validator: inout Validator) -> MeetingResource {
        let prefix = prefix ?? ""
        let title = validator.required("\(prefix)title", title, maxLength: 500)
        let url = validator.optional("\(prefix)url", url, maxLength: 2000)
        validator.url("\(prefix)url", url)
        let note = validator.optional("\(prefix)note", note, maxLength: 2000, multiline: true)
        return MeetingResource(title: title, url: url, note: note)
    }
}

/// An informational interview with one contact.
public struct Meeting: Sendable, Equatable {
    public var id: Int64
    public var userID: Int64
    public var contactID: Int64
    public var status: MeetingStatus
    public var scheduledAt: Date?
    public var durationMinutes: Int
    public var medium: MeetingMedium?
    public var location: String?
    /// The resume version brought.
    public var resumeID: Int64?
    public var notes: String?
    /// The user's own rating of the impression made, 1–5.
    public var impression: Int?
    public var outcome: String?
    public var thankYouSentAt: Date?
    public var completedAt: Date?
    /// Completed with nothing to leave with, said explicitly.
    public var noneOffered: Bool
    /// Why it was cancelled or missed, as the person said.
    public var statusReason: String?
    /// The contact's stage before the meeting was scheduled: a cancellation puts it back.
    public var stageBefore: ContactStage?
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int64
    /// The names of the objects it points to, as lists carry them.
    public var names = LinkedNames()
    /// What the meeting left behind, read from their own tables.
    public var referralIDs: [Int64]
    public var eventIDs: [Int64]
    public var resources: [MeetingResource]

    /// A thank-you is due within 24 hours of completing, until `thank_you_sent_at` is set.
    public var thankYouDueAt: Date? {
        guard status == .completed, thankYouSentAt == nil, let completedAt else { return nil }
        return completedAt.addingTimeInterval(24 * 3600)
    }
}

/// A create or merge-patch of a meeting; `status` is not in it (actions own it).
public struct MeetingDraft: Sendable {
    public var contactID: Patch<Int64> = .absent
    public var scheduledAt: Patch<Date> = .absent
    public var durationMinutes: Patch<Int> = .absent
    public var medium: Patch<MeetingMedium> = .absent
    public var location: Patch<String> = .absent
    public var resumeID: Patch<Int64> = .absent
    public var notes: Patch<String> = .absent
    public var impression: Patch<Int> = .absent
    public var outcome: Patch<String> = .absent
    public var thankYouSentAt: Patch<Date> = .absent

    public init() {}
}

/// Filters of `GET /meetings`.
public struct MeetingFilter: Sendable {
    public var contactID: Int64?
    public var status: MeetingStatus?
    /// `scheduled_at` at or after.
    public var from: Date?
    /// `scheduled_at` before.
    public var to: Date?
    public var text: String?
    public var updatedSince: Date?

    public init() {}
}

/// The body of `POST /meetings/{id}/schedule`: a time (required unless one is stored) and the
/// details that usually come with it.
public struct ScheduleRequest: Sendable {
    public var scheduledAt: Date?
    public var durationMinutes: Int?
    public var medium: MeetingMedium?
    public var location: String?

    public init() {}
}

/// One referral made at a meeting: an existing contact, or a new one created with it.
public struct ReferralRequest: Sendable {
    public enum Person: Sendable {
        case existing(Int64)
        case new(ContactDraft)
    }

    public var person: Person
    public var note: String?

    public init(person: Person, note: String?) {
        self.person = person
        self.note = note
    }
}

/// An event recommended at a meeting.
public struct EventRequest: Sendable {
    public var name: String?
    public var startsAt: Date?
    public var endsAt: Date?
    public var location: String?
    public var url: String?
    public var notes: String?

    public init() {}
}

/// The body of `POST /meetings/{id}/complete`: how it went and what it left behind.
public struct CompletionRequest: Sendable {
    public var notes: Patch<String> = .absent
    public var impression: Patch<Int> = .absent
    public var outcome: Patch<String> = .absent
    public var referrals: [ReferralRequest] = []
    public var events: [EventRequest] = []
    public var resources: [MeetingResource] = []
    /// What the meeting taught (the knowledge base); a `resource` counts as something to leave with.
    public var insights: [InsightDraft] = []
    public var noneOffered = false
    /// When it really happened (logged afterwards); nil: now.
    public var completedAt: Date?

    public init() {}
}

/// A completed meeting and the objects completing it created.
public struct Completion: Sendable {
    public var meeting: Meeting
    public var contactIDs: [Int64]
    public var referralIDs: [Int64]
    public var eventIDs: [Int64]
    public var resourceIDs: [Int64]
    public var insightIDs: [Int64] = []
}
