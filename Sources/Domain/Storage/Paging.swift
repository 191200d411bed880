#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// A list order: SQL expressions compared as one row value, all in one direction, always
/// ending in `id` so that the order is total and keyset pagination is exact. Creation order
/// is id order (ids are assigned ascending), so `created_at` sorts use the id alone: SQLite
/// uses only the first column of a row-value range for an index seek, and rows created in
/// the same millisecond would otherwise be scanned rather than sought.
public struct ListOrder: Sendable, Equatable {
    public let name: String
    /// SQL expressions over the list's table alias, without the trailing id (Domain's own).
    let columns: [String]
    public let descending: Bool

    /// How many values a keyset of this order holds: its columns and the id.
    public var keyCount: Int { columns.count + 1 }

    init(name: String, columns: [String], descending: Bool) {
        self.name = name
        self.columns = columns
        self.descending = descending
    }

    /// The expressions of the keyset, id last.
    func keyColumns(alias: String) -> [String] { columns + ["\(alias).id"] }

    func orderBy(alias: String) -> String {
        keyColumns(alias: alias).map { $0 + (descending ? " DESC" : "") }.joined(separator: ", ")
    }

    /// `(a, b, id) > (?, ?, ?)`: rows strictly after the cursor (SQLite row values).
    func after(alias: String) -> String {
        let keys = keyColumns(alias: alias)
        return "(\(keys.joined(separator: ", "))) \(descending ? "<" : ">") (\(keys.map { _ in "?" }.joined(separator: ", ")))"
    }
}

extension ListOrder {
    /// The orders every resource offers: its name column (`name` by default; `label` for
    /// resumes; none for questions) without case, `created_at` (creation order, the id) and
    /// `updated_at`, each also descending with a leading `-`.
    /// `foldedColumn`: a stored `NameKey.fold` of the name, sorted on as it is (so "Élise"
    /// sorts among the E's), instead of the name itself without case.
    static func standard(alias: String, nameColumn: String? = "name", foldedColumn: String? = nil) -> [String: ListOrder] {
        var keys: [(String, [String])] = [("created_at", []), ("updated_at", ["\(alias).updated_at"])]
        if let nameColumn { keys.append((nameColumn, [foldedColumn.map { "\(alias).\($0)" } ?? "\(alias).\(nameColumn) COLLATE NOCASE"])) }
        var orders: [String: ListOrder] = [:]
        for (name, columns) in keys {
            orders[name] = ListOrder(name: name, columns: columns, descending: false)
            orders["-" + name] = ListOrder(name: "-" + name, columns: columns, descending: true)
        }
        return orders
    }
}

/// Which page of a list to read.
public struct PageRequest: Sendable {
    public var limit: Int
    public var sort: ListOrder
    /// The keyset of the last item of the previous page, from the cursor.
    public var after: Keyset?

    public init(limit: Int, sort: ListOrder, after: Keyset?) {
        self.limit = limit
        self.sort = sort
        self.after = after
    }
}

/// One page of a list and the keyset to continue after, if there is more.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var next: Keyset?

    public init(items: [Item], next: Keyset?) {
        self.items = items
        self.next = next
    }
}

/// Builds a keyset-paginated SELECT from a base query's pieces; the sort keys are selected
/// as extra trailing columns so the cursor holds their exact stored values.
struct KeysetQuery {
    var select: String
    var from: String
    var alias: String
    var conditions: [String]
    var arguments: [any DatabaseValueConvertible]
    /// Columns `select` yields; the sort keys are read after them.
    var columnCount: Int32

    /// Keeps rows whose `column` equals `value`; nil adds nothing (an unset filter).
    mutating func equals(_ column: String, _ value: (any DatabaseValueConvertible)?) {
        guard let value else { return }
        conditions.append("\(column) = ?")
        arguments.append(value)
    }

    /// Keeps rows linked through `table` (its `owner` column holding the row's id) to `value`
    /// in its `column`: a tag, an area. Nil adds nothing.
    mutating func linked(through table: String, owner: String, _ column: String, _ value: (any DatabaseValueConvertible)?) {
        guard let value else { return }
        conditions.append("EXISTS (SELECT 1 FROM \(table) l WHERE l.\(owner) = \(alias).id AND l.\(column) = ?)")
        arguments.append(value)
    }

    /// Keeps rows whose time `column` is at or after `from` and before `to` (the `from`/`to` filters).
    mutating func within(_ column: String, from: Date?, to: Date?) {
        if let from {
            conditions.append("\(column) >= ?")
            arguments.append(from)
        }
        if let to {
            conditions.append("\(column) < ?")
            arguments.append(to)
        }
    }

    /// Keeps rows where any of `columns` contains `text` (LIKE, wildcards escaped).
    /// `folded`: a stored `NameKey.fold` column, matched by the text folded the same way.
    mutating func contains(_ text: String?, in columns: [String], folded: String? = nil) {
        guard let text else { return }
        var tests = columns.map { "\($0) LIKE ? ESCAPE '\\'" }
        var values = Array(repeating: SQLText.contains(text), count: columns.count)
        if let folded {
            tests.insert("\(folded) LIKE ? ESCAPE '\\'", at: 0)
            values.insert(SQLText.contains(NameKey.fold(text)), at: 0)
        }
        conditions.append("(" + tests.joined(separator: " OR ") + ")")
        arguments += values
    }

    /// Keeps rows updated at or after `date`.
    mutating func updatedSince(_ date: Date?) {
        guard let date else { return }
        conditions.append("\(alias).updated_at >= ?")
        arguments.append(date)
    }

    /// Hands each row of the page to `visit` as it is read; returns the keyset to continue
    /// after, if there is more.
    func visit(_ connection: SQLiteConnection, page: PageRequest, _ visit: (Row) throws -> Void) throws -> Keyset? {
        var conditions = conditions
        var arguments = arguments
        let keys = page.sort.keyColumns(alias: alias)
        if let after = page.after {
            guard after.keys.count == keys.count else { throw DomainError.badCursor }
            conditions.append(page.sort.after(alias: alias))
            arguments.append(contentsOf: after.databaseValues as [any DatabaseValueConvertible])
        }
        let sql = "SELECT \(select), \(keys.joined(separator: ", ")) FROM \(from) WHERE \(conditions.joined(separator: " AND ")) ORDER BY \(page.sort.orderBy(alias: alias)) LIMIT ?"
        arguments.append(page.limit + 1)
        var seen = 0
        var lastKey: [DatabaseValue]?
        var hasMore = false
        try connection.forEachRow(sql, arguments) { row in
            if seen == page.limit {
                hasMore = true
                return
            }
            seen += 1
            try visit(row)
            // Only the page's last row can be continued after.
            if seen == page.limit { lastKey = (0..<Int32(keys.count)).map { row.value(columnCount + $0) } }
        }
        return hasMore ? lastKey.map(Keyset.init) : nil
    }

    func run<Item>(_ connection: SQLiteConnection, page: PageRequest, map: (Row) throws -> Item) throws -> Page<Item> {
        var items: [Item] = []
        items.reserveCapacity(page.limit)
        let next = try visit(connection, page: page) { items.append(try map($0)) }
        return Page(items: items, next: next)
    }
}
