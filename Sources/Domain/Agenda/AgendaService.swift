#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// What the agenda can ask the user to do.
public enum AgendaKind: String, Sendable, CaseIterable, Comparable {
    case askReferralAgain = "ask_referral_again"
    case coachNote = "coach_note"
    case contactReferral = "contact_referral"
    case event
    case followUp = "follow_up"
    case keepInTouch = "keep_in_touch"
    case meeting
    case prepMissing = "prep_missing"
    case thankYou = "thank_you"
    case trySecondContact = "try_second_contact"

    /// Items of one due time are ordered by kind, as their names sort.
    public static func < (a: AgendaKind, b: AgendaKind) -> Bool { a.rawValue < b.rawValue }

    /// The table whose row an item's `ref_id` names.
    var refTable: (table: String, noun: String) {
        switch self {
        case .meeting, .thankYou, .prepMissing, .askReferralAgain: ("meetings", "meeting")
        case .followUp, .trySecondContact: ("outreach", "outreach entry")
        case .event: ("events", "event")
        case .contactReferral: ("referrals", "referral")
        case .keepInTouch: ("contacts", "contact")
        case .coachNote: ("coach_notes", "coach note")
        }
    }
}

/// One thing to do: its kind, when it fell due, why, and what it is about.
public struct DueItem: Sendable, Equatable {
    public var kind: AgendaKind
    /// As stored (RFC 3339, UTC, milliseconds): the keyset sorts on this text.
    public var due: String
    public var refID: Int64
    public var reason: String
    public var contactID: Int64?
    public var contactName: String?
    public var organizationID: Int64?
    public var meetingID: Int64?
    public var eventID: Int64?
    public var referralID: Int64?
    public var outreachID: Int64?
    public var coachNoteID: Int64?
}

/// One day's agenda page.
public struct AgendaDay: Sendable {
    /// The local date asked for, YYYY-MM-DD.
    public var date: String
    public var timeZone: String
    public var items: [DueItem]
    public var next: Keyset?
}

/// A dismissal or snooze of one agenda item.
public struct AgendaDismissal: Sendable, Equatable {
    public var kind: AgendaKind
    public var refID: Int64
    /// Hidden until then; nil: for good (a keep-in-touch item: until the next touch).
    public var until: Date?
    public var createdAt: Date
}

/// `GET /agenda`: what to do on a day — everything due that day or overdue, oldest first, each
/// with its reason (docs/product.md "Today"). Every kind is read in due order through an index
/// and the kinds are merged, so a page costs the same however much history the account has.
public final class AgendaService: Sendable {
    let storage: Storage
    let clock: any Clock

    /// The agenda's only order: due, then kind, then the id the item is about.
    public static let order = ListOrder(name: "due", columns: ["due", "kind"], descending: false)
    /// "A meeting within 2 days whose prep is not ready."
    static let prepWindow: TimeInterval = 2 * 24 * 3600

    public init(storage: Storage, clock: any Clock = SystemClock()) {
        self.storage = storage
        self.clock = clock
    }

