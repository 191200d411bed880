#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// Time zones read once per process: every follow-up and agenda read needs the user's.
enum ZoneCache {
    private static let zones = Lock<[String: ZoneRules]>([:])

    /// The rules of `name`; UTC when the name no longer loads (tzdata removed under us).
    static func rules(named name: String) -> ZoneRules {
        if let cached = zones.withLock({ $0[name] }) { return cached }
        let rules = (try? ZoneRules.load(named: name)) ?? .utc
        zones.withLock { $0[name] = rules }
        return rules
    }

    /// The user's zone, from what is stored.
    static func rules(_ connection: SQLiteConnection, userID: Int64) throws -> ZoneRules {
        rules(named: try UserStore.timeZone(connection, id: userID) ?? "UTC")
    }
}

extension ZoneRules {
    /// `instant` moved `count` business days on, in this zone, skipping `holidays` (days since 1970).
    func addingBusinessDays(_ count: Int, to date: Date, holidays: Set<Int64> = []) -> Date {
        let seconds = Int64((date.timeIntervalSince1970).rounded(.down))
        let fraction = date.timeIntervalSince1970 - Double(seconds)
        return Date(timeIntervalSince1970: Double(addingBusinessDays(count, to: seconds, holidays: holidays)) + fraction)
    }
}

/// The user's 3B7 calendar: their zone, the two intervals in business days (`follow_up_days`,
/// 3 and 7 unless set) and the holidays skipped like weekends.
struct FollowUpCalendar {
    var zone: ZoneRules
    var secondContactDays = 3
    var followUpDays = 7
    var holidays: Set<Int64> = []

    private enum Settings: Int32, SelectList {
        case timeZone, followUpDays, holidays
        var sql: String {
            switch self {
            case .timeZone: "time_zone"
            case .followUpDays: "follow_up_days"
            case .holidays: "holidays"
            }
        }
    }

    static func load(_ connection: SQLiteConnection, userID: Int64) throws -> FollowUpCalendar {
        typealias C = Settings
        let row = try connection.queryOne("SELECT " + C.select + " FROM users WHERE id = ?", [userID]) {
            (zone: $0.string(C.timeZone), days: $0.string(C.followUpDays), holidays: $0.string(C.holidays))
        }
        var calendar = FollowUpCalendar(zone: ZoneCache.rules(named: row?.zone ?? "UTC"))
        let days = UserSettings.followUpDays(row?.days ?? "")
        calendar.secondContactDays = days[0]
        calendar.followUpDays = days[1]
        calendar.holidays = Set(UserSettings.holidays(row?.holidays ?? "").compactMap { LocalDay.parse($0) }.map {
            Int64(RFC3339.daysFromCivil(year: $0.year, month: $0.month, day: $0.day))
        })
        return calendar
    }

    func due(_ kind: String, since: Date) -> Date {
        zone.addingBusinessDays(kind == "follow_up" ? followUpDays : secondContactDays, to: since, holidays: holidays)
    }
}

/// The follow-ups whose due time depends on other rows, kept in `reminders` so the agenda
/// reads them in due order through an index. Each rebuild rewrites one scope from the rows
/// it derives from, inside the write that changed them, so it cannot drift.
enum Reminders {
    /// "A week after a meeting with no referral, the agenda reminds to ask once more."
    static let askAgainInterval: TimeInterval = 7 * 24 * 3600
    /// Unanswered asks after which the thread is closed.
    static let maxAsks = 2

    /// The 3B7 rule (docs/product.md, "Outreach log and 3B7") over the organization of `contactID` (or the
    /// contact alone when it has none): an outbound message with no reply starts a thread
    /// that makes `try_second_contact` due 3 business days on (until someone else at the
    /// organization is written to) and `follow_up` 7 business days on (until the same person is
    /// written to again, once); a reply from anyone at the organization ends every thread there.
    static func rebuildFollowUps(_ connection: SQLiteConnection, userID: Int64, contactID: Int64) throws {
        let organizationID = try connection.scalarInt("SELECT organization_id FROM contacts WHERE id = ?", [contactID])
        try rebuildFollowUps(connection, userID: userID, organizationID: organizationID, contactID: contactID)
    }

    private enum Message: Int32, SelectList {
        case id, contactID, direction, sentAt
        var sql: String {
            switch self {
            case .id: "id"
            case .contactID: "contact_id"
            case .direction: "direction"
            case .sentAt: "sent_at"
            }
        }
    }

