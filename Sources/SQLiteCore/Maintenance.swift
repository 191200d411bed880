import CSQLite

/// Online backup and integrity checks, for `foothold backup` and `foothold check`.
public enum Maintenance {
    /// Copies the live database at `source` into `destination` with the online backup API
    /// (https://sqlite.org/backup.html). One step copies every page inside one read
    /// transaction, so the copy is a consistent snapshot and, in WAL mode, writers go on.
    public static func backup(from source: String, to destination: String) throws(SQLiteError) {
        let from = try SQLiteConnection(path: source, options: .init(readOnly: true))
        let to = try SQLiteConnection(path: destination)
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
