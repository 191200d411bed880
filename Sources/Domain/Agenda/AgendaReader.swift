#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// Where the previous page ended.
struct AgendaCursor {
    var due: String
    var kind: String
    var refID: Int64

    init?(_ keyset: Keyset?) {
        guard let keys = keyset?.keys, keys.count == 3, case .text(let due) = keys[0], case .text(let kind) = keys[1],
              case .integer(let refID) = keys[2]
        else { return nil }
        self.due = due
        self.kind = kind
        self.refID = refID
    }

    /// Whether an item sorts after the cursor.
    func precedes(_ item: DueItem) -> Bool {
        (item.due, item.kind.rawValue, item.refID) > (due, kind, refID)
    }
}

/// Reads each kind's first `limit` items after the cursor, then merges them. Each kind's
/// statement declares its select list beside its reads.
struct AgendaReader {
    let connection: SQLiteConnection
    let userID: Int64
    let zone: ZoneRules
    let start: Date
    let end: Date
    let now: Date
    let limit: Int
    let after: AgendaCursor?
    private var items: [DueItem] = []

    init(connection: SQLiteConnection, userID: Int64, zone: ZoneRules, start: Date, end: Date, now: Date, limit: Int, after: AgendaCursor?) {
        self.connection = connection
        self.userID = userID
        self.zone = zone
        self.start = start
        self.end = end
        self.now = now
        self.limit = limit
        self.after = after
    }

    mutating func read() throws -> [DueItem] {
        try meetings()
        try thankYous()
        try events()
        try referrals()
        try keepInTouch()
        try reminders()
        try coachNotes()
        items.sort { ($0.due, $0.kind.rawValue, $0.refID) < ($1.due, $1.kind.rawValue, $1.refID) }
        // Prep is judged meeting by meeting: only as far as the page can still reach.
        try prepMissing(through: items.count >= limit ? items[limit - 1].due : nil)
        items.sort { ($0.due, $0.kind.rawValue, $0.refID) < ($1.due, $1.kind.rawValue, $1.refID) }
        return items
    }

    /// The keyset condition for a kind read alone, whose rows sort by (`due`, `id`).
    private func after(_ kind: AgendaKind, due: String, id: String) -> (String, [any DatabaseValueConvertible]) {
        guard let after else { return ("", []) }
        if kind.rawValue > after.kind { return (" AND \(due) >= ?", [after.due]) }
        if kind.rawValue < after.kind { return (" AND \(due) > ?", [after.due]) }
        return (" AND (\(due) > ? OR (\(due) = ? AND \(id) > ?))", [after.due, after.due, after.refID])
    }

    /// Items put away on this day: dismissed for good, or snoozed past its end.
    private func notDismissed(_ kind: AgendaKind, ref: String, end: String = "?2") -> String {
        "NOT EXISTS (SELECT 1 FROM agenda_dismissals d WHERE d.user_id = ?1 AND d.kind = '\(kind.rawValue)' AND d.ref_id = \(ref) "
            + "AND (d.until IS NULL OR d.until >= \(end)))"
    }

    private func local(_ date: Date?) -> String {
        guard let date else { return "" }
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let day = zone.localDate(of: seconds)
        let local = seconds + Int64(zone.offset(at: seconds))
        let timeOfDay = Int(((local % 86400) + 86400) % 86400)
        let hours = timeOfDay / 3600, minutes = timeOfDay % 3600 / 60
        return LocalDay.format((day.year, day.month, day.day)) + " " + (hours < 10 ? "0" : "") + "\(hours):" + (minutes < 10 ? "0" : "") + "\(minutes)"
    }

    private func localDate(_ date: Date?) -> String {
        String(local(date).prefix(10))
    }

    /// A meeting and its contact: the meeting items and the thank-yous read the same list.
    private enum MeetingItem: Int32, SelectList {
        case id, due, contactID, contactName, organizationID
        /// `due` is the column each kind is due by.
        static func select(due: String) -> String { allCases.map { $0 == .due ? due : $0.sql }.joined(separator: ", ") }
        var sql: String {
            switch self {
            case .id: "m.id"
            case .due: "m.scheduled_at"
            case .contactID: "m.contact_id"
            case .contactName: "c.name"
            case .organizationID: "c.organization_id"
            }
        }
    }

