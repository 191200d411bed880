import CSQLite

/// Online backup and integrity checks, for `foothold backup` and `foothold check`.
public enum Maintenance {
    /// Copies the live database at `source` into `destination` with the online backup API
    /// (https://sqlite.org/backup.html). One step copies every page inside one read
    /// transaction, so the copy is a consistent snapshot and, in WAL mode, writers go on.
    ///
    /// Returns the rows of every table as the copy saw them: counted inside the same read
    /// transaction as the copy (the backup uses the source's open transaction rather than
    /// starting its own), so a write that lands meanwhile is in neither or both.
    @discardableResult
    public static func backup(from source: String, to destination: String) throws -> [TableRows] {
        let from = try SQLiteConnection(path: source, options: .init(readOnly: true))
        let to = try SQLiteConnection(path: destination)
        try from.execute("BEGIN")
        defer { try? from.execute("ROLLBACK") }
        let counted = try rows(from)
        guard let backup = sqlite3_backup_init(to.handle, "main", from.handle, "main") else {
            throw SQLiteError(code: sqlite3_extended_errcode(to.handle), connection: to.handle)
        }
        var code: Int32
        repeat {
            code = sqlite3_backup_step(backup, -1)
            if code == SQLITE_BUSY || code == SQLITE_LOCKED { sqlite3_sleep(50) }
        } while code == SQLITE_OK || code == SQLITE_BUSY || code == SQLITE_LOCKED
        let finish = sqlite3_backup_finish(backup)
        guard code == SQLITE_DONE else { throw SQLiteError(code: code, connection: to.handle) }
        guard finish == SQLITE_OK else { throw SQLiteError(code: finish, connection: to.handle) }
        return counted
    }

    /// One table's row count.
    public struct TableRows: Sendable, Equatable {
        public var table: String
        public var rows: Int64
        public init(table: String, rows: Int64) {
            self.table = table
            self.rows = rows
        }
    }

    /// Every ordinary table's rows, by name. Virtual tables (full-text search) are left out:
    /// their rows live in shadow tables, which are counted, and counting one runs its module.
    static func rows(_ connection: SQLiteConnection) throws -> [TableRows] {
        let tables = try connection.query(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
        ) { $0.string(0) }
        return try tables.map { table in
            var quoted = "\""
            for character in table {
                if character == "\"" { quoted.append("\"") }
                quoted.append(character)
            }
            quoted.append("\"")
            return TableRows(table: table, rows: try connection.scalarInt("SELECT count(*) FROM \(quoted) /* plan: backup --verify counts every table whole, every account's rows */") ?? 0)
        }
    }

    /// What `verify` found in a copy.
    public struct Verification: Sendable {
        /// Integrity and foreign-key problems, as `check` reports them.
        public var problems: [String]
        /// Tables whose rows differ, or that only one side has (nil rows: absent there).
        public var differences: [(table: String, expected: Int64?, found: Int64?)]
        /// The copy's tables and rows.
        public var copy: [TableRows]
        public var passed: Bool { problems.isEmpty && differences.isEmpty }
    }

    /// Opens the copy at `path`, runs the integrity and foreign-key checks, and compares its
    /// rows per table with `expected` (what `backup` counted in the source).
    public static func verify(copy path: String, expected: [TableRows]) throws -> Verification {
        let problems = try check(path: path)
        let connection = try SQLiteConnection(path: path, options: .init(readOnly: true))
        let found = try rows(connection)
        let foundRows = Dictionary(found.map { ($0.table, $0.rows) }, uniquingKeysWith: { first, _ in first })
        let expectedRows = Dictionary(expected.map { ($0.table, $0.rows) }, uniquingKeysWith: { first, _ in first })
        var differences: [(table: String, expected: Int64?, found: Int64?)] = []
        for table in Set(foundRows.keys).union(expectedRows.keys).sorted() where foundRows[table] != expectedRows[table] {
            differences.append((table, expectedRows[table], foundRows[table]))
        }
        return Verification(problems: problems, differences: differences, copy: found)
    }

    /// Runs `integrity_check` and `foreign_key_check`; returns the problems found (none: empty).
    public static func check(path: String) throws -> [String] {
        let connection = try SQLiteConnection(path: path, options: .init(readOnly: true))
        var problems = try connection.query("PRAGMA integrity_check") { $0.string(0) }.filter { $0 != "ok" }
        problems += try connection.query("PRAGMA foreign_key_check") { row in
            "foreign key violation in \(row.string(0)) row \(row.int64(1)) referring to \(row.string(2))"
        }
        return problems
    }
}