    /// The same for a scope named directly (an organization a contact left, a contact deleted).
    static func rebuildFollowUps(_ connection: SQLiteConnection, userID: Int64, organizationID: Int64?, contactID: Int64?) throws {
        let scope: String
        let scopeValues: [any DatabaseValueConvertible]
        if let organizationID {
            scope = "SELECT id FROM contacts WHERE organization_id = ?"
            scopeValues = [organizationID]
        } else if let contactID {
            scope = "SELECT ?"
            scopeValues = [contactID]
        } else {
            return
        }
        try connection.run(
            "DELETE FROM reminders WHERE contact_id IN (\(scope)) AND (kind = 'follow_up' OR kind = 'try_second_contact')", scopeValues)

        struct Thread {
            var outreachID: Int64
            var sentAt: Date
            var followedUp = false
            var secondTried = false
        }
        var threads: [Int64: Thread] = [:]
        typealias C = Message
        try connection.forEachRow(
            "SELECT " + C.select + " FROM outreach WHERE contact_id IN (\(scope)) ORDER BY sent_at, id", scopeValues
        ) { row in
            let id = row.int64(C.id)
            let contact = row.int64(C.contactID)
            let sentAt = try row.stamp(C.sentAt, of: "outreach", id: id)
            guard row.string(C.direction) == "outbound" else {
                // A reply from anyone there ends the organization's threads (the contact's own, without one).
                threads.removeAll()
                return
            }
            // Writing to someone else there is the second contact every open thread asked for.
            for other in Array(threads.keys) where other != contact { threads[other]?.secondTried = true }
            if threads[contact] != nil {
                threads[contact]?.followedUp = true
            } else {
                threads[contact] = Thread(outreachID: id, sentAt: sentAt)
            }
        }
        guard !threads.isEmpty else { return }
        let calendar = try FollowUpCalendar.load(connection, userID: userID)
        for (contact, thread) in threads {
            if organizationID != nil && !thread.secondTried {
                try insert(
                    connection, userID: userID, kind: "try_second_contact", refID: thread.outreachID, contactID: contact, meetingID: nil,
                    since: thread.sentAt, asks: 0, due: calendar.due("try_second_contact", since: thread.sentAt))
            }
            if !thread.followedUp {
                try insert(
                    connection, userID: userID, kind: "follow_up", refID: thread.outreachID, contactID: contact, meetingID: nil,
                    since: thread.sentAt, asks: 0, due: calendar.due("follow_up", since: thread.sentAt))
            }
        }
    }

    /// `ask_referral_again` for the contact's latest completed meeting, when it left no referral
    /// (none at the meeting, none from the contact since): due a week after the meeting, or a
    /// week after the last ask (an outbound message since); after two asks the thread is closed.
    static func rebuildAskReferral(_ connection: SQLiteConnection, userID: Int64, contactID: Int64) throws {
        try connection.run("DELETE FROM reminders WHERE contact_id = ? AND kind = 'ask_referral_again'", [contactID])
        typealias M = Completed
        guard
            let (meetingID, completedAt) = try connection.queryOne(
                "SELECT " + M.select + " FROM meetings WHERE contact_id = ? AND status = 'completed' AND completed_at IS NOT NULL "
                    + "ORDER BY completed_at DESC, id DESC LIMIT 1", [contactID], { ($0.int64(M.id), try $0.stamp(M.completedAt, of: "meetings", id: $0.int64(M.id))) })
        else { return }
        let referred = try connection.scalarInt(
            "SELECT 1 FROM referrals WHERE meeting_id = ?1 UNION ALL SELECT 1 FROM referrals WHERE referrer_id = ?2 AND created_at >= ?3 LIMIT 1",
            [meetingID, contactID, completedAt])
        guard referred == nil else { return }
        typealias C = Message
        let asks = try connection.query(
            "SELECT " + C.select + " FROM outreach WHERE contact_id = ? AND direction = 'outbound' AND sent_at > ? ORDER BY sent_at", [contactID, completedAt]
        ) { try $0.stamp(C.sentAt, of: "outreach", id: $0.int64(C.id)) }
        guard asks.count < maxAsks else { return }
        let due = (asks.last ?? completedAt).addingTimeInterval(askAgainInterval)
        try insert(
            connection, userID: userID, kind: "ask_referral_again", refID: meetingID, contactID: contactID, meetingID: meetingID,
            since: completedAt, asks: asks.count, due: due)
    }

    private enum Completed: Int32, SelectList {
        case id, completedAt
        var sql: String {
            switch self {
            case .id: "id"
            case .completedAt: "completed_at"
            }
        }
    }

    private enum Pending: Int32, SelectList {
        case id, kind, since
        var sql: String {
            switch self {
            case .id: "id"
            case .kind: "kind"
            case .since: "since"
            }
        }
    }

    /// The contact's latest meeting left a referral: nothing to ask again.
    static func dropAskReferral(_ connection: SQLiteConnection, contactID: Int64) throws {
        try connection.run("DELETE FROM reminders WHERE contact_id = ? AND kind = 'ask_referral_again'", [contactID])
    }

