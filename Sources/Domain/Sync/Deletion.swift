#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// A deleted object, as a sync client learns of it: what it was and when it went.
public struct Deletion: Sendable, Equatable {
    /// `contact`, `organization`, `interest`, `question` or `resume`.
    public var type: String
    public var id: Int64
    public var deletedAt: Date
}

/// The SQL of `deletions`, the tombstones that `GET /deletions` reads.
enum DeletionStore {
    enum Column: Int32, ColumnSet {
        case id, owner, type, objectID, deletedAt

        var role: ColumnRole {
            switch self {
            case .id: .id
            case .owner: .owner
            case .type: .field("type")
            case .objectID: .field("object_id")
            case .deletedAt: .field("deleted_at")
            }
        }
    }

    /// How long tombstones are kept.
    static let retention: TimeInterval = 90 * 86400

    /// Records a deletion, and prunes this account's tombstones past the retention.
    /// Tombstones for the rows `select` (ids of one kind) finds, before a delete cascades to them.
    static func recordCascade(_ connection: SQLiteConnection, userID: Int64, kind: String, select: String, _ arguments: [any DatabaseValueConvertible], at stamp: Date) throws {
        for id in try connection.integers(select, arguments) { try record(connection, userID: userID, kind: kind, id: id, at: stamp) }
    }

    static func record(_ connection: SQLiteConnection, userID: Int64, kind: String, id: Int64, at stamp: Date) throws {
        try connection.run(
            "INSERT INTO deletions (user_id, type, object_id, deleted_at) VALUES (?, ?, ?, ?)", [userID, kind, id, stamp])
        try connection.run("DELETE FROM deletions WHERE user_id = ? AND deleted_at < ?", [userID, stamp.addingTimeInterval(-retention)])
    }

    static func record(_ row: Row) throws -> Deletion {
        Deletion(type: row.string(Column.type), id: row.int64(Column.objectID), deletedAt: try row.stamp(Column.deletedAt, of: "deletions"))
    }

    static func listQuery(userID: Int64, since: Date?) -> KeysetQuery {
        var query = KeysetQuery(
            select: "d.id, d.user_id, d.type, d.object_id, d.deleted_at", from: "deletions d", alias: "d",
            conditions: ["d.user_id = ?"], arguments: [userID], columnCount: Int32(Column.allCases.count))
        if let since {
            query.conditions.append("d.deleted_at >= ?")
            query.arguments.append(since)
        }
        return query
    }
}

/// Deletions for sync clients: `GET /deletions?since=`, oldest first.
public final class DeletionService: Sendable {
    private let storage: Storage

    /// The one order: when, then the tombstone's own id.
    public static let sorts: [String: ListOrder] = ["deleted_at": ListOrder(name: "deleted_at", columns: ["d.deleted_at"], descending: false)]

    public init(storage: Storage) {
        self.storage = storage
    }

    /// The account's deletions at or after `since` (inclusive, like `updated_since`).
    public func list(userID: Int64, since: Date?, page: PageRequest) throws -> Page<Deletion> {
        let query = DeletionStore.listQuery(userID: userID, since: since)
        return try storage.read { try query.run($0, page: page, map: DeletionStore.record) }
    }
}
