import CSQLite

/// A prepared statement. It owns its pointer and finalizes it exactly once, in `deinit`, so
/// it can neither leak nor be freed twice; the connection keeps cached ones alive.
public final class Statement {
    let handle: OpaquePointer
    public let sql: String
    private unowned let connection: SQLiteConnection
    private var columnIndexes: [String: Int32]?
    /// Set while a caller steps through it; the cache then hands others a statement of their own.
    public internal(set) var isInUse = false

    init(connection: SQLiteConnection, sql: String) throws(SQLiteError) {
        #if DEBUG
        if connection.isAudited { try StatementAudit.verify(sql) }
        #endif
        var handle: OpaquePointer?
        // SQLITE_PREPARE_PERSISTENT: cached statements live long (https://sqlite.org/c3ref/c_prepare_normalize.html).
        let code = sqlite3_prepare_v3(connection.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard code == SQLITE_OK, let handle else {
            if let handle { sqlite3_finalize(handle) }
            throw SQLiteError(code: code, connection: connection.handle, sql: sql)
        }
        self.handle = handle
        self.sql = sql
        self.connection = connection
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Ends a use begun with `SQLiteConnection.checkOut`: reset, and free for the next caller.
    public func checkIn() {
        reset()
        isInUse = false
    }

    /// Clears the previous run and its bindings so the statement can be reused.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Binds values to `?` parameters in order.
    public func bind(_ values: [any DatabaseValueConvertible]) throws(SQLiteError) {
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard values.count == expected else {
            throw SQLiteError(code: SQLITE_RANGE, message: "\(values.count) values for \(expected) parameters", sql: sql)
        }
        for (offset, value) in values.enumerated() {
            try bind(value.databaseValue, at: Int32(offset + 1))
        }
    }

    public func bind(_ value: DatabaseValue, at index: Int32) throws(SQLiteError) {
        let code: Int32
        switch value {
        case .null: code = sqlite3_bind_null(handle, index)
        case .integer(let int): code = sqlite3_bind_int64(handle, index, int)
        case .real(let double): code = sqlite3_bind_double(handle, index, double)
        case .text(let text):
            // Explicit byte length so an embedded NUL does not cut the text short; transient
            // so SQLite copies, since Swift's buffer does not outlive this call.
            var text = text
            code = text.withUTF8 { utf8 -> Int32 in
                // An empty buffer may have no address, and a NULL pointer would bind NULL.
                guard let base = utf8.baseAddress, utf8.count > 0 else {
                    return sqlite3_bind_text(handle, index, "", 0, foothold_sqlite_transient())
                }
                return base.withMemoryRebound(to: CChar.self, capacity: utf8.count) {
                    sqlite3_bind_text(handle, index, $0, Int32(utf8.count), foothold_sqlite_transient())
                }
            }
        case .blob(let bytes):
            code = bytes.withUnsafeBytes { raw in
                sqlite3_bind_blob(handle, index, raw.baseAddress, Int32(raw.count), foothold_sqlite_transient())
            }
        }
        guard code == SQLITE_OK else { throw SQLiteError(code: code, connection: connection.handle, sql: sql) }
    }

    /// Advances one row; true when a row is available.
    @discardableResult
    public func step() throws(SQLiteError) -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = SQLiteError(code: code, connection: connection.handle, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    public var columnCount: Int32 { sqlite3_column_count(handle) }

    /// The current row, after a `step` that returned true.
    public var currentRow: Row { Row(statement: self) }

    public func columnName(_ index: Int32) -> String {
        sqlite3_column_name(handle, index).map { String(cString: $0) } ?? ""
    }

    /// The index of a result column by name.
    public func columnIndex(_ name: String) -> Int32? {
        if columnIndexes == nil {
            var map: [String: Int32] = [:]
            for index in 0..<columnCount { map[columnName(index)] = index }
            columnIndexes = map
        }
        return columnIndexes?[name]
    }
}
