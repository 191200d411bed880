#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SQLiteCore

/// The rows `GET /focus` reads, one account's. Each statement starts from the account's own
/// rows (by `user_id`, or its areas) and reaches an area through `contact_interests` or
/// `organization_interests` by primary key, so its cost is the account's, and the counts of
/// all areas come from one pass rather than one per area.
struct FocusReader {
    let connection: SQLiteConnection
    let userID: Int64

    private enum AreaColumn: Int32, SelectList {
        case id, name, goal, targetDate, targetMeetings, priority, createdAt, updatedAt, version
        var sql: String {
            switch self {
            case .id: "id"
            case .name: "name"
            case .goal: "goal"
            case .targetDate: "target_date"
            case .targetMeetings: "target_meetings"
            case .priority: "priority"
            case .createdAt: "created_at"
            case .updatedAt: "updated_at"
            case .version: "version"
            }
        }
    }

    /// The account's areas (all, or those asked for: any other id is not found).
    func areas(only requested: [Int64]) throws -> [Int64: FocusFacts] {
        typealias C = AreaColumn
        var found: [Int64: FocusFacts] = [:]
        try connection.forEachRow("SELECT " + C.select + " FROM interests WHERE user_id = ?1", [userID]) { row in
            let id = row.int64(C.id)
            guard requested.isEmpty || requested.contains(id) else { return }
            let interest = Interest(
                id: id, userID: userID, name: row.string(C.name), goal: row.optionalString(C.goal), targetDate: row.optionalString(C.targetDate),
                targetMeetings: row.optionalInt64(C.targetMeetings).map(Int.init), priority: row.int(C.priority),
                createdAt: try row.stamp(C.createdAt, of: "interests", id: id), updatedAt: try row.stamp(C.updatedAt, of: "interests", id: id),
                version: row.int64(C.version), coverage: Coverage(contacts: 0, organizations: 0, meetings: 0))
            found[id] = FocusFacts(interest: interest)
        }
        if let missing = requested.first(where: { found[$0] == nil }) {
            throw DomainError.notFound("No interest \(missing).")
        }
        return found
    }

    /// An area, two numbers about it and a time: what `Count`'s statements select.
    private enum CountColumn: Int32, SelectList {
        case interestID, first, second, latest
        static func select(area: String, _ first: String, _ second: String, latest: String = "NULL") -> String {
            allCases.map { column -> String in
                let expression =
                    switch column {
                    case .interestID: area
                    case .first: first
                    case .second: second
                    case .latest: latest
                    }
                return expression + " AS " + column.sql
            }.joined(separator: ", ")
        }
        var sql: String {
            switch self {
            case .interestID: "area"
            case .first: "first"
            case .second: "second"
            case .latest: "latest"
            }
        }
    }

    /// Per-area counts, each statement one row per area (`?1` the user).
    enum Count {
        /// Contacts in the area.
        case contacts
        /// Completed meetings with people in the area, the distinct people they were with, and
        /// the latest.
        case meetings
        /// People in the area written to, those of them who wrote back after the first message,
        /// and the latest message either way.
        case replies
        /// Referrals people in the area made.
        case referrals

        fileprivate var sql: String {
            typealias C = CountColumn
            switch self {
            case .contacts:
                return "SELECT " + C.select(area: "ci.interest_id", "count(*)", "0") + " FROM interests i "
                    + "JOIN contact_interests ci ON ci.interest_id = i.id WHERE i.user_id = ?1 GROUP BY ci.interest_id"
            case .meetings:
                return "SELECT " + C.select(area: "ci.interest_id", "count(*)", "count(DISTINCT m.contact_id)", latest: "max(m.completed_at)")
                    + " FROM meetings m JOIN contact_interests ci ON ci.contact_id = m.contact_id WHERE m.user_id = ?1 AND m.status = 'completed' "
                    + "GROUP BY ci.interest_id"
            case .replies:
                // Per person: the first message out, the last one in, and the last either way; a
                // reply is a message in after the first one out.
                return "SELECT " + C.select(area: "ci.interest_id", "count(o.first_out)", "coalesce(sum(o.last_in > o.first_out), 0)", latest: "max(o.last_any)")
                    + " FROM (SELECT contact_id, min(CASE WHEN direction = 'outbound' THEN sent_at END) AS first_out, "
                    + "max(CASE WHEN direction = 'inbound' THEN sent_at END) AS last_in, max(sent_at) AS last_any FROM outreach WHERE user_id = ?1 GROUP BY contact_id) o "
                    + "JOIN contact_interests ci ON ci.contact_id = o.contact_id GROUP BY ci.interest_id"
            case .referrals:
                return "SELECT " + C.select(area: "ci.interest_id", "count(*)", "0") + " FROM referrals r "
                    + "JOIN contact_interests ci ON ci.contact_id = r.referrer_id WHERE r.user_id = ?1 GROUP BY ci.interest_id"
            }
        }
    }

