import CSQLite
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Synchronization
import Primitives

/// The database as services use it: one writer connection, whose transactions a writer
/// thread runs in group-committed batches, and a pool of reader connections that see a
/// consistent snapshot (WAL) while a write runs.
public final class Database: Sendable {
    /// Where the database lives and how durable commits are.
    public struct Configuration: Sendable {
        public var path: String
        public var synchronous: SQLiteConnection.Synchronous
        public var readerCount: Int
        /// Page cache per connection, in KiB. Small on purpose: every connection caches its own
        /// copy of hot pages, while the kernel's page cache holds the file once for all of them,
        /// so a miss costs a pread, not a disk read. 512 KiB against SQLite's 2,000 took 7 MB off
        /// the peak RSS of a list workload with no measurable loss of throughput.
        public var cacheKiB: Int
        /// Who copies the WAL back into the database file.
        public var checkpoints: Checkpoints

        public init(
            path: String, synchronous: SQLiteConnection.Synchronous = .full, readerCount: Int = 4, cacheKiB: Int = 512,
            checkpoints: Checkpoints = .internal
        ) {
            self.path = path
            self.synchronous = synchronous
            self.readerCount = readerCount
            self.cacheKiB = cacheKiB
            self.checkpoints = checkpoints
        }
    }

    /// Who checkpoints the WAL. Every checkpoint this process runs is PASSIVE: it never waits
    /// for a reader and never blocks one, so a replicator that holds a read transaction to pin
    /// the WAL (Litestream does, between its syncs) is never overridden: SQLite copies back
    /// only the frames every reader has moved past, and restarts the WAL only when no reader
    /// is in it. RESTART and TRUNCATE, which wait for readers and would reset the WAL under
    /// one, are never run.
    public enum Checkpoints: Sendable, Equatable {
        /// A thread of this process checkpoints as the WAL grows (see `Checkpointer`).
        case `internal`
        /// Another process checkpoints (Litestream): this one leaves the WAL alone, so the two
        /// never contend for SQLite's checkpoint lock. Beside Litestream, a checkpoint of ours
        /// that holds that lock when Litestream's comes makes Litestream's return busy; its
        /// WAL then runs on for another sync interval before the next try (measured: 3 of 31
        /// of Litestream's checkpoints under a stream of creates). If nothing checkpoints and
        /// the WAL passes `limitFrames`, a PASSIVE pass runs anyway, so a replicator that died
        /// cannot fill the disk, and the log says so.
        /// While the WAL is over `yieldFrames`, the writer leaves the write lock free for a
        /// moment after each batch, so the replicator's checkpoint (which needs it) gets in.
        case external(limitFrames: Int = Database.externalCheckpointLimit, yieldFrames: Int = Database.externalCheckpointYield)
    }

    /// With `.external` checkpoints, the WAL size (frames; 4 KiB pages, so 600 MB) past which
    /// this process checkpoints after all: above Litestream's own emergency TRUNCATE
    /// (121,359 pages), so while Litestream runs it always acts first.
    public static let externalCheckpointLimit = 150_000