    /// The agenda of `date` (YYYY-MM-DD, local to the user's zone; nil: today there).
    public func day(userID: Int64, date: String?, page: PageRequest) throws -> AgendaDay {
        let now = clock.now()
        return try storage.read { connection in
            let zoneName = try connection.queryOne("SELECT time_zone FROM users WHERE id = ?", [userID]) { $0.string(0) } ?? "UTC"
            let zone = ZoneCache.rules(named: zoneName)
            let day: (year: Int, month: Int, day: Int)
            if let date, let parsed = LocalDay.parse(date) {
                day = parsed
            } else {
                let local = zone.localDate(of: Int64(now.timeIntervalSince1970.rounded(.down)))
                day = (local.year, local.month, local.day)
            }
            let start = Date(timeIntervalSince1970: Double(zone.startOfDay(year: day.year, month: day.month, day: day.day)))
            let nextDays = RFC3339.civilFromDays(Int64(RFC3339.daysFromCivil(year: day.year, month: day.month, day: day.day) + 1))
            let end = Date(timeIntervalSince1970: Double(zone.startOfDay(year: nextDays.year, month: nextDays.month, day: nextDays.day)))
            var reader = AgendaReader(
                connection: connection, userID: userID, zone: zone, start: start, end: end, now: now, limit: page.limit + 1,
                after: AgendaCursor(page.after))
            let items = try reader.read()
            let pageItems = Array(items.prefix(page.limit))
            let next = items.count > page.limit ? pageItems.last.map { (item: DueItem) -> Keyset in Keyset([Keyset.Key.text(item.due), Keyset.Key.text(item.kind.rawValue), Keyset.Key.integer(item.refID)]) } : nil
            return AgendaDay(date: LocalDay.format(day), timeZone: zoneName, items: pageItems, next: next)
        }
    }

