#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SQLiteCore

/// The SQL of `users`.
enum UserStore {
    enum Column: Int32, ColumnSet {
        case id, name, timeZone, createdAt, updatedAt, version, displayName, headline, role, disabled, followUpDays, holidays, hasPassword

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
            case .role: .field("role")
            case .disabled: .field("disabled")
            case .followUpDays: .field("follow_up_days")
            case .holidays: .field("holidays")
            case .hasPassword: .computed("u.password_hash IS NOT NULL")
            }
        }
    }

    static let columns =
        "u.id, u.name, u.time_zone, u.created_at, u.updated_at, u.version, u.display_name, u.headline, u.role, u.disabled, u.follow_up_days, u.holidays, "
        + "u.password_hash IS NOT NULL"
    private static let select = "SELECT \(columns) FROM users u"

    static func record(_ row: Row) throws -> User {
        User(
            id: row.int64(Column.id), name: row.string(Column.name), timeZone: row.string(Column.timeZone),
            displayName: row.optionalString(Column.displayName), headline: row.optionalString(Column.headline),
            role: try row.member(Column.role, of: "users"), disabled: row.int64(Column.disabled) != 0,
            hasPassword: row.int64(Column.hasPassword) != 0, followUpDays: UserSettings.followUpDays(row.string(Column.followUpDays)),
            holidays: UserSettings.holidays(row.string(Column.holidays)),
            createdAt: try row.stamp(Column.createdAt, of: "users"), updatedAt: try row.stamp(Column.updatedAt, of: "users"),
            version: row.int64(Column.version))
    }

    static func find(_ connection: SQLiteConnection, id: Int64) throws -> User? {
        try connection.queryOne(select + " WHERE u.id = ?", [id], record)
    }

    static func find(_ connection: SQLiteConnection, named name: String) throws -> User? {
        try connection.queryOne(select + " WHERE u.name = ? COLLATE NOCASE", [name], record)
    }

    /// The user's time zone as stored (an IANA name).
    static func timeZone(_ connection: SQLiteConnection, id: Int64) throws -> String? {
        try connection.scalarText("SELECT time_zone FROM users WHERE id = ?", [id])
    }

    /// How many accounts the server holds.
    static func count(_ connection: SQLiteConnection) throws -> Int {
        Int(try connection.scalarInt("SELECT count(*) /* plan: counts the accounts for progress */ FROM users") ?? 0)
    }

    /// A page of every account's id, in id order.
    static func ids(_ connection: SQLiteConnection, after: Int64, limit: Int) throws -> [Int64] {
        try connection.integers("SELECT id FROM users WHERE id > ? ORDER BY id LIMIT ? /* plan: walks every account, a page at a time */", [after, limit])
    }

    /// The id of the user named `name`, ignoring case.
    static func id(_ connection: SQLiteConnection, named name: String) throws -> Int64? {
        try connection.scalarInt("SELECT id FROM users WHERE name = ? COLLATE NOCASE", [name])
    }

    /// What signing in needs: the id, the stored hash and whether the account is disabled.
    static func credentials(_ connection: SQLiteConnection, named name: String) throws -> (id: Int64, hash: String?, disabled: Bool)? {
        typealias C = Credentials
        return try connection.queryOne("SELECT " + C.select + " FROM users WHERE name = ? COLLATE NOCASE", [name]) {
            (id: $0.int64(C.id), hash: $0.optionalString(C.passwordHash), disabled: $0.int64(C.disabled) != 0)
        }
    }

    private enum Credentials: Int32, SelectList {
        case id, passwordHash, disabled
        var sql: String {
            switch self {
            case .id: "id"
            case .passwordHash: "password_hash"
            case .disabled: "disabled"
            }
        }
    }

    static func passwordHash(_ connection: SQLiteConnection, id: Int64) throws -> String? {
        try connection.scalarText("SELECT password_hash FROM users WHERE id = ?", [id])
    }

    static func isEmpty(_ connection: SQLiteConnection) throws -> Bool {
        try connection.scalarInt("SELECT NOT EXISTS (SELECT 1 FROM users) /* plan: stops at the first account */") == 1
    }

    /// Owners that can still sign in or use a token (the last-owner rule).
    static func activeOwners(_ connection: SQLiteConnection) throws -> Int64 {
        try connection.scalarInt("SELECT count(*) FROM users WHERE role = 'owner' AND disabled = 0 /* plan: reads the active owners only, a handful */") ?? 0
    }

    static func insert(_ connection: SQLiteConnection, name: String, role: Role, passwordHash: String?, at now: Date) throws -> User {
        try connection.run(
            "INSERT INTO users (name, role, password_hash, password_changed_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            [name, role.rawValue, passwordHash, passwordHash == nil ? nil : now, now, now])
        return User(
            id: connection.lastInsertRowID, name: name, timeZone: "UTC", displayName: nil, headline: nil, role: role, disabled: false,
            hasPassword: passwordHash != nil, createdAt: now, updatedAt: now, version: 1)
    }

    /// Writes the fields `/me` may change, with a new `updated_at` and version.
    static func update(_ connection: SQLiteConnection, _ user: User, at now: Date) throws {
        try connection.run(
            "UPDATE users SET display_name = ?, headline = ?, time_zone = ?, follow_up_days = ?, holidays = ?, updated_at = ?, version = version + 1 WHERE id = ?",
            [user.displayName, user.headline, user.timeZone, user.followUpDays.map(String.init).joined(separator: ","), user.holidays.joined(separator: ","), now, user.id])
    }

    /// A change to what `/me` shows that is not one of the columns above (the digest).
    static func touch(_ connection: SQLiteConnection, id: Int64, at now: Date) throws {
        try connection.run("UPDATE users SET updated_at = ?, version = version + 1 WHERE id = ?", [now, id])
    }

    /// Writes the fields `/users/{id}` may change.
    static func updateAdministration(_ connection: SQLiteConnection, id: Int64, role: Role, disabled: Bool, at now: Date) throws {
        try connection.run(
            "UPDATE users SET role = ?, disabled = ?, updated_at = ?, version = version + 1 WHERE id = ?", [role.rawValue, disabled ? 1 : 0, now, id])
    }

    static func setPassword(_ connection: SQLiteConnection, id: Int64, hash: String, at now: Date) throws {
        try connection.run(
            "UPDATE users SET password_hash = ?, password_changed_at = ?, updated_at = ?, version = version + 1 WHERE id = ?", [hash, now, now, id])
    }

    static func listQuery(role: Role?, disabled: Bool?) -> KeysetQuery {
        var query = KeysetQuery(select: columns, from: "users u /* plan: an admin's list of every account, a keyset page at a time */", alias: "u", conditions: ["1"], arguments: [], columnCount: Int32(Column.allCases.count))
        query.equals("u.role", role?.rawValue)
        query.equals("u.disabled", disabled.map { $0 ? 1 : 0 })
        return query
    }

    /// Deletes an account and everything it owns. Meetings go before contacts and contacts
    /// before organizations: their foreign keys RESTRICT, and a cascade from `users` would meet
    /// them in no particular order. Each delete fires the search index's triggers, so the
    /// account's rows leave the index too.
    static func delete(_ connection: SQLiteConnection, id: Int64) throws {
        try connection.run("DELETE FROM meetings WHERE user_id = ?", [id])
        try connection.run("DELETE FROM leads WHERE user_id = ?", [id])
        try connection.run("DELETE FROM contacts WHERE user_id = ?", [id])
        try connection.run("DELETE FROM organizations WHERE user_id = ?", [id])
        try connection.run("DELETE FROM users WHERE id = ?", [id])
    }
}

