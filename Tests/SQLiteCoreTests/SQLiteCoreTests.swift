import Dispatch
import Domain
import Foundation
import Synchronization
import Testing
import TestSupport
@testable import SQLiteCore
import Primitives

/// Reads a count through a connection of its own (the database under test may be closing).
private enum DatabaseValueReader {
    static func count(_ path: String, _ sql: String) throws -> Int64? {
        try SQLiteConnection(path: path).scalarInt(sql)
    }
}

/// Hands the last reference to a database to another thread.
private final class DatabaseBox: @unchecked Sendable {
    // Set once here, cleared once on the thread that closes it.
    var database: Database?
    init(_ database: Database?) { self.database = database }
}

private func makeDatabase(_ directory: TemporaryDirectory, readers: Int = 2) throws -> Database {
    let database = try Database(.init(path: directory.path("test.sqlite"), readerCount: readers))
    try database.withWriter { try $0.execute("""
        CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, score REAL, data BLOB, flag INTEGER, at TEXT);
        CREATE TABLE children (id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items(id), CHECK (id > 0));
        CREATE TABLE pins (id INTEGER PRIMARY KEY, item_id INTEGER REFERENCES items(id) ON DELETE RESTRICT);
        """) }
    return database
}

@Suite("SQLite data layer", .timeLimit(.minutes(1)))
struct SQLiteCoreTests {
    @Test func roundTripsEveryType() throws {
        let directory = TemporaryDirectory()
        let database = try makeDatabase(directory)
        let blob = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let names = ["", "héllo wörld 🎉", "nul\u{0}inside", String(repeating: "x", count: 100_000)]
        let date = Date(timeIntervalSince1970: 1_795_000_000.123)
        try database.write { connection in
            for (index, name) in names.enumerated() {
                try connection.run(
                    "INSERT INTO items (id, name, score, data, flag, at) VALUES (?, ?, ?, ?, ?, ?)",
                    [Int64(index + 1), name, Double(index) + 0.5, index == 0 ? nil : blob, index % 2 == 0, date])
            }
            try connection.run("INSERT INTO items (id, name) VALUES (?, ?)", [Int64.max, "max"])
            try connection.run("INSERT INTO items (id, name, score) VALUES (?, ?, ?)", [Int64.min, "min", Double.greatestFiniteMagnitude])
        }
        try database.read { connection throws in
            let rows = try connection.query("SELECT id, name, score, data, flag, at FROM items WHERE id BETWEEN 1 AND 4 ORDER BY id") { row in
                (row.int64(0), row.string(1), row.double(2), row.isNull(3) ? nil : row.blob(3), row.bool(4), row.date(5))
            }
            try #require(rows.count == 4)
            #expect(rows.map(\.1) == names)
            #expect(rows[0].3 == nil)
            #expect(rows[1].3 == blob)
            #expect(rows.map(\.4) == [true, false, true, false])
            #expect(rows.map(\.2) == [0.5, 1.5, 2.5, 3.5])
            #expect(abs((rows[0].5?.timeIntervalSince1970 ?? 0) - date.timeIntervalSince1970) < 0.001)
            #expect(try connection.scalarInt("SELECT id FROM items WHERE name = 'max'") == Int64.max)
            #expect(try connection.queryOne("SELECT id, score FROM items WHERE name = ?", ["min"]) { ($0.int64(0), $0.double(1)) }.map { $0.0 == Int64.min && $0.1 == Double.greatestFiniteMagnitude } == true)
            let byName = try connection.queryOne("SELECT name AS label, score FROM items WHERE id = 2") { $0["label"] }
            #expect(byName == .text(names[1]))
            #expect(try connection.queryOne("SELECT NULL") { $0.value(0) } == .null)
        }
    }

    @Test func constraintErrorsAreClassified() throws {
        let directory = TemporaryDirectory()
        let database = try makeDatabase(directory)
        try database.write { try $0.run("INSERT INTO items (name) VALUES ('a')") }
        func kind(_ sql: String) -> SQLiteError.Kind? {
            do {
                try database.write { try $0.run(sql) }
                return nil
            } catch let error as SQLiteError {
                return error.kind
            } catch {
                return nil
            }
        }
        #expect(kind("INSERT INTO items (name) VALUES ('a')") == .uniqueViolation)
        #expect(kind("INSERT INTO items (id, name) VALUES (1, 'b')") == .uniqueViolation)
        #expect(kind("INSERT INTO children (item_id) VALUES (999)") == .foreignKeyViolation)
        try database.write { try $0.run("INSERT INTO pins (item_id) VALUES (1)") }
        #expect(kind("DELETE FROM items WHERE id = 1") == .foreignKeyViolation)
        #expect(kind("INSERT INTO items (name) VALUES (NULL)") == .notNullViolation)
        #expect(kind("INSERT INTO children (id, item_id) VALUES (-1, 1)") == .checkViolation)
        #expect(kind("SELECT * FROM nowhere") == .other)
    }

