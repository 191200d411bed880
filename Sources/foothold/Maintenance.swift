import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
@_spi(Composition) import Domain
import SQLiteCore

/// `foothold migrate`: apply pending migrations and exit.
struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending schema migrations.")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        do {
            let store = try Database(.init(path: database.db, readerCount: 1))
            let applied = try Migrations.migrator.migrate(store)
            print(applied.isEmpty ? "up to date" : "applied \(applied.joined(separator: ", "))")
        } catch {
            printError("foothold: \(error)")
            throw ExitCode(1)
        }
    }
}

/// `foothold backup`: a consistent copy of a live database.
struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Copy a live database with SQLite's online backup API.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Destination file; must not exist yet.")
    var to: String

    @Flag(help: "Then open the copy, run the integrity and foreign-key checks, and compare its rows per table with the source's at the moment of the copy; exit 1 on any difference.")
    var verify = false

    func run() throws {
        if FileManager.default.fileExists(atPath: to) {
            printError("foothold: \(to) already exists; choose a new file")
            throw ExitCode(1)
        }
        guard FileManager.default.fileExists(atPath: database.db) else {
            printError("foothold: no database at \(database.db)")
            throw ExitCode(1)
        }
        let counted: [SQLiteCore.Maintenance.TableRows]
        do {
            counted = try SQLiteCore.Maintenance.backup(from: database.db, to: to)
            print("backed up \(database.db) to \(to)")
        } catch {
            printError("foothold: backup failed: \(error)")
            throw ExitCode(1)
        }
        guard verify else { return }
        let result: SQLiteCore.Maintenance.Verification
        do {
            result = try SQLiteCore.Maintenance.verify(copy: to, expected: counted)
        } catch {
            printError("foothold: cannot verify \(to): \(error)")
            throw ExitCode(1)
        }
        let width = max(5, result.copy.map(\.table.count).max() ?? 0)
        print("table".rightPadded(width) + "  source     copy")
        let copied = Dictionary(result.copy.map { ($0.table, $0.rows) }, uniquingKeysWith: { first, _ in first })
        for table in Set(counted.map(\.table)).union(copied.keys).sorted() {
            let source = counted.first { $0.table == table }.map { String($0.rows) } ?? "-"
            let copy = copied[table].map { String($0) } ?? "-"
            let mark = source == copy ? "" : "  differs"
            print(table.rightPadded(width) + "  " + source.leftPadded(6) + "  " + copy.leftPadded(7) + mark)
        }
        for problem in result.problems { print(problem) }
        let rows = result.copy.reduce(Int64(0)) { $0 + $1.rows }
        if result.passed {
            print("verified \(to): integrity ok, foreign keys ok, \(result.copy.count) tables and \(rows) rows, each table's as in the source when copied")
            return
        }
        var faults: [String] = []
        if !result.problems.isEmpty { faults.append("\(result.problems.count) integrity or foreign-key problem\(result.problems.count == 1 ? "" : "s")") }
        if !result.differences.isEmpty { faults.append("\(result.differences.count) table\(result.differences.count == 1 ? "" : "s") with other rows (\(result.differences.map(\.table).joined(separator: ", ")))") }
        printError("foothold: \(to) does not match \(database.db): \(faults.joined(separator: "; "))")
        throw ExitCode(1)
    }
}

private extension String {
    func rightPadded(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }

    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

/// `foothold check`: integrity and foreign-key checks; non-zero exit on any problem.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check a database's integrity and foreign keys.")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        guard FileManager.default.fileExists(atPath: database.db) else {
            printError("foothold: no database at \(database.db)")
            throw ExitCode(1)
        }
        do {
            let problems = try SQLiteCore.Maintenance.check(path: database.db)
            if problems.isEmpty {
                print("ok")
                return
            }
            for problem in problems { print(problem) }
            throw ExitCode(1)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            printError("foothold: check failed: \(error)")
            throw ExitCode(2)
        }
    }
}

/// `foothold reindex`: rebuild what the agenda derives (reminders, keep-in-touch timers) from
/// the stored rows, for data loaded outside the API.
struct Reindex: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Rebuild the agenda's reminders and keep-in-touch timers from the stored rows.")

    @OptionGroup var database: DatabaseOptions

    func run() throws {
        guard FileManager.default.fileExists(atPath: database.db) else {
            printError("foothold: no database at \(database.db)")
            throw ExitCode(1)
        }
        do {
            let store = try Database(.init(path: database.db, readerCount: 1))
            _ = try Migrations.migrator.migrate(store)
            // Progress on stderr at most every two seconds; the totals on stdout at the end.
            var lastReport = DispatchTime.now().uptimeNanoseconds
            let done = try Services(database: store).agenda.rebuildDerived { progress in
                let now = DispatchTime.now().uptimeNanoseconds
                guard now - lastReport >= 2_000_000_000 else { return }
                lastReport = now
                printError("reindex: \(progress.indexed) rows indexed for search, \(progress.accounts) of \(progress.accountsTotal) accounts, \(progress.reminders) reminders")
            }
            print("indexed \(done.indexed) rows for search; rebuilt \(done.reminders) reminders in \(done.accounts) accounts")
        } catch {
            printError("foothold: reindex failed: \(error)")
            throw ExitCode(1)
        }
    }
}