    /// With `.external` checkpoints, the WAL size (frames, 128 MB) past which the writer yields
    /// the write lock between batches: four times what internal checkpoints allow, a few
    /// seconds of the busiest writes, so a replicator that keeps up never meets a pause.
    public static let externalCheckpointYield = Checkpointer.fallback * 4

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
    /// Internal so tests can tell when a closing database has asked its writer to stop.
    let writerThread: WriterThread
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
        let writerConnection = try SQLiteConnection(path: configuration.path, options: .init(synchronous: configuration.synchronous, cacheKiB: configuration.cacheKiB))
        let mode = try? writerConnection.queryOne("PRAGMA journal_mode = WAL") { $0.string(0) }
        guard mode?.lowercased() == "wal" else {
            throw SQLiteError(code: SQLITE_CANTOPEN, message: "could not switch \(configuration.path) to WAL mode")
        }
        writer = Slot(writerConnection)
        var readers: [Slot] = []
        for _ in 0..<max(1, configuration.readerCount) {
            readers.append(Slot(try SQLiteConnection(path: configuration.path, options: .init(readOnly: true, synchronous: configuration.synchronous, cacheKiB: configuration.cacheKiB))))
        }
        idleReaders = Lock(readers)
        readerSemaphore = DispatchSemaphore(value: readers.count)
        switch configuration.checkpoints {
        case .internal:
            // Without a connection of its own for checkpoints, commits checkpoint as SQLite does by default.
            let checkpointer = (try? SQLiteConnection(path: configuration.path, options: .init(synchronous: configuration.synchronous, cacheKiB: configuration.cacheKiB)))
                .map { Checkpointer(connection: $0) }
            writerThread = WriterThread(writer: writerConnection, writerLock: writerLock, checkpointer: checkpointer)
        case .external(let limitFrames, let yieldFrames):
            writerThread = WriterThread(
                writer: writerConnection, writerLock: writerLock, checkpointer: nil, external: (limit: limitFrames, yield: yieldFrames))
        }
    }

    deinit {
        // Queued writes still run and complete before the writer thread ends.
        writerThread.stop()
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction on the writer: committed before it
    /// returns, rolled back (alone) when it throws. Blocks until then; see `submit`.
    @discardableResult
    public func write<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        // From inside a write (or a completion the writer thread runs) this would wait for
        // itself forever.
        guard !writerThread.isCurrent else {
            throw SQLiteError(code: SQLITE_MISUSE, message: "a write cannot wait for another write on the writer thread")
        }
        var outcome: Result<T, any Error>?
        let finished = DispatchSemaphore(value: 0)
        withoutActuallyEscaping(body) { body in
            // The writer thread drops the job's closures before it signals, so neither `body`
            // nor `outcome` is referenced once the wait returns.
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
                fail: { error in outcome = .failure(error) },
                done: { finished.signal() })
            writerThread.enqueue(job)
            finished.wait()
        }
        guard let outcome else { throw SQLiteError.writeNotRun }
        return try outcome.get()
    }

    /// Queues `body` for the writer thread and returns at once. The future completes, on the
    /// writer thread, after the transaction holding the write committed (or with the error
    /// that rolled it back), so a response sent from it is never ahead of the disk.
    ///
    /// Writes are group-committed: while one batch commits, writes that arrive queue up, and
    /// the next batch runs them all in one transaction, each inside its own savepoint. The
    /// pages a batch shares go to the WAL once instead of once per write.
    ///
    /// A `bookkeeping` write records how the server was used (a token's last use, a share's
    /// read log, the search index) and changes nothing a report reads: it does not move
    /// `commitCount`.
    @inlinable
    public func submit<T>(bookkeeping: Bool = false, _ body: @escaping @Sendable (SQLiteConnection) throws -> T) -> Future<T> {
        // Inlinable so that callers get it specialized: generic code run unspecialized looks up
        // type metadata at run time, which measured a tenth of the writer thread's time.
        let future = Future<T>()
        let outcome = Lock<Result<T, any Error>?>(nil)
        enqueue(
            bookkeeping: bookkeeping,
            run: { connection in
                do {
                    let value = try body(connection)
                    outcome.withLock { $0 = .success(value) }
                    return true
                } catch {
                    outcome.withLock { $0 = .failure(error) }
                    return false
                }
            },
            fail: { error in outcome.withLock { $0 = .failure(error) } },
            done: {
                let result = outcome.withLock { $0 } ?? .failure(SQLiteError.writeNotRun)
                future.complete(result)
            })
        return future
    }

    /// Queues a write for the writer thread: `run` applies it (false: it failed and is rolled
    /// back), `fail` reports an error from outside it, `done` runs once its batch is over.
    @usableFromInline
    func enqueue(
        bookkeeping: Bool = false, run: @escaping (SQLiteConnection) -> Bool, fail: @escaping (any Error) -> Void, done: @escaping () -> Void
    ) {
        writerThread.enqueue(WriteJob(run: run, fail: fail, done: done, bookkeeping: bookkeeping))
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

    /// The durability the writer connection really runs at, read back from SQLite (not from the
    /// configuration), so operators and tests see what is in force.
    public func synchronousLevel() throws -> SQLiteConnection.Synchronous? {
        switch try withWriter({ try $0.scalarInt("PRAGMA synchronous") }) {
        case 1: .normal
        case 2: .full
        default: nil
        }
    }

    /// How many reads had to wait for a free reader, for metrics.
    public var readerWaitCount: Int { readerWaits.load(ordering: .relaxed) }

    /// Moves with every transaction this process commits, bookkeeping aside: what was read
    /// before it moved may be out of date, what was read since is not (a cache's key). Writes
    /// by another process on the same file do not move it.
    public var commitCount: Int { writerThread.commitCount }

    /// The writer's and the checkpoints' figures, for metrics.
    public var statistics: Statistics { writerThread.statistics() }

    /// What the writer thread and the checkpoints have done so far.
    public struct Statistics: Sendable {
        /// Frames in the WAL after the last commit.
        public var walFrames: Int
        /// Writes queued for the writer thread now.
        public var queuedWrites: Int
        /// Upper bounds of the batch-size buckets (writes per group commit).
        public static let batchBounds = [1, 2, 4, 8, 16, 32, 64]
        /// Batches per bucket of `batchBounds` (not cumulative).
        public var batchCounts: [Int]
        public var batches: Int
        public var batchedWrites: Int
        /// Checkpoint passes, and the seconds they took in all.
        public var checkpoints: Int
        public var checkpointSeconds: Double
        /// Times the writer left the write lock free after a batch for a replicator's checkpoint.
        public var yields: Int
    }
}

