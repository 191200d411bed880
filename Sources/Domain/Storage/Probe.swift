import Dispatch
import Primitives
import SQLiteCore

extension Storage {
    /// Readiness: a read through the reader pool and a no-op through the writer thread, each
    /// within `seconds`. False when either fails or is late (a stuck writer, a full pool).
    public func isReady(within seconds: Double) -> Bool {
        let done = DispatchSemaphore(value: 0)
        let outcome = Lock<Bool>(false)
        // The read goes on another thread, so a pool that never frees a reader cannot hold us.
        DispatchQueue.global().async { [database] in
            let ok = (try? database.read { try $0.scalarInt("SELECT 1") }) == 1
            outcome.withLock { $0 = ok }
            done.signal()
        }
        guard done.wait(timeout: .now() + seconds) == .success, outcome.withLock({ $0 }) else { return false }
        let written = DispatchSemaphore(value: 0)
        let committed = Lock<Bool>(false)
        database.submit { _ in }.whenComplete { result in
            if case .success = result { committed.withLock { $0 = true } }
            written.signal()
        }
        return written.wait(timeout: .now() + seconds) == .success && committed.withLock { $0 }
    }

    /// The writer thread's and the checkpoints' figures (for `/metrics`).
    public var statistics: StorageStatistics {
        let stats = database.statistics
        return StorageStatistics(
            walFrames: stats.walFrames, queuedWrites: stats.queuedWrites, batchBounds: Database.Statistics.batchBounds,
            batchCounts: stats.batchCounts, batches: stats.batches, batchedWrites: stats.batchedWrites, checkpoints: stats.checkpoints,
            checkpointSeconds: stats.checkpointSeconds, readerWaits: database.readerWaitCount)
    }
}

/// The storage's own gauges and counters.
public struct StorageStatistics: Sendable {
    public var walFrames: Int
    public var queuedWrites: Int
    /// Upper bounds of the group-commit size buckets, and the batches in each (not cumulative).
    public var batchBounds: [Int]
    public var batchCounts: [Int]
    public var batches: Int
    public var batchedWrites: Int
    public var checkpoints: Int
    public var checkpointSeconds: Double
    public var readerWaits: Int
}