    /// `POST /agenda/dismissals`: puts an item away for good or until a time; again for the same
    /// item replaces it. Returns the dismissal and whether it is new.
    public func dismiss(userID: Int64, kind: AgendaKind, refID: Int64, until: Date?) -> Future<(AgendaDismissal, Bool)> {
        let storage = storage
        return storage.submit { connection in
            let (table, noun) = kind.refTable
            if let issue = try OwnedIDs.issue([refID], in: table, noun: noun, field: "ref_id", userID: userID, connection) {
                throw DomainError.validation([issue])
            }
            if let missing = try Self.itemIssue(connection, userID: userID, kind: kind, refID: refID) {
                throw DomainError.validation([FieldIssue("ref_id", missing)])
            }
            // A keep-in-touch dismissal holds while the due time it put away is the current one.
            let due: String? =
                kind == .keepInTouch
                ? try connection.queryOne("SELECT keep_in_touch_due_at FROM contacts WHERE id = ?", [refID]) { $0.optionalString(0) } ?? nil : nil
            let stamp = storage.stamp()
            let existed = try connection.scalarInt(
                "SELECT 1 FROM agenda_dismissals WHERE user_id = ? AND kind = ? AND ref_id = ?", [userID, kind.rawValue, refID]) != nil
            try connection.run(
                "INSERT OR REPLACE INTO agenda_dismissals (user_id, kind, ref_id, until, due_at, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                [userID, kind.rawValue, refID, until, due, stamp])
            return (AgendaDismissal(kind: kind, refID: refID, until: until, createdAt: stamp), !existed)
        }
    }

    /// Why the agenda has no item of `kind` about `refID`, now or to come (its row exists):
    /// a dismissal puts away an item, not a row that cannot be one.
    static func itemIssue(_ connection: SQLiteConnection, userID: Int64, kind: AgendaKind, refID: Int64) throws -> String? {
        let (sql, why): (String, String) = switch kind {
        case .meeting, .prepMissing: ("SELECT 1 FROM meetings WHERE id = ? AND status = 'scheduled' AND scheduled_at IS NOT NULL", "meeting \(refID) is not scheduled")
        case .thankYou: ("SELECT 1 FROM meetings WHERE id = ? AND status = 'completed' AND thank_you_sent_at IS NULL", "meeting \(refID) owes no thank-you")
        case .event: ("SELECT 1 FROM events WHERE id = ? AND starts_at IS NOT NULL AND status IN ('interested', 'registered')", "event \(refID) is not on the agenda")
        case .contactReferral: ("SELECT 1 FROM referrals WHERE id = ? AND status = 'suggested'", "referral \(refID) is no longer suggested")
        case .keepInTouch: ("SELECT 1 FROM contacts WHERE id = ? AND keep_in_touch_due_at IS NOT NULL AND stage != 'do_not_contact'", "contact \(refID) has no keep-in-touch cadence")
        case .coachNote: ("SELECT 1 FROM coach_notes WHERE id = ?", "no such coach note")
        case .followUp, .trySecondContact, .askReferralAgain:
            ("SELECT 1 FROM reminders WHERE user_id = ? AND kind = '\(kind.rawValue)' AND ref_id = ?", "no \(kind.rawValue) is due for \(kind.refTable.noun) \(refID)")
        }
        let values: [any DatabaseValueConvertible] = sql.hasPrefix("SELECT 1 FROM reminders") ? [userID, refID] : [refID]
        return try connection.scalarInt(sql, values) == nil ? "is not an item the agenda has: \(why)" : nil
    }

    /// `DELETE /agenda/dismissals/{kind}/{ref_id}`: brings the item back; not found when none.
    public func undismiss(userID: Int64, kind: AgendaKind, refID: Int64) -> Future<Void> {
        storage.submit { connection in
            let removed = try connection.run(
                "DELETE FROM agenda_dismissals WHERE user_id = ? AND kind = ? AND ref_id = ?", [userID, kind.rawValue, refID])
            if removed == 0 { throw DomainError.notFound("No dismissal of \(kind.rawValue) \(refID).") }
        }
    }

    /// What `foothold reindex` has done so far.
    public struct ReindexProgress: Sendable {
        /// Rows (re)indexed for search.
        public var indexed = 0
        public var accounts = 0
        public var accountsTotal = 0
        public var reminders = 0
    }

    /// `foothold reindex`: indexes what search has queued, then rebuilds every account's
    /// reminders and timers. Linear in what the server holds: search takes a batch of rows per
    /// write and reminders one account per write, each reading that account through its own
    /// indexes; the writes are many small commits, so the checkpointer keeps the WAL bounded by
    /// about one search batch (40 MB measured) however large the database. `progress` is called
    /// after each step.
    public func rebuildDerived(progress: (ReindexProgress) -> Void = { _ in }) throws -> ReindexProgress {
        var done = ReindexProgress()
        while true {
            let taken = try storage.submit { try SearchIndex.drain($0, batch: SearchIndex.reindexBatch) }.wait()
            done.indexed += taken
            if taken > 0 { progress(done) }
            if taken < SearchIndex.reindexBatch { break }
        }
        done.accountsTotal = Int(try storage.read { try $0.scalarInt("SELECT count(*) /* plan: counts the accounts for progress */ FROM users") } ?? 0)
        var after: Int64 = 0
        // A page of accounts at a time; their writes are submitted together, so the writer
        // thread commits them in batches rather than one fsync each.
        while true {
            let accounts = try storage.read {
                try $0.query("SELECT id FROM users WHERE id > ? ORDER BY id LIMIT 200 /* plan: walks every account, a page at a time */", [after]) {
                    $0.int64(0)
                }
            }
            guard let last = accounts.last else { break }
            let writes = accounts.map { account in storage.submit { try Reminders.rebuildAll($0, userID: account) } }
            for write in writes { done.reminders += try write.wait() }
            done.accounts += accounts.count
            after = last
            progress(done)
        }
        return done
    }

    /// Accepts a local date or a timestamp for `until`: a date is its midnight in the user's zone.
    public func instant(userID: Int64, localDate text: String) throws -> Date? {
        guard let day = LocalDay.parse(text) else { return nil }
        let zone = try storage.read { try ZoneCache.rules($0, userID: userID) }
        return Date(timeIntervalSince1970: Double(zone.startOfDay(year: day.year, month: day.month, day: day.day)))
    }
}

/// Calendar dates as the agenda's `date` parameter writes them.
public enum LocalDay {
    public static func parse(_ text: String) -> (year: Int, month: Int, day: Int)? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...9998).contains(year), (1...12).contains(month), (1...RFC3339.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        return (year, month, day)
    }

