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
            if let name = try connection.queryOne("SELECT \(nameColumn) FROM \(table) WHERE id = ?", [id], { $0.optionalString(0) }) ?? nil {
                names.values[key] = name
            }
        }
        return names
    }
}

/// A table's columns, declared once as an enum whose case order is the SELECT order, which is
/// the index a row is read at: no position or count is kept in step by hand. Computed columns
/// come last, so list queries that leave them out read the others at the same indexes.
protocol ColumnSet: RawRepresentable, CaseIterable, Sendable where RawValue == Int32, AllCases == [Self] {
    var role: ColumnRole { get }
}

extension Row {
    func int64<C: ColumnSet>(_ column: C) -> Int64 { int64(column.rawValue) }
    func int<C: ColumnSet>(_ column: C) -> Int { int(column.rawValue) }
    func optionalInt64<C: ColumnSet>(_ column: C) -> Int64? { optionalInt64(column.rawValue) }
    func bool<C: ColumnSet>(_ column: C) -> Bool { bool(column.rawValue) }
    func string<C: ColumnSet>(_ column: C) -> String { string(column.rawValue) }
    func optionalString<C: ColumnSet>(_ column: C) -> String? { optionalString(column.rawValue) }
    func text<C: ColumnSet>(_ column: C) -> UnsafeBufferPointer<UInt8>? { text(column.rawValue) }
    func blob<C: ColumnSet>(_ column: C) -> [UInt8] { blob(column.rawValue) }
    func date<C: ColumnSet>(_ column: C) -> Date? { date(column.rawValue) }

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

    /// The same for positional reads (a query of its own, not a table's column set).
    func stamp(_ index: Int32, column: String, of table: String, id: Int64) throws(DomainError) -> Date {
        guard let date = date(index) else { throw DomainError.corruptRow(table: table, id: id, column: column) }
        return date
    }

    func member<E: RawRepresentable>(_ index: Int32, column: String, of table: String, id: Int64) throws(DomainError) -> E where E.RawValue == String {
        guard let value = E(rawValue: string(index)) else { throw DomainError.corruptRow(table: table, id: id, column: column) }
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
