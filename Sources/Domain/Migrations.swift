import SQLiteCore

/// The schema migrations of this build, embedded from migrations/*.sql at build time.
public enum Migrations {
    public static var all: [Migration] {
        EmbeddedMigrations.files.map { Migration(name: $0.name, sql: $0.sql, fill: fills[$0.name]) }
    }

    /// The Swift steps of migrations, by name.
    static let fills: [String: @Sendable (SQLiteConnection) throws -> Void] = [
        "0017_findings.sql": { try NameKeys.fill($0, userID: nil) }
    ]

    public static var migrator: Migrator { Migrator(migrations: all) }
}
