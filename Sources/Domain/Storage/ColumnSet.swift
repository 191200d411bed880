#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SQLiteCore

/// What a declared column is, for the statements built from the declaration.
enum ColumnRole {
    /// The row id.
    case id
    /// `user_id`: written once, on insert.
    case owner
    /// Written on insert and update from the record.
    case field(String)
    /// Set to now on insert.
    case createdAt
    /// Set to now on insert and on every update.
    case updatedAt
    /// Starts at 1 (the schema's default) and grows by one per update.
    case version
    /// Selected by this SQL over the table's alias, never written (counts, joined links).
    case computed(String)
    /// The name of the row a `.field` id column points to, read beside the row in lists and
    /// point reads alike, never written: `key` is what the JSON calls the object.
    case named(key: String, table: String, idColumn: String, nameColumn: String = "name")
}

/// The names of the objects a record points to, by the key the JSON gives the object
/// (`"organization": {"id", "name"}`), so a page needs no request per row.
public struct LinkedNames: Sendable, Equatable {
    public var values: [String: String] = [:]

    public init() {}

    public subscript(_ key: String) -> String? { values[key] }

    /// Read from a row selected with a table's SQL.
    static func of<C: ColumnSet>(_ row: Row, _: C.Type) -> LinkedNames {
        var names = LinkedNames()
        for column in C.allCases {
            if case .named(let key, _, _, _) = column.role, let name = row.optionalString(column) { names.values[key] = name }
        }
        return names
    }

    /// Read for a record about to be answered (a create: no row was selected for it).
    static func read<C: ColumnSet>(
        _ connection: SQLiteConnection, _: C.Type, value: (C) -> (any DatabaseValueConvertible)?
    ) throws -> LinkedNames {
        var names = LinkedNames()
        for column in C.allCases {
            guard case .named(let key, let table, let idColumn, let nameColumn) = column.role,
                  let idField = C.allCases.first(where: { if case .field(idColumn) = $0.role { true } else { false } }),
                  let id = value(idField), !(id is DatabaseValue)
            else { continue }
            if let name = try connection.scalarText("SELECT \(nameColumn) FROM \(table) WHERE id = ?", [id]) {
                names.values[key] = name
            }
        }
        return names
    }
}

/// The columns a statement selects, as an enum whose case order is the SELECT order, which is
/// the index a row is read at: no position is kept in step by hand.
protocol QueryColumns: RawRepresentable, CaseIterable, Sendable where RawValue == Int32, AllCases == [Self] {}

/// A table's columns, declared once: the statements are built from the declaration. Computed
/// columns come last, so list queries that leave them out read the others at the same indexes.
protocol ColumnSet: QueryColumns {
    var role: ColumnRole { get }
}

/// A query's select list, declared once beside the reads: each case is one expression of the
/// list, and `select` writes them in case order. A column added to the enum lands in the SQL
/// and in the reads together, so the two cannot drift.
protocol SelectList: QueryColumns {
    /// The SQL expression this column selects.
    var sql: String { get }
}

extension SelectList {
    /// The expressions, comma-separated, in case order.
    static var select: String { allCases.map(\.sql).joined(separator: ", ") }

    /// The stored column a plain expression reads (`m.completed_at` → `completed_at`), for messages.
    var columnName: String { String(sql.split(separator: ".").last ?? Substring(sql)) }
}

/// `id, name` of a table read without an alias, the most common pair a statement reads.
enum IDAndName: Int32, SelectList {
    case id, name
    var sql: String {
        switch self {
        case .id: "id"
        case .name: "name"
        }
    }

    static func read(_ row: Row) -> (id: Int64, name: String) { (row.int64(Self.id), row.string(Self.name)) }
}

extension Row {
    func int64<C: QueryColumns>(_ column: C) -> Int64 { int64(column.rawValue) }
    func int<C: QueryColumns>(_ column: C) -> Int { int(column.rawValue) }
    func optionalInt64<C: QueryColumns>(_ column: C) -> Int64? { optionalInt64(column.rawValue) }
    func double<C: QueryColumns>(_ column: C) -> Double { double(column.rawValue) }
    func bool<C: QueryColumns>(_ column: C) -> Bool { bool(column.rawValue) }
    func isNull<C: QueryColumns>(_ column: C) -> Bool { isNull(column.rawValue) }
    func string<C: QueryColumns>(_ column: C) -> String { string(column.rawValue) }
    func optionalString<C: QueryColumns>(_ column: C) -> String? { optionalString(column.rawValue) }
    func text<C: QueryColumns>(_ column: C) -> UnsafeBufferPointer<UInt8>? { text(column.rawValue) }
    func blob<C: QueryColumns>(_ column: C) -> [UInt8] { blob(column.rawValue) }
    func date<C: QueryColumns>(_ column: C) -> Date? { date(column.rawValue) }
    func value<C: QueryColumns>(_ column: C) -> DatabaseValue { value(column.rawValue) }

    /// A timestamp the schema requires. A row without a readable one is corrupt: an error,
    /// not "long ago", which would sort and count it as if it were true.
    func stamp<C: ColumnSet>(_ column: C, of table: String) throws(DomainError) -> Date {
        guard let date = date(column.rawValue) else { throw corrupt(table, column) }
        return date
    }

    /// A value of a closed set (a status, a kind); anything else stored is corrupt.
    func member<E: RawRepresentable, C: ColumnSet>(_ column: C, of table: String) throws(DomainError) -> E where E.RawValue == String {
        guard let value = E(rawValue: string(column.rawValue)) else { throw corrupt(table, column) }
        return value
    }

    /// An optional value of a closed set: NULL is nil, anything else must be a member.
    func optionalMember<E: RawRepresentable, C: ColumnSet>(_ column: C, of table: String) throws(DomainError) -> E? where E.RawValue == String {
        guard let text = optionalString(column.rawValue) else { return nil }
        guard let value = E(rawValue: text) else { throw corrupt(table, column) }
        return value
    }

    private func corrupt<C: ColumnSet>(_ table: String, _ column: C) -> DomainError {
        let id = C.allCases.first { if case .id = $0.role { true } else { false } }.map { int64($0.rawValue) } ?? 0
        return .corruptRow(table: table, id: id, column: column.name)
    }

    /// The same for a query's own select list: the column is named by its expression.
    func stamp<C: SelectList>(_ column: C, of table: String, id: Int64) throws(DomainError) -> Date {
        guard let date = date(column.rawValue) else { throw DomainError.corruptRow(table: table, id: id, column: column.columnName) }
        return date
    }

    func member<E: RawRepresentable, C: SelectList>(_ column: C, of table: String, id: Int64) throws(DomainError) -> E where E.RawValue == String {
        guard let value = E(rawValue: string(column.rawValue)) else { throw DomainError.corruptRow(table: table, id: id, column: column.columnName) }
        return value
    }
}

extension ColumnSet {
    /// The column's name in SQL, for messages.
    var name: String {
        switch role {
        case .id: "id"
        case .owner: "user_id"
        case .field(let name): name
        case .computed: "computed value"
        case .createdAt: "created_at"
        case .updatedAt: "updated_at"
        case .version: "version"
        case .named(let key, _, _, _): key
        }
    }
}
