#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// Where a lead came from.
public enum LeadSource: String, Sendable, CaseIterable {
    case posting
    case referral
    case contact
}

/// Where a lead stands: found → applied → interviewing → offer, or rejected or closed.
public enum LeadStatus: String, Sendable, CaseIterable {
    case found
    case applied
    case interviewing
    case offer
    case rejected
    case closed
}

/// A job lead: a posting, or an opening a referral or contact mentioned.
public struct Lead: Sendable, Equatable, StoredRecord {
    public var id: Int64
    public var userID: Int64
    public var title: String
    public var organizationID: Int64?
    public var contactID: Int64?
    public var url: String?
    public var source: LeadSource
    public var status: LeadStatus
    public var notes: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int64
    /// The names of the objects it points to, as lists carry them.
    public var names = LinkedNames()
}

/// A create or merge-patch of a lead.
public struct LeadDraft: Sendable {
    public var title: Patch<String> = .absent
    public var organizationID: Patch<Int64> = .absent
    public var contactID: Patch<Int64> = .absent
    public var url: Patch<String> = .absent
    public var source: Patch<LeadSource> = .absent
    public var status: Patch<LeadStatus> = .absent
    public var notes: Patch<String> = .absent

    public init() {}
}

/// Filters of `GET /leads`.
public struct LeadFilter: Sendable {
    public var status: LeadStatus?
    public var source: LeadSource?
    public var organizationID: Int64?
    public var contactID: Int64?
    public var text: String?
    public var updatedSince: Date?

    public init() {}
}

/// The SQL of `leads`.
enum LeadStore: RecordStore {
    enum Column: Int32, ColumnSet {
        case id, owner, title, organizationID, contactID, url, source, status, notes, createdAt, updatedAt, version
        case organizationName, contactName

        var role: ColumnRole {
            switch self {
            case .id: .id
            case .owner: .owner
            case .title: .field("title")
            case .organizationID: .field("organization_id")
            case .contactID: .field("contact_id")
            case .url: .field("url")
            case .source: .field("source")
            case .status: .field("status")
            case .notes: .field("notes")
            case .createdAt: .createdAt
            case .updatedAt: .updatedAt
            case .version: .version
            case .organizationName: .named(key: "organization", table: "organizations", idColumn: "organization_id")
            case .contactName: .named(key: "contact", table: "contacts", idColumn: "contact_id")
            }
        }
    }

    static let sql = TableSQL<Column>(table: "leads", alias: "l")
    static let noun = "lead"
    static let kind = "lead"

    static func record(_ row: Row) throws -> Lead {
        Lead(
            id: row.int64(Column.id), userID: row.int64(Column.owner), title: row.string(Column.title),
            organizationID: row.optionalInt64(Column.organizationID), contactID: row.optionalInt64(Column.contactID),
            url: row.optionalString(Column.url), source: try row.member(Column.source, of: sql.table),
            status: try row.member(Column.status, of: sql.table), notes: row.optionalString(Column.notes),
            createdAt: try row.stamp(Column.createdAt, of: sql.table), updatedAt: try row.stamp(Column.updatedAt, of: sql.table),
            version: row.int64(Column.version), names: LinkedNames.of(row, Column.self))
    }

    static func fillNames(_ connection: SQLiteConnection, _ record: inout Lead) throws {
        record.names = try LinkedNames.read(connection, Column.self) { value($0, of: record) }
    }

    static func value(_ column: Column, of lead: Lead) -> (any DatabaseValueConvertible)? {
        switch column {
        case .title: lead.title
        case .organizationID: lead.organizationID
        case .contactID: lead.contactID
        case .url: lead.url
        case .source: lead.source.rawValue
        case .status: lead.status.rawValue
        case .notes: lead.notes
        case .id, .owner, .createdAt, .updatedAt, .version, .organizationName, .contactName: nil
        }
    }
}

