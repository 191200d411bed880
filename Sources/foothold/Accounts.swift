import ArgumentParser
import Domain
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SQLiteCore

/// Opens and migrates the database for an account command (works while the server runs:
/// WAL lets another process write, and the busy timeout waits out the server's writes).
private func openDatabase(_ path: String) throws -> Database {
    let database = try Database(.init(path: path, readerCount: 1))
    try Migrations.migrator.migrate(database)
    return database
}

/// Turns a domain refusal into a one-line message and exit code 1.
private func fail(_ error: any Error) -> ExitCode {
    switch error {
    case DomainError.conflict(_, let detail, _), DomainError.notFound(let detail):
        printError("foothold: \(detail)")
    case DomainError.validation(let issues):
        printError("foothold: " + issues.map { "\($0.field) \($0.message)" }.joined(separator: "; "))
    default:
        printError("foothold: \(error)")
    }
    return ExitCode(1)
}

/// `foothold user add NAME`: a new account; prints its first token alone on stdout.
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage accounts.", subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an account and print its first token on stdout.")

        @Argument(help: "Account name: letters, digits, '.', '_' and '-'.")
        var name: String

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            do {
                let (_, token) = try AccountService(storage: Storage(database: try openDatabase(database.db))).addUser(name: name)
                print(token)
            } catch {
                throw fail(error)
            }
        }
    }
}

/// `foothold token create --user NAME`: a new token for an account, alone on stdout.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Manage bearer tokens.", subcommands: [Create.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token for an account and print it on stdout.")

        @Option(help: "The account's name.")
        var user: String

        @Option(help: "A label for the token.")
        var name: String = "cli"

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            do {
                let accounts = AccountService(storage: Storage(database: try openDatabase(database.db)))
                let (_, token) = try accounts.createToken(userID: try accounts.userID(named: user), name: name)
                print(token)
            } catch {
                throw fail(error)
            }
        }
    }
}
