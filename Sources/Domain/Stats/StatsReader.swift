#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SQLiteCore

/// The rows `/stats` counts, one account's over a period (`?2` to `?3`, half-open); the
/// service decides what they mean.
struct StatsReader {
    let connection: SQLiteConnection
    let userID: Int64
    let low: Date
    let high: Date

    /// What is counted in the period by a single statement.
    enum Count: String {
        case referrals = "SELECT count(*) FROM referrals WHERE user_id = ?1 AND created_at >= ?2 AND created_at < ?3"
        case leads = "SELECT count(*) FROM leads WHERE user_id = ?1 AND created_at >= ?2 AND created_at < ?3"
        case completedMeetings = "SELECT count(*) FROM meetings WHERE user_id = ?1 AND status = 'completed' AND completed_at >= ?2 AND completed_at < ?3"
        case referralsFromMeetings = "SELECT count(*) FROM referrals r JOIN meetings m ON m.id = r.meeting_id WHERE m.user_id = ?1 AND m.status = 'completed' AND m.completed_at >= ?2 AND m.completed_at < ?3"
        case thankedWithinADay = "SELECT count(*) FROM meetings WHERE user_id = ?1 AND status = 'completed' AND completed_at >= ?2 AND completed_at < ?3 AND thank_you_sent_at IS NOT NULL AND julianday(thank_you_sent_at) - julianday(completed_at) <= 1.0"
    }

    func count(_ what: Count) throws -> Int {
        Int(try connection.scalarInt(what.rawValue, [userID, low, high]) ?? 0)
    }

    private enum FirstTime: Int32, SelectList {
        case contactID, at
        /// `at` is the column whose first value is read.
        static func select(at column: String) -> String { allCases.map { $0 == .at ? "min(\(column))" : $0.sql }.joined(separator: ", ") }
        var sql: String {
            switch self {
            case .contactID: "contact_id"
            case .at: "min(at)"
            }
        }
    }

    /// Each contact's first outbound message, ever.
    func firstWritten() throws -> [Int64: Date] {
        try first("SELECT " + FirstTime.select(at: "sent_at") + " FROM outreach WHERE user_id = ?1 AND direction = 'outbound' GROUP BY contact_id")
    }

    /// Each contact's first completed meeting, ever.
    func firstMet() throws -> [Int64: Date] {
        try first("SELECT " + FirstTime.select(at: "completed_at") + " FROM meetings WHERE user_id = ?1 AND status = 'completed' GROUP BY contact_id")
    }

    private func first(_ sql: String) throws -> [Int64: Date] {
        typealias C = FirstTime
        var found: [Int64: Date] = [:]
        try connection.forEachRow(sql, [userID]) { row in
            found[row.int64(C.contactID)] = row.date(C.at)
        }
        return found
    }

    private enum Found: Int32, SelectList {
        case id, foundAt, source
        var sql: String {
            switch self {
            case .id: "id"
            // A row written outside the API without identified_at was found when added, as its reads say.
            case .foundAt: "coalesce(nullif(identified_at, ''), created_at)"
            case .source: "source"
            }
        }
    }

    /// Every contact: its id, when it was found, and its source.
    func contacts(_ visit: (Int64, Date?, String?) throws -> Void) throws {
        typealias C = Found
        try connection.forEachRow("SELECT " + C.select + " FROM contacts WHERE user_id = ?1", [userID]) { row in
            try visit(row.int64(C.id), row.date(C.foundAt), row.optionalString(C.source))
        }
    }

    private enum Message: Int32, SelectList {
        case contactID, direction, sentAt, id
        var sql: String {
            switch self {
            case .contactID: "contact_id"
            case .direction: "direction"
            case .sentAt: "sent_at"
            case .id: "id"
            }
        }
    }

    /// Every message to and from the contacts written to in the period, by contact then time:
    /// the contact, whether it was outbound, and when.
    func threads(_ visit: (Int64, Bool, Date) throws -> Void) throws {
        typealias C = Message
        try connection.forEachRow(
            "SELECT " + C.select + " FROM outreach WHERE user_id = ?1 AND contact_id IN "
                + "(SELECT contact_id FROM outreach WHERE user_id = ?1 AND direction = 'outbound' AND sent_at >= ?2 AND sent_at < ?3) "
                + "ORDER BY contact_id, sent_at, id", [userID, low, high]
        ) { row in
            try visit(row.int64(C.contactID), row.string(C.direction) == "outbound", try row.stamp(C.sentAt, of: "outreach", id: row.int64(C.id)))
        }
    }
}
