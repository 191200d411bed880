#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SQLiteCore

/// The SQL of `users`.
enum UserStore {
    enum Column: Int32, ColumnSet {
        case id, name, timeZone, createdAt, updatedAt, version, displayName, headline

        var role: ColumnRole {
            switch self {
            case .id: .id
            case .name: .field("name")
            case .timeZone: .field("time_zone")
            case .createdAt: .createdAt
            case .updatedAt: .updatedAt
            case .version: .version
            case .displayName: .field("display_name")
            case .headline: .field("headline")
            }
        }
    }

    private static let select = "SELECT id, name, time_zone, created_at, updated_at, version, display_name, headline FROM users"

    static func record(_ row: Row) -> User {
        User(
            id: row.int64(Column.id), name: row.string(Column.name), timeZone: row.string(Column.timeZone),
            displayName: row.optionalString(Column.displayName), headline: row.optionalString(Column.headline),
            createdAt: row.date(Column.createdAt) ?? .distantPast, updatedAt: row.date(Column.updatedAt) ?? .distantPast,
            version: row.int64(Column.version))
    }

    static func find(_ connection: SQLiteConnection, id: Int64) throws -> User? {
        try connection.queryOne(select + " WHERE id = ?", [id], record)
    }

    /// The id of the user named `name`, ignoring case.
    static func id(_ connection: SQLiteConnection, named name: String) throws -> Int64? {
        try connection.scalarInt("SELECT id FROM users WHERE name = ? COLLATE NOCASE", [name])
    }

    static func isEmpty(_ connection: SQLiteConnection) throws -> Bool {
        try connection.scalarInt("SELECT count(*) FROM users") == 0
    }

    static func insert(_ connection: SQLiteConnection, name: String, at now: Date) throws -> User {
        try connection.run("INSERT INTO users (name, created_at, updated_at) VALUES (?, ?, ?)", [name, now, now])
        return User(
            id: connection.lastInsertRowID, name: name, timeZone: "UTC", displayName: nil, headline: nil, createdAt: now, updatedAt: now,
            version: 1)
    }

    /// Writes the fields `/me` may change, with a new `updated_at` and version.
    static func update(_ connection: SQLiteConnection, _ user: User, at now: Date) throws {
        try connection.run(
            "UPDATE users SET display_name = ?, headline = ?, time_zone = ?, updated_at = ?, version = version + 1 WHERE id = ?",
            [user.displayName, user.headline, user.timeZone, now, user.id])
    }
}

/// The SQL of `tokens`: only hashes of secrets and a short lookup prefix are stored.
enum TokenStore {
    enum Column: Int32, ColumnSet {
        case id, owner, name, createdAt, updatedAt, version, lastUsedAt

        var role: ColumnRole {
            switch self {
            case .id: .id
            case .owner: .owner
            case .name: .field("name")
            case .createdAt: .createdAt
            case .updatedAt: .updatedAt
            case .version: .version
            case .lastUsedAt: .field("last_used_at")
            }
        }
    }

    private static let columns = "t.id, t.user_id, t.name, t.created_at, t.updated_at, t.version, t.last_used_at"

    static func record(_ row: Row) -> Token {
        Token(
            id: row.int64(Column.id), userID: row.int64(Column.owner), name: row.string(Column.name),
            createdAt: row.date(Column.createdAt) ?? .distantPast, updatedAt: row.date(Column.updatedAt) ?? .distantPast,
            version: row.int64(Column.version), lastUsedAt: row.date(Column.lastUsedAt))
    }

    static func insert(_ connection: SQLiteConnection, userID: Int64, name: String, lookup: String, hash: [UInt8], at now: Date) throws -> Token {
        try connection.run(
            "INSERT INTO tokens (user_id, name, lookup, secret_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            [userID, name, lookup, hash, now, now])
        return Token(id: connection.lastInsertRowID, userID: userID, name: name, createdAt: now, updatedAt: now, version: 1, lastUsedAt: nil)
    }

    /// Tokens whose lookup prefix matches, with their hashes, for a constant-time comparison.
    static func candidates(_ connection: SQLiteConnection, lookup: String) throws -> [(id: Int64, userID: Int64, hash: [UInt8])] {
        try connection.query("SELECT id, user_id, secret_hash FROM tokens WHERE lookup = ?", [lookup]) {
            (id: $0.int64(0), userID: $0.int64(1), hash: $0.blob(2))
        }
    }

    static func find(_ connection: SQLiteConnection, userID: Int64, id: Int64) throws -> Token? {
        try connection.queryOne("SELECT \(columns) FROM tokens t WHERE t.user_id = ? AND t.id = ?", [userID, id], record)
    }

    static func listQuery(userID: Int64) -> KeysetQuery {
        KeysetQuery(select: columns, from: "tokens t", alias: "t", conditions: ["t.user_id = ?"], arguments: [userID], columnCount: Int32(Column.allCases.count))
    }

    static func touch(_ connection: SQLiteConnection, id: Int64, at now: Date) throws {
        try connection.run("UPDATE tokens SET last_used_at = ? WHERE id = ?", [now, id])
    }

    static func delete(_ connection: SQLiteConnection, id: Int64) throws {
        try connection.run("DELETE FROM tokens WHERE id = ?", [id])
    }
}
