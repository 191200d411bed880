import SQLiteCore

/// The SQL of `questions` and `question_tags`.
enum QuestionStore: RecordStore {
    enum Column: Int32, ColumnSet {
        case id, owner, text, category, createdAt, updatedAt, version
        case tags

        var role: ColumnRole {
            switch self {
            case .id: .id
            case .owner: .owner
            case .text: .field("text")
            case .category: .field("category")
            case .createdAt: .createdAt
            case .updatedAt: .updatedAt
            case .version: .version
            case .tags: .computed("(SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM question_tags t WHERE t.question_id = q.id ORDER BY tag))")
            }
        }
    }

    static let sql = TableSQL<Column>(table: "questions", alias: "q")
    static let noun = "question"
    static let kind = "question"
    static let tags = LinkTable("question_tags", owner: "question_id", link: "tag")

    static func record(_ row: Row) throws -> Question {
        Question(
            id: row.int64(Column.id), userID: row.int64(Column.owner), text: row.string(Column.text),
            category: try row.member(Column.category, of: sql.table),
            tags: row.optionalString(Column.tags).map { $0.split(separator: "\u{1F}").map(String.init) } ?? [],
            createdAt: try row.stamp(Column.createdAt, of: sql.table), updatedAt: try row.stamp(Column.updatedAt, of: sql.table),
            version: row.int64(Column.version))
    }

    static func value(_ column: Column, of question: Question) -> (any DatabaseValueConvertible)? {
        switch column {
        case .text: question.text
        case .category: question.category.rawValue
        case .id, .owner, .createdAt, .updatedAt, .version, .tags: nil
        }
    }

    static func saveLinks(_ connection: SQLiteConnection, _ question: Question, replacing current: Question?) throws {
        try tags.replace(connection, owner: question.id, with: question.tags, current: current?.tags)
    }
}

extension Question: StoredRecord {}
