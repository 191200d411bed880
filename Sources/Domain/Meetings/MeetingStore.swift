#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SQLiteCore

/// The SQL of `meetings`, with what each left behind read beside it.
enum MeetingStore: RecordStore {
    static func hasOtherScheduled(_ connection: SQLiteConnection, contactID: Int64, except id: Int64) throws -> Bool {
        try connection.scalarInt("SELECT 1 FROM meetings WHERE contact_id = ? AND status = 'scheduled' AND id != ? LIMIT 1", [contactID, id]) != nil
    }

    /// Meetings recorded with the contact, any status.
    static func count(_ connection: SQLiteConnection, contactID: Int64) throws -> Int64 {
        try connection.scalarInt("SELECT count(*) FROM meetings WHERE contact_id = ?", [contactID]) ?? 0
    }

    static func hasCompleted(_ connection: SQLiteConnection, contactID: Int64) throws -> Bool {
        try connection.scalarInt("SELECT 1 FROM meetings WHERE contact_id = ? AND status = 'completed' LIMIT 1", [contactID]) != nil
    }

    /// The stage recorded before the contact's latest meeting that knew it (not `scheduled`).
    static func latestStageBefore(_ connection: SQLiteConnection, contactID: Int64) throws -> String? {
        try connection.scalarText(
            "SELECT stage_before FROM meetings WHERE contact_id = ? AND stage_before IS NOT NULL AND stage_before != 'scheduled' ORDER BY id DESC LIMIT 1",
            [contactID])
    }

    static func setStageBefore(_ connection: SQLiteConnection, id: Int64, _ stage: ContactStage) throws {
        try connection.run("UPDATE meetings SET stage_before = ? WHERE id = ?", [stage.rawValue, id])
    }

    /// Referrals, events and insights that keep their row but lose the link move, for sync.
    static func touchLinked(_ connection: SQLiteConnection, meetingID: Int64, at stamp: Date) throws {
        for table in ["referrals", "events", "insights"] { try Moved.rows(connection, in: table, where: "meeting_id", is: meetingID, at: stamp) }
    }

    enum Column: Int32, ColumnSet {
        case id, owner, contactID, status, scheduledAt, durationMinutes, medium, location, resumeID, notes, impression, outcome
        case thankYouSentAt, completedAt, noneOffered, createdAt, updatedAt, version
        case statusReason, stageBefore
        case contactName, resumeLabel
        case referralIDs, eventIDs, resources

        var role: ColumnRole {
            switch self {
            case .id: .id
            case .owner: .owner
            case .contactID: .field("contact_id")
            case .status: .field("status")
            case .scheduledAt: .field("scheduled_at")
            case .durationMinutes: .field("duration_minutes")
            case .medium: .field("medium")
            case .location: .field("location")
            case .resumeID: .field("resume_id")
            case .notes: .field("notes")
            case .impression: .field("impression")
            case .outcome: .field("outcome")
            case .thankYouSentAt: .field("thank_you_sent_at")
            case .completedAt: .field("completed_at")
            case .noneOffered: .field("none_offered")
            case .createdAt: .createdAt
            case .updatedAt: .updatedAt
            case .version: .version
            case .statusReason: .field("status_reason")
            case .stageBefore: .field("stage_before")
            case .contactName: .named(key: "contact", table: "contacts", idColumn: "contact_id")
            case .resumeLabel: .named(key: "resume", table: "resumes", idColumn: "resume_id", nameColumn: "label")
            case .referralIDs: .computed("(SELECT group_concat(id) FROM referrals r WHERE r.meeting_id = m.id)")
            case .eventIDs: .computed("(SELECT group_concat(id) FROM events e WHERE e.meeting_id = m.id)")
            // Each value in hex (UTF-8), so no text can hold the separators: a title or note
            // with U+001E or U+001D once split wrongly and was dropped without a word.
            case .resources:
                .computed(
                    """
                    (SELECT group_concat(id || ',' || hex(title) || ',' || hex(url) || ',' || hex(note), ';') \
                    FROM (SELECT * FROM meeting_resources mr WHERE mr.meeting_id = m.id ORDER BY id))
                    """)
            }
        }
    }

    static let sql = TableSQL<Column>(table: "meetings", alias: "m")
    static let noun = "meeting"
    static let kind = "meeting"

