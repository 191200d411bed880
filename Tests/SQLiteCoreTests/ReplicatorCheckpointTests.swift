import Dispatch
import Foundation
import Synchronization
import Testing
import TestSupport
@testable import SQLiteCore

/// A replicator (Litestream) beside the server: it holds a read transaction between its syncs so
/// the WAL cannot start over before it has read every frame, and it may checkpoint itself.
@Suite("Checkpoints beside a replicator", .timeLimit(.minutes(1)))
struct ReplicatorCheckpointTests {
    private static let blob = [UInt8](repeating: 7, count: 8_000)

    private func open(_ directory: TemporaryDirectory, _ checkpoints: Database.Checkpoints) throws -> Database {
        let database = try Database(.init(path: directory.path("test.sqlite"), readerCount: 2, checkpoints: checkpoints))
        try database.withWriter { try $0.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, data BLOB)") }
        return database
    }

    /// Each insert writes four or five pages: 3,000 of them are about 14,000 frames, past the
    /// internal checkpoints' threshold (1,000) and the writer's own fallback (8,000).
    private func insert(_ database: Database, _ count: Int, from first: Int = 0) throws {
        for index in first..<(first + count) {
            try database.write { try $0.run("INSERT INTO items (name, data) VALUES (?, ?)", ["item \(index)", Self.blob]) }
        }
    }