/// The SQL of `tokens`: only hashes of secrets and a short lookup prefix are stored.
enum TokenStore {
    enum Column: Int32, ColumnSet {
        case id, owner, name, createdAt, updatedAt, version, lastUsedAt, kind, expiresAt

        var role: ColumnRole {
            switch self {
            case .id: .id
            case .owner: .owner
            case .name: .field("name")
            case .createdAt: .createdAt
            case .updatedAt: .updatedAt
            case .version: .version
            case .lastUsedAt: .field("last_used_at")
            case .kind: .field("kind")
            case .expiresAt: .field("expires_at")
            }
        }
    }

    private static let columns = "t.id, t.user_id, t.name, t.created_at, t.updated_at, t.version, t.last_used_at, t.kind, t.expires_at"

    static func record(_ row: Row) throws -> Token {
        Token(
            id: row.int64(Column.id), userID: row.int64(Column.owner), name: row.string(Column.name),
            createdAt: try row.stamp(Column.createdAt, of: "tokens"), updatedAt: try row.stamp(Column.updatedAt, of: "tokens"),
            version: row.int64(Column.version), lastUsedAt: row.date(Column.lastUsedAt),
            kind: try row.member(Column.kind, of: "tokens"), expiresAt: row.date(Column.expiresAt))
    }