    /// What one row of a `Count` statement says about its area.
    struct Counted {
        var first: Int
        var second: Int
        var latest: Date?
    }

    /// Runs one of `Count`'s statements: each area's numbers.
    func counts(_ what: Count, _ visit: (_ area: Int64, Counted) throws -> Void) throws {
        typealias C = CountColumn
        try connection.forEachRow(what.sql, [userID]) { row in
            try visit(row.int64(C.interestID), Counted(first: row.int(C.first), second: row.int(C.second), latest: row.date(C.latest)))
        }
    }

    private enum EventColumn: Int32, SelectList {
        case interestID, id, name, startsAt, status
        var sql: String {
            switch self {
            case .interestID: "ci.interest_id"
            case .id: "e.id"
            case .name: "e.name"
            case .startsAt: "e.starts_at"
            case .status: "e.status"
            }
        }
    }

    /// Events linked to an area: recommended by someone in it, or from a meeting with someone in it.
    func events(_ visit: (Int64, FocusFacts.Event) throws -> Void) throws {
        typealias C = EventColumn
        let select = "SELECT " + C.select + " FROM events e "
        try connection.forEachRow(
            select + "JOIN contact_interests ci ON ci.contact_id = e.recommended_by_id WHERE e.user_id = ?1 UNION "
                + select + "JOIN meetings m ON m.id = e.meeting_id JOIN contact_interests ci ON ci.contact_id = m.contact_id WHERE e.user_id = ?1",
            [userID]
        ) { row in
            let id = row.int64(C.id)
            let event = FocusFacts.Event(
                id: id, name: row.string(C.name), startsAt: row.date(C.startsAt), status: try row.member(C.status, of: "events", id: id))
            try visit(row.int64(C.interestID), event)
        }
    }

    private enum LeadColumn: Int32, SelectList {
        case interestID, id, status
        var sql: String {
            switch self {
            case .interestID: "area"
            case .id: "l.id"
            case .status: "l.status"
            }
        }
    }

    /// Leads at an organization in an area, or through a contact in it (once per area).
    func leads(_ visit: (Int64, LeadStatus) throws -> Void) throws {
        typealias C = LeadColumn
        try connection.forEachRow(
            "SELECT oi.interest_id AS area, l.id, l.status FROM leads l JOIN organization_interests oi ON oi.organization_id = l.organization_id "
                + "WHERE l.user_id = ?1 UNION "
                + "SELECT ci.interest_id AS area, l.id, l.status FROM leads l JOIN contact_interests ci ON ci.contact_id = l.contact_id WHERE l.user_id = ?1",
            [userID]
        ) { row in
            try visit(row.int64(C.interestID), try row.member(C.status, of: "leads", id: row.int64(C.id)))
        }
    }

    private enum ThankYouColumn: Int32, SelectList {
        case interestID, meetingID, contactID, contactName, completedAt
        var sql: String {
            switch self {
            case .interestID: "ci.interest_id"
            case .meetingID: "m.id"
            case .contactID: "m.contact_id"
            case .contactName: "c.name"
            case .completedAt: "m.completed_at"
            }
        }
    }

