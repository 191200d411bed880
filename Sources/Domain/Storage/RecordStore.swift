#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SQLiteCore

/// The statements of one table, built once from its column declaration.
struct TableSQL<Column: ColumnSet>: Sendable {
    let table: String
    let alias: String
    /// Every declared column, computed ones included: what a point read selects.
    let selectAll: String
    /// The columns before the computed ones: what a list selects (links are read beside it).
    let selectStored: String
    let allCount: Int32
    let storedCount: Int32
    /// The columns written from the record, in the order `insert` and `update` bind them.
    let fields: [Column]
    let insert: String
    let update: String
    let selectOne: String
    let delete: String

    init(table: String, alias: String) {
        self.table = table
        self.alias = alias
        var selections: [String] = []
        var stored: [String] = []
        var fields: [Column] = []
        var fieldNames: [String] = []
        for column in Column.allCases {
            let selection: String
            switch column.role {
            case .id: selection = "\(alias).id"
            case .owner: selection = "\(alias).user_id"
            case .field(let name):
                selection = "\(alias).\(name)"
                fields.append(column)
                fieldNames.append(name)
            case .createdAt: selection = "\(alias).created_at"
            case .updatedAt: selection = "\(alias).updated_at"
            case .version: selection = "\(alias).version"
            case .computed(let sql): selection = sql
            case .named(_, let table, let idColumn, let nameColumn):
                selection = "(SELECT x.\(nameColumn) FROM \(table) x WHERE x.id = \(alias).\(idColumn))"
            }
            selections.append(selection)
            if case .computed = column.role { continue }
            // Computed columns come last, so stored ones have the same index in both lists.
            assert(stored.count == selections.count - 1, "\(table): computed columns must be declared last")
            stored.append(selection)
        }
        selectAll = selections.joined(separator: ", ")
        selectStored = stored.joined(separator: ", ")
        allCount = Int32(selections.count)
        storedCount = Int32(stored.count)
        self.fields = fields
        let placeholders = Array(repeating: "?", count: fieldNames.count + 3).joined(separator: ", ")
        insert = "INSERT INTO \(table) (user_id, \(fieldNames.joined(separator: ", ")), created_at, updated_at) VALUES (\(placeholders))"
        update = "UPDATE \(table) SET \(fieldNames.map { "\($0) = ?" }.joined(separator: ", ")), updated_at = ?, version = version + 1 WHERE id = ?"
        selectOne = "SELECT \(selectAll) FROM \(table) \(alias) WHERE \(alias).user_id = ? AND \(alias).id = ?"
        delete = "DELETE FROM \(table) WHERE id = ?"
    }
}

/// A record that has a row: its id, version and timestamps.
protocol StoredRecord: Sendable, Equatable {
    var id: Int64 { get set }
    var version: Int64 { get }
    var createdAt: Date { get set }
    var updatedAt: Date { get set }
}

/// The SQL of one table, and nowhere else: how a row becomes a record, what a record writes,
/// and its link tables. Every method takes the connection, so a write closure can call
/// several stores and commit them together (or roll them back together).
protocol RecordStore {
    associatedtype Record: StoredRecord
    associatedtype Column: ColumnSet

    /// What a tombstone calls a deleted row (`GET /deletions`): "contact".
    static var kind: String { get }
    static var sql: TableSQL<Column> { get }
    /// For messages: "No contact 7."
    static var noun: String { get }
    /// Builds a record from a row selected with `sql.selectAll`.
    static func record(_ row: Row) throws -> Record
    /// What `record` stores in a `.field` column.
    static func value(_ column: Column, of record: Record) -> (any DatabaseValueConvertible)?
    /// Writes the record's link rows (`current`: what is stored now; nil for a new record).
    static func saveLinks(_ connection: SQLiteConnection, _ record: Record, replacing current: Record?) throws
    /// Sets the names of the objects a new record points to (`.named` columns), as a read would.
    static func fillNames(_ connection: SQLiteConnection, _ record: inout Record) throws
}

extension RecordStore {
    static func saveLinks(_ connection: SQLiteConnection, _ record: Record, replacing current: Record?) throws {}
    static func fillNames(_ connection: SQLiteConnection, _ record: inout Record) throws {}

    /// The user's record `id`, or nil (also when it is another user's).
    static func find(_ connection: SQLiteConnection, userID: Int64, id: Int64) throws -> Record? {
        try connection.queryOne(sql.selectOne, [userID, id], record)
    }

    /// The user's record `id`; not found is a `DomainError` that names it.
    static func load(_ connection: SQLiteConnection, userID: Int64, id: Int64) throws -> Record {
        guard let found = try find(connection, userID: userID, id: id) else { throw DomainError.notFound("No \(noun) \(id).") }
        return found
    }

    /// Inserts a new record with its links; returns it as written, with its id.
    static func insert(_ connection: SQLiteConnection, userID: Int64, _ record: Record, at now: Date) throws -> Record {
        var values: [any DatabaseValueConvertible] = [userID]
        values.reserveCapacity(sql.fields.count + 3)
        for column in sql.fields { values.append(value(column, of: record) ?? DatabaseValue.null) }
        values.append(now)
        values.append(now)
        try connection.run(sql.insert, values)
        var written = record
        written.id = connection.lastInsertRowID
        try saveLinks(connection, written, replacing: nil)
        return written
    }

    /// Writes `record` over `current` (same id): fields, a new `updated_at` and version, links.
    static func update(_ connection: SQLiteConnection, _ record: Record, replacing current: Record, at now: Date) throws {
        var values: [any DatabaseValueConvertible] = []
        values.reserveCapacity(sql.fields.count + 2)
        for column in sql.fields { values.append(value(column, of: record) ?? DatabaseValue.null) }
        values.append(now)
        values.append(current.id)
        try connection.run(sql.update, values)
        try saveLinks(connection, record, replacing: current)
    }

    /// Deletes the row; link tables cascade.
    static func delete(_ connection: SQLiteConnection, id: Int64) throws {
        try connection.run(sql.delete, [id])
    }

    /// A list of the user's records, to which filters add conditions.
    static func listQuery(userID: Int64, stored: Bool = false) -> KeysetQuery {
        KeysetQuery(
            select: stored ? sql.selectStored : sql.selectAll, from: "\(sql.table) \(sql.alias)", alias: sql.alias,
            conditions: ["\(sql.alias).user_id = ?"], arguments: [userID], columnCount: stored ? sql.storedCount : sql.allCount)
    }

    /// One page of `query` (built by `listQuery(userID:)`), as records.
    static func list(_ connection: SQLiteConnection, _ query: KeysetQuery, page: PageRequest) throws -> Page<Record> {
        try query.run(connection, page: page, map: record)
    }
}

/// A link table from an owner row to ids (`contact_interests`: contact → interest).
struct LinkTable: Sendable {
    let table: String
    let owner: String
    let link: String
    let deleteSQL: String
    let insertSQL: String

    init(_ table: String, owner: String, link: String) {
        self.table = table
        self.owner = owner
        self.link = link
        deleteSQL = "DELETE FROM \(table) WHERE \(owner) = ?"
        insertSQL = "INSERT INTO \(table) (\(owner), \(link)) VALUES (?, ?)"
    }

    /// Makes the owner's links exactly `values` (`current`: what is stored; nil: nothing yet).
    func replace<Value: DatabaseValueConvertible & Equatable>(_ connection: SQLiteConnection, owner id: Int64, with values: [Value], current: [Value]?) throws {
        if let current {
            guard current != values else { return }
            try connection.run(deleteSQL, [id])
        }
        for value in values { try connection.run(insertSQL, [id, value]) }
    }
}
