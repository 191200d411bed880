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
            try connection.query("SELECT id, name, created_at FROM feeds WHERE user_id = ? ORDER BY created_at, id", [userID]) {
                Feed(id: $0.int64(0), name: $0.string(1), createdAt: try $0.stamp(2, column: "created_at", of: "feeds", id: $0.int64(0)))
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
        let candidates = try connection.query("SELECT user_id, secret_hash FROM feeds WHERE lookup = ?", [String(token.prefix(Self.lookupLength))]) {
            ($0.int64(0), $0.blob(1))
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
        var found: [String: Date?] = [:]
        try connection.forEachRow("SELECT kind, ref_id, until FROM agenda_dismissals WHERE user_id = ?", [userID]) { row in
            found["\(row.string(0))-\(row.int64(1))"] = row.date(2)
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
        try connection.forEachRow(
            "SELECT m.id, m.scheduled_at, m.duration_minutes, m.status, m.medium, m.location, m.version, m.updated_at, c.name, o.name "
                + "FROM meetings m JOIN contacts c ON c.id = m.contact_id LEFT JOIN organizations o ON o.id = c.organization_id "
                + "WHERE m.user_id = ? AND m.scheduled_at IS NOT NULL ORDER BY m.scheduled_at, m.id", [userID]
        ) { row in
            guard let start = row.date(1) else { return }
            let status = row.string(3)
            let with = row.string(8) + (row.optionalString(9).map { " (\($0))" } ?? "")
            out += VCard.line("BEGIN:VEVENT")
            out += VCard.line("UID:meeting-\(row.int64(0))@foothold")
            out += VCard.line("DTSTAMP:" + stamp(row.date(7) ?? start))
            out += VCard.line("LAST-MODIFIED:" + stamp(row.date(7) ?? start))
            out += VCard.line("SEQUENCE:\(max(0, row.int64(6) - 1))")
            out += VCard.line("DTSTART:" + stamp(start))
            out += VCard.line("DTEND:" + stamp(start.addingTimeInterval(Double(row.int64(2)) * 60)))
            out += VCard.line("SUMMARY:" + VCard.escape("Informational interview with \(with)"))
            if let location = row.optionalString(5) { out += VCard.line("LOCATION:" + VCard.escape(location)) }
            out += VCard.line("DESCRIPTION:" + VCard.escape("Status: \(status)" + (row.optionalString(4).map { "; \($0.replacingUnderscores)" } ?? "")))
            out += VCard.line("STATUS:" + (status == "cancelled" || status == "no_show" ? "CANCELLED" : status == "proposed" ? "TENTATIVE" : "CONFIRMED"))
            if !forGood("meeting", row.int64(0)) { out += alarm("TRIGGER:-PT30M", "Informational interview with \(with) in 30 minutes") }
            out += VCard.line("END:VEVENT")
        }
        try connection.forEachRow(
            "SELECT id, name, starts_at, ends_at, location, url, status, version, updated_at FROM events "
                + "WHERE user_id = ? AND starts_at IS NOT NULL ORDER BY starts_at, id", [userID]
        ) { row in
            guard let start = row.date(2) else { return }
            let status = row.string(6)
            out += VCard.line("BEGIN:VEVENT")
            out += VCard.line("UID:event-\(row.int64(0))@foothold")
            out += VCard.line("DTSTAMP:" + stamp(row.date(8) ?? start))
            out += VCard.line("LAST-MODIFIED:" + stamp(row.date(8) ?? start))
            out += VCard.line("SEQUENCE:\(max(0, row.int64(7) - 1))")
            out += VCard.line("DTSTART:" + stamp(start))
            out += VCard.line("DTEND:" + stamp(row.date(3) ?? start.addingTimeInterval(3600)))
            out += VCard.line("SUMMARY:" + VCard.escape(row.string(1)))
            if let location = row.optionalString(4) { out += VCard.line("LOCATION:" + VCard.escape(location)) }
            if let url = row.optionalString(5) { out += VCard.line("URL:" + url) }
            out += VCard.line("STATUS:" + (status == "skipped" ? "CANCELLED" : status == "interested" ? "TENTATIVE" : "CONFIRMED"))
            if !forGood("event", row.int64(0)) { out += alarm("TRIGGER:-PT1H", "\(row.string(1)) starts in an hour") }
            out += VCard.line("END:VEVENT")
        }
        // Thank-you notes due within a day of each completed meeting.
        try connection.forEachRow(
            "SELECT m.id, m.completed_at, c.name FROM meetings m JOIN contacts c ON c.id = m.contact_id "
                + "WHERE m.user_id = ? AND m.status = 'completed' AND m.thank_you_sent_at IS NULL AND m.completed_at IS NOT NULL ORDER BY m.completed_at, m.id",
            [userID]
        ) { row in
            guard let completed = row.date(1), !forGood("thank_you", row.int64(0)) else { return }
            out += todo(
                uid: "thank_you-\(row.int64(0))", stamp: completed, due: due("thank_you", row.int64(0), completed.addingTimeInterval(24 * 3600)),
                summary: "Send \(row.string(2)) a thank-you note")
        }
        try connection.forEachRow(
            "SELECT r.kind, r.ref_id, r.since, r.due_at, c.name FROM reminders r JOIN contacts c ON c.id = r.contact_id "
                + "WHERE r.user_id = ? ORDER BY r.due_at, r.kind, r.ref_id", [userID]
        ) { row in
            guard let since = row.date(2), let dueAt = row.date(3), !forGood(row.string(0), row.int64(1)) else { return }
            let name = row.string(4)
            let summary = switch row.string(0) {
            case "follow_up": "Follow up with \(name)"
            case "try_second_contact": "Try a second contact where \(name) works"
            default: "Ask \(name) once more whom else to talk to"
            }
            out += todo(uid: "\(row.string(0))-\(row.int64(1))", stamp: since, due: due(row.string(0), row.int64(1), dueAt), summary: summary)
        }
        return out + VCard.line("END:VCALENDAR")
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