/// The thread that owns the writer connection's transactions: it takes what is queued, runs it
/// as one group-committed batch, then completes each write.
final class WriterThread: @unchecked Sendable {
    private struct Queue {
        var pending: [WriteJob] = []
        /// The thread is parked on `wake` and needs a signal for new work.
        var idle = false
        var stopping = false
    }

    // The writer connection is used only by this thread's batches and by `withWriter`
    // callers, all under `writerLock`.
    private let writer: SQLiteConnection
    private let writerLock: Lock<Void>
    private let queue = Lock(Queue())
    private let wake = DispatchSemaphore(value: 0)
    private let exited = DispatchSemaphore(value: 0)
    private let threadID = Lock<pthread_t?>(nil)

    private let checkpointer: Checkpointer?
    /// With `.external` checkpoints: the WAL sizes (frames) at which this process checkpoints
    /// anyway, and at which it yields the write lock between batches.
    private let external: (limit: Int, yield: Int)?
    /// Group commits by size; the writer records, metrics read.
    private let batchStats = Lock<(counts: [Int], batches: Int, writes: Int)>((Array(repeating: 0, count: Database.Statistics.batchBounds.count), 0, 0))
    /// Transactions committed since the database opened with a write that is not bookkeeping.
    /// Counted after the COMMIT and before any write's completion runs, so a reader that saw a
    /// response also sees the count move.
    private let commits = Atomic<Int>(0)
    var commitCount: Int { commits.load(ordering: .acquiring) }
    /// See `Database.Statistics.yields`.
    private let yields = Atomic<Int>(0)
    /// The writer's own checkpoints (the fallback), beside the checkpointer's passes.
    private let ownCheckpoints = Lock<(count: Int, seconds: Double)>((0, 0))

    init(writer: SQLiteConnection, writerLock: Lock<Void>, checkpointer: Checkpointer?, external: (limit: Int, yield: Int)? = nil) {
        self.writer = writer
        self.writerLock = writerLock
        self.checkpointer = checkpointer
        self.external = external
        if checkpointer != nil || external != nil { writer.takeOverCheckpoints() }
        SystemThread.start(name: "foothold-writer") { [self] in run() }
    }

