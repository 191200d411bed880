#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// A calendar feed: a read-only token a calendar app subscribes with.
public struct Feed: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var createdAt: Date
}

/// Calendar feeds (`/feeds`) and the iCalendar document they serve (`/calendar/{token}.ics`):
/// meetings and events as VEVENTs, follow-ups and thank-you notes as VTODOs, each with an
/// alarm (RFC 5545).
public final class CalendarService: Sendable {
    let storage: Storage
    let clock: any Clock

    static let prefix = "fc_"
    static let lookupLength = 12
    public static let maxFeeds = 20

    public init(storage: Storage, clock: any Clock = SystemClock()) {
        self.storage = storage
        self.clock = clock
    }

    /// A new feed and its token, shown only now.
    public func create(userID: Int64, name: String?) throws -> (Feed, String) {
        var validator = Validator()
        let label = validator.optional("name", name, maxLength: 200) ?? ""
        try validator.finish()
        let token = TokenSecret.generate(prefix: Self.prefix)
        let now = clock.now()
        let id = try storage.write { connection -> Int64 in
            let count = try connection.scalarInt("SELECT count(*) FROM feeds WHERE user_id = ?", [userID]) ?? 0
            if count >= Self.maxFeeds {
                throw DomainError.conflict(code: "too_many_feeds", detail: "An account has at most \(Self.maxFeeds) feeds; revoke one first.", existingID: nil)
            }
            try connection.run(
                "INSERT INTO feeds (user_id, name, lookup, secret_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                [userID, label, String(token.prefix(Self.lookupLength)), TokenSecret.hash(token), now, now])
            return connection.lastInsertRowID
        }
        return (Feed(id: id, name: label, createdAt: now), token)
    }

    public func list(userID: Int64) throws -> [Feed] {
        try storage.read { connection in
            typealias C = FeedColumn
            return try connection.query("SELECT " + C.select + " FROM feeds WHERE user_id = ? ORDER BY created_at, id", [userID]) {
                Feed(id: $0.int64(C.id), name: $0.string(C.name), createdAt: try $0.stamp(C.createdAt, of: "feeds", id: $0.int64(C.id)))
            }
        }
    }

    private enum FeedColumn: Int32, SelectList {
        case id, name, createdAt
        var sql: String {
            switch self {
            case .id: "id"
            case .name: "name"
            case .createdAt: "created_at"
            }
        }
    }

    private enum Candidate: Int32, SelectList {
        case userID, secretHash
        var sql: String {
            switch self {
            case .userID: "user_id"
            case .secretHash: "secret_hash"
            }
        }
    }

    public func revoke(userID: Int64, id: Int64) throws {
        let removed = try storage.write { try $0.run("DELETE FROM feeds WHERE user_id = ? AND id = ?", [userID, id]) }
        if removed == 0 { throw DomainError.notFound("No such feed.") }
    }

    /// The account a feed token opens, or nil (compared in constant time).
    func owner(_ connection: SQLiteConnection, token: String) throws -> Int64? {
        guard token.hasPrefix(Self.prefix), token.utf8.count == Self.prefix.utf8.count + 43 else { return nil }
        let digest = TokenSecret.hash(token)
        typealias C = Candidate
        let candidates = try connection.query("SELECT " + C.select + " FROM feeds WHERE lookup = ?", [String(token.prefix(Self.lookupLength))]) {
            ($0.int64(C.userID), $0.blob(C.secretHash))
        }
        return candidates.first { TokenSecret.constantTimeEquals($0.1, digest) }?.0
    }

    /// The feed's calendar, or nil when the token opens nothing.
    public func calendar(token: String) throws -> String? {
        try storage.read { connection in
            guard let userID = try owner(connection, token: token) else { return nil }
            return try ICalendar.document(connection, userID: userID)
        }
    }
}

/// The iCalendar text of an account's feed.
enum ICalendar {
    static func stamp(_ date: Date) -> String { VCard.compactTimestamp(date) }

    static func alarm(_ trigger: String, _ description: String) -> String {
        VCard.line("BEGIN:VALARM") + VCard.line("ACTION:DISPLAY") + VCard.line("DESCRIPTION:" + VCard.escape(description))
            + VCard.line(trigger) + VCard.line("END:VALARM")
    }

