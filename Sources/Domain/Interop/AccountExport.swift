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
        try connection.query("SELECT name FROM pragma_table_info(?) ORDER BY cid", [table]) { $0.string(0) }.filter {
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

/// Restores an export into an empty account, in one write: everything or nothing.
public final class AccountImportService: Sendable {
    let storage: Storage

    /// One row as the export wrote it.
    public typealias Row = [(column: String, value: StoredValue)]

    /// What was restored, per collection.
    public struct Report: Sendable, Equatable {
        public var counts: [(table: String, rows: Int)]

        public static func == (a: Report, b: Report) -> Bool {
            a.counts.map(\.table) == b.counts.map(\.table) && a.counts.map(\.rows) == b.counts.map(\.rows)
        }
    }

    public init(storage: Storage) {
        self.storage = storage
    }

    /// The collections an export holds, in the order they are restored.
    public static var collections: [String] { AccountExport.tables.map(\.name) }

    public func restore(userID: Int64, account: [String: String?], tables: [String: [Row]]) throws -> Report {
        try storage.submit { connection in
            try Self.restore(connection, userID: userID, account: account, tables: tables)
        }.wait()
    }

    static func restore(_ connection: SQLiteConnection, userID: Int64, account: [String: String?], tables: [String: [Row]]) throws -> Report {
        for table in AccountExport.tables where table.owned == "t.user_id = ?" {
            if try connection.scalarInt("SELECT 1 FROM \(table.name) WHERE user_id = ? LIMIT 1", [userID]) != nil {
                throw DomainError.conflict(
                    code: "account_not_empty", detail: "This account already holds \(table.name); an export is restored into an empty account.",
                    existingID: nil)
            }
        }
        var issues: [FieldIssue] = []
        var ids: [String: [Int64: Int64]] = [:]
        var counts: [(String, Int)] = []
        for table in AccountExport.tables {
            let rows = tables[table.name] ?? []
            let stored = try AccountExport.columns(connection, table.name)
            let owned = try connection.scalarInt("SELECT 1 FROM pragma_table_info(?) WHERE name = 'user_id'", [table.name]) != nil
            var map: [Int64: Int64] = [:]
            for (index, row) in rows.enumerated() {
                let path = "\(table.name)[\(index)]"
                var names: [String] = []
                var values: [any DatabaseValueConvertible] = []
                var oldID: Int64?
                for (column, value) in row {
                    guard stored.contains(column) else {
                        issues.append(FieldIssue("\(path).\(column)", "is not a column of \(table.name)"))
                        continue
                    }
                    if column == "id" && table.hasID {
                        guard case .integer(let id) = value else {
                            issues.append(FieldIssue("\(path).id", "must be an integer"))
                            continue
                        }
                        oldID = id
                        continue
                    }
                    var bound = value
                    if column == "ref_id", !table.refByKind.isEmpty, case .integer(let old) = value {
                        let kind = row.first { $0.column == "kind" }.flatMap { if case .text(let text) = $0.value { text } else { nil } }
                        guard let target = kind.flatMap({ table.refByKind[$0] }) else {
                            issues.append(FieldIssue("\(path).kind", "is not a kind of agenda item an export carries"))
                            continue
                        }
                        guard let new = ids[target]?[old] else {
                            issues.append(FieldIssue("\(path).ref_id", "names \(target) \(old), which the export does not hold"))
                            continue
                        }
                        bound = .integer(new)
                    } else if let target = table.references[column], case .integer(let old) = value {
                        guard let new = ids[target]?[old] else {
                            issues.append(FieldIssue("\(path).\(column)", "names \(target) \(old), which the export does not hold"))
                            continue
                        }
                        bound = .integer(new)
                    }
                    names.append(column)
                    values.append(bound.databaseValue)
                }
                if table.hasID && oldID == nil && !row.contains(where: { $0.column == "id" }) { issues.append(FieldIssue("\(path).id", "is required")) }
                guard issues.isEmpty else { continue }
                if owned {
                    names.insert("user_id", at: 0)
                    values.insert(userID, at: 0)
                }
                let placeholders = Array(repeating: "?", count: names.count).joined(separator: ", ")
                if let refusal = Self.insert(connection, "INSERT INTO \(table.name) (\(names.joined(separator: ", "))) VALUES (\(placeholders))", values) {
                    issues.append(FieldIssue(path, "cannot be stored: \(refusal)"))
                    continue
                }
                if let oldID {
                    if map[oldID] != nil { issues.append(FieldIssue("\(path).id", "repeats id \(oldID)")) }
                    map[oldID] = connection.lastInsertRowID
                }
            }
            ids[table.name] = map
            counts.append((table.name, rows.count))
            if issues.count > 50 { break }
        }
        var draft = UserDraftColumns()
        for (column, value) in account {
            guard AccountExport.accountColumns.contains(column) else {
                issues.append(FieldIssue("account.\(column)", "is not carried by an export"))
                continue
            }
            draft.values[column] = value
        }
        if let zone = draft.values["time_zone"] {
            if zone == nil || (try? ZoneRules.load(named: zone ?? "")) == nil { issues.append(FieldIssue("account.time_zone", "is not a time zone this machine knows")) }
        }
        if let stored = draft.values["follow_up_days"] {
            var validator = Validator()
            let days = (stored ?? "").split(separator: ",", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
            UserSettings.checkFollowUpDays(days, &validator)
            if !validator.issues.isEmpty { issues.append(FieldIssue("account.follow_up_days", "must be two numbers of business days, like 3,7")) }
        }
        if let stored = draft.values["holidays"] {
            let days = (stored ?? "").split(separator: ",").map(String.init)
            if stored == nil || days.contains(where: { LocalDay.parse($0) == nil }) {
                issues.append(FieldIssue("account.holidays", "must be dates as YYYY-MM-DD separated by commas"))
            }
        }
        guard issues.isEmpty else { throw DomainError.validation(Array(issues.prefix(50))) }
        for (column, value) in draft.values {
            try connection.run("UPDATE users SET \(column) = ? WHERE id = ?", [value, userID])
        }
        try NameKeys.fill(connection, userID: userID)
        // An export from before identified_at: found when added.
        try connection.run("UPDATE contacts SET identified_at = created_at WHERE user_id = ? AND identified_at = ''", [userID])
        _ = try Reminders.rebuildAll(connection, userID: userID)
        return Report(counts: counts)
    }

    /// Runs an insert; SQLite's reason when it refuses (a CHECK, NOT NULL or UNIQUE rule).
    static func insert(_ connection: SQLiteConnection, _ sql: String, _ values: [any DatabaseValueConvertible]) -> String? {
        let result = Result { () throws(SQLiteError) -> Int in try connection.run(sql, values) }
        if case .failure(let error) = result { return error.message }
        return nil
    }

    /// The account columns an import sets.
    struct UserDraftColumns {
        var values: [String: String?] = [:]
    }
}