    /// Completed meetings with people in an area that no thank-you followed, newest first.
    func thankYous(_ visit: (Int64, FocusFacts.ThankYou) throws -> Void) throws {
        typealias C = ThankYouColumn
        try connection.forEachRow(
            "SELECT " + C.select + " FROM meetings m JOIN contacts c ON c.id = m.contact_id JOIN contact_interests ci ON ci.contact_id = m.contact_id "
                + "WHERE m.user_id = ?1 AND m.status = 'completed' AND m.thank_you_sent_at IS NULL ORDER BY m.completed_at DESC, m.id DESC",
            [userID]
        ) { row in
            try visit(
                row.int64(C.interestID),
                FocusFacts.ThankYou(
                    meetingID: row.int64(C.meetingID), contactID: row.int64(C.contactID), contactName: row.string(C.contactName),
                    completedAt: row.date(C.completedAt)))
        }
    }

    private enum SuggestedColumn: Int32, SelectList {
        case interestID, id, contactID, contactName, referrerID, referrerName, createdAt
        var sql: String {
            switch self {
            case .interestID: "area"
            case .id: "r.id AS referral"
            case .contactID: "r.contact_id"
            case .contactName: "c.name"
            case .referrerID: "r.referrer_id"
            case .referrerName: "rr.name"
            case .createdAt: "r.created_at AS suggested_at"
            }
        }
    }

    /// Referrals still `suggested` whose referrer or referred person is in an area, oldest first.
    func suggested(_ visit: (Int64, FocusFacts.Suggested) throws -> Void) throws {
        typealias C = SuggestedColumn
        let rest = C.allCases.dropFirst().map(\.sql).joined(separator: ", ")
        let from = " FROM referrals r JOIN contacts c ON c.id = r.contact_id JOIN contacts rr ON rr.id = r.referrer_id "
        try connection.forEachRow(
            "SELECT ci.interest_id AS area, " + rest + from + "JOIN contact_interests ci ON ci.contact_id = r.referrer_id "
                + "WHERE r.user_id = ?1 AND r.status = 'suggested' UNION "
                + "SELECT ci.interest_id AS area, " + rest + from + "JOIN contact_interests ci ON ci.contact_id = r.contact_id "
                + "WHERE r.user_id = ?1 AND r.status = 'suggested' ORDER BY suggested_at, referral",
            [userID]
        ) { row in
            try visit(
                row.int64(C.interestID),
                FocusFacts.Suggested(
                    referralID: row.int64(C.id), contactID: row.int64(C.contactID), contactName: row.string(C.contactName),
                    referrerID: row.int64(C.referrerID), referrerName: row.string(C.referrerName)))
        }
    }

    private enum OrganizationColumn: Int32, SelectList {
        case interestID, id, name, advocacy, motivation, posting, contacts
        var sql: String {
            switch self {
            case .interestID: "oi.interest_id"
            case .id: "o.id"
            case .name: "o.name"
            case .advocacy: "o.advocacy"
            case .motivation: "o.motivation"
            case .posting: "o.posting"
            // Counted up to two: the rule asks only whether there are two.
            case .contacts: "(SELECT count(*) FROM (SELECT 1 FROM contacts x WHERE x.organization_id = o.id LIMIT 2))"
            }
        }
    }

    /// The organizations of each area, in LAMP order.
    func organizations(_ visit: (Int64, FocusFacts.Organization) throws -> Void) throws {
        typealias C = OrganizationColumn
        try connection.forEachRow(
            "SELECT " + C.select + " FROM interests i JOIN organization_interests oi ON oi.interest_id = i.id JOIN organizations o ON o.id = oi.organization_id "
                + "WHERE i.user_id = ?1 ORDER BY o.motivation DESC, o.posting DESC, o.advocacy DESC, o.name_key, o.id",
            [userID]
        ) { row in
            try visit(
                row.int64(C.interestID),
                FocusFacts.Organization(
                    id: row.int64(C.id), name: row.string(C.name), advocacy: row.int(C.advocacy) != 0, motivation: row.int(C.motivation),
                    posting: row.int(C.posting), contacts: row.int(C.contacts)))
        }
    }
}
