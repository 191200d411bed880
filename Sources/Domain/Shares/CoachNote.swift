#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SQLiteCore

/// A note a coach (a grantee with a `coach` share) leaves on a member's search.
public struct CoachNote: Sendable, Equatable {
    public var id: Int64
    public var userID: Int64
    public var authorID: Int64?
    /// The coach's name when the note was written (kept if the coach's account goes).
    public var authorName: String
    public var text: String
    public var contactID: Int64?
    public var meetingID: Int64?
    public var pitchID: Int64?
    /// Whether the member dismissed it from the agenda.
    public var dismissed: Bool
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int64
}

/// The SQL of `coach_notes`.
enum CoachNoteStore {
    enum Column: Int32, ColumnSet {
        case id, owner, authorID, authorName, text, contactID, meetingID, pitchID, createdAt, updatedAt, version, dismissed

        var role: ColumnRole {
            switch self {
            case .id: .id
            case .owner: .owner
            case .authorID: .field("author_id")
            case .authorName: .field("author_name")
            case .text: .field("text")
            case .contactID: .field("contact_id")
            case .meetingID: .field("meeting_id")
            case .pitchID: .field("pitch_id")
            case .dismissed: .computed("dismissed")
            case .createdAt: .createdAt
            case .updatedAt: .updatedAt
            case .version: .version
            }
        }
    }

    /// Dismissed: put away on the agenda for good, or snoozed (agenda_dismissals' primary key).
    static let columns = "n.id, n.user_id, n.author_id, n.author_name, n.text, n.contact_id, n.meeting_id, n.pitch_id, "
        + "n.created_at, n.updated_at, n.version, "
        + "EXISTS (SELECT 1 FROM agenda_dismissals d WHERE d.user_id = n.user_id AND d.kind = 'coach_note' AND d.ref_id = n.id)"

    static func record(_ row: Row) throws -> CoachNote {
        CoachNote(
            id: row.int64(Column.id), userID: row.int64(Column.owner), authorID: row.optionalInt64(Column.authorID),
            authorName: row.string(Column.authorName), text: row.string(Column.text), contactID: row.optionalInt64(Column.contactID),
            meetingID: row.optionalInt64(Column.meetingID), pitchID: row.optionalInt64(Column.pitchID), dismissed: row.int64(Column.dismissed) != 0,
            createdAt: try row.stamp(Column.createdAt, of: "coach_notes"), updatedAt: try row.stamp(Column.updatedAt, of: "coach_notes"),
            version: row.int64(Column.version))
    }

    static func insert(
        _ connection: SQLiteConnection, userID: Int64, authorID: Int64, authorName: String, text: String, contactID: Int64?, meetingID: Int64?,
        pitchID: Int64?, at now: Date
    ) throws -> Int64 {
        try connection.run(
            "INSERT INTO coach_notes (user_id, author_id, author_name, text, contact_id, meeting_id, pitch_id, created_at, updated_at) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [userID, authorID, authorName, text, contactID, meetingID, pitchID, now, now])
        return connection.lastInsertRowID
    }

    static func find(_ connection: SQLiteConnection, userID: Int64, id: Int64) throws -> CoachNote? {
        try connection.queryOne("SELECT \(columns) FROM coach_notes n WHERE n.user_id = ? AND n.id = ?", [userID, id], record)
    }

    static func listQuery(userID: Int64) -> KeysetQuery {
        KeysetQuery(
            select: columns, from: "coach_notes n", alias: "n", conditions: ["n.user_id = ?"], arguments: [userID],
            columnCount: Int32(Column.allCases.count))
    }
}