    /// The agenda's dismissals, by kind and item: nil for good, else snoozed until then. A
    /// to-do put away for good leaves the feed, a snoozed one falls due when the snooze ends,
    /// and a meeting or event put away for good keeps its place without an alarm.
    static func dismissals(_ connection: SQLiteConnection, userID: Int64) throws -> [String: Date?] {
        typealias C = Dismissal
        var found: [String: Date?] = [:]
        try connection.forEachRow("SELECT " + C.select + " FROM agenda_dismissals WHERE user_id = ?", [userID]) { row in
            found["\(row.string(C.kind))-\(row.int64(C.refID))"] = row.date(C.until)
        }
        return found
    }

    static func document(_ connection: SQLiteConnection, userID: Int64) throws -> String {
        let dismissed = try dismissals(connection, userID: userID)
        func forGood(_ kind: String, _ id: Int64) -> Bool {
            if case .some(.none) = dismissed["\(kind)-\(id)"] { return true }
            return false
        }
        /// The due time after a snooze: the later of the two.
        func due(_ kind: String, _ id: Int64, _ due: Date) -> Date {
            guard case .some(.some(let until)) = dismissed["\(kind)-\(id)"], until > due else { return due }
            return until
        }
        var out = VCard.line("BEGIN:VCALENDAR") + VCard.line("VERSION:2.0") + VCard.line("PRODID:-//Foothold//Foothold//EN")
            + VCard.line("CALSCALE:GREGORIAN") + VCard.line("X-WR-CALNAME:Foothold")
        // Meetings with a time: cancelled and no-show ones stay, marked CANCELLED, so calendars drop them.
        typealias M = MeetingEntry
        try connection.forEachRow(
            "SELECT " + M.select + " FROM meetings m JOIN contacts c ON c.id = m.contact_id LEFT JOIN organizations o ON o.id = c.organization_id "
                + "WHERE m.user_id = ? AND m.scheduled_at IS NOT NULL ORDER BY m.scheduled_at, m.id", [userID]
        ) { row in
            guard let start = row.date(M.scheduledAt) else { return }
            let status = row.string(M.status)
            let id = row.int64(M.id)
            let with = row.string(M.contactName) + (row.optionalString(M.organizationName).map { " (\($0))" } ?? "")
            out += VCard.line("BEGIN:VEVENT")
            out += VCard.line("UID:meeting-\(id)@foothold")
            out += VCard.line("DTSTAMP:" + stamp(row.date(M.updatedAt) ?? start))
            out += VCard.line("LAST-MODIFIED:" + stamp(row.date(M.updatedAt) ?? start))
            out += VCard.line("SEQUENCE:\(max(0, row.int64(M.version) - 1))")
            out += VCard.line("DTSTART:" + stamp(start))
            out += VCard.line("DTEND:" + stamp(start.addingTimeInterval(Double(row.int64(M.durationMinutes)) * 60)))
            out += VCard.line("SUMMARY:" + VCard.escape("Informational interview with \(with)"))
            if let location = row.optionalString(M.location) { out += VCard.line("LOCATION:" + VCard.escape(location)) }
            out += VCard.line("DESCRIPTION:" + VCard.escape("Status: \(status)" + (row.optionalString(M.medium).map { "; \($0.replacingUnderscores)" } ?? "")))
            out += VCard.line("STATUS:" + (status == "cancelled" || status == "no_show" ? "CANCELLED" : status == "proposed" ? "TENTATIVE" : "CONFIRMED"))
            if !forGood("meeting", id) { out += alarm("TRIGGER:-PT30M", "Informational interview with \(with) in 30 minutes") }
            out += VCard.line("END:VEVENT")
        }
        typealias E = EventEntry
        try connection.forEachRow(
            "SELECT " + E.select + " FROM events WHERE user_id = ? AND starts_at IS NOT NULL ORDER BY starts_at, id", [userID]
        ) { row in
            guard let start = row.date(E.startsAt) else { return }
            let status = row.string(E.status)
            let id = row.int64(E.id), name = row.string(E.name)
            out += VCard.line("BEGIN:VEVENT")
            out += VCard.line("UID:event-\(id)@foothold")
            out += VCard.line("DTSTAMP:" + stamp(row.date(E.updatedAt) ?? start))
            out += VCard.line("LAST-MODIFIED:" + stamp(row.date(E.updatedAt) ?? start))
            out += VCard.line("SEQUENCE:\(max(0, row.int64(E.version) - 1))")
            out += VCard.line("DTSTART:" + stamp(start))
            out += VCard.line("DTEND:" + stamp(row.date(E.endsAt) ?? start.addingTimeInterval(3600)))
            out += VCard.line("SUMMARY:" + VCard.escape(name))
            if let location = row.optionalString(E.location) { out += VCard.line("LOCATION:" + VCard.escape(location)) }
            if let url = row.optionalString(E.url) { out += VCard.line("URL:" + url) }
            out += VCard.line("STATUS:" + (status == "skipped" ? "CANCELLED" : status == "interested" ? "TENTATIVE" : "CONFIRMED"))
            if !forGood("event", id) { out += alarm("TRIGGER:-PT1H", "\(name) starts in an hour") }
            out += VCard.line("END:VEVENT")
        }
        // Thank-you notes due within a day of each completed meeting.
        typealias T = ThankYouEntry
        try connection.forEachRow(
            "SELECT " + T.select + " FROM meetings m JOIN contacts c ON c.id = m.contact_id "
                + "WHERE m.user_id = ? AND m.status = 'completed' AND m.thank_you_sent_at IS NULL AND m.completed_at IS NOT NULL ORDER BY m.completed_at, m.id",
            [userID]
        ) { row in
            let id = row.int64(T.id)
            guard let completed = row.date(T.completedAt), !forGood("thank_you", id) else { return }
            out += todo(
                uid: "thank_you-\(id)", stamp: completed, due: due("thank_you", id, completed.addingTimeInterval(24 * 3600)),
                summary: "Send \(row.string(T.contactName)) a thank-you note")
        }
        typealias R = ReminderEntry
        try connection.forEachRow(
            "SELECT " + R.select + " FROM reminders r JOIN contacts c ON c.id = r.contact_id WHERE r.user_id = ? ORDER BY r.due_at, r.kind, r.ref_id", [userID]
        ) { row in
            let kind = row.string(R.kind), refID = row.int64(R.refID)
            guard let since = row.date(R.since), let dueAt = row.date(R.dueAt), !forGood(kind, refID) else { return }
            let name = row.string(R.contactName)
            let summary = switch kind {
            case "follow_up": "Follow up with \(name)"
            case "try_second_contact": "Try a second contact where \(name) works"
            default: "Ask \(name) once more whom else to talk to"
            }
            out += todo(uid: "\(kind)-\(refID)", stamp: since, due: due(kind, refID, dueAt), summary: summary)
        }
        return out + VCard.line("END:VCALENDAR")
    }