    @Test func throwingTransactionLeavesNothingBehind() throws {
        let directory = TemporaryDirectory()
        let database = try makeDatabase(directory)
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try database.write { connection in
                try connection.run("INSERT INTO items (name) VALUES ('ghost')")
                throw Boom()
            }
        }
        #expect(throws: SQLiteError.self) {
            try database.write { connection in
                try connection.run("INSERT INTO items (name) VALUES ('first')")
                try connection.run("INSERT INTO items (name) VALUES ('first')")
            }
        }
        #expect(try database.read { try $0.scalarInt("SELECT count(*) FROM items") } == 0)
        // The writer is usable afterwards.
        try database.write { try $0.run("INSERT INTO items (name) VALUES ('after')") }
        #expect(try database.read { try $0.scalarInt("SELECT count(*) FROM items") } == 1)
    }

    /// A report kept while the count stands must see every write that changed data by the
    /// time its response was sent; bookkeeping and failed writes leave it where it is.
    @Test func commitCountMovesWithEveryDataCommitOnly() throws {
        let directory = TemporaryDirectory()
        let database = try makeDatabase(directory)
        let start = database.commitCount
        try database.write { try $0.run("INSERT INTO items (name) VALUES ('one')") }
        #expect(database.commitCount == start + 1)
        _ = try database.submit(bookkeeping: true) { try $0.run("INSERT INTO items (name) VALUES ('log')") }.wait()
        #expect(database.commitCount == start + 1)
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try database.write { connection in
                try connection.run("INSERT INTO items (name) VALUES ('ghost')")
                throw Boom()
            }
        }
        #expect(database.commitCount == start + 1)
        // Moved by the time the write's future completes: a response sent from it is never
        // ahead of the count.
        _ = try database.submit { try $0.run("INSERT INTO items (name) VALUES ('two')") }.wait()
        #expect(database.commitCount == start + 2)
        #expect(try database.read { try $0.scalarInt("SELECT count(*) FROM items") } == 3)
    }

    @Test func readerSeesOldSnapshotDuringLongWrite() throws {
        let directory = TemporaryDirectory()
        let database = try makeDatabase(directory)
        try database.write { try $0.run("INSERT INTO items (name) VALUES ('before')") }
        let inserted = DispatchSemaphore(value: 0)
        let checked = DispatchSemaphore(value: 0)
        let writerDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            try? database.write { connection in
                try connection.run("INSERT INTO items (name) VALUES ('during')")
                inserted.signal()
                _ = checked.wait(timeout: .now() + 10)
            }
            writerDone.signal()
        }
        try inserted.waitOrThrow(10, "insert")
        let countDuring = try database.read { try $0.scalarInt("SELECT count(*) FROM items") }
        checked.signal()
        try writerDone.waitOrThrow(10, "commit")
        #expect(countDuring == 1)
        #expect(try database.read { try $0.scalarInt("SELECT count(*) FROM items") } == 2)
    }

    @Test func concurrentWritersAllSucceedAndSerialize() throws {
        let directory = TemporaryDirectory()
        let database = try makeDatabase(directory)
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 16) { thread in
            for index in 0..<50 {
                do {
                    try database.write { connection in
                        let count = try connection.scalarInt("SELECT count(*) FROM items") ?? 0
                        try connection.run("INSERT INTO items (name, score) VALUES (?, ?)", ["t\(thread)-\(index)", Double(count)])
                    }
                } catch {
                    failures.add(1, ordering: .relaxed)
                }
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
        try database.read { connection throws in
            #expect(try connection.scalarInt("SELECT count(*) FROM items") == 800)
            // Serialized: each write saw every earlier one, so the counts are 0…799 exactly.
            #expect(try connection.scalarInt("SELECT count(DISTINCT score) FROM items") == 800)
            #expect(try connection.scalarInt("SELECT max(score) FROM items") == 799)
        }
    }

    @Test func statementCacheReusesAndResets() throws {
        let directory = TemporaryDirectory()
        let connection = try SQLiteConnection(path: directory.path("cache.sqlite"))
        try connection.execute("CREATE TABLE t (v INTEGER)")
        let first = try connection.cachedStatement("SELECT count(*) FROM t")
        let second = try connection.cachedStatement("SELECT count(*) FROM t")
        #expect(first === second)
        for value in 0..<100 { try connection.run("INSERT INTO t (v) VALUES (?)", [value]) }
        #expect(try connection.scalarInt("SELECT sum(v) FROM t") == 4950)
        #expect(throws: SQLiteError.self) { try connection.run("INSERT INTO t (v) VALUES (?)", [1, 2]) }
        #expect(throws: SQLiteError.self) { try connection.cachedStatement("SELEKT 1") }
    }
}

