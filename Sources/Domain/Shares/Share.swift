#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// A member's search shared with another account, to read (`read`) or to coach (`coach`).
public struct Share: Sendable, Equatable {
    public var id: Int64
    /// The sharer, whose search is read.
    public var userID: Int64
    public var userName: String
    public var granteeID: Int64
    public var granteeName: String
    public var scope: ShareScope
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int64
}

/// Reads through a share on one UTC day, by method and route template.
public struct ShareRead: Sendable, Equatable {
    public var id: Int64
    public var day: String
    public var method: String
    public var route: String
    public var count: Int64
    public var firstAt: Date
    public var lastAt: Date
}

/// The SQL of `shares` and `share_reads`.
enum ShareStore {
    enum Column: Int32, ColumnSet {
        case id, owner, granteeID, scope, createdAt, updatedAt, version, userName, granteeName

        var role: ColumnRole {
            switch self {
            case .id: .id
            case .owner: .owner
            case .granteeID: .field("grantee_id")
            case .scope: .field("scope")
            case .createdAt: .createdAt
            case .updatedAt: .updatedAt
            case .version: .version
            case .userName: .computed("o.name")
            case .granteeName: .computed("g.name")
            }
        }
    }

    static let columns = "s.id, s.user_id, s.grantee_id, s.scope, s.created_at, s.updated_at, s.version, o.name, g.name"
    static let from = "shares s JOIN users o ON o.id = s.user_id JOIN users g ON g.id = s.grantee_id"

    static func record(_ row: Row) throws -> Share {
        Share(
            id: row.int64(Column.id), userID: row.int64(Column.owner), userName: row.string(Column.userName),
            granteeID: row.int64(Column.granteeID), granteeName: row.string(Column.granteeName),
            scope: try row.member(Column.scope, of: "shares"), createdAt: try row.stamp(Column.createdAt, of: "shares"),
            updatedAt: try row.stamp(Column.updatedAt, of: "shares"), version: row.int64(Column.version))
    }

    static func insert(_ connection: SQLiteConnection, userID: Int64, granteeID: Int64, scope: ShareScope, at now: Date) throws -> Int64 {
        try connection.run(
            "INSERT INTO shares (user_id, grantee_id, scope, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
            [userID, granteeID, scope.rawValue, now, now])
        return connection.lastInsertRowID
    }

    /// A share either side of which is `userID`.
    static func find(_ connection: SQLiteConnection, id: Int64, party userID: Int64) throws -> Share? {
        try connection.queryOne(
            "SELECT \(columns) FROM \(from) WHERE s.id = ? AND (s.user_id = ? OR s.grantee_id = ?)", [id, userID, userID], record)
    }

    static func existing(_ connection: SQLiteConnection, userID: Int64, granteeID: Int64) throws -> Int64? {
        try connection.scalarInt("SELECT id FROM shares WHERE user_id = ? AND grantee_id = ?", [userID, granteeID])
    }

    /// The grantee's access to the sharer's search, through `shares_pair`.
    static func access(_ connection: SQLiteConnection, sharerID: Int64, granteeID: Int64) throws -> ShareAccess? {
        typealias C = AccessColumn
        return try connection.queryOne(
            "SELECT " + C.select + " FROM shares s JOIN users g ON g.id = s.grantee_id WHERE s.user_id = ? AND s.grantee_id = ? AND g.disabled = 0",
            [sharerID, granteeID]
        ) { ShareAccess(shareID: $0.int64(C.id), granteeID: granteeID, scope: try $0.member(C.scope, of: "shares", id: $0.int64(C.id))) }
    }

    private enum AccessColumn: Int32, SelectList {
        case id, scope
        var sql: String {
            switch self {
            case .id: "s.id"
            case .scope: "s.scope"
            }
        }
    }

    static func delete(_ connection: SQLiteConnection, id: Int64) throws {
        try connection.run("DELETE FROM shares WHERE id = ?", [id])
    }

    /// Shares the user granted (`granted`), was granted (`received`), or both (nil).
    static func listQuery(userID: Int64, direction: ShareDirection?) -> KeysetQuery {
        let condition: String
        var arguments: [any DatabaseValueConvertible] = [userID]
        switch direction {
        case .granted: condition = "s.user_id = ?"
        case .received: condition = "s.grantee_id = ?"
        case nil:
            condition = "(s.user_id = ? OR s.grantee_id = ?)"
            arguments.append(userID)
        }
        return KeysetQuery(select: columns, from: from, alias: "s", conditions: [condition], arguments: arguments, columnCount: Int32(Column.allCases.count))
    }

    static func recordRead(_ connection: SQLiteConnection, shareID: Int64, method: String, route: String, at now: Date) throws {
        try connection.run(
            "INSERT INTO share_reads (share_id, day, method, route, count, first_at, last_at) VALUES (?, ?, ?, ?, 1, ?, ?) "
                + "ON CONFLICT (share_id, day, method, route) DO UPDATE SET count = count + 1, last_at = excluded.last_at",
            [shareID, String(RFC3339Day.utc(now)), method, route, now, now])
    }

    enum ReadColumn: Int32, ColumnSet {
        case id, day, method, route, count, firstAt, lastAt

        var role: ColumnRole {
            switch self {
            case .id: .id
            case .day: .field("day")
            case .method: .field("method")
            case .route: .field("route")
            case .count: .field("count")
            case .firstAt: .field("first_at")
            case .lastAt: .field("last_at")
            }
        }
    }

    static func readRecord(_ row: Row) throws -> ShareRead {
        ShareRead(
            id: row.int64(ReadColumn.id), day: row.string(ReadColumn.day), method: row.string(ReadColumn.method),
            route: row.string(ReadColumn.route), count: row.int64(ReadColumn.count), firstAt: try row.stamp(ReadColumn.firstAt, of: "share_reads"),
            lastAt: try row.stamp(ReadColumn.lastAt, of: "share_reads"))
    }

    static func readsQuery(shareID: Int64) -> KeysetQuery {
        KeysetQuery(
            select: "r.id, r.day, r.method, r.route, r.count, r.first_at, r.last_at", from: "share_reads r", alias: "r",
            conditions: ["r.share_id = ?"], arguments: [shareID], columnCount: Int32(ReadColumn.allCases.count))
    }
}

/// Which side of a share a list shows.
public enum ShareDirection: String, Sendable, CaseIterable {
    case granted, received
}

/// A UTC calendar day as `YYYY-MM-DD`.
enum RFC3339Day {
    static func utc(_ date: Date) -> Substring {
        RFC3339.format(date).prefix(10)
    }
}
