import CSQLite

/// Configures the library once, before the first connection initializes it (later, SQLite
/// refuses the call with SQLITE_MISUSE and keeps its defaults, which are only slower).
private let libraryConfigured: Void = { _ = foothold_sqlite_configure() }()

/// One SQLite connection with a statement cache. Not thread-safe by design: it is opened
/// with SQLITE_OPEN_NOMUTEX and the `Database` pool hands it to one thread at a time.
public final class SQLiteConnection {
    /// How a connection is opened and tuned.
    public struct Options: Sendable {
        public var readOnly = false
        public var synchronous: Synchronous = .full
        public var busyTimeoutMillis: Int32 = 5000
        /// Page cache size in KiB (PRAGMA cache_size = -N); nil keeps SQLite's default (2,000 KiB).
        public var cacheKiB: Int?

        public init(readOnly: Bool = false, synchronous: Synchronous = .full, cacheKiB: Int? = nil) {
            self.readOnly = readOnly
            self.synchronous = synchronous
            self.cacheKiB = cacheKiB
        }
    }

    /// PRAGMA synchronous (https://sqlite.org/pragma.html#pragma_synchronous): FULL survives
    /// power loss in WAL mode; NORMAL may lose the last commits on power loss, never on a crash.
    public enum Synchronous: String, Sendable {
        case full = "FULL"
        case normal = "NORMAL"
    }

    /// `BEGIN` variants (https://sqlite.org/lang_transaction.html).
    public enum TransactionKind: String, Sendable {
        case deferred = "DEFERRED"
        case immediate = "IMMEDIATE"
    }

    let handle: OpaquePointer
    public let path: String
    private var cache: [String: Statement] = [:]
    #if DEBUG
    /// False for the connection a `StatementAudit` check explains statements on.
    public var isAudited = true
    #endif
    /// Frames in the WAL after this connection's last commit; kept once `takeOverCheckpoints`.
    private let walFrames = UnsafeMutablePointer<Int32>.allocate(capacity: 1)

