import CSQLite
import Dispatch
import Synchronization
import Primitives

/// The database as services use it: one writer connection, used under a lock by whichever
/// caller leads the current group commit, and a pool of reader connections that see a
/// consistent snapshot (WAL) while a write runs.
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
        // The connection is used by one thread at a time: the writer only under
        // `writerLock`, a reader only while checked out of `idleReaders`.
        let connection: SQLiteConnection
        init(_ connection: SQLiteConnection) { self.connection = connection }
    }

    public let configuration: Configuration
    private let writer: Slot
    /// Held while the writer connection is in use.
    private let writerLock = Lock<Void>(())
    private let batchState = Lock(BatchState())
    private let idleReaders: Lock<[Slot]>
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
        idleReaders = Lock(readers)
        readerSemaphore = DispatchSemaphore(value: readers.count)
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction on the writer: committed before it
    /// returns, rolled back (alone) when it throws.
    ///
    /// Writes are group-committed: while one batch commits, writes that arrive queue up, and
    /// the oldest of them then leads them all through one transaction, each inside its own
    /// savepoint. The pages a batch shares go to the WAL once instead of once per write, and
    /// every caller still returns only after its own write has committed.
    @discardableResult
    public func write<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        var outcome: Result<T, any Error>?
        withoutActuallyEscaping(body) { body in
            // The job may run on the thread leading its batch while this one waits on
            // `signal`; the leader drops the closures before it signals, so neither `body`
            // nor `outcome` is referenced once this call returns.
            let job = WriteJob(
                run: { connection in
                    do {
                        outcome = .success(try body(connection))
                        return true
                    } catch {
                        outcome = .failure(error)
                        return false
                    }
                },
                fail: { error in outcome = .failure(error) })
            let leads = batchState.withLock { state in
                state.pending.append(job)
                if state.leaderActive { return false }
                state.leaderActive = true
                return true
            }
            if !leads {
                job.signal.wait()
                if job.isDone { return }
            }
            lead(job)
        }
        guard let outcome else { throw SQLiteError(code: SQLITE_INTERNAL, message: "a write was not run") }
        return try outcome.get()
    }

    /// Runs one batch (what is queued, up to `maxBatch`), then hands leadership to the oldest
    /// write still waiting, or gives it up: each caller leads at most once.
    private func lead(_ own: WriteJob) {
        let batch = batchState.withLock { state in
            let count = min(state.pending.count, Self.maxBatch)
            let batch = Array(state.pending.prefix(count))
            state.pending.removeFirst(count)
            return batch
        }
        writerLock.withLock { _ in runBatch(batch) }
        let next = batchState.withLock { state -> WriteJob? in
            if let next = state.pending.first { return next }
            state.leaderActive = false
            return nil
        }
        for job in batch {
            job.finish()
            if job !== own { job.signal.signal() }
        }
        next?.signal.signal()
    }

    /// Enough to amortize a commit; small enough that the last write of a batch waits little.
    private static let maxBatch = 64

    private func runBatch(_ batch: [WriteJob]) {
        let connection = writer.connection
        let useSavepoints = batch.count > 1
        var remaining = batch[...]
        while !remaining.isEmpty {
            do {
                try connection.run("BEGIN IMMEDIATE")
            } catch {
                for job in remaining { job.fail?(error) }
                return
            }
            var applied: [WriteJob] = []
            var restart = false
            while let job = remaining.popFirst() {
                if useSavepoints {
                    do { try connection.run("SAVEPOINT batched_write") } catch {
                        job.fail?(error)
                        continue
                    }
                }
                if job.run?(connection) == true {
                    if !useSavepoints {
                        applied.append(job)
                        continue
                    }
                    do {
                        try connection.run("RELEASE batched_write")
                        applied.append(job)
                        continue
                    } catch {
                        job.fail?(error)
                    }
                }
                if !useSavepoints {
                    if connection.isInTransaction { _ = try? connection.run("ROLLBACK") }
                    return
                }
                let undone = connection.isInTransaction
                    && (try? connection.run("ROLLBACK TO batched_write")) != nil
                    && (try? connection.run("RELEASE batched_write")) != nil
                if !undone {
                    // The transaction is gone or cannot be trusted (SQLite rolls back on I/O
                    // errors and a full disk): the writes applied before this one are lost
                    // with it, so they run again in a fresh transaction.
                    if connection.isInTransaction { _ = try? connection.run("ROLLBACK") }
                    remaining = ArraySlice(applied + remaining)
                    restart = true
                    break
                }
            }
            if restart { continue }
            do {
                try connection.run("COMMIT")
            } catch {
                if connection.isInTransaction { _ = try? connection.run("ROLLBACK") }
                for job in applied { job.fail?(error) }
            }
        }
    }

    /// Runs `body` on the writer with no transaction around it (migrations manage their own).
    @discardableResult
    public func withWriter<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try writerLock.withLock { _ in try body(writer.connection) }
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

/// Writes waiting for a batch, and whether some thread is leading one.
private struct BatchState {
    var pending: [WriteJob] = []
    var leaderActive = false
}

/// One caller's write, run by whichever thread leads its batch.
private final class WriteJob: @unchecked Sendable {
    // Set by the owner, used and then cleared by the leader before it signals; the owner
    // reads `isDone` only after `signal` (which orders these accesses).
    private(set) var run: ((SQLiteConnection) -> Bool)?
    private(set) var fail: ((any Error) -> Void)?
    private(set) var isDone = false
    let signal = DispatchSemaphore(value: 0)

    init(run: @escaping (SQLiteConnection) -> Bool, fail: @escaping (any Error) -> Void) {
        self.run = run
        self.fail = fail
    }

    func finish() {
        run = nil
        fail = nil
        isDone = true
    }
}
