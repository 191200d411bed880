import Domain
import Foundation
import Primitives
import SQLiteCore

/// Every statement the stores, services and reports prepare, checked against the plans SQLite
/// would choose on a centre's server: with statistics shaped like a centre (many accounts, few
/// rows each), and without any (as the server runs: it never runs ANALYZE, so its planner
/// goes by the schema alone; that is how `reminders_ref (kind=?)` was chosen). Installed by every test
/// that opens a database (see `TemporaryDirectory`), so a statement is checked by the first
/// test that runs it, and fails that test (a prepare error, so a 500) when its plan:
/// - scans a table that holds every account's rows (`SCAN contacts`, an automatic index);
/// - searches an index whose equality-constrained columns name neither an account (`user_id`),
///   nor a parent row (`contact_id`, `meeting_id`, ...), nor a row itself (the rowid, a unique key).
///
/// A deliberate exception says so in its SQL, with its reason: `/* plan: <reason> */`
/// (maintenance over every account, a keyset walk bounded by LIMIT).
public enum QueryPlanAudit {
    /// Marks a statement whose plan may span every account; the reason follows it.
    public static let exceptionMarker = "/* plan:"
    /// For a test's own statements (counting a whole table to check what a request stored).
    public static let testMarker = "/* plan: a test's own check of what is stored */"

    /// Tables that hold one account's rows or none: everything else holds every account's.
    static let sharedTables: Set<String> = ["schema_migrations", "search_state", "sqlite_schema", "sqlite_master", "sqlite_stat1"]

    /// Columns whose equality names one account, one parent row, or one row.
    static func isScoping(_ column: String) -> Bool {
        column == "user_id" || column == "rowid" || column == "id" || column == "lookup" || column.hasSuffix("_id")
            || column == "created_by" || column == "accepted_by"
    }

    /// Installs the audit for this process (idempotent).
    public static func install() {
        #if DEBUG
        StatementAudit.install { sql in problem(in: sql) }
        #endif
    }

    /// What is wrong with `sql`'s plan on a centre-shaped database; nil when nothing is.
    public static func problem(in sql: String) -> String? {
        let trimmed = sql.drop { $0 == " " || $0 == "\n" }.uppercased()
        // DDL, pragmas and transaction control have no plan to check.
        for verb in ["CREATE", "DROP", "ALTER", "PRAGMA", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "EXPLAIN", "ANALYZE", "VACUUM", "ATTACH", "DETACH", "REINDEX"]
        where trimmed.hasPrefix(verb) { return nil }
        if let range = sql.range(of: exceptionMarker) {
            let reason = sql[range.upperBound...].prefix { $0 != "*" }.trimmingCharacters(in: .whitespaces)
            return reason.isEmpty ? "an exception to the plan audit must give its reason" : nil
        }
        return shadows.withLock { shadows in
            for shadow in shadows {
                if let problem = shadow.problem(in: sql) {
                    return problem + (shadow.hasStatistics ? " (with a centre's statistics)" : " (without statistics, as the server runs)")
                }
            }
            return nil
        }
    }

    /// The plan's rows, as EXPLAIN QUERY PLAN writes them (for tests that show one).
    public static func plan(of sql: String, statistics: Bool = true) -> [String] {
        shadows.withLock { $0.first { $0.hasStatistics == statistics }?.plan(of: sql) ?? [] }
    }

    private static let shadows = Lock<[Shadow]>({
        do {
            return [try Shadow(statistics: true), try Shadow(statistics: false)]
        } catch {
            // Without its databases the audit cannot judge anything: say so loudly, once.
            FileHandle.standardError.write(Data("QueryPlanAudit: no shadow database: \(error)\n".utf8))
            return []
        }
    }())

    /// Whether the audit can judge statements (its shadow databases opened).
    public static var isReady: Bool { shadows.withLock { $0.count == 2 } }

    /// An in-memory database with Foothold's schema, and statistics shaped like a centre or none.
    final class Shadow {
        let hasStatistics: Bool
        let connection: SQLiteConnection
        /// Index name → (table, columns, unique).
        var indexes: [String: (table: String, columns: [String], unique: Bool)] = [:]
        var tables: Set<String> = []
        var virtualTables: Set<String> = []

