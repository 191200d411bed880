import CSQLite
import Dispatch
import Synchronization

/// The database as services use it: one writer connection serialized on its own queue, and
/// a pool of reader connections that see a consistent snapshot (WAL) while a write runs.
public final class Database: Sendable {
    /// Where the database lives and how durable commits are.
    public struct Configuration: Sendable {
        public var path: String
        public var synchronous: SQLiteConnection.Synchronous
        public var readerCount: Int

        public init(path: String, synchronous: SQLiteConnection.Synchronous = .full, readerCount: Int = 4) {
            self.path = path
            self.synchronous = synchronous
            self.readerCount = readerCount
        }
    }

    /// Holds a connection so it can cross threads.
    private final class Slot: @unchecked Sendable {
        // The connection is used by one thread at a time: the writer only inside
        // `writerQueue.sync`, a reader only while checked out of `idleReaders`.
        let connection: SQLiteConnection
        init(_ connection: SQLiteConnection) { self.connection = connection }
    }

    public let configuration: Configuration
    private let writer: Slot
    private let writerQueue = DispatchQueue(label: "foothold.db.writer")
    private let idleReaders: Mutex<[Slot]>
    private let readerSemaphore: DispatchSemaphore
    private let readerWaits = Atomic<Int>(0)

    public init(_ configuration: Configuration) throws(SQLiteError) {
        // We serialize access ourselves and open with NOMUTEX, but a library built without
        // thread support at all (SQLITE_THREADSAFE=0) is unsafe even so.
        guard sqlite3_threadsafe() != 0 else {
            throw SQLiteError(code: SQLITE_MISUSE, message: "the sqlite3 library was built without thread support")
        }
        self.configuration = configuration
        let writerConnection = try SQLiteConnection(path: configuration.path, options: .init(synchronous: configuration.synchronous))
        let mode = try? writerConnection.queryOne("PRAGMA journal_mode = WAL") { $0.string(0) }
        guard mode?.lowercased() == "wal" else {
            throw SQLiteError(code: SQLITE_CANTOPEN, message: "could not switch \(configuration.path) to WAL mode")
        }
        writer = Slot(writerConnection)
        var readers: [Slot] = []
        for _ in 0..<max(1, configuration.readerCount) {
            readers.append(Slot(try SQLiteConnection(path: configuration.path, options: .init(readOnly: true, synchronous: configuration.synchronous))))
        }
        idleReaders = Mutex(readers)
        readerSemaphore = DispatchSemaphore(value: readers.count)
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction on the writer: committed when it
    /// returns, rolled back when it throws.
    @discardableResult
    public func write<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try writerQueue.sync {
            let connection = writer.connection
            return try connection.transaction(.immediate) { try body(connection) }
        }
    }

    /// Runs `body` on the writer with no transaction around it (migrations manage their own).
    @discardableResult
    public func withWriter<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try writerQueue.sync { try body(writer.connection) }
    }

    /// Runs `body` in a read transaction on a pooled reader: one consistent snapshot.
    @discardableResult
    public func read<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        if readerSemaphore.wait(timeout: .now()) == .timedOut {
            readerWaits.add(1, ordering: .relaxed)
            readerSemaphore.wait()
        }
        defer { readerSemaphore.signal() }
        let slot = idleReaders.withLock { $0.popLast() }
        guard let slot else {
            throw SQLiteError(code: SQLITE_INTERNAL, message: "reader pool is empty")
        }
        defer { idleReaders.withLock { $0.append(slot) } }
        return try slot.connection.transaction(.deferred) { try body(slot.connection) }
    }

    /// How many reads had to wait for a free reader, for metrics.
    public var readerWaitCount: Int { readerWaits.load(ordering: .relaxed) }
}