    fileprivate func enqueue(_ job: WriteJob) {
        let signal = queue.withLock { queue in
            queue.pending.append(job)
            guard queue.idle else { return false }
            queue.idle = false
            return true
        }
        if signal { wake.signal() }
    }

    /// Lets the thread finish what is queued and end; waits for that unless called on it.
    func stop() {
        let signal = queue.withLock { queue in
            queue.stopping = true
            guard queue.idle else { return false }
            queue.idle = false
            return true
        }
        if signal { wake.signal() }
        if !isCurrent { exited.wait() }
    }

    func statistics() -> Database.Statistics {
        let batches = batchStats.withLock { $0 }
        let own = ownCheckpoints.withLock { $0 }
        let passes: (count: Int, seconds: Double) = checkpointer?.passes() ?? (0, 0)
        return Database.Statistics(
            walFrames: writer.walFrameCount, queuedWrites: queue.withLock { $0.pending.count }, batchCounts: batches.counts,
            batches: batches.batches, batchedWrites: batches.writes, checkpoints: own.count + passes.count,
            checkpointSeconds: own.seconds + passes.seconds, yields: yields.load(ordering: .relaxed))
    }

    /// Whether `stop` was called: the thread ends once the queue is empty.
    var isStopping: Bool { queue.withLock { $0.stopping } }

