import SQLiteCore

/// The SQL of `resumes`.
enum ResumeStore: RecordStore {
    enum Column: Int32, ColumnSet {
        case id, owner, label, interestID, content, url, contentUpdatedAt, createdAt, updatedAt, version

        var role: ColumnRole {
            switch self {
            case .id: .id
            case .owner: .owner
            case .label: .field("label")
            case .interestID: .field("interest_id")
            case .content: .field("content")
            case .url: .field("url")
            case .contentUpdatedAt: .field("content_updated_at")
            case .createdAt: .createdAt
            case .updatedAt: .updatedAt
            case .version: .version
            }
        }
    }

    static let sql = TableSQL<Column>(table: "resumes", alias: "r")
    static let noun = "resume"
    static let kind = "resume"

    static func record(_ row: Row) throws -> Resume {
        Resume(
            id: row.int64(Column.id), userID: row.int64(Column.owner), label: row.string(Column.label),
            interestID: row.optionalInt64(Column.interestID), content: row.optionalString(Column.content), url: row.optionalString(Column.url),
            contentUpdatedAt: try row.stamp(Column.contentUpdatedAt, of: sql.table), createdAt: try row.stamp(Column.createdAt, of: sql.table),
            updatedAt: try row.stamp(Column.updatedAt, of: sql.table), version: row.int64(Column.version))
    }

    static func value(_ column: Column, of resume: Resume) -> (any DatabaseValueConvertible)? {
        switch column {
        case .label: resume.label
        case .interestID: resume.interestID
        case .content: resume.content
        case .url: resume.url
        case .contentUpdatedAt: resume.contentUpdatedAt
        case .id, .owner, .createdAt, .updatedAt, .version: nil
        }
    }
}

extension Resume: StoredRecord {}