    static func format(_ day: (year: Int, month: Int, day: Int)) -> String {
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(day.year, 4))-\(pad(day.month, 2))-\(pad(day.day, 2))"
    }
}

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

/// Reads each kind's first `limit` items after the cursor, then merges them.
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

    private mutating func meetings() throws {
        let (cursor, values) = after(.meeting, due: "coalesce(m.scheduled_at, '')", id: "m.id")
        try connection.forEachRow(
            "SELECT m.id, m.scheduled_at, m.contact_id, c.name, c.organization_id FROM meetings m JOIN contacts c ON c.id = m.contact_id "
                + "WHERE m.user_id = ?1 AND m.status = 'scheduled' AND coalesce(m.scheduled_at, '') > '' AND coalesce(m.scheduled_at, '') < ?2"
                + cursor + " AND " + notDismissed(.meeting, ref: "m.id") + " ORDER BY coalesce(m.scheduled_at, ''), m.id LIMIT \(limit)",
            [userID, end] + values
        ) { row in
            let at = row.date(1)
            let past = (at ?? now) < start
            items.append(
                DueItem(
                    kind: .meeting, due: row.string(1), refID: row.int64(0),
                    reason: past
                        ? "The meeting with \(row.string(3)) on \(local(at)) is still scheduled: complete it, or mark it cancelled or a no-show."
                        : "Meeting with \(row.string(3)) at \(local(at)).",
                    contactID: row.int64(2), contactName: row.string(3), organizationID: row.optionalInt64(4), meetingID: row.int64(0)))
        }
    }

    private mutating func thankYous() throws {
        let (cursor, values) = after(.thankYou, due: "m.completed_at", id: "m.id")
        try connection.forEachRow(
            "SELECT m.id, m.completed_at, m.contact_id, c.name, c.organization_id FROM meetings m JOIN contacts c ON c.id = m.contact_id "
                + "WHERE m.user_id = ?1 AND m.status = 'completed' AND m.thank_you_sent_at IS NULL AND m.completed_at < ?2"
                + cursor + " AND " + notDismissed(.thankYou, ref: "m.id") + " ORDER BY m.completed_at, m.id LIMIT \(limit)",
            [userID, end] + values
        ) { row in
            let deadline = row.date(1)?.addingTimeInterval(24 * 3600)
            items.append(
                DueItem(
                    kind: .thankYou, due: row.string(1), refID: row.int64(0),
                    reason: "Send \(row.string(3)) a thank-you note for the meeting; it is due by \(local(deadline)). "
                        + "Record it with thank_you_sent_at.",
                    contactID: row.int64(2), contactName: row.string(3), organizationID: row.optionalInt64(4), meetingID: row.int64(0)))
        }
    }

    private mutating func events() throws {
        let (cursor, values) = after(.event, due: "e.starts_at", id: "e.id")
        try connection.forEachRow(
            "SELECT e.id, e.starts_at, e.name, e.status, e.recommended_by_id, c.name, e.meeting_id FROM events e "
                + "LEFT JOIN contacts c ON c.id = e.recommended_by_id "
                + "WHERE e.user_id = ?1 AND e.starts_at IS NOT NULL AND (e.status = 'interested' OR e.status = 'registered') AND e.starts_at < ?2"
                + cursor + " AND " + notDismissed(.event, ref: "e.id") + " ORDER BY e.starts_at, e.id LIMIT \(limit)",
            [userID, end] + values
        ) { row in
            let at = row.date(1)
            let by = row.optionalString(5).map { " (recommended by \($0))" } ?? ""
            let reason = (at ?? now) < start
                ? "\(row.string(2))\(by) was on \(local(at)) and is still \(row.string(3)): mark it attended or skipped."
                : "\(row.string(2))\(by) starts at \(local(at))" + (row.string(3) == "interested" ? "; you have not registered." : ".")
            items.append(
                DueItem(
                    kind: .event, due: row.string(1), refID: row.int64(0), reason: reason, contactID: row.optionalInt64(4),
                    contactName: row.optionalString(5), meetingID: row.optionalInt64(6), eventID: row.int64(0)))
        }
    }

    /// A coach's note stays until the member dismisses it (`coach_notes_user`).
    private mutating func coachNotes() throws {
        let (cursor, values) = after(.coachNote, due: "n.created_at", id: "n.id")
        try connection.forEachRow(
            "SELECT n.id, n.created_at, n.author_name, n.text, n.contact_id, c.name, c.organization_id, n.meeting_id FROM coach_notes n "
                + "LEFT JOIN contacts c ON c.id = n.contact_id "
                + "WHERE n.user_id = ?1 AND n.created_at < ?2" + cursor + " AND " + notDismissed(.coachNote, ref: "n.id")
                + " ORDER BY n.created_at, n.id LIMIT \(limit)",
            [userID, end] + values
        ) { row in
            items.append(
                DueItem(
                    kind: .coachNote, due: row.string(1), refID: row.int64(0), reason: "Your coach \(row.string(2)) wrote: \(row.string(3))",
                    contactID: row.optionalInt64(4), contactName: row.optionalString(5), organizationID: row.optionalInt64(6),
                    meetingID: row.optionalInt64(7), coachNoteID: row.int64(0)))
        }
    }

    private mutating func referrals() throws {
        let (cursor, values) = after(.contactReferral, due: "r.created_at", id: "r.id")
        try connection.forEachRow(
            "SELECT r.id, r.created_at, r.contact_id, c.name, c.organization_id, p.name, r.meeting_id FROM referrals r "
                + "JOIN contacts c ON c.id = r.contact_id JOIN contacts p ON p.id = r.referrer_id "
                + "WHERE r.user_id = ?1 AND r.status = 'suggested' AND r.created_at < ?2"
                + cursor + " AND " + notDismissed(.contactReferral, ref: "r.id") + " ORDER BY r.created_at, r.id LIMIT \(limit)",
            [userID, end] + values
        ) { row in
            items.append(
                DueItem(
                    kind: .contactReferral, due: row.string(1), refID: row.int64(0),
                    reason: "\(row.string(5)) referred you to \(row.string(3)) on \(localDate(row.date(1))); reach out and mention \(row.string(5)).",
                    contactID: row.int64(2), contactName: row.string(3), organizationID: row.optionalInt64(4), meetingID: row.optionalInt64(6),
                    referralID: row.int64(0)))
        }
    }

    private mutating func keepInTouch() throws {
        let (cursor, values) = after(.keepInTouch, due: "c.keep_in_touch_due_at", id: "c.id")
        try connection.forEachRow(
            "SELECT c.id, c.keep_in_touch_due_at, c.name, c.organization_id, c.keep_in_touch_days, c.last_touch_at FROM contacts c "
                + "WHERE c.user_id = ?1 AND c.keep_in_touch_due_at IS NOT NULL AND c.keep_in_touch_due_at < ?2 AND c.stage != 'do_not_contact'"
                + cursor
                + " AND NOT EXISTS (SELECT 1 FROM agenda_dismissals d WHERE d.user_id = ?1 AND d.kind = 'keep_in_touch' AND d.ref_id = c.id "
                + "AND (d.until >= ?2 OR (d.until IS NULL AND d.due_at = c.keep_in_touch_due_at)))"
                + " ORDER BY c.keep_in_touch_due_at, c.id LIMIT \(limit)",
            [userID, end] + values
        ) { row in
            let last = row.date(5).map { "last touch \(localDate($0))" } ?? "no touch logged yet"
            items.append(
                DueItem(
                    kind: .keepInTouch, due: row.string(1), refID: row.int64(0),
                    reason: "Keep in touch with \(row.string(2)): every \(row.int64(4)) days, \(last).", contactID: row.int64(0),
                    contactName: row.string(2), organizationID: row.optionalInt64(3)))
        }
    }

    private mutating func reminders() throws {
        var cursor = ""
        var values: [any DatabaseValueConvertible] = []
        if let after {
            cursor = " AND (r.due_at, r.kind, r.ref_id) > (?, ?, ?)"
            values = [after.due, after.kind, after.refID]
        }
        try connection.forEachRow(
            "SELECT r.kind, r.ref_id, r.due_at, r.contact_id, c.name, c.organization_id, o.name, r.meeting_id, r.since, r.asks FROM reminders r "
                + "JOIN contacts c ON c.id = r.contact_id LEFT JOIN organizations o ON o.id = c.organization_id "
                + "WHERE r.user_id = ?1 AND r.due_at < ?2" + cursor
                + " AND NOT EXISTS (SELECT 1 FROM agenda_dismissals d WHERE d.user_id = ?1 AND d.kind = r.kind AND d.ref_id = r.ref_id "
                + "AND (d.until IS NULL OR d.until >= ?2))"
                + " ORDER BY r.due_at, r.kind, r.ref_id LIMIT \(limit)",
            [userID, end] + values
        ) { row in
            guard let kind = AgendaKind(rawValue: row.string(0)) else { return }
            let name = row.string(4)
            let since = localDate(row.date(8))
            let reason: String
            var outreachID: Int64?
            switch kind {
            case .trySecondContact:
                reason = "No reply from \(name) since \(since): try a second contact at \(row.optionalString(6) ?? "their organization")."
                outreachID = row.int64(1)
            case .followUp:
                reason = "No reply from \(name) since \(since): follow up once."
                outreachID = row.int64(1)
            default:
                let asks = row.int64(9)
                reason = asks == 0
                    ? "No referral yet from your meeting with \(name) on \(since): ask once more whom else you should talk to."
                    : "Still no referral from \(name) since your meeting on \(since) and one ask: ask once more (the last time)."
            }
            items.append(
                DueItem(
                    kind: kind, due: row.string(2), refID: row.int64(1), reason: reason, contactID: row.int64(3), contactName: name,
                    organizationID: row.optionalInt64(5), meetingID: row.optionalInt64(7), outreachID: outreachID))
        }
    }

    /// Scheduled meetings from the day's start to two days after its end whose prep is not ready,
    /// judged in due order until `limit` are found or their due passes `bound`.
    private mutating func prepMissing(through bound: String?) throws {
        var horizon = end.addingTimeInterval(AgendaService.prepWindow)
        if let bound, let reach = RFC3339.parse(bound)?.addingTimeInterval(AgendaService.prepWindow + 0.001), reach < horizon { horizon = reach }
        // Ids first (the index alone), each meeting read only when it is judged.
        let candidates = try connection.query(
            "SELECT m.id, coalesce(m.scheduled_at, '') FROM meetings m WHERE m.user_id = ?1 AND m.status = 'scheduled' "
                + "AND coalesce(m.scheduled_at, '') >= ?2 AND coalesce(m.scheduled_at, '') < ?3 AND " + notDismissed(.prepMissing, ref: "m.id", end: "?4")
                + " ORDER BY coalesce(m.scheduled_at, ''), m.id",
            [userID, start, horizon, end]) { ($0.int64(0), $0.string(1)) }
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
            let name = try connection.queryOne("SELECT name, organization_id FROM contacts WHERE id = ?", [meeting.contactID]) {
                ($0.string(0), $0.optionalInt64(1))
            }
            full.contactName = name?.0
            full.organizationID = name?.1 ?? nil
            let missing = report.items.filter { !$0.passed }.map { (item: PrepReport.Item) in item.code }.joined(separator: ", ")
            full.reason = "The meeting with \(name?.0 ?? "your contact") at \(local(at)) is not prepared: \(missing). See GET /meetings/\(meeting.id)/prep."
            items.append(full)
            found += 1
        }
    }
}
