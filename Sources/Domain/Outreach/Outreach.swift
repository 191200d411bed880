#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// How a contact was reached.
public enum OutreachChannel: String, Sendable, CaseIterable {
    case email
    case phone
    case linkedin
    case inPerson = "in_person"
    case other
}

/// Outbound: the user reached out. Inbound: the contact wrote or called (a reply).
public enum OutreachDirection: String, Sendable, CaseIterable {
    case outbound
    case inbound
}

/// One attempt to reach a contact, or one reply from them.
public struct Outreach: Sendable, Equatable, StoredRecord {
    public var id: Int64
    public var userID: Int64
    public var contactID: Int64
    public var channel: OutreachChannel
    public var direction: OutreachDirection
    public var sentAt: Date
    /// The pitch and resume version used.
    public var pitchID: Int64?
    public var resumeID: Int64?
    public var summary: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int64
    /// The names of the objects it points to, as lists carry them.
    public var names = LinkedNames()
}

/// A create or merge-patch of an outreach entry.
public struct OutreachDraft: Sendable {
    public var contactID: Patch<Int64> = .absent
    public var channel: Patch<OutreachChannel> = .absent
    public var direction: Patch<OutreachDirection> = .absent
    public var sentAt: Patch<Date> = .absent
    public var pitchID: Patch<Int64> = .absent
    public var resumeID: Patch<Int64> = .absent
    public var summary: Patch<String> = .absent

    public init() {}
}

/// Filters of `GET /outreach`.
public struct OutreachFilter: Sendable {
    public var contactID: Int64?
    public var channel: OutreachChannel?
    public var direction: OutreachDirection?
    /// `sent_at` at or after.
    public var from: Date?
    /// `sent_at` before.
    public var to: Date?
    public var updatedSince: Date?

    public init() {}
}

/// The SQL of `outreach`.
enum OutreachStore: RecordStore {
    static func hasOutbound(_ connection: SQLiteConnection, contactID: Int64) throws -> Bool {
        try connection.scalarInt("SELECT 1 FROM outreach WHERE contact_id = ? AND direction = 'outbound' LIMIT 1", [contactID]) != nil
    }

    enum Column: Int32, ColumnSet {
        case id, owner, contactID, channel, direction, sentAt, pitchID, resumeID, summary, createdAt, updatedAt, version
        case contactName, pitchName, resumeLabel

        var role: ColumnRole {
            switch self {
            case .id: .id
            case .owner: .owner
            case .contactID: .field("contact_id")
            case .channel: .field("channel")
            case .direction: .field("direction")
            case .sentAt: .field("sent_at")
            case .pitchID: .field("pitch_id")
            case .resumeID: .field("resume_id")
            case .summary: .field("summary")
            case .createdAt: .createdAt
            case .updatedAt: .updatedAt
            case .version: .version
            case .contactName: .named(key: "contact", table: "contacts", idColumn: "contact_id")
            case .pitchName: .named(key: "pitch", table: "pitches", idColumn: "pitch_id")
            case .resumeLabel: .named(key: "resume", table: "resumes", idColumn: "resume_id", nameColumn: "label")
            }
        }
    }

    static let sql = TableSQL<Column>(table: "outreach", alias: "o")
    static let noun = "outreach entry"
    static let kind = "outreach"

    static func record(_ row: Row) throws -> Outreach {
        Outreach(
            id: row.int64(Column.id), userID: row.int64(Column.owner), contactID: row.int64(Column.contactID),
            channel: try row.member(Column.channel, of: sql.table),
            direction: try row.member(Column.direction, of: sql.table), sentAt: try row.stamp(Column.sentAt, of: sql.table),
            pitchID: row.optionalInt64(Column.pitchID), resumeID: row.optionalInt64(Column.resumeID), summary: row.optionalString(Column.summary),
            createdAt: try row.stamp(Column.createdAt, of: sql.table), updatedAt: try row.stamp(Column.updatedAt, of: sql.table),
            version: row.int64(Column.version), names: LinkedNames.of(row, Column.self))
    }

    static func fillNames(_ connection: SQLiteConnection, _ record: inout Outreach) throws {
        record.names = try LinkedNames.read(connection, Column.self) { value($0, of: record) }
    }

    static func value(_ column: Column, of outreach: Outreach) -> (any DatabaseValueConvertible)? {
        switch column {
        case .contactID: outreach.contactID
        case .channel: outreach.channel.rawValue
        case .direction: outreach.direction.rawValue
        case .sentAt: outreach.sentAt
        case .pitchID: outreach.pitchID
        case .resumeID: outreach.resumeID
        case .summary: outreach.summary
        case .id, .owner, .createdAt, .updatedAt, .version, .contactName, .pitchName, .resumeLabel: nil
        }
    }

    /// Tombstones for the outreach a contact's delete takes with it (it cascades).
    static func recordCascade(_ connection: SQLiteConnection, userID: Int64, contactID: Int64, at stamp: Date) throws {
        try DeletionStore.recordCascade(
            connection, userID: userID, kind: kind, select: "SELECT id FROM outreach WHERE contact_id = ?", [contactID], at: stamp)
    }
}

/// The outreach log (`/outreach`, `/contacts/{id}/outreach`).
public final class OutreachService: ResourceService<Outreach, OutreachDraft>, @unchecked Sendable {
    // @unchecked restated from ResourceService, as Swift requires; what this class adds are lets of
    // Sendable types.
    private let path: ResourcePath<OutreachRules>

