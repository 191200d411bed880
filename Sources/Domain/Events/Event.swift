#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
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
    /// The names of the objects it points to, as lists carry them.
    public var names = LinkedNames()
}

/// A create or merge-patch of an event.
public struct EventDraft: Sendable {
    public var name: Patch<String> = .absent
    public var startsAt: Patch<Date> = .absent
    public var endsAt: Patch<Date> = .absent
    public var location: Patch<String> = .absent
    public var url: Patch<String> = .absent
    public var recommendedByID: Patch<Int64> = .absent
    public var meetingID: Patch<Int64> = .absent
    public var status: Patch<EventStatus> = .absent
    public var notes: Patch<String> = .absent

    public init() {}
}

/// Filters of `GET /events`.
public struct EventFilter: Sendable {
    public var meetingID: Int64?
    public var recommendedByID: Int64?
    public var status: EventStatus?
    /// `starts_at` at or after.
    public var from: Date?
    /// `starts_at` before.
    public var to: Date?
    public var text: String?
    public var updatedSince: Date?

    public init() {}
}

/// The SQL of `events`.
enum EventStore: RecordStore {
    enum Column: Int32, ColumnSet {
        case id, owner, name, startsAt, endsAt, location, url, recommendedByID, meetingID, status, notes, createdAt, updatedAt, version
        case recommendedByName

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
            case .recommendedByName: .named(key: "recommended_by", table: "contacts", idColumn: "recommended_by_id")
            }
        }
    }

    static let sql = TableSQL<Column>(table: "events", alias: "e")
    static let noun = "event"
    static let kind = "event"

    static func record(_ row: Row) throws -> Event {
        Event(
            id: row.int64(Column.id), userID: row.int64(Column.owner), name: row.string(Column.name), startsAt: row.date(Column.startsAt),
            endsAt: row.date(Column.endsAt), location: row.optionalString(Column.location), url: row.optionalString(Column.url),
            recommendedByID: row.optionalInt64(Column.recommendedByID), meetingID: row.optionalInt64(Column.meetingID),
            status: try row.member(Column.status, of: sql.table), notes: row.optionalString(Column.notes),
            createdAt: try row.stamp(Column.createdAt, of: sql.table), updatedAt: try row.stamp(Column.updatedAt, of: sql.table),
            version: row.int64(Column.version), names: LinkedNames.of(row, Column.self))
    }

    static func fillNames(_ connection: SQLiteConnection, _ record: inout Event) throws {
        record.names = try LinkedNames.read(connection, Column.self) { value($0, of: record) }
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
        case .id, .owner, .createdAt, .updatedAt, .version, .recommendedByName: nil
        }
    }
}

/// Events (`/events`): professional development and community events, most recommended at a
/// meeting (completing one records them too).
public final class EventService: ResourceService<Event, EventDraft>, @unchecked Sendable {
    // @unchecked restated from ResourceService, as Swift requires; what this class adds are lets of
    // Sendable types.
    private let path: ResourcePath<EventRules>

    public static let sorts: [String: ListOrder] = {
        var sorts = ListOrder.standard(alias: "e")
        // Undated events sort first: a NULL in a row-value comparison would drop them from later pages.
        sorts["starts_at"] = ListOrder(name: "starts_at", columns: ["coalesce(e.starts_at, '')"], descending: false)
        sorts["-starts_at"] = ListOrder(name: "-starts_at", columns: ["coalesce(e.starts_at, '')"], descending: true)
        return sorts
    }()
    public static let defaultSort = "created_at"

    public init(storage: Storage, clock: any Clock = SystemClock()) {
        path = ResourcePath(storage: storage, clock: clock, rules: EventRules())
        super.init(path)
    }

    public func list(userID: Int64, filter: EventFilter, page: PageRequest) throws -> Page<Event> {
        try path.list(userID: userID, page: page) { query in
            query.equals("e.meeting_id", filter.meetingID)
            query.equals("e.recommended_by_id", filter.recommendedByID)
            query.equals("e.status", filter.status?.rawValue)
            query.within("e.starts_at", from: filter.from, to: filter.to)
            query.contains(filter.text, in: ["e.name", "e.location", "e.notes"])
            query.updatedSince(filter.updatedSince)
        }
    }
}

/// The rules of an event: a name, times in order, a URL, the contact and meeting it came from.
struct EventRules: ResourceRules {
    typealias Store = EventStore

    func blank(userID: Int64, now: Date) -> Event {
        Event(
            id: 0, userID: userID, name: "", startsAt: nil, endsAt: nil, location: nil, url: nil, recommendedByID: nil, meetingID: nil,
            status: .interested, notes: nil, createdAt: now, updatedAt: now, version: 1)
    }

    func apply(_ draft: EventDraft, to event: inout Event) throws(DomainError) {
        var validator = Validator()
        event.name = validator.required("name", draft.name.applied(to: event.name), maxLength: 200)
        event.startsAt = draft.startsAt.applied(to: event.startsAt)
        event.endsAt = draft.endsAt.applied(to: event.endsAt)
        if let startsAt = event.startsAt, let endsAt = event.endsAt, endsAt < startsAt { validator.add("ends_at", "must not be before starts_at") }
        event.location = validator.optional("location", draft.location.applied(to: event.location), maxLength: 500)
        event.url = validator.optional("url", draft.url.applied(to: event.url), maxLength: 2000)
        validator.url("url", event.url)
        event.recommendedByID = draft.recommendedByID.applied(to: event.recommendedByID)
        event.meetingID = draft.meetingID.applied(to: event.meetingID)
        if case .null = draft.status { validator.add("status", "cannot be null") }
        event.status = draft.status.applied(to: event.status) ?? .interested
        event.notes = validator.optional("notes", draft.notes.applied(to: event.notes), maxLength: 20_000, multiline: true)
        try validator.finish()
    }

    func check(_ connection: SQLiteConnection, userID: Int64, _ event: Event, replacing current: Event?, options: WriteOptions) throws {
        var issues: [FieldIssue] = []
        if let contactID = event.recommendedByID, contactID != current?.recommendedByID,
           let issue = try OwnedIDs.issue([contactID], in: "contacts", noun: "contact", field: "recommended_by_id", userID: userID, connection)
        {
            issues.append(issue)
        }
        if let meetingID = event.meetingID, meetingID != current?.meetingID,
           let issue = try OwnedIDs.issue([meetingID], in: "meetings", noun: "meeting", field: "meeting_id", userID: userID, connection)
        {
            issues.append(issue)
        }
        if !issues.isEmpty { throw DomainError.validation(issues) }
    }
}
