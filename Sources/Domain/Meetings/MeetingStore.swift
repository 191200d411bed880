import SQLiteCore

/// The SQL of `meetings`, with what each left behind read beside it.
enum MeetingStore: RecordStore {
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
            // Fields joined by U+001E, resources by U+001D: neither can be in single-line text.
            case .resources:
                .computed(
                    """
                    (SELECT group_concat(id || char(30) || title || char(30) || coalesce(url, '') || char(30) || coalesce(note, ''), char(29)) \
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
            durationMinutes: row.int(Column.durationMinutes), medium: row.optionalString(Column.medium).flatMap(MeetingMedium.init(rawValue:)),
            location: row.optionalString(Column.location), resumeID: row.optionalInt64(Column.resumeID), notes: row.optionalString(Column.notes),
            impression: row.optionalInt64(Column.impression).map(Int.init), outcome: row.optionalString(Column.outcome),
            thankYouSentAt: row.date(Column.thankYouSentAt), completedAt: row.date(Column.completedAt), noneOffered: row.bool(Column.noneOffered),
            statusReason: row.optionalString(Column.statusReason), stageBefore: row.optionalString(Column.stageBefore).flatMap(ContactStage.init(rawValue:)),
            createdAt: try row.stamp(Column.createdAt, of: sql.table), updatedAt: try row.stamp(Column.updatedAt, of: sql.table),
            version: row.int64(Column.version), names: LinkedNames.of(row, Column.self), referralIDs: OwnedIDs.parseList(row.optionalString(Column.referralIDs)),
            eventIDs: OwnedIDs.parseList(row.optionalString(Column.eventIDs)), resources: resources(row.optionalString(Column.resources)))
    }

    private static func resources(_ joined: String?) -> [MeetingResource] {
        guard let joined, !joined.isEmpty else { return [] }
        return joined.split(separator: "\u{1D}").compactMap { item in
            let parts = item.split(separator: "\u{1E}", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 4, let id = Int64(parts[0]) else { return nil }
            return MeetingResource(id: id, title: parts[1], url: parts[2].isEmpty ? nil : parts[2], note: parts[3].isEmpty ? nil : parts[3])
        }
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