    private mutating func meetings() throws {
        typealias C = MeetingItem
        let (cursor, values) = after(.meeting, due: "coalesce(m.scheduled_at, '')", id: "m.id")
        try connection.forEachRow(
            "SELECT " + C.select(due: "m.scheduled_at") + " FROM meetings m JOIN contacts c ON c.id = m.contact_id "
                + "WHERE m.user_id = ?1 AND m.status = 'scheduled' AND coalesce(m.scheduled_at, '') > '' AND coalesce(m.scheduled_at, '') < ?2"
                + cursor + " AND " + notDismissed(.meeting, ref: "m.id") + " ORDER BY coalesce(m.scheduled_at, ''), m.id LIMIT \(limit)",
            [userID, end] + values
        ) { row in
            let at = row.date(C.due)
            let past = (at ?? now) < start
            let name = row.string(C.contactName)
            items.append(
                DueItem(
                    kind: .meeting, due: row.string(C.due), refID: row.int64(C.id),
                    reason: past
                        ? "The meeting with \(name) on \(local(at)) is still scheduled: complete it, or mark it cancelled or a no-show."
                        : "Meeting with \(name) at \(local(at)).",
                    contactID: row.int64(C.contactID), contactName: name, organizationID: row.optionalInt64(C.organizationID),
                    meetingID: row.int64(C.id)))
        }
    }

    private mutating func thankYous() throws {
        typealias C = MeetingItem
        let (cursor, values) = after(.thankYou, due: "m.completed_at", id: "m.id")
        try connection.forEachRow(
            "SELECT " + C.select(due: "m.completed_at") + " FROM meetings m JOIN contacts c ON c.id = m.contact_id "
                + "WHERE m.user_id = ?1 AND m.status = 'completed' AND m.thank_you_sent_at IS NULL AND m.completed_at < ?2"
                + cursor + " AND " + notDismissed(.thankYou, ref: "m.id") + " ORDER BY m.completed_at, m.id LIMIT \(limit)",
            [userID, end] + values
        ) { row in
            let deadline = row.date(C.due)?.addingTimeInterval(24 * 3600)
            let name = row.string(C.contactName)
            items.append(
                DueItem(
                    kind: .thankYou, due: row.string(C.due), refID: row.int64(C.id),
                    reason: "Send \(name) a thank-you note for the meeting; it is due by \(local(deadline)). "
                        + "Record it with thank_you_sent_at.",
                    contactID: row.int64(C.contactID), contactName: name, organizationID: row.optionalInt64(C.organizationID),
                    meetingID: row.int64(C.id)))
        }
    }

    private enum EventItem: Int32, SelectList {
        case id, startsAt, name, status, recommendedByID, recommenderName, meetingID
        var sql: String {
            switch self {
            case .id: "e.id"
            case .startsAt: "e.starts_at"
            case .name: "e.name"
            case .status: "e.status"
            case .recommendedByID: "e.recommended_by_id"
            case .recommenderName: "c.name"
            case .meetingID: "e.meeting_id"
            }
        }
    }

    private mutating func events() throws {
        typealias C = EventItem
        let (cursor, values) = after(.event, due: "e.starts_at", id: "e.id")
        try connection.forEachRow(
            "SELECT " + C.select + " FROM events e LEFT JOIN contacts c ON c.id = e.recommended_by_id "
                + "WHERE e.user_id = ?1 AND e.starts_at IS NOT NULL AND (e.status = 'interested' OR e.status = 'registered') AND e.starts_at < ?2"
                + cursor + " AND " + notDismissed(.event, ref: "e.id") + " ORDER BY e.starts_at, e.id LIMIT \(limit)",
            [userID, end] + values
        ) { row in
            let at = row.date(C.startsAt)
            let by = row.optionalString(C.recommenderName).map { " (recommended by \($0))" } ?? ""
            let name = row.string(C.name), status = row.string(C.status)
            let reason = (at ?? now) < start
                ? "\(name)\(by) was on \(local(at)) and is still \(status): mark it attended or skipped."
                : "\(name)\(by) starts at \(local(at))" + (status == "interested" ? "; you have not registered." : ".")
            items.append(
                DueItem(
                    kind: .event, due: row.string(C.startsAt), refID: row.int64(C.id), reason: reason, contactID: row.optionalInt64(C.recommendedByID),
                    contactName: row.optionalString(C.recommenderName), meetingID: row.optionalInt64(C.meetingID), eventID: row.int64(C.id)))
        }
    }

    private enum CoachNoteItem: Int32, SelectList {
        case id, createdAt, authorName, text, contactID, contactName, organizationID, meetingID
        var sql: String {
            switch self {
            case .id: "n.id"
            case .createdAt: "n.created_at"
            case .authorName: "n.author_name"
            case .text: "n.text"
            case .contactID: "n.contact_id"
            case .contactName: "c.name"
            case .organizationID: "c.organization_id"
            case .meetingID: "n.meeting_id"
            }
        }
    }