    static func record(_ row: Row) throws -> Meeting {
        Meeting(
            id: row.int64(Column.id), userID: row.int64(Column.owner), contactID: row.int64(Column.contactID),
            status: try row.member(Column.status, of: sql.table), scheduledAt: row.date(Column.scheduledAt),
            durationMinutes: row.int(Column.durationMinutes), medium: try row.optionalMember(Column.medium, of: sql.table),
            location: row.optionalString(Column.location), resumeID: row.optionalInt64(Column.resumeID), notes: row.optionalString(Column.notes),
            impression: row.optionalInt64(Column.impression).map(Int.init), outcome: row.optionalString(Column.outcome),
            thankYouSentAt: row.date(Column.thankYouSentAt), completedAt: row.date(Column.completedAt), noneOffered: row.bool(Column.noneOffered),
            statusReason: row.optionalString(Column.statusReason), stageBefore: try row.optionalMember(Column.stageBefore, of: sql.table),
            createdAt: try row.stamp(Column.createdAt, of: sql.table), updatedAt: try row.stamp(Column.updatedAt, of: sql.table),
            version: row.int64(Column.version), names: LinkedNames.of(row, Column.self), referralIDs: OwnedIDs.parseList(row.optionalString(Column.referralIDs)),
            eventIDs: OwnedIDs.parseList(row.optionalString(Column.eventIDs)), resources: try resources(row, id: row.int64(Column.id)))
    }

    /// The meeting's resources as `id,title,url,note` in hex, `;` between them; what does not
    /// decode is a corrupt row, never a resource left out.
    private static func resources(_ row: Row, id: Int64) throws(DomainError) -> [MeetingResource] {
        guard let joined = row.optionalString(Column.resources), !joined.isEmpty else { return [] }
        var out: [MeetingResource] = []
        for item in joined.split(separator: ";") {
            let parts = item.split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count == 4, let resourceID = Int64(parts[0]), let title = Hex.text(parts[1]), let url = Hex.text(parts[2]),
                  let note = Hex.text(parts[3])
            else { throw DomainError.corruptRow(table: "meetings", id: id, column: "resources") }
            out.append(MeetingResource(id: resourceID, title: title, url: url.isEmpty ? nil : url, note: note.isEmpty ? nil : note))
        }
        return out
    }

    static func value(_ column: Column, of meeting: Meeting) -> (any DatabaseValueConvertible)? {
        switch column {
        case .contactID: meeting.contactID
        case .status: meeting.status.rawValue
        case .scheduledAt: meeting.scheduledAt
        case .durationMinutes: meeting.durationMinutes
        case .medium: meeting.medium?.rawValue
        case .location: meeting.location
        case .resumeID: meeting.resumeID
        case .notes: meeting.notes
        case .impression: meeting.impression
        case .outcome: meeting.outcome
        case .thankYouSentAt: meeting.thankYouSentAt
        case .completedAt: meeting.completedAt
        case .noneOffered: meeting.noneOffered
        case .statusReason: meeting.statusReason
        case .stageBefore: meeting.stageBefore?.rawValue
        case .id, .owner, .createdAt, .updatedAt, .version, .referralIDs, .eventIDs, .resources, .contactName, .resumeLabel: nil
        }
    }

    static func fillNames(_ connection: SQLiteConnection, _ record: inout Meeting) throws {
        record.names = try LinkedNames.read(connection, Column.self) { value($0, of: record) }
    }

    static func insertResource(_ connection: SQLiteConnection, meetingID: Int64, _ resource: MeetingResource) throws -> Int64 {
        try connection.run(
            "INSERT INTO meeting_resources (meeting_id, title, url, note) VALUES (?, ?, ?, ?)", [meetingID, resource.title, resource.url, resource.note])
        return connection.lastInsertRowID
    }
}

extension Meeting: StoredRecord {}

/// SQLite's `hex()` of text read back.
enum Hex {
    /// The UTF-8 text whose bytes `digits` spell; nil for odd lengths, other characters or
    /// bytes that are not UTF-8.
    static func text(_ digits: Substring) -> String? {
        let utf8 = Array(digits.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 0x30...0x39: digit - 0x30
        case 0x41...0x46: digit - 0x41 + 10
        case 0x61...0x66: digit - 0x61 + 10
        default: nil
        }
    }
}
