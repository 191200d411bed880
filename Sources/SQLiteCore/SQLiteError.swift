import CSQLite

/// A failed SQLite call: the extended result code, SQLite's message, and the SQL involved.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    /// What the API layer needs to tell apart (https://sqlite.org/rescode.html).
    public enum Kind: Sendable, Equatable {
        case uniqueViolation
        case foreignKeyViolation
        case checkViolation
        case notNullViolation
        case otherConstraint
        case busy
        case corrupt
        case other
    }

    public var code: Int32
    public var message: String
    public var sql: String?

    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// A write that ended without a result: a bug in the write path, never expected.
    public static let writeNotRun = SQLiteError(code: SQLITE_INTERNAL, message: "a write was not run")

    init(code: Int32, connection: OpaquePointer?, sql: String? = nil) {
        let message = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
        self.init(code: code, message: message, sql: sql)
    }

    public var primaryCode: Int32 { code & 0xFF }

    // Extended codes are C macro expressions Swift cannot import: SQLITE_CONSTRAINT | (n << 8).
    static let constraintCheck = SQLITE_CONSTRAINT | (1 << 8)
    static let constraintForeignKey = SQLITE_CONSTRAINT | (3 << 8)
    static let constraintNotNull = SQLITE_CONSTRAINT | (5 << 8)
    static let constraintPrimaryKey = SQLITE_CONSTRAINT | (6 << 8)
    static let constraintUnique = SQLITE_CONSTRAINT | (8 << 8)
    static let constraintTrigger = SQLITE_CONSTRAINT | (7 << 8)

    public var kind: Kind {
        switch code {
        case Self.constraintUnique, Self.constraintPrimaryKey: return .uniqueViolation
        case Self.constraintForeignKey: return .foreignKeyViolation
        // An ON DELETE/UPDATE RESTRICT action fails as SQLITE_CONSTRAINT_TRIGGER, with the
        // foreign-key message (as SQLite 3.40 does; sqlite.org/foreignkeys.html §4.3).
        case Self.constraintTrigger where message == "FOREIGN KEY constraint failed": return .foreignKeyViolation
        case Self.constraintCheck: return .checkViolation
        case Self.constraintNotNull: return .notNullViolation
        default:
            switch primaryCode {
            case SQLITE_CONSTRAINT: return .otherConstraint
            case SQLITE_BUSY, SQLITE_LOCKED: return .busy
            case SQLITE_CORRUPT, SQLITE_NOTADB: return .corrupt
            default: return .other
            }
        }
    }

    public var description: String {
        "SQLite error \(code): \(message)" + (sql.map { " (SQL: \($0))" } ?? "")
    }
}
