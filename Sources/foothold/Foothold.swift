import ArgumentParser
import SQLiteCore

/// The `foothold` command line.
@main
struct Foothold: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Foothold: a self-hosted API server for an informational-interviewing job search.",
        version: "foothold \(BuildInfo.version) (commit \(BuildInfo.commit), SQLite \(Database.libraryVersion))",
        subcommands: [Serve.self, Migrate.self, Backup.self, Check.self, Reindex.self, UserCommand.self, TokenCommand.self, Probe.self],
        defaultSubcommand: Serve.self)
}

/// Options every command that opens the database shares.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "SQLite database file (env FOOTHOLD_DB).")
    var db: String = Environment.string("FOOTHOLD_DB") ?? "foothold.sqlite"
}