    private enum Dismissal: Int32, SelectList {
        case kind, refID, until
        var sql: String {
            switch self {
            case .kind: "kind"
            case .refID: "ref_id"
            case .until: "until"
            }
        }
    }

    private enum MeetingEntry: Int32, SelectList {
        case id, scheduledAt, durationMinutes, status, medium, location, version, updatedAt, contactName, organizationName
        var sql: String {
            switch self {
            case .id: "m.id"
            case .scheduledAt: "m.scheduled_at"
            case .durationMinutes: "m.duration_minutes"
            case .status: "m.status"
            case .medium: "m.medium"
            case .location: "m.location"
            case .version: "m.version"
            case .updatedAt: "m.updated_at"
            case .contactName: "c.name"
            case .organizationName: "o.name"
            }
        }
    }

    private enum EventEntry: Int32, SelectList {
        case id, name, startsAt, endsAt, location, url, status, version, updatedAt
        var sql: String {
            switch self {
            case .id: "id"
            case .name: "name"
            case .startsAt: "starts_at"
            case .endsAt: "ends_at"
            case .location: "location"
            case .url: "url"
            case .status: "status"
            case .version: "version"
            case .updatedAt: "updated_at"
            }
        }
    }

    private enum ThankYouEntry: Int32, SelectList {
        case id, completedAt, contactName
        var sql: String {
            switch self {
            case .id: "m.id"
            case .completedAt: "m.completed_at"
            case .contactName: "c.name"
            }
        }
    }

    private enum ReminderEntry: Int32, SelectList {
        case kind, refID, since, dueAt, contactName
        var sql: String {
            switch self {
            case .kind: "r.kind"
            case .refID: "r.ref_id"
            case .since: "r.since"
            case .dueAt: "r.due_at"
            case .contactName: "c.name"
            }
        }
    }

    static func todo(uid: String, stamp date: Date, due: Date, summary: String) -> String {
        VCard.line("BEGIN:VTODO") + VCard.line("UID:\(uid)@foothold") + VCard.line("DTSTAMP:" + stamp(date)) + VCard.line("DUE:" + stamp(due))
            + VCard.line("SUMMARY:" + VCard.escape(summary)) + VCard.line("STATUS:NEEDS-ACTION")
            + alarm("TRIGGER;RELATED=END:PT0S", summary) + VCard.line("END:VTODO")
    }
}

extension String {
    /// `in_person` as `in person`.
    fileprivate var replacingUnderscores: String { String(map { $0 == "_" ? " " : $0 }) }
}
