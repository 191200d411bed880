#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import Primitives
import SQLiteCore

/// The database as services see it: reads on a pooled snapshot, writes handed to the writer
/// thread, and every storage error turned into a `DomainError` here, so nothing above Domain
/// knows SQLite.
public final class Storage: Sendable {
    let database: Database
    private let clock: any Clock
    /// Signalled after a commit that queued a webhook delivery: the sender goes at once.
    let webhookQueued = DispatchSemaphore(value: 0)
    /// The last stamp handed out, in milliseconds since 1970.
    private let lastStamp = Lock<Int64>(Int64.min)

    /// Open only to the composition root and tests (see `Services.init`).
    @_spi(Composition) public init(database: Database, clock: any Clock = SystemClock()) {
        self.database = database
        self.clock = clock
    }

    /// The time a write records (`created_at`, `updated_at`, `deleted_at`), taken inside the
    /// write on the writer thread, so stamps follow commit order; never earlier than the one
    /// before, even when the wall clock steps back. A client that polls `updated_since` with
    /// the largest `updated_at` it has seen therefore never misses a later commit. A write run
    /// again after its batch started over takes a new, later stamp, which keeps the order.
    func stamp() -> Date {
        let now = Int64((clock.now().timeIntervalSince1970 * 1000).rounded(.down))
        let millis = lastStamp.withLock { last -> Int64 in
            last = max(last, now)
            return last
        }
        return Date(timeIntervalSince1970: Double(millis) / 1000)
    }

    /// Changes whenever a write is stamped: background work skips a database it has seen.
    var writeGeneration: Int64 {
        lastStamp.withLock { $0 }
    }

    /// Whether no write has been stamped for `seconds` (background work waits for a quiet writer).
    func isQuiet(for seconds: Double) -> Bool {
        let now = Int64((clock.now().timeIntervalSince1970 * 1000).rounded(.down))
        // Int64.min: nothing written since the start.
        return lastStamp.withLock { $0 == Int64.min || now &- $0 >= Int64(seconds * 1000) }
    }

    /// A read on one consistent snapshot.
    func read<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        do {
            return try database.read(body)
        } catch {
            throw Self.domainError(error)
        }
    }

    /// A write for the writer thread; the future completes after its commit. The closure may run
    /// more than once (its batch can start over), so it does SQL only: anything else goes in
    /// `SQLiteConnection.onCommit`, which runs once.
    func submit<T>(bookkeeping: Bool = false, _ body: @escaping @Sendable (SQLiteConnection) throws -> T) -> Future<T> {
        database.submit(bookkeeping: bookkeeping, body).mapError(Self.domainError)
    }

    /// A write that blocks until it committed (account routes and the command line).
    func write<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        do {
            return try database.write(body)
        } catch {
            throw Self.domainError(error)
        }
    }

    /// Moves with every commit of this process (`Database.commitCount`): a report read before
    /// it moved may be out of date.
    var commitCount: Int { database.commitCount }

    /// How many reads had to wait for a free reader, for metrics.
    public var readerWaitCount: Int { database.readerWaitCount }

    /// What a storage failure means in domain terms; anything else is passed on as it is (and
    /// becomes a bare 500 at the edge, with the detail in the log).
    static func domainError(_ error: any Error) -> any Error {
        guard let failure = error as? SQLiteError else { return error }
        switch failure.kind {
        case .uniqueViolation:
            return DomainError.conflict(code: "conflict", detail: "The change conflicts with an existing record.", existingID: nil)
        case .foreignKeyViolation:
            return DomainError.conflict(code: "has_dependants", detail: "Other records still refer to this one.", existingID: nil)
        case .checkViolation, .notNullViolation:
            return DomainError.validation([FieldIssue("body", "A value is out of its allowed range.")])
        case .busy:
            return DomainError.busy
        default:
            return error
        }
    }
}