    /// Whether the caller is this thread (running a write, or a future's completion).
    var isCurrent: Bool {
        threadID.withLock { id in id.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
    }

    private func run() {
        threadID.withLock { $0 = pthread_self() }
        // A write that waits for a future here would wait for itself: `Future.wait` fails instead.
        BlockingWaits.forbidOnThisThread()
        /// WAL frames when the checkpointer was last asked for a pass (0: since the WAL restarted).
        var requestedAt = 0
        while true {
            let batch = queue.withLock { queue -> [WriteJob]? in
                if queue.pending.isEmpty {
                    if queue.stopping { return nil }
                    queue.idle = true
                    return []
                }
                let count = min(queue.pending.count, Self.maxBatch)
                let batch = Array(queue.pending.prefix(count))
                queue.pending.removeFirst(count)
                return batch
            }
            guard let batch else { break }
            if batch.isEmpty {
                wake.wait()
                continue
            }
            writerLock.withLock { _ in runBatch(batch) }
            let bucket = Database.Statistics.batchBounds.firstIndex { batch.count <= $0 } ?? (Database.Statistics.batchBounds.count - 1)
            batchStats.withLock { stats in
                stats.counts[bucket] += 1
                stats.batches += 1
                stats.writes += batch.count
            }
            for job in batch { job.finish() }
            if let checkpointer {
                let frames = writer.walFrameCount
                if checkpointer.takeFinishRequest() || frames >= Checkpointer.fallback {
                    // The few frames committed since the checkpointer's last pass (or, if it
                    // fell far behind, all of them): between two commits nothing is appended,
                    // so the checkpoint completes and the next write starts the WAL over.
                    checkpointHere()
                    requestedAt = 0
                } else if frames >= Checkpointer.threshold, frames < requestedAt || frames - requestedAt >= Checkpointer.pass {
                    // A pass per `pass` new frames, not one after another: each pass syncs the
                    // WAL, and back-to-back passes of a few frames each made 500 fdatasyncs a
                    // second under a stream of creates.
                    requestedAt = frames
                    checkpointer.request()
                }
            } else if let (externalLimit, externalYield) = external {
                let frames = writer.walFrameCount
                // Once per `pass` new frames over the limit, not after every batch: beside a
                // replicator that pins the WAL, a pass copies little and the WAL stays long.
                if frames >= externalLimit, frames < requestedAt || frames - requestedAt >= Checkpointer.pass {
                    if requestedAt == 0 || frames < requestedAt {
                        Checkpointer.warn("the WAL has \(frames) frames and nothing else checkpoints it (--checkpoint external): is the replicator running? Checkpointing here.")
                    }
                    requestedAt = frames
                    checkpointHere()
                } else if frames < externalLimit {
                    requestedAt = 0
                }
                if frames >= externalYield {
                    // The replicator checkpoints only once it holds the write lock, which a
                    // writer that begins its next batch the moment the last one commits almost
                    // never leaves free: under a stream of writes Litestream's checkpoints
                    // waited out their busy timeout, the WAL grew to 600 MB, and its emergency
                    // TRUNCATE then stalled every write for a third of a second. While the WAL
                    // is this long the lock is left free for a moment after each batch; writes
                    // queue meanwhile and go in the next, larger batch.
                    yields.add(1, ordering: .relaxed)
                    usleep(Checkpointer.externalYieldMicroseconds)
                }
            }
        }
        checkpointer?.stop()
        exited.signal()
    }

    /// A PASSIVE checkpoint on the writer between two batches, timed for the statistics.
    private func checkpointHere() {
        let started = monotonicNanos()
        writerLock.withLock { _ in _ = try? writer.execute("PRAGMA wal_checkpoint(PASSIVE)") }
        let seconds = Double(monotonicNanos() - started) / 1e9
        ownCheckpoints.withLock { $0.count += 1; $0.seconds += seconds }
    }

    /// Enough to amortize a commit; small enough that the last write of a batch waits little.
    private static let maxBatch = 64

    /// Runs one write, collecting the actions it leaves for after the commit. A write runs
    /// again when its batch starts over (below), so this is where "SQL only, everything else
    /// after the commit" is enforced: the actions of a run that is undone are dropped with it.
    private func apply(_ job: WriteJob, _ connection: SQLiteConnection) -> Bool {
        connection.afterCommit.removeAll()
        let applied = job.run?(connection) == true
        job.afterCommit = applied ? connection.afterCommit : []
        connection.afterCommit.removeAll()
        return applied
    }

    private func runBatch(_ batch: [WriteJob]) {
        let connection = writer
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
                if apply(job, connection) {
                    if !useSavepoints {
                        applied.append(job)
                        continue
                    }
                    do {
                        try connection.run("RELEASE batched_write")
                        applied.append(job)
                        continue
                    } catch {
                        job.afterCommit = []
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
                if applied.contains(where: { !$0.bookkeeping }) { commits.add(1, ordering: .releasing) }
                for job in applied { job.runAfterCommit() }
            } catch {
                if connection.isInTransaction { _ = try? connection.run("ROLLBACK") }
                for job in applied { job.fail?(error) }
            }
        }
    }
}

/// Copies the WAL back into the database file on its own thread and connection, so that no
/// commit pays for that copy or its fsync: with automatic checkpoints, every thousandth page
/// a commit wrote stalled the writer, and every queued write behind it, for milliseconds.
final class Checkpointer: @unchecked Sendable {
    /// WAL frames (pages) that start a checkpoint: SQLite's own default.
    static let threshold = 1000

    /// Frames (32 MB of 4 KiB pages) at which the writer copies what is left itself, so the WAL
    /// starts over however busy the machine is. Under a steady stream of writes a pass seldom
    /// ends with less than `remainder` behind it, so this is how a busy WAL restarts; by then
    /// the passes have copied all but the last few hundred frames.
    static let fallback = threshold * 8

    /// Frames a pass may leave behind for the writer to copy.
    static let remainder = 128

    /// New frames that warrant another pass while the WAL is over `threshold`.
    static let pass = 256

    /// How long the writer leaves the write lock free after a batch while the WAL is over
    /// `Database.externalCheckpointYield`: a replicator waiting on its busy handler retries
    /// within milliseconds, and the writes that queue meanwhile go in the next batch.
    static let externalYieldMicroseconds: UInt32 = 1_000

    /// One line on stderr, as the server's other warnings.
    static func warn(_ message: String) {
        let line = "foothold: \(message)\n"
        line.withCString { _ = write(2, $0, strlen($0)) }
    }