        init(statistics: Bool) throws {
            hasStatistics = statistics
            connection = try SQLiteConnection(path: ":memory:")
            connection.isAudited = false
            try Migrations.migrator.migrate(connection)
            if statistics { try connection.execute("ANALYZE") }
            let schema = try connection.query("SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema WHERE type IN ('table', 'index')") {
                ($0.string(0), $0.string(1), $0.string(2), $0.string(3))
            }
            let ftsShadows = Set(schema.filter { $0.3.uppercased().hasPrefix("CREATE VIRTUAL TABLE") }.map(\.1))
            for (type, name, table, sql) in schema where type == "table" && !name.hasPrefix("sqlite_") {
                if ftsShadows.contains(where: { name.hasPrefix($0 + "_") }) { continue }
                tables.insert(name)
                if sql.uppercased().hasPrefix("CREATE VIRTUAL TABLE") { virtualTables.insert(name) }
                _ = table
            }
            for (type, name, table, _) in schema where type == "index" && tables.contains(table) {
                let columns = try connection.query("SELECT coalesce(name, '') FROM pragma_index_info(?)", [name]) { $0.string(0) }
                let unique = try connection.queryOne("SELECT \"unique\" FROM pragma_index_list(?) WHERE name = ?", [table, name]) { $0.int64(0) } ?? 0
                indexes[name] = (table, columns, unique == 1)
            }
            if statistics { try writeStatistics() }
        }

        /// sqlite_stat1 as 10,000 accounts of 100 rows per table would leave it
        /// (https://sqlite.org/fileformat2.html#stat1tab): a column that scopes to an account
        /// or a parent narrows a lot, a status or kind hardly at all.
        private func writeStatistics() throws {
            try connection.run("DELETE FROM sqlite_stat1")
            for table in tables where !virtualTables.contains(table) {
                let rows = rowCount(table)
                try connection.run("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, NULL, ?)", [table, "\(rows)"])
            }
            for (name, index) in indexes where !virtualTables.contains(index.table) {
                let rows = rowCount(index.table)
                var stat = ["\(rows)"]
                var narrowed = rows
                for (position, column) in index.columns.enumerated() {
                    narrowed = max(1, min(narrowed, Self.rowsPerValue(column, rows: rows)) / (position == 0 ? 1 : 2))
                    if index.unique && position == index.columns.count - 1 { narrowed = 1 }
                    stat.append("\(narrowed)")
                }
                try connection.run("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)", [index.table, name, stat.joined(separator: " ")])
            }
            try connection.execute("ANALYZE sqlite_schema")
        }

        private func rowCount(_ table: String) -> Int {
            switch table {
            case "users": 10_000
            case _ where sharedTables.contains(table): 20
            case "search_queue": 1_000
            default: 1_000_000
            }
        }

        /// Rows per distinct value of `column` alone, in a table of `rows` rows over 10,000 accounts.
        static func rowsPerValue(_ column: String, rows: Int) -> Int {
            switch column {
            case "user_id": max(1, rows / 10_000)
            case "id", "rowid", "lookup", "name", "name_key", "email", "linkedin_key", "label", "title": 2
            case "tag": 1_000
            case _ where column.hasSuffix("_id") || column == "created_by" || column == "accepted_by": 5
            case "kind", "status", "stage", "category", "role", "direction", "channel", "scope", "type", "method", "source", "disabled", "asked":
                max(1, rows / 4)
            default: 3
            }
        }

        func plan(of sql: String) -> [String] {
            (try? explain(sql)) ?? []
        }

        /// The plan's detail column; parameters stay unbound (NULL), which EXPLAIN does not mind.
        func explain(_ sql: String) throws -> [String] {
            let statement = try connection.checkOut("EXPLAIN QUERY PLAN " + sql)
            defer { statement.checkIn() }
            var details: [String] = []
            while try statement.step() { details.append(statement.currentRow.string(3)) }
            return details
        }

        func problem(in sql: String) -> String? {
            // A statement this schema cannot prepare (a temporary table, another test's tables) is not ours to judge.
            guard let rows = try? explain(sql) else { return nil }
            let aliases = aliasMap(sql)
            for detail in rows {
                if let problem = judge(detail, aliases: aliases) { return "\(problem), in plan \(rows)" }
            }
            return nil
        }