@Suite("Migrations", .timeLimit(.minutes(1)))
struct MigrationTests {
    let first = Migration(name: "0001_a.sql", sql: "CREATE TABLE a (id INTEGER PRIMARY KEY);")
    let second = Migration(name: "0002_b.sql", sql: "CREATE TABLE b (id INTEGER PRIMARY KEY);")

    @Test func appliedOnceAndIdempotentOnRestart() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("m.sqlite")
        do {
            let database = try Database(.init(path: path))
            #expect(try Migrator(migrations: [second, first]).migrate(database) == ["0001_a.sql", "0002_b.sql"])
        }
        let reopened = try Database(.init(path: path))
        #expect(try Migrator(migrations: [first, second]).migrate(reopened) == [])
        #expect(try reopened.read { try $0.scalarInt("SELECT count(*) FROM schema_migrations") } == 2)
    }

    @Test func changedRemovedNewerAndOutOfOrderAreRefused() throws {
        let directory = TemporaryDirectory()
        let database = try Database(.init(path: directory.path("m.sqlite")))
        try Migrator(migrations: [first, second]).migrate(database)
        let edited = Migration(name: "0001_a.sql", sql: "CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT);")
        #expect(throws: Migrator.Failure.changed(name: "0001_a.sql")) { try Migrator(migrations: [edited, second]).migrate(database) }
        #expect(throws: Migrator.Failure.removed(name: "0001_a.sql")) { try Migrator(migrations: [second]).migrate(database) }
        #expect(throws: Migrator.Failure.newerThanCode(name: "0002_b.sql")) { try Migrator(migrations: [first]).migrate(database) }
        let inserted = Migration(name: "0001_z.sql", sql: "CREATE TABLE z (id INTEGER);")
        #expect(throws: Migrator.Failure.outOfOrder(name: "0001_z.sql")) { try Migrator(migrations: [first, inserted, second]).migrate(database) }
    }

    @Test func failingMigrationRollsBackAndIsNotRecorded() throws {
        let directory = TemporaryDirectory()
        let database = try Database(.init(path: directory.path("m.sqlite")))
        let broken = Migration(name: "0002_broken.sql", sql: "CREATE TABLE c (id INTEGER); CREATE TABLE oops (;")
        #expect(throws: Migrator.Failure.self) { try Migrator(migrations: [first, broken]).migrate(database) }
        try database.read { connection throws in
            #expect(try connection.scalarInt("SELECT count(*) FROM schema_migrations") == 1)
            #expect(try connection.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'c'") == 0)
        }
    }

    /// The directive turns enforcement off around the migration only, and a migration that
    /// leaves a dangling key is refused and rolled back.
    @Test func foreignKeysOffDirectiveChecksKeysBeforeCommitting() throws {
        let directory = TemporaryDirectory()
        let database = try Database(.init(path: directory.path("m.sqlite")))
        let parent = Migration(name: "0001_parent.sql", sql: """
            CREATE TABLE parent (id INTEGER PRIMARY KEY);
            CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent(id) ON DELETE CASCADE);
            INSERT INTO parent (id) VALUES (1);
            INSERT INTO child (id, parent_id) VALUES (10, 1);
            """)
        let rebuild = Migration(name: "0002_rebuild.sql", sql: Migrator.foreignKeysOffDirective + """

            CREATE TABLE parent_new (id INTEGER PRIMARY KEY, note TEXT);
            INSERT INTO parent_new (id) SELECT id FROM parent;
            DROP TABLE parent;
            ALTER TABLE parent_new RENAME TO parent;
            """)
        let dangling = Migration(name: "0003_dangling.sql", sql: Migrator.foreignKeysOffDirective + "\nDELETE FROM parent;")
        try Migrator(migrations: [parent, rebuild]).migrate(database)
        #expect(throws: Migrator.Failure.self) { try Migrator(migrations: [parent, rebuild, dangling]).migrate(database) }
        try database.withWriter { connection throws in
            // The drop did not cascade, the failed migration changed nothing, enforcement is back on.
            #expect(try connection.scalarInt("SELECT count(*) FROM child") == 1)
            #expect(try connection.scalarInt("SELECT count(*) FROM parent") == 1)
            #expect(try connection.scalarInt("SELECT count(*) FROM schema_migrations") == 2)
            #expect(try connection.scalarInt("PRAGMA foreign_keys") == 1)
            #expect(throws: SQLiteError.self) { try connection.run("INSERT INTO child (id, parent_id) VALUES (11, 99)") }
        }
    }

    /// 0005 rebuilds contacts for a cheaper stage check: rows, their tags and interest links,
    /// and the indexes survive; the rule still holds; an insert no longer builds a temporary b-tree.
    @Test func contactStageRebuildKeepsRowsLinksAndTheRule() throws {
        let directory = TemporaryDirectory()
        let database = try Database(.init(path: directory.path("app.sqlite")))
        let before = Migrations.all.filter { $0.name < "0005" }
        try Migrator(migrations: before).migrate(database)
        let columns = "user_id, name, title, email, stage, keep_in_touch_days, notes, created_at, updated_at, version"
        try database.withWriter { connection throws in
            try connection.execute("""
                INSERT INTO users (id, name, created_at, updated_at) VALUES (1, 'owner', 't', 't');
                INSERT INTO interests (id, user_id, name, created_at, updated_at) VALUES (5, 1, 'Climate', 't', 't');
                INSERT INTO contacts (id, \(columns)) VALUES (7, 1, 'Ada', 'CTO', 'ada@example.com', 'met', 30, 'n', 't1', 't2', 3);
                INSERT INTO contacts (id, user_id, name, created_at, updated_at) VALUES (9, 1, 'Bo', 't', 't');
                INSERT INTO contact_tags (contact_id, tag) VALUES (7, 'mentor');
                INSERT INTO contact_interests (contact_id, interest_id) VALUES (7, 5);
                """)
        }
        let rowBefore = try database.read { try $0.queryOne("SELECT \(columns) FROM contacts WHERE id = 7") { row in (0..<10).map { row.optionalString($0) } } }
        #expect(try Migrations.migrator.migrate(database).contains("0005_contact_stage_check.sql"))
        try database.withWriter { connection throws in
            let rowAfter = try connection.queryOne("SELECT \(columns) FROM contacts WHERE id = 7") { row in (0..<10).map { row.optionalString($0) } }
            #expect(rowAfter == rowBefore)
            #expect(try connection.scalarInt("SELECT count(*) FROM contacts /* plan: a test's own check of what is stored */") == 2)
            #expect(try connection.scalarInt("SELECT count(*) FROM contact_tags WHERE contact_id = 7") == 1)
            #expect(try connection.scalarInt("SELECT count(*) FROM contact_interests WHERE contact_id = 7") == 1)
            // 0005 rebuilt the 7 indexes; 0013 adds the keep-in-touch one; 0017 added identified_at's, which 0018 dropped.
            #expect(try connection.scalarInt("SELECT count(*) FROM sqlite_master WHERE tbl_name = 'contacts' AND type = 'index'") == 8)
            #expect(try connection.scalarInt("PRAGMA foreign_keys") == 1)
            #expect(throws: SQLiteError.self) {
                try connection.run("INSERT INTO contacts (user_id, name, stage, created_at, updated_at) VALUES (1, 'X', 'bogus', 't', 't')")
            }
            let insert = "INSERT INTO contacts (user_id, name, stage, created_at, updated_at) VALUES (1, 'Y', 'met', 't', 't')"
            let opcodes = try connection.query("EXPLAIN " + insert) { $0.string(1) }
            #expect(!opcodes.contains("OpenEphemeral"))
            try connection.run(insert)
            // Deleting a contact still cascades to its tags.
            try connection.run("DELETE FROM contacts WHERE id = 7")
            #expect(try connection.scalarInt("SELECT count(*) FROM contact_tags /* plan: a test's own check of what is stored */") == 0)
        }
    }

    @Test func embeddedMigrationsApplyToAFreshDatabase() throws {
        let directory = TemporaryDirectory()
        let database = try Database(.init(path: directory.path("app.sqlite")))
        let applied = try Migrations.migrator.migrate(database)
        #expect(!applied.isEmpty)
        #expect(applied == Migrations.all.map(\.name))
        #expect(try database.read { try $0.scalarInt("SELECT count(*) FROM sqlite_master WHERE name = 'users'") } == 1)
    }
}

