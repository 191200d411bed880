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
}