    /// A coach's note stays until the member dismisses it (`coach_notes_user`).
    private mutating func coachNotes() throws {
        typealias C = CoachNoteItem
        let (cursor, values) = after(.coachNote, due: "n.created_at", id: "n.id")
        try connection.forEachRow(
            "SELECT " + C.select + " FROM coach_notes n LEFT JOIN contacts c ON c.id = n.contact_id "
                + "WHERE n.user_id = ?1 AND n.created_at < ?2" + cursor + " AND " + notDismissed(.coachNote, ref: "n.id")
                + " ORDER BY n.created_at, n.id LIMIT \(limit)",
            [userID, end] + values
        ) { row in
            items.append(
                DueItem(
                    kind: .coachNote, due: row.string(C.createdAt), refID: row.int64(C.id),
                    reason: "Your coach \(row.string(C.authorName)) wrote: \(row.string(C.text))",
                    contactID: row.optionalInt64(C.contactID), contactName: row.optionalString(C.contactName),
                    organizationID: row.optionalInt64(C.organizationID), meetingID: row.optionalInt64(C.meetingID), coachNoteID: row.int64(C.id)))
        }
    }

    private enum ReferralItem: Int32, SelectList {
        case id, createdAt, contactID, contactName, organizationID, referrerName, meetingID
        var sql: String {
            switch self {
            case .id: "r.id"
            case .createdAt: "r.created_at"
            case .contactID: "r.contact_id"
            case .contactName: "c.name"
            case .organizationID: "c.organization_id"
            case .referrerName: "p.name"
            case .meetingID: "r.meeting_id"
            }
        }
    }

    private mutating func referrals() throws {
        typealias C = ReferralItem
        let (cursor, values) = after(.contactReferral, due: "r.created_at", id: "r.id")
        try connection.forEachRow(
            "SELECT " + C.select + " FROM referrals r JOIN contacts c ON c.id = r.contact_id JOIN contacts p ON p.id = r.referrer_id "
                + "WHERE r.user_id = ?1 AND r.status = 'suggested' AND r.created_at < ?2"
                + cursor + " AND " + notDismissed(.contactReferral, ref: "r.id") + " ORDER BY r.created_at, r.id LIMIT \(limit)",
            [userID, end] + values
        ) { row in
            let referrer = row.string(C.referrerName), name = row.string(C.contactName)
            items.append(
                DueItem(
                    kind: .contactReferral, due: row.string(C.createdAt), refID: row.int64(C.id),
                    reason: "\(referrer) referred you to \(name) on \(localDate(row.date(C.createdAt))); reach out and mention \(referrer).",
                    contactID: row.int64(C.contactID), contactName: name, organizationID: row.optionalInt64(C.organizationID),
                    meetingID: row.optionalInt64(C.meetingID), referralID: row.int64(C.id)))
        }
    }

    private enum KeepInTouchItem: Int32, SelectList {
        case id, dueAt, name, organizationID, days, lastTouchAt
        var sql: String {
            switch self {
            case .id: "c.id"
            case .dueAt: "c.keep_in_touch_due_at"
            case .name: "c.name"
            case .organizationID: "c.organization_id"
            case .days: "c.keep_in_touch_days"
            case .lastTouchAt: "c.last_touch_at"
            }
        }
    }

    private mutating func keepInTouch() throws {
        typealias C = KeepInTouchItem
        let (cursor, values) = after(.keepInTouch, due: "c.keep_in_touch_due_at", id: "c.id")
        try connection.forEachRow(
            "SELECT " + C.select + " FROM contacts c "
                + "WHERE c.user_id = ?1 AND c.keep_in_touch_due_at IS NOT NULL AND c.keep_in_touch_due_at < ?2 AND c.stage != 'do_not_contact'"
                + cursor
                + " AND NOT EXISTS (SELECT 1 FROM agenda_dismissals d WHERE d.user_id = ?1 AND d.kind = 'keep_in_touch' AND d.ref_id = c.id "
                + "AND (d.until >= ?2 OR (d.until IS NULL AND d.due_at = c.keep_in_touch_due_at)))"
                + " ORDER BY c.keep_in_touch_due_at, c.id LIMIT \(limit)",
            [userID, end] + values
        ) { row in
            let last = row.date(C.lastTouchAt).map { "last touch \(localDate($0))" } ?? "no touch logged yet"
            let name = row.string(C.name)
            items.append(
                DueItem(
                    kind: .keepInTouch, due: row.string(C.dueAt), refID: row.int64(C.id),
                    reason: "Keep in touch with \(name): every \(row.int64(C.days)) days, \(last).", contactID: row.int64(C.id),
                    contactName: name, organizationID: row.optionalInt64(C.organizationID)))
        }
    }

    private enum ReminderItem: Int32, SelectList {
        case kind, refID, dueAt, contactID, contactName, organizationID, organizationName, meetingID, since, asks
        var sql: String {
            switch self {
            case .kind: "r.kind"
            case .refID: "r.ref_id"
            case .dueAt: "r.due_at"
            case .contactID: "r.contact_id"
            case .contactName: "c.name"
            case .organizationID: "c.organization_id"
            case .organizationName: "o.name"
            case .meetingID: "r.meeting_id"
            case .since: "r.since"
            case .asks: "r.asks"
            }
        }
    }