        /// `SCAN c USING INDEX x`, `SEARCH reminders USING INDEX reminders_ref (kind=?)`: nil when bounded.
        func judge(_ detail: String, aliases: [String: String]) -> String? {
            let words = detail.split(separator: " ").map(String.init)
            guard words.count >= 2, words[0] == "SCAN" || words[0] == "SEARCH" else { return nil }
            let name = words[1]
            var table = aliases[name] ?? name
            var indexName: String?
            if let using = words.firstIndex(of: "INDEX"), using + 1 < words.count, words[using - 1] != "TABLE" {
                indexName = words[using + 1]
                if let index = indexes[words[using + 1]] { table = index.table }
            }
            guard tables.contains(table), !sharedTables.contains(table) else { return nil }
            if detail.contains("AUTOMATIC") { return "builds an automatic index over every account's \(table)" }
            if virtualTables.contains(table) {
                // Full-text search reads one account's rowid range: the index string shows it as < and >.
                let index = words.last ?? ""
                return index.contains("<") || index.contains(">") || index.contains("=") ? nil : "searches every account's \(table)"
            }
            if words[0] == "SCAN" { return "scans every account's \(table)" }
            let constraints = Self.constraints(detail)
            let equal = constraints.filter { $0.equal }.map(\.column)
            if equal.contains(where: Self.isScopingColumn) { return nil }
            if let indexName, let index = indexes[indexName], index.unique, Set(index.columns).isSubset(of: Set(equal)) { return nil }
            if detail.contains("PRIMARY KEY"), let primary = primaryKey(table), !primary.isEmpty, Set(primary).isSubset(of: Set(equal)) { return nil }
            return "searches \(indexName ?? table) by (\(constraints.map(\.text).joined(separator: " AND "))), which spans every account's \(table)"
        }

        static func isScopingColumn(_ column: String) -> Bool { QueryPlanAudit.isScoping(column) }

        /// `(user_id=? AND (due_at,kind)>(?,?))` → [(user_id, =), ((due_at,kind), >)]: the
        /// parenthesized list after the index, split at its own ANDs.
        static func constraints(_ detail: String) -> [(column: String, equal: Bool, text: String)] {
            // A join's plan row may end in a word of its own ("... (rowid=?) LEFT-JOIN").
            guard let open = detail.firstIndex(of: "("), let close = detail.lastIndex(of: ")"), open < close else { return [] }
            let inner = detail[detail.index(after: open)..<close]
            var parts: [String] = []
            var depth = 0
            var current = ""
            var rest = Substring(inner)
            while let character = rest.first {
                if depth == 0 && rest.hasPrefix(" AND ") {
                    parts.append(current)
                    current = ""
                    rest = rest.dropFirst(5)
                    continue
                }
                if character == "(" { depth += 1 }
                if character == ")" { depth -= 1 }
                current.append(character)
                rest = rest.dropFirst()
            }
            parts.append(current)
            return parts.map { part in
                let column = String(part.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
                return (column, !column.isEmpty && part.dropFirst(column.count).hasPrefix("="), part)
            }
        }

        /// The columns of a WITHOUT ROWID table's primary key.
        func primaryKey(_ table: String) -> [String]? {
            try? connection.query("SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk", [table]) { $0.string(0) }
        }

        /// `FROM contacts c`, `JOIN outreach AS o`: alias → table, for plans that name the alias.
        func aliasMap(_ sql: String) -> [String: String] {
            let keywords: Set<String> = [
                "WHERE", "JOIN", "ON", "LEFT", "INNER", "CROSS", "SET", "ORDER", "GROUP", "LIMIT", "USING", "INDEXED", "NOT", "VALUES", "AS",
                "UNION", "SELECT", "RETURNING", "DEFAULT", "HAVING", "WINDOW", "EXCEPT", "INTERSECT", "NATURAL", "OUTER",
            ]
            var map: [String: String] = [:]
            let tokens = sql.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).map(String.init)
            for (offset, token) in tokens.enumerated() where tables.contains(token) {
                var next = offset + 1
                if next < tokens.count, tokens[next].uppercased() == "AS" { next += 1 }
                if next < tokens.count, !keywords.contains(tokens[next].uppercased()), !tables.contains(tokens[next]) {
                    map[tokens[next]] = token
                }
            }
            return map
        }
    }
}