    /// The WAL header's checkpoint sequence and salts (bytes 12-24): they change when the WAL starts over.
    private func walGeneration(_ directory: TemporaryDirectory) throws -> Data {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: directory.path("test.sqlite-wal")))
        defer { try? handle.close() }
        let header = try handle.read(upToCount: 32) ?? Data()
        try #require(header.count == 32)
        return header.subdata(in: 12..<24)
    }

    private func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    /// With internal checkpoints, a replicator's read transaction is never overridden: writes go
    /// on while it holds (a RESTART or TRUNCATE would wait for it), the WAL keeps every frame
    /// it has not read (no restart under it), and once it lets go the WAL starts over again.
    @Test func internalCheckpointsNeverResetTheWALUnderAReplicator() throws {
        let directory = TemporaryDirectory()
        let database = try open(directory, .internal)
        try insert(database, 10)
        let replicator = try SQLiteConnection(path: directory.path("test.sqlite"))
        try replicator.execute("BEGIN")
        #expect(try replicator.scalarInt("SELECT count(*) FROM items") == 10)
        let generation = try walGeneration(directory)

        try insert(database, 3_000, from: 10)
        #expect(try walGeneration(directory) == generation, "the WAL started over under the replicator's read")
        // Every frame since the replicator's read is still there to be read: 3,000 inserts of
        // two 4 KiB overflow pages at least.
        #expect(size(directory.path("test.sqlite-wal")) > 3_000 * 2 * 4_096)
        #expect(try replicator.scalarInt("SELECT count(*) FROM items") == 10, "the replicator's snapshot moved")
        #expect(database.statistics.checkpoints > 0, "no checkpoint ran: the test shows nothing")

        try replicator.execute("COMMIT")
        try insert(database, 3_000, from: 3_010)
        #expect(try walGeneration(directory) != generation, "the WAL never started over once the replicator let go")
        #expect(try database.read { try $0.scalarInt("SELECT count(*) FROM items") } == 6_010)
    }

    /// With external checkpoints this process copies nothing back: the database file keeps its
    /// size, the WAL holds every frame, and the replicator's own PASSIVE checkpoint finds the
    /// checkpoint lock free and copies everything.
    @Test func externalCheckpointsLeaveTheWALToTheReplicator() throws {
        let directory = TemporaryDirectory()
        let database = try open(directory, .external())
        try insert(database, 10)
        let fileBefore = size(directory.path("test.sqlite"))
        try insert(database, 3_000, from: 10)
        #expect(size(directory.path("test.sqlite")) == fileBefore, "pages were copied back into the database file")
        #expect(database.statistics.walFrames > Checkpointer.fallback, "the WAL has \(database.statistics.walFrames) frames")
        #expect(database.statistics.checkpoints == 0)

        let replicator = try SQLiteConnection(path: directory.path("test.sqlite"))
        let result = try replicator.queryOne("PRAGMA wal_checkpoint(PASSIVE)") { row in
            (busy: row.int64(0), log: row.int64(1), copied: row.int64(2))
        }
        let pass = try #require(result)
        #expect(pass.busy == 0)
        #expect(pass.log > Int64(Checkpointer.fallback))
        #expect(pass.copied == pass.log, "the replicator's checkpoint copied \(pass.copied) of \(pass.log) frames")
        #expect(size(directory.path("test.sqlite")) > fileBefore + 3_000 * 8_000)
        // The next write starts the WAL over; nothing was lost on the way.
        let generation = try walGeneration(directory)
        try insert(database, 1, from: 3_010)
        #expect(try walGeneration(directory) != generation)
        #expect(try database.read { try $0.scalarInt("SELECT count(*) FROM items") } == 3_011)
    }

    /// With external checkpoints and nothing checkpointing, the WAL still stops growing at the
    /// limit: a replicator that died cannot fill the disk.
    @Test func externalCheckpointsStillBoundTheWALWhenNoReplicatorRuns() throws {
        let directory = TemporaryDirectory()
        let database = try open(directory, .external(limitFrames: 2_000))
        try insert(database, 3_000)
        #expect(database.statistics.checkpoints > 0)
        // Without the limit the WAL would hold about 14,000 frames (57 MB).
        #expect(size(directory.path("test.sqlite-wal")) < 4_000 * 4_120, "the WAL grew to \(size(directory.path("test.sqlite-wal"))) bytes")
        #expect(try database.read { try $0.scalarInt("SELECT count(*) FROM items") } == 3_000)
    }

    /// Litestream checkpoints only once it holds the write lock. While writes stream back to
    /// back and the WAL is past the yield mark, the writer leaves that lock free after each
    /// batch: a replicator asking for it with a 1 s busy timeout (Litestream's) gets it. (A
    /// debug build's writer leaves gaps between batches of its own, so the grants alone do not
    /// show the pause; under HTTP load in a release build they did: bench/README.md.)
    @Test func externalCheckpointsLetTheReplicatorTakeTheWriteLock() throws {
        let directory = TemporaryDirectory()
        let database = try open(directory, .external(yieldFrames: 300))
        try insert(database, 30)
        // Under the mark the writer never pauses.
        #expect(database.statistics.walFrames < 300)
        #expect(database.statistics.yields == 0)
        try insert(database, 100, from: 30)
        #expect(database.statistics.walFrames >= 300)
        // Far more writes than the writer takes per batch, queued at once: it never waits for work.
        let streamed = Atomic<Int>(0)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            let futures = (0..<30_000).map { index in
                database.submit { try $0.run("INSERT INTO items (name) VALUES (?)", ["streamed \(index)"]) }
            }
            for future in futures where (try? future.value(within: 60)) != nil { streamed.add(1, ordering: .relaxed) }
            done.signal()
        }
        var options = SQLiteConnection.Options()
        options.busyTimeoutMillis = 1_000
        let replicator = try SQLiteConnection(path: directory.path("test.sqlite"), options: options)
        let deadline = Date().addingTimeInterval(20)
        while database.statistics.queuedWrites < 5_000 && Date() < deadline { Thread.sleep(forTimeInterval: 0.001) }
        var granted = 0, refused = 0
        while database.statistics.queuedWrites > 1_000 && granted + refused < 5 {
            do {
                try replicator.execute("BEGIN IMMEDIATE")
                try replicator.execute("ROLLBACK")
                granted += 1
            } catch {
                refused += 1
            }
        }
        try done.waitOrThrow(60, "the streamed writes")
        #expect(granted + refused == 5, "the stream ended before five tries")
        #expect(refused == 0, "the replicator waited out its busy timeout \(refused) times of \(granted + refused)")
        #expect(streamed.load(ordering: .relaxed) == 30_000)
        #expect(database.statistics.yields > 0, "the writer never left the lock free")
    }
}
