#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Applies migrations in order, each in its own transaction, and refuses to run against a
/// database whose recorded history disagrees with the code.
public struct Migrator: Sendable {
    /// Why the schema cannot be brought up to date.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case changed(name: String)
        case removed(name: String)
        case newerThanCode(name: String)
        case outOfOrder(name: String)
        case failed(name: String, message: String)

        public var description: String {
            switch self {
            case .changed(let name):
                return "migration \(name) was changed after it was applied to this database; restore the original file"
            case .removed(let name):
                return "migration \(name) was applied to this database but is missing from this build"
            case .newerThanCode(let name):
                return "the database is newer than this build (it has migration \(name)); run a newer foothold"
            case .outOfOrder(let name):
                return "migration \(name) sorts before migrations already applied; give it a later name"
            case .failed(let name, let message):
                return "migration \(name) failed: \(message)"
            }
        }
    }

    public let migrations: [Migration]

    /// A migration that begins with this line runs with foreign key enforcement off, as
    /// rebuilding a table needs (https://sqlite.org/lang_altertable.html#otheralter): dropping
    /// the old table must not cascade to the rows that refer to it. SQLite cannot switch
    /// enforcement inside a transaction, so the migrator does it around one, and checks every
    /// key before committing.
    public static let foreignKeysOffDirective = "-- foothold: foreign_keys off"

    public init(migrations: [Migration]) {
        self.migrations = migrations.sorted { $0.name < $1.name }
    }

    /// Applies what is pending; returns the names applied now.
    @discardableResult
    public func migrate(_ database: Database) throws -> [String] {
        try database.withWriter { connection in try migrate(connection) }
    }

    @discardableResult
    public func migrate(_ connection: SQLiteConnection) throws -> [String] {
        try connection.execute("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                name TEXT PRIMARY KEY,
                checksum TEXT NOT NULL,
                applied_at TEXT NOT NULL
            )
            """)
        let applied = try connection.query("SELECT name, checksum FROM schema_migrations ORDER BY name") { ($0.string(0), $0.string(1)) }
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.name, $0) })
        let newestKnown = migrations.last?.name ?? ""
        for (name, checksum) in applied {
            guard let migration = known[name] else {
                throw name > newestKnown ? Failure.newerThanCode(name: name) : Failure.removed(name: name)
            }
            if migration.checksum != checksum { throw Failure.changed(name: name) }
        }
        let appliedNames = Set(applied.map(\.0))
        let newestApplied = applied.last?.0 ?? ""
        var appliedNow: [String] = []
        for migration in migrations where !appliedNames.contains(migration.name) {
            if migration.name < newestApplied { throw Failure.outOfOrder(name: migration.name) }
            let keysOff = migration.sql.hasPrefix(Self.foreignKeysOffDirective)
            do {
                if keysOff { try connection.execute("PRAGMA foreign_keys = OFF") }
                defer { if keysOff { try? connection.execute("PRAGMA foreign_keys = ON") } }
                try connection.transaction(.immediate) {
                    try connection.execute(migration.sql)
                    try migration.fill?(connection)
                    if keysOff {
                        let violations = try connection.query("PRAGMA foreign_key_check") { $0.string(0) }
                        if let table = violations.first {
                            throw SQLiteError(code: 787 /* SQLITE_CONSTRAINT_FOREIGNKEY */, message: "\(violations.count) foreign key violations, in \(table) first", sql: nil)
                        }
                    }
                    try connection.run(
                        "INSERT INTO schema_migrations (name, checksum, applied_at) VALUES (?, ?, ?)",
                        [migration.name, migration.checksum, Date()])
                }
            } catch let error as SQLiteError {
                throw Failure.failed(name: migration.name, message: error.message)
            } catch let error as Failure {
                throw error
            } catch {
                throw Failure.failed(name: migration.name, message: "\(error)")
            }
            appliedNow.append(migration.name)
        }
        return appliedNow
    }
}