    /// After a change of the user's time zone, intervals or holidays: business days move with them.
    static func rezone(_ connection: SQLiteConnection, userID: Int64) throws {
        let calendar = try FollowUpCalendar.load(connection, userID: userID)
        typealias C = Pending
        let rows = try connection.query(
            "SELECT " + C.select + " FROM reminders WHERE user_id = ? AND (kind = 'follow_up' OR kind = 'try_second_contact')", [userID]
        ) { ($0.int64(C.id), $0.string(C.kind), try $0.stamp(C.since, of: "reminders", id: $0.int64(C.id))) }
        for (id, kind, since) in rows {
            let due = calendar.due(kind, since: since)
            try connection.run("UPDATE reminders SET due_at = ? WHERE id = ?", [due, id])
        }
    }

    /// Rewrites one account's reminders and keep-in-touch timers from the rows they derive from
    /// (after a restore, or a bulk load made outside the API); returns the reminders written.
    /// Every statement reads the account's rows through an index that starts with the account
    /// or one of its rows, so the cost is the account's own (`foothold reindex` runs it per account).
    static func rebuildAll(_ connection: SQLiteConnection, userID: Int64) throws -> Int {
        try connection.run(
            """
            UPDATE contacts SET last_touch_at = (
                SELECT max(t) FROM (
                    SELECT max(sent_at) AS t FROM outreach WHERE outreach.contact_id = contacts.id
                    UNION ALL
                    SELECT max(completed_at) FROM meetings WHERE meetings.contact_id = contacts.id AND meetings.status = 'completed'))
            WHERE user_id = ?
            """, [userID])
        try connection.run("DELETE FROM reminders WHERE user_id = ?", [userID])
        let organizations = try connection.integers("SELECT id FROM organizations WHERE user_id = ?", [userID])
        for organization in organizations {
            try rebuildFollowUps(connection, userID: userID, organizationID: organization, contactID: nil)
        }
        let loners = try connection.integers(
            "SELECT c.id FROM contacts c WHERE c.user_id = ? AND c.organization_id IS NULL AND EXISTS (SELECT 1 FROM outreach o WHERE o.contact_id = c.id)",
            [userID])
        for contact in loners {
            try rebuildFollowUps(connection, userID: userID, organizationID: nil, contactID: contact)
        }
        let met = try connection.integers("SELECT DISTINCT contact_id FROM meetings WHERE user_id = ? AND status = 'completed'", [userID])
        for contact in met {
            try rebuildAskReferral(connection, userID: userID, contactID: contact)
        }
        return Int(try connection.scalarInt("SELECT count(*) FROM reminders WHERE user_id = ?", [userID]) ?? 0)
    }

    /// Everything a change to a contact's outreach or completed meetings moves: the keep-in-touch
    /// timer, the organization's 3B7 threads and the ask for a referral.
    static func touched(_ connection: SQLiteConnection, userID: Int64, contactID: Int64) throws {
        try Touch.refresh(connection, contactID: contactID)
        try rebuildFollowUps(connection, userID: userID, contactID: contactID)
        try rebuildAskReferral(connection, userID: userID, contactID: contactID)
    }

    private static func insert(
        _ connection: SQLiteConnection, userID: Int64, kind: String, refID: Int64, contactID: Int64, meetingID: Int64?, since: Date, asks: Int,
        due: Date
    ) throws {
        try connection.run(
            "INSERT INTO reminders (user_id, kind, ref_id, contact_id, meeting_id, since, asks, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [userID, kind, refID, contactID, meetingID, since, asks, due])
    }
}

/// The keep-in-touch timer: the contact's last logged touch (an outreach either way, a
/// completed meeting). Not part of the contact's representation, so its version stays.
enum Touch {
    /// A touch logged now: the timer moves on unless a later one is recorded already.
    static func advance(_ connection: SQLiteConnection, contactID: Int64, to stamp: Date) throws {
        try connection.run("UPDATE contacts SET last_touch_at = ?1 WHERE id = ?2 AND (last_touch_at IS NULL OR last_touch_at < ?1)", [stamp, contactID])
    }

    static func refresh(_ connection: SQLiteConnection, contactID: Int64) throws {
        try connection.run(
            """
            UPDATE contacts SET last_touch_at = (
                SELECT max(t) FROM (
                    SELECT max(sent_at) AS t FROM outreach WHERE contact_id = ?1
                    UNION ALL
                    SELECT max(completed_at) FROM meetings WHERE contact_id = ?1 AND status = 'completed'))
            WHERE id = ?1
            """, [contactID])
    }
}