    static func insert(
        _ connection: SQLiteConnection, userID: Int64, name: String, kind: TokenKind = .api, expiresAt: Date? = nil, lookup: String, hash: [UInt8],
        at now: Date
    ) throws -> Token {
        try connection.run(
            "INSERT INTO tokens (user_id, name, kind, expires_at, lookup, secret_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [userID, name, kind.rawValue, expiresAt, lookup, hash, now, now])
        return Token(
            id: connection.lastInsertRowID, userID: userID, name: name, createdAt: now, updatedAt: now, version: 1, lastUsedAt: nil, kind: kind,
            expiresAt: expiresAt)
    }

    /// A token that matched its lookup prefix, with what deciding its validity needs.
    struct Candidate {
        var id: Int64
        var userID: Int64
        var hash: [UInt8]
        var kind: TokenKind
        var expiresAt: Date?
        /// When it was last used (or made): a session's idle period runs from here.
        var lastActive: Date?
        var role: Role
        var disabled: Bool
    }

    /// Tokens whose lookup prefix matches, with their hashes, for a constant-time comparison,
    /// and their account's role and state (one read: `tokens_lookup`, then the user by key).
    static func candidates(_ connection: SQLiteConnection, lookup: String) throws -> [Candidate] {
        typealias C = CandidateColumn
        return try connection.query("SELECT " + C.select + " FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.lookup = ?", [lookup]) {
            Candidate(
                id: $0.int64(C.id), userID: $0.int64(C.userID), hash: $0.blob(C.secretHash), kind: try $0.member(C.kind, of: "tokens", id: $0.int64(C.id)),
                expiresAt: $0.date(C.expiresAt), lastActive: $0.date(C.lastActive), role: try $0.member(C.role, of: "users", id: $0.int64(C.userID)),
                disabled: $0.int64(C.disabled) != 0)
        }
    }

    private enum CandidateColumn: Int32, SelectList {
        case id, userID, secretHash, kind, expiresAt, lastActive, role, disabled
        var sql: String {
            switch self {
            case .id: "t.id"
            case .userID: "t.user_id"
            case .secretHash: "t.secret_hash"
            case .kind: "t.kind"
            case .expiresAt: "t.expires_at"
            case .lastActive: "coalesce(t.last_used_at, t.created_at)"
            case .role: "u.role"
            case .disabled: "u.disabled"
            }
        }
    }

    /// Ends every session of a user but `keeping` (a password change signs out elsewhere).
    static func deleteSessions(_ connection: SQLiteConnection, userID: Int64, keeping: Int64?) throws {
        try connection.run("DELETE FROM tokens WHERE user_id = ? AND kind = 'session' AND id IS NOT ?", [userID, keeping])
    }

    /// Sessions of a user that have ended: swept when the user signs in again.
    static func deleteExpiredSessions(_ connection: SQLiteConnection, userID: Int64, idleSince: Date, now: Date) throws {
        try connection.run(
            "DELETE FROM tokens WHERE user_id = ? AND kind = 'session' AND (expires_at <= ? OR coalesce(last_used_at, created_at) <= ?)",
            [userID, now, idleSince])
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
