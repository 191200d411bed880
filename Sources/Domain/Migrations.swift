import SQLiteCore

/// The schema migrations of this build, embedded from migrations/*.sql at build time.
public enum Migrations {
    public static var all: [Migration] {
        EmbeddedMigrations.files.map { Migration(name: $0.name, sql: $0.sql) }
    }

    public static var migrator: Migrator { Migrator(migrations: all) }
}