    private mutating func reminders() throws {
        typealias C = ReminderItem
        var cursor = ""
        var values: [any DatabaseValueConvertible] = []
        if let after {
            cursor = " AND (r.due_at, r.kind, r.ref_id) > (?, ?, ?)"
            values = [after.due, after.kind, after.refID]
        }
        try connection.forEachRow(
            "SELECT " + C.select + " FROM reminders r "
                + "JOIN contacts c ON c.id = r.contact_id LEFT JOIN organizations o ON o.id = c.organization_id "
                + "WHERE r.user_id = ?1 AND r.due_at < ?2" + cursor
                + " AND NOT EXISTS (SELECT 1 FROM agenda_dismissals d WHERE d.user_id = ?1 AND d.kind = r.kind AND d.ref_id = r.ref_id "
                + "AND (d.until IS NULL OR d.until >= ?2))"
                + " ORDER BY r.due_at, r.kind, r.ref_id LIMIT \(limit)",
            [userID, end] + values
        ) { row in
            guard let kind = AgendaKind(rawValue: row.string(C.kind)) else { return }
            let name = row.string(C.contactName)
            let since = localDate(row.date(C.since))
            let reason: String
            var outreachID: Int64?
            switch kind {
            case .trySecondContact:
                reason = "No reply from \(name) since \(since): try a second contact at \(row.optionalString(C.organizationName) ?? "their organization")."
                outreachID = row.int64(C.refID)
            case .followUp:
                reason = "No reply from \(name) since \(since): follow up once."
                outreachID = row.int64(C.refID)
            default:
                reason = row.int64(C.asks) == 0
                    ? "No referral yet from your meeting with \(name) on \(since): ask once more whom else you should talk to."
                    : "Still no referral from \(name) since your meeting on \(since) and one ask: ask once more (the last time)."
            }
            items.append(
                DueItem(
                    kind: kind, due: row.string(C.dueAt), refID: row.int64(C.refID), reason: reason, contactID: row.int64(C.contactID),
                    contactName: name, organizationID: row.optionalInt64(C.organizationID), meetingID: row.optionalInt64(C.meetingID),
                    outreachID: outreachID))
        }
    }

    private enum PrepCandidate: Int32, SelectList {
        case id, scheduledAt
        var sql: String {
            switch self {
            case .id: "m.id"
            case .scheduledAt: "coalesce(m.scheduled_at, '')"
            }
        }
    }

    /// Scheduled meetings from the day's start to two days after its end whose prep is not ready,
    /// judged in due order until `limit` are found or their due passes `bound`.
    private mutating func prepMissing(through bound: String?) throws {
        typealias C = PrepCandidate
        var horizon = end.addingTimeInterval(AgendaService.prepWindow)
        if let bound, let reach = RFC3339.parse(bound)?.addingTimeInterval(AgendaService.prepWindow + 0.001), reach < horizon { horizon = reach }
        // Ids first (the index alone), each meeting read only when it is judged.
        let candidates = try connection.query(
            "SELECT " + C.select + " FROM meetings m WHERE m.user_id = ?1 AND m.status = 'scheduled' "
                + "AND coalesce(m.scheduled_at, '') >= ?2 AND coalesce(m.scheduled_at, '') < ?3 AND " + notDismissed(.prepMissing, ref: "m.id", end: "?4")
                + " ORDER BY coalesce(m.scheduled_at, ''), m.id",
            [userID, start, horizon, end]) { ($0.int64(C.id), $0.string(C.scheduledAt)) }
        var found = 0
        for (id, scheduled) in candidates {
            guard let at = RFC3339.parse(scheduled) else { continue }
            let due = RFC3339.format(at.addingTimeInterval(-AgendaService.prepWindow))
            if found >= limit { break }
            if let bound, due > bound { break }
            let meeting = try MeetingStore.load(connection, userID: userID, id: id)
            let item = DueItem(kind: .prepMissing, due: due, refID: meeting.id, reason: "", contactID: meeting.contactID, meetingID: meeting.id)
            if let after, !after.precedes(item) { continue }
            let report = try MeetingService.prep(connection, userID: userID, meeting: meeting, now: now)
            guard !report.ready else { continue }
            var full = item
            let contact = try ContactStore.nameAndOrganization(connection, id: meeting.contactID)
            full.contactName = contact?.name
            full.organizationID = contact?.organizationID
            let missing = report.items.filter { !$0.passed }.map { (item: PrepReport.Item) in item.code }.joined(separator: ", ")
            full.reason = "The meeting with \(contact?.name ?? "your contact") at \(local(at)) is not prepared: \(missing). See GET /meetings/\(meeting.id)/prep."
            items.append(full)
            found += 1
        }
    }
}
