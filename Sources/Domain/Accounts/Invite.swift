#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SQLiteCore

/// A one-time invitation to open an account with a role; its code is shown once.
public struct Invite: Sendable, Equatable {
    public enum Status: String, Sendable {
        case pending, accepted, expired
    }

    public var id: Int64
    public var role: Role
    public var createdBy: Int64?
    public var expiresAt: Date
    public var acceptedAt: Date?
    public var acceptedBy: Int64?
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int64

    public func status(at now: Date) -> Status {
        if acceptedAt != nil { return .accepted }
        return expiresAt <= now ? .expired : .pending
    }
}

/// The SQL of `invites`: a short lookup prefix of the code in clear, the SHA-256 of the whole.
enum InviteStore {
    enum Column: Int32, ColumnSet {
        case id, role, createdBy, expiresAt, acceptedAt, acceptedBy, createdAt, updatedAt, version

        var role: ColumnRole {
            switch self {
            case .id: .id
            case .role: .field("role")
            case .createdBy: .field("created_by")
            case .expiresAt: .field("expires_at")
            case .acceptedAt: .field("accepted_at")
            case .acceptedBy: .field("accepted_by")
            case .createdAt: .createdAt
            case .updatedAt: .updatedAt
            case .version: .version
            }
        }
    }

    static let columns = "i.id, i.role, i.created_by, i.expires_at, i.accepted_at, i.accepted_by, i.created_at, i.updated_at, i.version"

    static func record(_ row: Row) throws -> Invite {
        Invite(
            id: row.int64(Column.id), role: try row.member(Column.role, of: "invites"), createdBy: row.optionalInt64(Column.createdBy),
            expiresAt: try row.stamp(Column.expiresAt, of: "invites"), acceptedAt: row.date(Column.acceptedAt),
            acceptedBy: row.optionalInt64(Column.acceptedBy), createdAt: try row.stamp(Column.createdAt, of: "invites"),
            updatedAt: try row.stamp(Column.updatedAt, of: "invites"), version: row.int64(Column.version))
    }

    static func insert(
        _ connection: SQLiteConnection, role: Role, createdBy: Int64?, lookup: String, hash: [UInt8], expiresAt: Date, at now: Date
    ) throws -> Invite {
        try connection.run(
            "INSERT INTO invites (role, created_by, lookup, secret_hash, expires_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [role.rawValue, createdBy, lookup, hash, expiresAt, now, now])
        return Invite(
            id: connection.lastInsertRowID, role: role, createdBy: createdBy, expiresAt: expiresAt, acceptedAt: nil, acceptedBy: nil,
            createdAt: now, updatedAt: now, version: 1)
    }

    static func find(_ connection: SQLiteConnection, id: Int64) throws -> Invite? {
        try connection.queryOne("SELECT \(columns) FROM invites i WHERE i.id = ?", [id], record)
    }

    /// The invitation whose code this is, compared in constant time.
    static func find(_ connection: SQLiteConnection, code: String) throws -> Invite? {
        let digest = TokenSecret.hash(code)
        var match: Invite?
        try connection.forEachRow(
            "SELECT \(columns), i.secret_hash FROM invites i WHERE i.lookup = ?", [TokenSecret.lookup(code)]
        ) { row in
            if TokenSecret.constantTimeEquals(row.blob(Int32(Column.allCases.count)), digest) { match = try record(row) }
        }
        return match
    }

    static func accept(_ connection: SQLiteConnection, id: Int64, by userID: Int64, at now: Date) throws {
        try connection.run(
            "UPDATE invites SET accepted_at = ?, accepted_by = ?, updated_at = ?, version = version + 1 WHERE id = ?", [now, userID, now, id])
    }

    static func delete(_ connection: SQLiteConnection, id: Int64) throws {
        try connection.run("DELETE FROM invites WHERE id = ?", [id])
    }

    static func listQuery() -> KeysetQuery {
        KeysetQuery(select: columns, from: "invites i /* plan: the centre's invitations, an admin's list, a keyset page at a time */", alias: "i", conditions: ["1"], arguments: [], columnCount: Int32(Column.allCases.count))
    }
}