@Suite("Backup and check", .timeLimit(.minutes(1)))
struct MaintenanceTests {
    /// Runs `body` while another thread writes one `write` after another, once at least 50
    /// items are committed (a bounded wait, no fixed sleep); the writes end before it returns.
    private func whileWriting<T>(
        _ database: Database, _ write: @escaping @Sendable (SQLiteConnection, Int) throws -> Void, _ body: () throws -> T
    ) throws -> T {
        let stop = Atomic<Bool>(false)
        let writerDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            var index = 0
            while !stop.load(ordering: .relaxed) {
                _ = try? database.write { try write($0, index) }
                index += 1
            }
            writerDone.signal()
        }
        defer {
            stop.store(true, ordering: .relaxed)
            #expect(writerDone.wait(timeout: .now() + 30) == .success, "the writes did not end within 30 s")
        }
        let deadline = Date().addingTimeInterval(30)
        while (try database.read { try $0.scalarInt("SELECT count(*) FROM items") } ?? 0) < 50 && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        return try body()
    }

    @Test func backupDuringWritesOpensAndPassesIntegrityCheck() throws {
        let directory = TemporaryDirectory()
        let database = try makeDatabase(directory)
        func committed() throws -> Int64 { try database.read { try $0.scalarInt("SELECT count(*) FROM items") } ?? 0 }
        let copies = try whileWriting(database, { connection, index in
            try connection.run("INSERT INTO items (name, data) VALUES (?, ?)", ["w\(index)", [UInt8](repeating: 7, count: 2000)])
        }) {
            var copies: [(path: String, before: Int64, after: Int64)] = []
            for round in 0..<3 {
                let copy = directory.path("backup-\(round).sqlite")
                let before = try committed()
                try Maintenance.backup(from: directory.path("test.sqlite"), to: copy)
                copies.append((copy, before, try committed()))
            }
            return copies
        }
        for copy in copies {
            #expect(try Maintenance.check(path: copy.path) == [])
            let connection = try SQLiteConnection(path: copy.path)
            let rows = try connection.scalarInt("SELECT count(*) FROM items") ?? -1
            // A snapshot taken during the backup: everything committed before it, nothing after.
            #expect(rows >= copy.before && rows <= copy.after, "backup rows \(rows), before \(copy.before), after \(copy.after)")
            #expect(rows >= 50)
        }
    }

    /// The counts `backup` returns are the copy's own moment: taken in the read transaction the
    /// copy used, under a stream of writes, they equal the copy's rows exactly.
    @Test func backupCountsRowsAtTheMomentOfTheCopy() throws {
        let directory = TemporaryDirectory()
        let database = try makeDatabase(directory)
        let verified = try whileWriting(database, { connection, index in
            try connection.run("INSERT INTO items (name) VALUES (?)", ["w\(index)"])
            try connection.run("INSERT INTO children (item_id) VALUES (last_insert_rowid())")
        }) {
            try (0..<3).map { round in
                let copy = directory.path("verified-\(round).sqlite")
                let counted = try Maintenance.backup(from: directory.path("test.sqlite"), to: copy)
                return try Maintenance.verify(copy: copy, expected: counted)
            }
        }
        for result in verified {
            #expect(result.passed, "\(result.problems) \(result.differences)")
            #expect(result.copy.map(\.table) == ["children", "items", "pins"])
            let items = try #require(result.copy.first { $0.table == "items" }).rows
            #expect(items >= 50)
            #expect(result.copy.first { $0.table == "children" }?.rows == items)
        }
    }

    /// `verify` names each kind of difference: other rows, a table missing on either side, a
    /// broken reference.
    @Test func verifyReportsEveryDifference() throws {
        let directory = TemporaryDirectory()
        let database = try makeDatabase(directory)
        for index in 0..<5 {
            try database.write { try $0.run("INSERT INTO items (name) VALUES (?)", ["i\(index)"]) }
        }
        let copy = directory.path("copy.sqlite")
        let counted = try Maintenance.backup(from: directory.path("test.sqlite"), to: copy)
        #expect(counted == [.init(table: "children", rows: 0), .init(table: "items", rows: 5), .init(table: "pins", rows: 0)])
        #expect(try Maintenance.verify(copy: copy, expected: counted).passed)

        let tampered = try SQLiteConnection(path: copy)
        try tampered.execute("""
            PRAGMA foreign_keys = OFF;
            DELETE FROM items WHERE name = 'i4';
            INSERT INTO pins (item_id) VALUES (99);
            CREATE TABLE extra (id INTEGER PRIMARY KEY);
            DROP TABLE children;
            """)
        let result = try Maintenance.verify(copy: copy, expected: counted)
        #expect(!result.passed)
        #expect(result.problems == ["foreign key violation in pins row 1 referring to items"])
        let differences = result.differences.map { "\($0.table) \($0.expected.map(String.init) ?? "-") \($0.found.map(String.init) ?? "-")" }
        #expect(differences == ["children 0 -", "extra - 0", "items 5 4", "pins 0 1"])
    }

    @Test func checkReportsForeignKeyViolations() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("bad.sqlite")
        let connection = try SQLiteConnection(path: path)
        try connection.execute("""
            PRAGMA foreign_keys = OFF;
            CREATE TABLE p (id INTEGER PRIMARY KEY);
            CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p(id));
            INSERT INTO c (p_id) VALUES (42);
            """)
        let problems = try Maintenance.check(path: path)
        #expect(problems.count == 1)
        #expect(problems.first?.contains("foreign key") == true)
    }
}

