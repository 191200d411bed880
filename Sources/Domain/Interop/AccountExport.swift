#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// `GET /export` and `POST /imports/json`: an account's stored rows, table by table, every
/// stored column but the owner, so that an import into an empty account restores it exactly
/// with new ids (references remapped). What is derived is not carried: reminders and the
/// search index are rebuilt, tokens, feeds and tombstones stay with the account they were for.
public enum AccountExport {
    /// The format's version; an import refuses any other.
    public static let version = 1

    /// One collection: its table, how its rows belong to the account, and which columns
    /// name rows of other collections.
    struct Table: Sendable {
        let name: String
        /// Rows of the account: `WHERE` over alias `t`, `?` bound to the user id.
        let owned: String
        /// Whether rows have an `id` of their own (link tables have none).
        let hasID: Bool
        /// Column → the collection whose id it holds.
        let references: [String: String]
        /// `ref_id` → the collection its row's `kind` names (agenda dismissals).
        var refByKind: [String: String] = [:]
    }

    /// In an order where every reference points to a collection before it.
    static let tables: [Table] = [
        Table(name: "interests", owned: "t.user_id = ?", hasID: true, references: [:]),
        Table(name: "organizations", owned: "t.user_id = ?", hasID: true, references: [:]),
        Table(
            name: "organization_interests", owned: "t.organization_id IN (SELECT id FROM organizations WHERE user_id = ?)", hasID: false,
            references: ["organization_id": "organizations", "interest_id": "interests"]),
        Table(name: "contacts", owned: "t.user_id = ?", hasID: true, references: ["organization_id": "organizations"]),
        Table(
            name: "contact_interests", owned: "t.contact_id IN (SELECT id FROM contacts WHERE user_id = ?)", hasID: false,
            references: ["contact_id": "contacts", "interest_id": "interests"]),
        Table(name: "contact_tags", owned: "t.contact_id IN (SELECT id FROM contacts WHERE user_id = ?)", hasID: false, references: ["contact_id": "contacts"]),
        Table(name: "questions", owned: "t.user_id = ?", hasID: true, references: [:]),
        Table(
            name: "question_tags", owned: "t.question_id IN (SELECT id FROM questions WHERE user_id = ?)", hasID: false,
            references: ["question_id": "questions"]),
        Table(name: "resumes", owned: "t.user_id = ?", hasID: true, references: ["interest_id": "interests"]),
        Table(name: "pitches", owned: "t.user_id = ?", hasID: true, references: [:]),
        Table(
            name: "pitch_renders", owned: "t.pitch_id IN (SELECT id FROM pitches WHERE user_id = ?)", hasID: false,
            references: ["contact_id": "contacts", "pitch_id": "pitches"]),
        Table(name: "meetings", owned: "t.user_id = ?", hasID: true, references: ["contact_id": "contacts", "resume_id": "resumes"]),
        Table(
            name: "meeting_questions", owned: "t.meeting_id IN (SELECT id FROM meetings WHERE user_id = ?)", hasID: true,
            references: ["meeting_id": "meetings", "question_id": "questions"]),
        Table(
            name: "meeting_resources", owned: "t.meeting_id IN (SELECT id FROM meetings WHERE user_id = ?)", hasID: true,
            references: ["meeting_id": "meetings"]),
        Table(
            name: "referrals", owned: "t.user_id = ?", hasID: true,
            references: ["referrer_id": "contacts", "contact_id": "contacts", "meeting_id": "meetings"]),
        Table(name: "events", owned: "t.user_id = ?", hasID: true, references: ["recommended_by_id": "contacts", "meeting_id": "meetings"]),
        Table(
            name: "outreach", owned: "t.user_id = ?", hasID: true,
            references: ["contact_id": "contacts", "pitch_id": "pitches", "resume_id": "resumes"]),
        Table(name: "leads", owned: "t.user_id = ?", hasID: true, references: ["organization_id": "organizations", "contact_id": "contacts"]),
        Table(
            name: "insights", owned: "t.user_id = ?", hasID: true,
            references: ["meeting_id": "meetings", "contact_id": "contacts", "interest_id": "interests"]),
        Table(name: "skills", owned: "t.user_id = ?", hasID: true, references: [:]),
        // A coach's notes stay with the account they were written for, and so do their dismissals.
        Table(
            name: "agenda_dismissals", owned: "t.user_id = ? AND t.kind != 'coach_note'", hasID: false, references: [:],
            refByKind: Dictionary(
                uniqueKeysWithValues: AgendaKind.allCases.filter { $0 != .coachNote }.map { ($0.rawValue, $0.refTable.table) })),
    ]

    /// The account's own settings carried along.
    static let accountColumns = ["display_name", "headline", "time_zone", "follow_up_days", "holidays"]

    /// Columns derived from other rows, rebuilt after an import rather than carried.
    static let derived: Set<String> = ["user_id", "last_touch_at"]
    /// Tables whose `name_key` is a folded name (NameKeys), rebuilt after a restore; insights'
    /// and skills' keys are carried.
    static let foldedNameTables: Set<String> = ["contacts", "organizations"]

    /// The stored columns of a table (generated ones excluded), the owner and derived ones left out.
    static func columns(_ connection: SQLiteConnection, _ table: String) throws -> [String] {
        try connection.texts("SELECT name FROM pragma_table_info(?) ORDER BY cid", [table]).filter {
            !derived.contains($0) && !($0 == "name_key" && foldedNameTables.contains(table))
        }
    }
}

extension AccountExport {
    /// Reads the account on one snapshot: its settings, then each collection's name and rows
    /// (column names and values), for a writer that streams them as they come.
    public static func read(
        userID: Int64, storage: Storage, account: ([(String, String?)]) throws -> Void, collection: (String) throws -> Void,
        row: ([String], [StoredValue]) throws -> Void
    ) throws {
        try storage.read { connection in
            let settings = try connection.queryOne("SELECT " + accountColumns.joined(separator: ", ") + " FROM users WHERE id = ?", [userID]) { values in
                accountColumns.indices.map { values.optionalString(Int32($0)) }
            } ?? []
            try account(Array(zip(accountColumns, settings)))
            for table in tables {
                let columns = try columns(connection, table.name)
                try collection(table.name)
                let order = table.hasID ? "t.id" : columns.map { "t.\($0)" }.joined(separator: ", ")
                try connection.forEachRow(
                    "SELECT " + columns.map { "t.\($0)" }.joined(separator: ", ") + " FROM \(table.name) t WHERE \(table.owned) ORDER BY \(order)",
                    [userID]
                ) { values in
                    try row(columns, columns.indices.map { StoredValue(values.value(Int32($0))) })
                }
            }
        }
    }
}

/// A stored value as an export carries it: Domain's own type, so the layers above read and
/// write exports without seeing SQLite's.
public enum StoredValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    init(_ value: DatabaseValue) {
        switch value {
        case .null: self = .null
        case .integer(let number): self = .integer(number)
        case .real(let number): self = .real(number)
        case .text(let text): self = .text(text)
        case .blob(let bytes): self = .blob(bytes)
        }
    }

    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .integer(let number): .integer(number)
        case .real(let number): .real(number)
        case .text(let text): .text(text)
        case .blob(let bytes): .blob(bytes)
        }
    }
}