    // `connection` is used only on this thread.
    private let connection: SQLiteConnection
    private let state = Lock<(requested: Bool, stopping: Bool, finishRequested: Bool)>((false, false, false))
    private let timing = Lock<(count: Int, seconds: Double)>((0, 0))

    /// Passes run so far and the seconds they took.
    func passes() -> (count: Int, seconds: Double) { timing.withLock { $0 } }
    private let wake = DispatchSemaphore(value: 0)
    private let exited = DispatchSemaphore(value: 0)

    init(connection: SQLiteConnection) {
        self.connection = connection
        SystemThread.start(name: "foothold-checkpoint") { [self] in run() }
    }

    /// Asks for a checkpoint; requests made while one is pending count once.
    func request() {
        let signal = state.withLock { state in
            guard !state.requested, !state.stopping else { return false }
            state.requested = true
            return true
        }
        if signal { wake.signal() }
    }

    /// Ends the thread after any checkpoint under way, and waits for that.
    func stop() {
        let signal = state.withLock { state in
            guard !state.stopping else { return false }
            state.stopping = true
            return true
        }
        if signal {
            wake.signal()
            exited.wait()
        }
    }

    private func run() {
        while true {
            wake.wait()
            let stopping = state.withLock { state in
                state.requested = false
                return state.stopping
            }
            if stopping { break }
            // PASSIVE never waits for the writer, which keeps appending meanwhile: a pass
            // copies what was there when it began. A WAL starts over only once it was copied
            // whole, so the writer asks for another pass after `pass` more frames, and copies
            // the rest itself once a pass left little.
            let started = monotonicNanos()
            let result = try? connection.queryOne("PRAGMA wal_checkpoint(PASSIVE)", [], { row in
                (busy: row.int64(0), log: row.int64(1), copied: row.int64(2))
            })
            let seconds = Double(monotonicNanos() - started) / 1e9
            timing.withLock { $0.count += 1; $0.seconds += seconds }
            guard let pass = result, pass.busy == 0, pass.log >= 0 else { continue }
            if pass.log > pass.copied, pass.log - pass.copied <= Int64(Self.remainder) {
                state.withLock { $0.finishRequested = true }
            }
        }
        exited.signal()
    }

    /// Whether a pass ended with a remainder for the writer; asking clears it.
    func takeFinishRequest() -> Bool {
        state.withLock { state in
            defer { state.finishRequested = false }
            return state.finishRequested
        }
    }
}

/// One caller's write, run by the writer thread.
private final class WriteJob: @unchecked Sendable {
    // Set by the caller, used and then cleared by the writer thread before `done` runs; the
    // caller reads what `run` stored only after `done` (which orders these accesses).
    private(set) var run: ((SQLiteConnection) -> Bool)?
    private(set) var fail: ((any Error) -> Void)?
    private var done: (() -> Void)?
    /// What the last applied run of `run` registered with `SQLiteConnection.onCommit`.
    var afterCommit: [() -> Void] = []

    /// See `Database.submit(bookkeeping:_:)`.
    let bookkeeping: Bool

    init(run: @escaping (SQLiteConnection) -> Bool, fail: @escaping (any Error) -> Void, done: @escaping () -> Void, bookkeeping: Bool = false) {
        self.run = run
        self.fail = fail
        self.done = done
        self.bookkeeping = bookkeeping
    }

    /// Runs the registered actions once, after the commit.
    func runAfterCommit() {
        let actions = afterCommit
        afterCommit = []
        for action in actions { action() }
    }

    func finish() {
        run = nil
        fail = nil
        let done = self.done
        self.done = nil
        done?()
    }
}

/// Nanoseconds on the monotonic clock, for timing checkpoints.
private func monotonicNanos() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) &* 1_000_000_000 &+ UInt64(now.tv_nsec)
}

extension Database {
    /// The SQLite library's version as linked at run time (`sqlite3_libversion`).
    public static var libraryVersion: String { String(cString: sqlite3_libversion()) }
}
