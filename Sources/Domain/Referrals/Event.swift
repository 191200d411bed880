#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SQLiteCore

/// Where the user stands with an event.
public enum EventStatus: String, Sendable, CaseIterable {
    case interested
    case registered
    case attended
    case skipped
}

/// A professional development or community event, usually recommended at a meeting.
public struct Event: Sendable, Equatable, StoredRecord {
    public var id: Int64
    public var userID: Int64
    public var name: String
    public var startsAt: Date?
    public var endsAt: Date?
    public var location: String?
    public var url: String?
    public var recommendedByID: Int64?
    public var meetingID: Int64?
    public var status: EventStatus
    public var notes: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int64
}

/// Filters of `GET /events`.
public struct EventFilter: Sendable {
    public var meetingID: Int64?
    public var recommendedByID: Int64?
    public var status: EventStatus?
    public var updatedSince: Date?

    public init() {}
}

/// The SQL of `events`.
enum EventStore: RecordStore {
    enum Column: Int32, ColumnSet {
        case id, owner, name, startsAt, endsAt, location, url, recommendedByID, meetingID, status, notes, createdAt, updatedAt, version

        var role: ColumnRole {
            switch self {
            case .id: .id
            case .owner: .owner
            case .name: .field("name")
            case .startsAt: .field("starts_at")
            case .endsAt: .field("ends_at")
            case .location: .field("location")
            case .url: .field("url")
            case .recommendedByID: .field("recommended_by_id")
            case .meetingID: .field("meeting_id")
            case .status: .field("status")
            case .notes: .field("notes")
            case .createdAt: .createdAt
            case .updatedAt: .updatedAt
            case .version: .version
            }
        }
    }

    static let sql = TableSQL<Column>(table: "events", alias: "e")
    static let noun = "event"
    static let kind = "event"

    static func record(_ row: Row) -> Event {
        Event(
            id: row.int64(Column.id), userID: row.int64(Column.owner), name: row.string(Column.name), startsAt: row.date(Column.startsAt),
            endsAt: row.date(Column.endsAt), location: row.optionalString(Column.location), url: row.optionalString(Column.url),
            recommendedByID: row.optionalInt64(Column.recommendedByID), meetingID: row.optionalInt64(Column.meetingID),
            status: EventStatus(rawValue: row.string(Column.status)) ?? .interested, notes: row.optionalString(Column.notes),
            createdAt: row.date(Column.createdAt) ?? .distantPast, updatedAt: row.date(Column.updatedAt) ?? .distantPast,
            version: row.int64(Column.version))
    }

    static func value(_ column: Column, of event: Event) -> (any DatabaseValueConvertible)? {
        switch column {
        case .name: event.name
        case .startsAt: event.startsAt
        case .endsAt: event.endsAt
        case .location: event.location
        case .url: event.url
        case .recommendedByID: event.recommendedByID
        case .meetingID: event.meetingID
        case .status: event.status.rawValue
        case .notes: event.notes
        case .id, .owner, .createdAt, .updatedAt, .version: nil
        }
    }
}

/// Events, read (`/events`). Completing a meeting records them; the network issue adds writes.
public final class EventService: @unchecked Sendable {
    // Immutable after init.
    private let storage: Storage

    public static let sorts: [String: ListOrder] = {
        var sorts = ListOrder.standard(alias: "e")
        // Undated events sort first: a NULL in a row-value comparison would drop them from later pages.
        sorts["starts_at"] = ListOrder(name: "starts_at", columns: ["coalesce(e.starts_at, '')"], descending: false)
        sorts["-starts_at"] = ListOrder(name: "-starts_at", columns: ["coalesce(e.starts_at, '')"], descending: true)
        return sorts
    }()
    public static let defaultSort = "created_at"

    public init(storage: Storage) {
        self.storage = storage
    }

    public func get(userID: Int64, id: Int64) throws -> Event {
        try storage.read { try EventStore.load($0, userID: userID, id: id) }
    }

    public func list(userID: Int64, filter: EventFilter, page: PageRequest) throws -> Page<Event> {
        var query = EventStore.listQuery(userID: userID)
        query.equals("e.meeting_id", filter.meetingID)
        query.equals("e.recommended_by_id", filter.recommendedByID)
        query.equals("e.status", filter.status?.rawValue)
        query.updatedSince(filter.updatedSince)
        return try storage.read { try EventStore.list($0, query, page: page) }
    }
}