    public init(path: String, options: Options = Options()) throws(SQLiteError) {
        _ = libraryConfigured
        walFrames.initialize(to: 0)
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let error = SQLiteError(code: code, connection: handle, sql: nil)
            sqlite3_close_v2(handle)
            walFrames.deallocate()
            throw error
        }
        self.handle = handle
        self.path = path
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, options.busyTimeoutMillis)
        do {
            try execute("PRAGMA foreign_keys = ON")
            try execute("PRAGMA synchronous = \(options.synchronous.rawValue)")
            // Statement journals (an UPDATE that may touch many rows, inside a write of several
            // statements) stay in memory: on disk each one was an open, writes and an unlink.
            try execute("PRAGMA temp_store = MEMORY")
            if options.readOnly { try execute("PRAGMA query_only = ON") }
            if let cacheKiB = options.cacheKiB { try execute("PRAGMA cache_size = -\(max(1, cacheKiB))") }
        } catch {
            cache.removeAll()
            sqlite3_close_v2(handle)
            walFrames.deallocate()
            throw error
        }
    }

    deinit {
        // Statements must be finalized before the connection closes.
        cache.removeAll()
        sqlite3_close_v2(handle)
        walFrames.deallocate()
    }

    /// Stops this connection's automatic checkpoints (a commit that crosses the threshold
    /// copies pages back itself) and records the WAL's size instead: see `walFrameCount`.
    public func takeOverCheckpoints() {
        sqlite3_wal_hook(handle, { context, _, _, frames in
            context?.assumingMemoryBound(to: Int32.self).pointee = frames
            return SQLITE_OK
        }, walFrames)
    }

    /// Frames in the WAL after this connection's last commit (after `takeOverCheckpoints`).
    public var walFrameCount: Int { Int(walFrames.pointee) }

    /// A statement from the per-connection cache, reset and ready to bind. While the cached
    /// one is in use (a loop over its rows is still stepping, and the loop's body runs the same
    /// SQL), the caller gets a statement of its own instead: resetting the cached one would end
    /// the outer loop early, silently.
    public func cachedStatement(_ sql: String) throws(SQLiteError) -> Statement {
        if let statement = cache[sql] {
            if statement.isInUse { return try Statement(connection: self, sql: sql) }
            statement.reset()
            return statement
        }
        let statement = try Statement(connection: self, sql: sql)
        cache[sql] = statement
        return statement
    }

    /// A statement for a use that spans other statements (a loop over its rows): marked in use
    /// until `checkIn`, so nested uses of the same SQL get their own.
    public func checkOut(_ sql: String) throws(SQLiteError) -> Statement {
        let statement = try cachedStatement(sql)
        statement.isInUse = true
        return statement
    }

    /// Actions for after the commit of the write that registered them (see `Database.submit`):
    /// a write may run twice when its batch restarts, so anything but SQL waits here.
    var afterCommit: [() -> Void] = []

    /// Runs `action` once the transaction of the current write has committed; never if it
    /// rolls back. Cache updates and counters go here, not in the write itself, because the
    /// writer thread runs a write again when its batch has to start over.
    public func onCommit(_ action: @escaping () -> Void) {
        afterCommit.append(action)
    }

    /// Runs one or more statements without parameters (DDL, pragmas, migrations).
    public func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        guard code == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_free(message)
            throw SQLiteError(code: sqlite3_extended_errcode(handle), message: text, sql: sql)
        }
    }

    /// Runs one statement with parameters and returns the number of rows it changed.
    @discardableResult
    public func run(_ sql: String, _ values: [any DatabaseValueConvertible] = []) throws(SQLiteError) -> Int {
        let statement = try checkOut(sql)
        defer { statement.checkIn() }
        try statement.bind(values)
        while try statement.step() {}
        return Int(sqlite3_changes64(handle))
    }

    /// Calls `body` for each row.
    public func forEachRow(_ sql: String, _ values: [any DatabaseValueConvertible] = [], _ body: (Row) throws -> Void) throws {
        let statement = try checkOut(sql)
        defer { statement.checkIn() }
        try statement.bind(values)
        while try statement.step() { try body(Row(statement: statement)) }
    }

    /// Maps every row.
    public func query<T>(_ sql: String, _ values: [any DatabaseValueConvertible] = [], _ map: (Row) throws -> T) throws -> [T] {
        var results: [T] = []
        try forEachRow(sql, values) { results.append(try map($0)) }
        return results
    }

    /// Maps the first row, if any.
    public func queryOne<T>(_ sql: String, _ values: [any DatabaseValueConvertible] = [], _ map: (Row) throws -> T) throws -> T? {
        let statement = try checkOut(sql)
        defer { statement.checkIn() }
        try statement.bind(values)
        guard try statement.step() else { return nil }
        return try map(Row(statement: statement))
    }

    /// The first column of the first row as an integer.
    public func scalarInt(_ sql: String, _ values: [any DatabaseValueConvertible] = []) throws -> Int64? {
        try queryOne(sql, values) { $0.optionalInt64(0) } ?? nil
    }

    /// The first column of the first row as text; nil for no row or NULL.
    public func scalarText(_ sql: String, _ values: [any DatabaseValueConvertible] = []) throws -> String? {
        try queryOne(sql, values) { $0.optionalString(0) } ?? nil
    }

    /// The only column of every row, as integers (NULL as 0): a list of ids.
    public func integers(_ sql: String, _ values: [any DatabaseValueConvertible] = []) throws -> [Int64] {
        try query(sql, values) { $0.int64(0) }
    }

    /// The only column of every row, as text (NULL as "").
    public func texts(_ sql: String, _ values: [any DatabaseValueConvertible] = []) throws -> [String] {
        try query(sql, values) { $0.string(0) }
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    public var changes: Int { Int(sqlite3_changes64(handle)) }

    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    @discardableResult
    public func transaction<T>(_ kind: TransactionKind = .deferred, _ body: () throws -> T) throws -> T {
        // Cached statements: every read runs these, and sqlite3_exec would parse them each time.
        try run(kind == .immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")
        do {
            let result = try body()
            try run("COMMIT")
            return result
        } catch {
            // The transaction may already be gone (SQLite rolls back on some errors).
            if isInTransaction { _ = try? run("ROLLBACK") }
            throw error
        }
    }
}
