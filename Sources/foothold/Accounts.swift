import ArgumentParser
@_spi(Composition) import Domain
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import Primitives
import SQLiteCore

/// Opens and migrates the database for an account command (works while the server runs:
/// WAL lets another process write, and the busy timeout waits out the server's writes; the
/// server trusts what it read of a token for under a second, so a change here reaches it
/// within one).
private func openAccounts(_ path: String) throws -> AccountService {
    let database = try Database(.init(path: path, readerCount: 1))
    try Migrations.migrator.migrate(database)
    return AccountService(storage: Storage(database: database), hasher: PasswordHasher(threads: 1, maxQueued: 4))
}

/// Turns a domain refusal into a one-line message and exit code 1.
private func fail(_ error: any Error) -> ExitCode {
    switch error {
    case DomainError.conflict(_, let detail, _), DomainError.notFound(let detail), DomainError.forbidden(let detail):
        printError("foothold: \(detail)")
    case DomainError.validation(let issues):
        printError("foothold: " + issues.map { "\($0.field) \($0.message)" }.joined(separator: "; "))
    default:
        printError("foothold: \(error)")
    }
    return ExitCode(1)
}

/// Runs an account command, turning what it throws into a message.
private func perform(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        throw fail(error)
    }
}

private func format(_ date: Date?) -> String {
    date.map { RFC3339.format($0) } ?? "-"
}

/// `foothold user …`: accounts, from the machine the database is on.
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage accounts (works while the server runs; changes reach it within a second).",
        discussion: """
            Roles: owner (the first account; only owners make or unmake owners and admins), admin (manages \
            accounts and invitations over HTTP), member. The last owner cannot be demoted, disabled or deleted.
            Examples:
              foothold user add ann@centre.example --role admin
              foothold user passwd ann@centre.example        (asks twice on a terminal; reads stdin otherwise)
              foothold user disable bob
            """,
        subcommands: [List.self, Add.self, Passwd.self, RoleCommand.self, Disable.self, Enable.self, Delete.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List accounts: id, name, role, state, whether a password is set.")
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try perform {
                for user in try openAccounts(database.db).allUsers() {
                    let state = user.disabled ? "disabled" : "active"
                    print("\(user.id)\t\(user.name)\t\(user.role.rawValue)\t\(state)\t\(user.hasPassword ? "password" : "no-password")")
                }
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an account and print its first API token on stdout.")

        @Argument(help: "Sign-in name: letters, digits, '.', '_', '-', '@' and '+' (an email address works).")
        var name: String

        @Option(help: "owner, admin or member.")
        var role: String = "member"

        @Flag(help: "Also set a password (asked on the terminal, or read from stdin).")
        var password = false

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            guard let parsed = Role(rawValue: role) else { throw ValidationError("--role must be owner, admin or member.") }
            try perform {
                let secret = password ? try readPassword() : nil
                let (_, token) = try openAccounts(database.db).addUser(name: name, role: parsed, password: secret)
                print(token)
            }
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set an account's password and end its sessions.",
            discussion: "On a terminal the password is asked twice and not shown; otherwise stdin is read (one trailing newline dropped). At least 12 characters, at most 1,024 bytes.")

        @OptionGroup var account: AccountName

        func run() throws {
            try perform {
                let secret = try readPassword()
                try openAccounts(account.database.db).setPassword(userName: account.name, password: secret)
                printError("foothold: password of '\(account.name)' set; its sessions ended")
            }
        }
    }

    struct RoleCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "role", abstract: "Give an account a role (owner, admin or member).")

        @OptionGroup var account: AccountName

        @Argument(help: "owner, admin or member.")
        var role: String

        func run() throws {
            guard let parsed = Role(rawValue: role) else { throw ValidationError("The role must be owner, admin or member.") }
            try perform {
                let user = try openAccounts(account.database.db).administer(name: account.name, role: parsed)
                printError("foothold: '\(user.name)' is now \(user.role.rawValue)")
            }
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable an account: its tokens and sessions stop working, it cannot sign in.")

        @OptionGroup var account: AccountName

        func run() throws {
            try perform { _ = try openAccounts(account.database.db).administer(name: account.name, disabled: true) }
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled account again.")

        @OptionGroup var account: AccountName

        func run() throws {
            try perform { _ = try openAccounts(account.database.db).administer(name: account.name, disabled: false) }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an account and all its data, in one transaction.")

        @OptionGroup var account: AccountName

        @Flag(help: "Required: the data cannot be brought back (but from a backup).")
        var yes = false

        func run() throws {
            guard yes else { throw ValidationError("This deletes '\(account.name)' and all its data; add --yes to go ahead.") }
            try perform { try openAccounts(account.database.db).deleteUser(name: account.name) }
        }
    }
}

/// `foothold token …`: API tokens, from the machine the database is on.
struct TokenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage bearer tokens (works while the server runs; a revocation reaches it within a second).",
        subcommands: [List.self, Create.self, Revoke.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List an account's tokens and sessions: id, kind, name, created, last used, expiry.")

        @Option(help: "The account's name.")
        var user: String

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try perform {
                let accounts = try openAccounts(database.db)
                for token in try accounts.allTokens(userID: try accounts.userID(named: user)) {
                    print("\(token.id)\t\(token.kind.rawValue)\t\(token.name)\t\(format(token.createdAt))\t\(format(token.lastUsedAt))\t\(format(token.expiresAt))")
                }
            }
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token for an account and print it on stdout (shown only now).")

        @Option(help: "The account's name.")
        var user: String

        @Option(help: "A label for the token.")
        var name: String = "cli"

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try perform {
                let accounts = try openAccounts(database.db)
                let (_, token) = try accounts.createToken(userID: try accounts.userID(named: user), name: name)
                print(token)
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token or end a session by its id (from `token list`).")

        @Argument(help: "The token's id.")
        var id: Int64

        @Option(help: "The account's name.")
        var user: String

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            try perform {
                let accounts = try openAccounts(database.db)
                try accounts.deleteToken(userID: try accounts.userID(named: user), id: id, precondition: .none)
            }
        }
    }
}

/// A password from the terminal without echo, asked twice; or stdin when it is not a terminal.
private func readPassword() throws -> String {
    guard isatty(STDIN_FILENO) == 1 else {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(STDIN_FILENO, &buffer, buffer.count)
            if count <= 0 { break }
            bytes += buffer[0..<count]
            if bytes.count > PasswordPolicy.maximumBytes + 2 { break }
        }
        if bytes.last == 0x0A { bytes.removeLast() }
        if bytes.last == 0x0D { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
    let first = try promptHidden("New password: ")
    let second = try promptHidden("Again: ")
    guard first == second else { throw ValidationError("The two passwords differ; nothing was changed.") }
    return first
}

private func promptHidden(_ prompt: String) throws -> String {
    Array(prompt.utf8).withUnsafeBytes { FileOutput.writeAll(2, $0) }
    var saved = termios()
    tcgetattr(STDIN_FILENO, &saved)
    var quiet = saved
    quiet.c_lflag &= ~tcflag_t(ECHO)
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
    defer {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
        StandardError.writeLine("")
    }
    guard let line = readLine(strippingNewline: true) else { throw ValidationError("No password was given.") }
    return line
}

/// The account a `user` subcommand acts on, and the database it is in.
struct AccountName: ParsableArguments {
    @Argument(help: "The account's name.")
    var name: String

    @OptionGroup var database: DatabaseOptions
}
