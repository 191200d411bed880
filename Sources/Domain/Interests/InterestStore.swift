import SQLiteCore

/// The SQL of `interests`, with the coverage counts read beside each.
enum InterestStore: RecordStore {
    enum Column: Int32, ColumnSet {
        case id, owner, name, goal, targetDate, targetMeetings, priority, createdAt, updatedAt, version
        case contactCount, organizationCount, meetingCount

        var role: ColumnRole {
            switch self {
            case .id: .id
            case .owner: .owner
            case .name: .field("name")
            case .goal: .field("goal")
            case .targetDate: .field("target_date")
            case .targetMeetings: .field("target_meetings")
            case .priority: .field("priority")
            case .createdAt: .createdAt
            case .updatedAt: .updatedAt
            case .version: .version
            case .contactCount: .computed("(SELECT count(*) FROM contact_interests ci WHERE ci.interest_id = i.id)")
            case .organizationCount: .computed("(SELECT count(*) FROM organization_interests oi WHERE oi.interest_id = i.id)")
            // Meetings held: completed, with a contact in the area.
            case .meetingCount:
                .computed(
                    "(SELECT count(*) FROM contact_interests ci JOIN meetings m ON m.contact_id = ci.contact_id WHERE ci.interest_id = i.id AND m.status = 'completed')")
            }
        }
    }

    static let sql = TableSQL<Column>(table: "interests", alias: "i")
    static let noun = "interest"
    static let kind = "interest"

    static func record(_ row: Row) throws -> Interest {
        Interest(
            id: row.int64(Column.id), userID: row.int64(Column.owner), name: row.string(Column.name), goal: row.optionalString(Column.goal),
            targetDate: row.optionalString(Column.targetDate), targetMeetings: row.optionalInt64(Column.targetMeetings).map(Int.init),
            priority: row.int(Column.priority), createdAt: try row.stamp(Column.createdAt, of: sql.table),
            updatedAt: try row.stamp(Column.updatedAt, of: sql.table), version: row.int64(Column.version),
            coverage: Coverage(contacts: row.int(Column.contactCount), organizations: row.int(Column.organizationCount), meetings: row.int(Column.meetingCount)))
    }

    static func value(_ column: Column, of interest: Interest) -> (any DatabaseValueConvertible)? {
        switch column {
        case .name: interest.name
        case .goal: interest.goal
        case .targetDate: interest.targetDate
        case .targetMeetings: interest.targetMeetings
        case .priority: interest.priority
        case .id, .owner, .createdAt, .updatedAt, .version, .contactCount, .organizationCount, .meetingCount: nil
        }
    }
}

extension Interest: StoredRecord {}