@Suite("Embedded migrations", .timeLimit(.minutes(1)))
struct EmbeddedMigrationTests {
    /// SwiftPM caches a build tool plugin's plan: a newly added migration file is embedded
    /// only once the package is re-planned. This catches a stale incremental build.
    @Test func embeddedMigrationsMatchTheDirectory() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("migrations")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }.sorted()
        let embedded = Migrations.all
        #expect(embedded.map(\.name) == files, "migrations/ changed since the last plan: run `touch Package.swift` and build again")
        for migration in embedded where files.contains(migration.name) {
            let text = try String(contentsOf: directory.appendingPathComponent(migration.name), encoding: .utf8)
            #expect(migration.sql == text, "\(migration.name) differs from its embedded copy")
        }
    }
}

@Suite("Group commit", .timeLimit(.minutes(1)))
struct GroupCommitTests {
    /// Concurrent writes share transactions; one that throws must take only its own
    /// changes with it, and every caller gets its own result.
    @Test func aFailingWriteInABatchLeavesTheOthersCommitted() throws {
        let directory = TemporaryDirectory()
        let database = try makeDatabase(directory)
        struct Refused: Error { let index: Int }
        let outcomes = Lock<[Int: Result<Int64, any Error>]>([:])
        DispatchQueue.concurrentPerform(iterations: 400) { index in
            let result = Result<Int64, any Error> {
                try database.write { connection in
                    try connection.run("INSERT INTO items (name, flag) VALUES (?, ?)", ["item \(index)", index])
                    if index % 7 == 0 { throw Refused(index: index) }
                    if index % 11 == 0 {
                        // A constraint failure inside the job, after its own insert.
                        try connection.run("INSERT INTO items (name) VALUES (?)", ["item \(index)"])
                    }
                    return connection.lastInsertRowID
                }
            }
            outcomes.withLock { $0[index] = result }
        }
        let all = outcomes.withLock { $0 }
        #expect(all.count == 400)
        let expected = Set((0..<400).filter { $0 % 7 != 0 && $0 % 11 != 0 })
        for (index, result) in all {
            switch result {
            case .success(let id):
                #expect(expected.contains(index))
                let flag = try database.read { try $0.scalarInt("SELECT flag FROM items WHERE id = ?", [id]) }
                #expect(flag == Int64(index), "write \(index) got the id of another write")
            case .failure(let error):
                #expect(!expected.contains(index))
                if index % 7 == 0 { #expect((error as? Refused)?.index == index) } else { #expect(error is SQLiteError) }
            }
        }
        let stored = try database.read { connection in try connection.query("SELECT flag FROM items") { Int($0.int64(0)) } }
        #expect(Set(stored) == expected)
        #expect(stored.count == expected.count)
    }

    /// `submit` returns at once; its future completes only after the commit (a reader sees
    /// the row then), a failing write rolls back alone, and writes still queued when the
    /// database goes away are run, not dropped.
    @Test func submittedWritesCompleteAfterTheirCommit() throws {
        let directory = TemporaryDirectory()
        var database: Database? = try makeDatabase(directory)
        let results = Lock<[Int: Result<Int64, any Error>]>([:])
        let visible = Lock<[Int: Bool]>([:])
        let group = DispatchGroup()
        for index in 0..<300 {
            group.enter()
            let db = try #require(database)
            db.submit { connection -> Int64 in
                try connection.run("INSERT INTO items (name, flag) VALUES (?, ?)", ["item \(index % 250)", index])
                return connection.lastInsertRowID
            }.whenComplete { result in
                if case .success(let id) = result {
                    let seen = (try? db.read { try $0.scalarInt("SELECT count(*) FROM items WHERE id = ?", [id]) }) == 1
                    visible.withLock { $0[index] = seen }
                }
                results.withLock { $0[index] = result }
                group.leave()
            }
        }
        #expect(group.wait(timeout: .now() + 30) == .success)
        let all = results.withLock { $0 }
        #expect(all.count == 300)
        for (index, result) in all {
            switch result {
            case .success:
                #expect(index < 250)
                #expect(visible.withLock { $0[index] } == true, "write \(index) completed before its commit was visible")
            case .failure(let error):
                #expect(index >= 250)
                #expect((error as? SQLiteError)?.kind == .uniqueViolation)
            }
        }
        #expect(try database?.read { try $0.scalarInt("SELECT count(*) FROM items") } == 250)

        // The last reference goes while writes are queued: they run before the writer stops.
        // A write holds the writer thread, so the 50 behind it are certainly still queued when
        // the database is closed; it is let go only once the close has asked the writer to stop.
        let gate = DispatchSemaphore(value: 0)
        let holding = DispatchSemaphore(value: 0)
        let writer = try #require(database).writerThread
        let held = try #require(database).submit { _ in
            holding.signal()
            _ = gate.wait(timeout: .now() + 10)
        }
        try holding.waitOrThrow(10, "held write")
        var queued: [Future<Int>] = []
        for index in 0..<50 {
            queued.append(try #require(database).submit { try $0.run("INSERT INTO items (name) VALUES (?)", ["queued \(index)"]) })
        }
        // Dropping the last reference blocks until the queue is done, so it happens on another thread.
        let box = DatabaseBox(database)
        database = nil
        let closed = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            box.database = nil
            closed.signal()
        }
        #expect(waitUntil { writer.isStopping }, "closing the database did not stop its writer")
        let early = try DatabaseValueReader.count(directory.path("test.sqlite"), "SELECT count(*) FROM items WHERE name LIKE 'queued %'")
        #expect(early == 0, "queued writes ran before the close")
        gate.signal()
        try closed.waitOrThrow(10, "close")
        try held.value(within: 10)
        for future in queued { #expect(try future.value(within: 10) == 1) }
        let reopened = try Database(.init(path: directory.path("test.sqlite")))
        #expect(try reopened.read { try $0.scalarInt("SELECT count(*) FROM items WHERE name LIKE 'queued %'") } == 50)
    }

    /// A blocking write from the writer thread would wait for itself: it fails instead, and
    /// the write around it carries on.
    @Test func aBlockingWriteFromInsideAWriteFailsInsteadOfHanging() throws {
        let directory = TemporaryDirectory()
        let database = try makeDatabase(directory)
        let nested = Lock<(any Error)?>(nil)
        let outer = database.submit { connection in
            do {
                try database.write { try $0.run("INSERT INTO items (name) VALUES ('nested')") }
            } catch {
                nested.withLock { $0 = error }
            }
            return try connection.run("INSERT INTO items (name) VALUES ('outer')")
        }
        #expect(try outer.value(within: 10) == 1)
        #expect((nested.withLock { $0 } as? SQLiteError)?.code == 21)  // SQLITE_MISUSE
        #expect(try database.read { try $0.scalarInt("SELECT count(*) FROM items WHERE name = 'nested'") } == 0)
        // Other threads still write normally.
        try database.write { try $0.run("INSERT INTO items (name) VALUES ('after')") }
        #expect(try database.read { try $0.scalarInt("SELECT count(*) FROM items") } == 2)
    }

    /// A loop over a statement's rows whose body runs the same SQL: the inner use gets a
    /// statement of its own, so the outer loop still sees every row.
    @Test func nestedUseOfACachedStatementDoesNotCutTheOuterLoopShort() throws {
        let directory = TemporaryDirectory()
        let database = try makeDatabase(directory)
        try database.write { connection in
            for index in 1...5 { try connection.run("INSERT INTO items (id, name) VALUES (?, ?)", [Int64(index), "n\(index)"]) }
        }
        let sql = "SELECT id FROM items WHERE id >= ? ORDER BY id"
        let seen = try database.write { connection -> [Int64: [Int64]] in
            var seen: [Int64: [Int64]] = [:]
            try connection.forEachRow(sql, [Int64(1)]) { row in
                let id = row.int64(0)
                // The same SQL, nested, from the id on.
                seen[id] = try connection.query(sql, [id]) { $0.int64(0) }
            }
            return seen
        }
        #expect(seen.keys.sorted() == [1, 2, 3, 4, 5])
        #expect(seen[3] == [3, 4, 5])
        // The cached statement is free again afterwards and still works.
        try database.write { connection in
            let statement = try connection.cachedStatement(sql)
            #expect(!statement.isInUse)
            #expect(try connection.query(sql, [Int64(4)]) { $0.int64(0) } == [4, 5])
        }
    }

    /// A write that waits for a future on the writer thread fails at once instead of hanging.
    @Test func futureWaitOnTheWriterThreadFailsAtOnce() throws {
        let directory = TemporaryDirectory()
        let database = try makeDatabase(directory)
        let never = Future<Int>()
        let write = database.submit { connection -> String in
            do {
                _ = try never.wait()
                return "waited"
            } catch {
                try connection.run("INSERT INTO items (name) VALUES ('after the refusal')")
                return "\(error)"
            }
        }
        #expect(try write.value(within: 10).contains("must never block"))
        #expect(try database.read { try $0.scalarInt("SELECT count(*) FROM items") } == 1)
    }

    /// When a batch has to start over (a write ended its transaction), the writes before it run
    /// again: their SQL commits once, and what they left for after the commit runs once.
    @Test func actionsAfterCommitRunOnceWhenABatchStartsOver() throws {
        let directory = TemporaryDirectory()
        let database = try makeDatabase(directory)
        let gate = DispatchSemaphore(value: 0)
        let holding = DispatchSemaphore(value: 0)
        let held = database.submit { _ in
            holding.signal()
            _ = gate.wait(timeout: .now() + 10)
        }
        try holding.waitOrThrow(10, "held write")
        // Queued behind the held write, so these three run as one batch.
        let runs = Atomic<Int>(0)
        let commits = Atomic<Int>(0)
        let first = database.submit { connection -> Int64 in
            runs.add(1, ordering: .relaxed)
            try connection.run("INSERT INTO items (name) VALUES ('kept')")
            connection.onCommit { commits.add(1, ordering: .relaxed) }
            return connection.lastInsertRowID
        }
        struct Broken: Error {}
        let breaking = database.submit { connection in
            // Ends the whole transaction: the savepoint cannot be undone alone.
            try connection.run("ROLLBACK")
            connection.onCommit { commits.add(100, ordering: .relaxed) }
            throw Broken()
        }
        let last = database.submit { connection in
            try connection.run("INSERT INTO items (name) VALUES ('also kept')")
        }
        gate.signal()
        try held.value(within: 10)
        _ = try first.value(within: 10)
        #expect(throws: Broken.self) { try breaking.value(within: 10) }
        #expect(try last.value(within: 10) == 1)
        #expect(runs.load(ordering: .relaxed) == 2, "the batch did not start over")
        #expect(commits.load(ordering: .relaxed) == 1)
        #expect(try database.read { try $0.scalarInt("SELECT count(*) FROM items WHERE name = 'kept'") } == 1)
        #expect(try database.read { try $0.scalarInt("SELECT count(*) FROM items") } == 2)
    }

    /// Checkpoints run on their own thread; the WAL still stays bounded under many commits.
    @Test func walStaysBoundedWithBackgroundCheckpoints() throws {
        let directory = TemporaryDirectory()
        let database = try makeDatabase(directory)
        let blob = [UInt8](repeating: 7, count: 8_000)
        // Each commit writes four or five pages: 3,000 commits grow the WAL to 60 MB unless
        // checkpoints let it start over. Under a steady stream like this one, the checkpoint
        // thread copies as the WAL grows and the writer restarts it at 8,000 frames (measured:
        // 33 MB), starved of CPU or not.
        for index in 0..<3_000 {
            try database.write { try $0.run("INSERT INTO items (name, data) VALUES (?, ?)", ["item \(index)", blob]) }
        }
        let walSize = (try FileManager.default.attributesOfItem(atPath: directory.path("test.sqlite-wal"))[.size] as? Int) ?? 0
        #expect(walSize > 0)
        #expect(walSize < 48 << 20, "WAL grew to \(walSize) bytes")
        #expect(try database.read { try $0.scalarInt("SELECT count(*) FROM items") } == 3_000)
    }

    /// Every connection of a Database caches the configured KiB, not SQLite's 2,000.
    /// The durability the configuration asks for is what every connection runs at: SQLite's
    /// own default is FULL, so NORMAL shows whether the pragma is applied at all.
    @Test(arguments: [(SQLiteConnection.Synchronous.normal, Int64(1)), (SQLiteConnection.Synchronous.full, Int64(2))] as [(SQLiteConnection.Synchronous, Int64)])
    func connectionsRunAtTheConfiguredSynchronousLevel(_ level: SQLiteConnection.Synchronous, _ pragma: Int64) throws {
        let directory = TemporaryDirectory()
        let database = try Database(.init(path: directory.path("sync.sqlite"), synchronous: level, readerCount: 2))
        #expect(try database.read { try $0.scalarInt("PRAGMA synchronous") } == pragma)
        #expect(try database.write { try $0.scalarInt("PRAGMA synchronous") } == pragma)
        #expect(try database.withWriter { try $0.scalarInt("PRAGMA synchronous") } == pragma)
        #expect(try database.synchronousLevel() == level)
    }

    @Test func connectionsUseTheConfiguredPageCache() throws {
        let directory = TemporaryDirectory()
        let database = try Database(.init(path: directory.path("cache.sqlite"), readerCount: 2, cacheKiB: 300))
        #expect(try database.read { try $0.scalarInt("PRAGMA cache_size") } == -300)
        #expect(try database.write { try $0.scalarInt("PRAGMA cache_size") } == -300)
        #expect(try database.withWriter { try $0.scalarInt("PRAGMA cache_size") } == -300)
        let standard = try Database(.init(path: directory.path("default.sqlite")))
        #expect(try standard.read { try $0.scalarInt("PRAGMA cache_size") } == -512)
        let plain = try SQLiteConnection(path: directory.path("plain.sqlite"))
        #expect(try plain.scalarInt("PRAGMA cache_size") == -2000)
    }

    @Test func withWriterExcludesBatches() throws {
        let directory = TemporaryDirectory()
        let database = try makeDatabase(directory)
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for index in 0..<40 {
                if index % 10 == 0 {
                    // No transaction is open while withWriter runs.
                    let open = try? database.withWriter { $0.isInTransaction }
                    #expect(open == false)
                } else {
                    _ = try? database.write { try $0.run("INSERT INTO items (name) VALUES (?)", ["\(thread)-\(index)"]) }
                }
            }
        }
        #expect(try database.read { try $0.scalarInt("SELECT count(*) FROM items") } == 8 * 36)
    }
}