    public static let sorts: [String: ListOrder] = {
        var sorts = ListOrder.standard(alias: "o", nameColumn: nil)
        sorts["sent_at"] = ListOrder(name: "sent_at", columns: ["o.sent_at"], descending: false)
        sorts["-sent_at"] = ListOrder(name: "-sent_at", columns: ["o.sent_at"], descending: true)
        return sorts
    }()
    public static let defaultSort = "created_at"

    public init(storage: Storage, clock: any Clock = SystemClock()) {
        path = ResourcePath(storage: storage, clock: clock, rules: OutreachRules())
        super.init(path)
    }

    public func list(userID: Int64, filter: OutreachFilter, page: PageRequest) throws -> Page<Outreach> {
        try path.list(userID: userID, page: page) { query in
            query.equals("o.contact_id", filter.contactID)
            query.equals("o.channel", filter.channel?.rawValue)
            query.equals("o.direction", filter.direction?.rawValue)
            query.within("o.sent_at", from: filter.from, to: filter.to)
            query.updatedSince(filter.updatedSince)
        }
    }

    /// Throws not found unless the contact is the user's (for `/contacts/{id}/outreach`).
    public func requireContact(userID: Int64, contactID: Int64) throws {
        _ = try path.storage.read { try ContactStore.load($0, userID: userID, id: contactID) }
    }
}

/// The rules of an outreach entry: a contact, a channel and direction, when, and the pitch and
/// resume used, all the caller's. Logging one moves things on: the first outbound message makes
/// the contact `contacted` and its referrals `contacted`.
struct OutreachRules: ResourceRules {
    typealias Store = OutreachStore

    func blank(userID: Int64, now: Date) -> Outreach {
        Outreach(
            id: 0, userID: userID, contactID: 0, channel: .email, direction: .outbound, sentAt: now, pitchID: nil, resumeID: nil, summary: nil,
            createdAt: now, updatedAt: now, version: 1)
    }

    func apply(_ draft: OutreachDraft, to outreach: inout Outreach) throws(DomainError) {
        var validator = Validator()
        let creating = outreach.id == 0
        switch draft.contactID {
        case .value(let id) where creating: outreach.contactID = id
        case .value(let id): if id != outreach.contactID { validator.add("contact_id", "cannot change; log it again for the other contact") }
        case .null: validator.add("contact_id", creating ? "is required" : "cannot be removed")
        case .absent: if creating { validator.add("contact_id", "is required") }
        }
        for (field, isNull) in [("channel", draft.channel == .null), ("direction", draft.direction == .null), ("sent_at", draft.sentAt == .null)]
        where isNull {
            validator.add(field, "cannot be null")
        }
        outreach.channel = draft.channel.applied(to: outreach.channel) ?? outreach.channel
        outreach.direction = draft.direction.applied(to: outreach.direction) ?? outreach.direction
        outreach.sentAt = draft.sentAt.applied(to: outreach.sentAt) ?? outreach.sentAt
        outreach.pitchID = draft.pitchID.applied(to: outreach.pitchID)
        outreach.resumeID = draft.resumeID.applied(to: outreach.resumeID)
        outreach.summary = validator.optional("summary", draft.summary.applied(to: outreach.summary), maxLength: 20_000, multiline: true)
        try validator.finish()
    }

    func checkTimes(_ outreach: Outreach, replacing current: Outreach?, now: Date) throws(DomainError) {
        guard outreach.sentAt != current?.sentAt else { return }
        var validator = Validator()
        validator.notFuture("sent_at", outreach.sentAt, now: now)
        try validator.finish()
    }

    func check(_ connection: SQLiteConnection, userID: Int64, _ outreach: Outreach, replacing current: Outreach?, options: WriteOptions) throws {
        var issues: [FieldIssue] = []
        let references: [(Int64?, Int64?, String, String, String)] = [
            (outreach.contactID, current?.contactID, "contacts", "contact", "contact_id"),
            (outreach.pitchID, current?.pitchID, "pitches", "pitch", "pitch_id"),
            (outreach.resumeID, current?.resumeID, "resumes", "resume", "resume_id"),
        ]
        for (id, old, table, noun, field) in references {
            if let id, id != old, let issue = try OwnedIDs.issue([id], in: table, noun: noun, field: field, userID: userID, connection) {
                issues.append(issue)
            }
        }
        if !issues.isEmpty { throw DomainError.validation(issues) }
    }

    /// An outbound message moves the contact to `contacted` (from identified or dormant) and the
    /// referrals that named them from `suggested` to `contacted`.
    func saved(_ connection: SQLiteConnection, _ outreach: Outreach, replacing current: Outreach?, checked: Void, at stamp: Date) throws {
        try Reminders.touched(connection, userID: outreach.userID, contactID: outreach.contactID)
        guard outreach.direction == .outbound, current?.direction != .outbound else { return }
        try StageAutomation.advance(connection, contactID: outreach.contactID, to: .contacted, at: stamp)
        try connection.run(
            "UPDATE referrals SET status = 'contacted', updated_at = ?, version = version + 1 WHERE contact_id = ? AND status = 'suggested'",
            [stamp, outreach.contactID])
    }

    /// Without it the contact's last touch, its organization's 3B7 threads and asks differ.
    func deleted(_ connection: SQLiteConnection, _ outreach: Outreach, at stamp: Date) throws {
        try Reminders.touched(connection, userID: outreach.userID, contactID: outreach.contactID)
    }
}
