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
            let zoneName = try UserStore.timeZone(connection, id: userID) ?? "UTC"
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
            if !(try AgendaDismissalStore.hasItem(connection, userID: userID, kind: kind, refID: refID)) {
                throw DomainError.validation([FieldIssue("ref_id", "is not an item the agenda has: \(Self.noItem(kind, refID))")])
            }
            return try AgendaDismissalStore.put(connection, userID: userID, kind: kind, refID: refID, until: until, at: storage.stamp())
        }
    }

    /// Why the agenda has no item of `kind` about `refID`, now or to come (its row exists):
    /// a dismissal puts away an item, not a row that cannot be one.
    static func noItem(_ kind: AgendaKind, _ refID: Int64) -> String {
        switch kind {
        case .meeting, .prepMissing: "meeting \(refID) is not scheduled"
        case .thankYou: "meeting \(refID) owes no thank-you"
        case .event: "event \(refID) is not on the agenda"
        case .contactReferral: "referral \(refID) is no longer suggested"
        case .keepInTouch: "contact \(refID) has no keep-in-touch cadence"
        case .coachNote: "no such coach note"
        case .followUp, .trySecondContact, .askReferralAgain: "no \(kind.rawValue) is due for \(kind.refTable.noun) \(refID)"
        }
    }

    /// `DELETE /agenda/dismissals/{kind}/{ref_id}`: brings the item back; not found when none.
    public func undismiss(userID: Int64, kind: AgendaKind, refID: Int64) -> Future<Void> {
        storage.submit { connection in
            if !(try AgendaDismissalStore.remove(connection, userID: userID, kind: kind, refID: refID)) {
                throw DomainError.notFound("No dismissal of \(kind.rawValue) \(refID).")
            }
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
        done.accountsTotal = try storage.read { try UserStore.count($0) }
        var after: Int64 = 0
        // A page of accounts at a time; their writes are submitted together, so the writer
        // thread commits them in batches rather than one fsync each.
        while true {
            let accounts = try storage.read { try UserStore.ids($0, after: after, limit: 200) }
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