/// Job leads (`/leads`).
public final class LeadService: ResourceService<Lead, LeadDraft>, @unchecked Sendable {
    // @unchecked restated from ResourceService, as Swift requires; what this class adds are lets of
    // Sendable types.
    private let path: ResourcePath<LeadRules>

    public static let sorts: [String: ListOrder] = ListOrder.standard(alias: "l", nameColumn: "title")
    public static let defaultSort = "created_at"

    public init(storage: Storage, clock: any Clock = SystemClock()) {
        path = ResourcePath(storage: storage, clock: clock, rules: LeadRules())
        super.init(path)
    }

    public func list(userID: Int64, filter: LeadFilter, page: PageRequest) throws -> Page<Lead> {
        try path.list(userID: userID, page: page) { query in
            query.equals("l.status", filter.status?.rawValue)
            query.equals("l.source", filter.source?.rawValue)
            query.equals("l.organization_id", filter.organizationID)
            query.equals("l.contact_id", filter.contactID)
            query.contains(filter.text, in: ["l.title", "l.notes"])
            query.updatedSince(filter.updatedSince)
        }
    }
}

/// The rules of a lead: a title, a URL, an organization and contact of the caller's, and a
/// status that moves forward (found → applied → interviewing → offer), ends (rejected, closed),
/// or is reopened (rejected or closed → found).
struct LeadRules: ResourceRules {
    typealias Store = LeadStore

    static let moves: [LeadStatus: Set<LeadStatus>] = [
        .found: [.applied, .rejected, .closed], .applied: [.interviewing, .offer, .rejected, .closed],
        .interviewing: [.offer, .rejected, .closed], .offer: [.closed, .rejected], .rejected: [.found, .closed], .closed: [.found],
    ]

    func blank(userID: Int64, now: Date) -> Lead {
        Lead(
            id: 0, userID: userID, title: "", organizationID: nil, contactID: nil, url: nil, source: .posting, status: .found, notes: nil,
            createdAt: now, updatedAt: now, version: 1)
    }

    func apply(_ draft: LeadDraft, to lead: inout Lead) throws(DomainError) {
        var validator = Validator()
        lead.title = validator.required("title", draft.title.applied(to: lead.title), maxLength: 200)
        lead.organizationID = draft.organizationID.applied(to: lead.organizationID)
        lead.contactID = draft.contactID.applied(to: lead.contactID)
        lead.url = validator.optional("url", draft.url.applied(to: lead.url), maxLength: 2000)
        validator.url("url", lead.url)
        if case .null = draft.source { validator.add("source", "cannot be null") }
        lead.source = draft.source.applied(to: lead.source) ?? lead.source
        if case .null = draft.status { validator.add("status", "cannot be null") }
        lead.notes = validator.optional("notes", draft.notes.applied(to: lead.notes), maxLength: 20_000, multiline: true)
        try validator.finish()
        if case .value(let status) = draft.status, status != lead.status {
            // A new lead may start anywhere; a stored one moves by the rules.
            guard lead.id == 0 || Self.moves[lead.status]?.contains(status) == true else {
                throw DomainError.illegalTransition(
                    detail: "Lead \(lead.id) is \(lead.status.rawValue); it cannot become \(status.rawValue).", status: lead.status.rawValue)
            }
            lead.status = status
        }
    }

    func check(_ connection: SQLiteConnection, userID: Int64, _ lead: Lead, replacing current: Lead?, options: WriteOptions) throws {
        var issues: [FieldIssue] = []
        if let id = lead.organizationID, id != current?.organizationID,
           let issue = try OwnedIDs.issue([id], in: "organizations", noun: "organization", field: "organization_id", userID: userID, connection)
        {
            issues.append(issue)
        }
        if let id = lead.contactID, id != current?.contactID,
           let issue = try OwnedIDs.issue([id], in: "contacts", noun: "contact", field: "contact_id", userID: userID, connection)
        {
            issues.append(issue)
        }
        if !issues.isEmpty { throw DomainError.validation(issues) }
    }
}
