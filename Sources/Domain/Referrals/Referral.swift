#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// Where a referral stands: suggested → contacted → met, or declined.
public enum ReferralStatus: String, Sendable, CaseIterable {
    case suggested
    case contacted
    case met
    case declined
}

/// One contact naming another as someone to talk with (docs/product.md step 6).
public struct Referral: Sendable, Equatable, StoredRecord {
    public var id: Int64
    public var userID: Int64
    /// Who made the referral.
    public var referrerID: Int64
    /// Who was referred: always a contact, created inline when new.
    public var contactID: Int64
    public var meetingID: Int64?
    public var note: String?
    public var status: ReferralStatus
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int64
    /// The names of the objects it points to, as lists carry them.
    public var names = LinkedNames()
}

/// A new referral or a merge-patch of one. The referred person is an existing contact or, on
/// create only, a new one.
public struct ReferralDraft: Sendable {
    public var referrerID: Patch<Int64> = .absent
    public var contactID: Patch<Int64> = .absent
    /// A new contact to create with the referral (create only).
    public var contact: ContactDraft?
    public var meetingID: Patch<Int64> = .absent
    public var note: Patch<String> = .absent
    public var status: Patch<ReferralStatus> = .absent

    public init() {}
}

/// Filters of `GET /referrals`.
public struct ReferralFilter: Sendable {
    public var meetingID: Int64?
    public var referrerID: Int64?
    public var contactID: Int64?
    /// Referrals made by or to this contact.
    public var involving: Int64?
    public var status: ReferralStatus?
    public var updatedSince: Date?

    public init() {}
}

/// The SQL of `referrals`.
enum ReferralStore: RecordStore {
    /// Meeting someone who was referred is the referral's happy end.
    static func markMet(_ connection: SQLiteConnection, contactID: Int64, at stamp: Date) throws {
        try connection.run(
            "UPDATE referrals SET status = 'met', updated_at = ?, version = version + 1 WHERE contact_id = ? AND status IN ('suggested', 'contacted')",
            [stamp, contactID])
    }

    enum Column: Int32, ColumnSet {
        case id, owner, referrerID, contactID, meetingID, note, status, createdAt, updatedAt, version
        case referrerName, contactName

        var role: ColumnRole {
            switch self {
            case .id: .id
            case .owner: .owner
            case .referrerID: .field("referrer_id")
            case .contactID: .field("contact_id")
            case .meetingID: .field("meeting_id")
            case .note: .field("note")
            case .status: .field("status")
            case .createdAt: .createdAt
            case .updatedAt: .updatedAt
            case .version: .version
            case .referrerName: .named(key: "referrer", table: "contacts", idColumn: "referrer_id")
            case .contactName: .named(key: "contact", table: "contacts", idColumn: "contact_id")
            }
        }
    }

    static let sql = TableSQL<Column>(table: "referrals", alias: "r")
    static let noun = "referral"
    static let kind = "referral"

    static func record(_ row: Row) throws -> Referral {
        Referral(
            id: row.int64(Column.id), userID: row.int64(Column.owner), referrerID: row.int64(Column.referrerID),
            contactID: row.int64(Column.contactID), meetingID: row.optionalInt64(Column.meetingID), note: row.optionalString(Column.note),
            status: try row.member(Column.status, of: sql.table), createdAt: try row.stamp(Column.createdAt, of: sql.table),
            updatedAt: try row.stamp(Column.updatedAt, of: sql.table), version: row.int64(Column.version), names: LinkedNames.of(row, Column.self))
    }

    static func fillNames(_ connection: SQLiteConnection, _ record: inout Referral) throws {
        record.names = try LinkedNames.read(connection, Column.self) { value($0, of: record) }
    }

    static func value(_ column: Column, of referral: Referral) -> (any DatabaseValueConvertible)? {
        switch column {
        case .referrerID: referral.referrerID
        case .contactID: referral.contactID
        case .meetingID: referral.meetingID
        case .note: referral.note
        case .status: referral.status.rawValue
        case .id, .owner, .createdAt, .updatedAt, .version, .referrerName, .contactName: nil
        }
    }

    /// The referral from `referrerID` to `contactID`, if one is stored: a person is referred
    /// by the same referrer once, so the funnel counts them once.
    static func existing(_ connection: SQLiteConnection, userID: Int64, referrerID: Int64, contactID: Int64) throws -> Int64? {
        try connection.scalarInt("SELECT id FROM referrals WHERE referrer_id = ? AND contact_id = ? AND user_id = ? ORDER BY id LIMIT 1", [referrerID, contactID, userID])
    }

    static func duplicate(_ id: Int64, referrerID: Int64, contactID: Int64, field: String? = nil) -> DomainError {
        DomainError.conflict(
            code: "duplicate_referral",
            detail: (field.map { "\($0): " } ?? "") + "Contact \(referrerID) already referred contact \(contactID) (referral \(id)); update that one instead.",
            existingID: id)
    }

    /// Tombstones for the referrals a contact's delete takes with it (they cascade).
    static func recordCascade(_ connection: SQLiteConnection, userID: Int64, contactID: Int64, at stamp: Date) throws {
        try DeletionStore.recordCascade(
            connection, userID: userID, kind: kind, select: "SELECT id FROM referrals WHERE referrer_id = ? OR contact_id = ?", [contactID, contactID],
            at: stamp)
    }
}

/// Referrals (`/referrals`): who referred whom, at which meeting, and how it went. The referred
/// person is always a contact, created in the same transaction when new.
public final class ReferralService: ResourceService<Referral, ReferralDraft>, @unchecked Sendable {
    // @unchecked restated from ResourceService, as Swift requires; what this class adds are lets of
    // Sendable types.
    private let path: ResourcePath<ReferralRules>
    let storage: Storage

    public static let sorts: [String: ListOrder] = ListOrder.standard(alias: "r", nameColumn: nil)
    public static let defaultSort = "created_at"

    public init(storage: Storage, clock: any Clock = SystemClock()) {
        let path = ResourcePath(storage: storage, clock: clock, rules: ReferralRules())
        self.path = path
        self.storage = storage
        super.init(path) { userID, draft, _ in try Self.create(storage: storage, clock: clock, userID: userID, draft: draft) }
    }

    /// Throws not found unless the contact is the user's (for `/contacts/{id}/referrals`).
    public func requireContact(userID: Int64, contactID: Int64) throws {
        _ = try storage.read { try ContactStore.load($0, userID: userID, id: contactID) }
    }

    public func list(userID: Int64, filter: ReferralFilter, page: PageRequest) throws -> Page<Referral> {
        try path.list(userID: userID, page: page) { query in
            query.equals("r.meeting_id", filter.meetingID)
            query.equals("r.referrer_id", filter.referrerID)
            query.equals("r.contact_id", filter.contactID)
            if let involving = filter.involving {
                query.conditions.append("(r.referrer_id = ? OR r.contact_id = ?)")
                query.arguments += [involving, involving]
            }
            query.equals("r.status", filter.status?.rawValue)
            query.updatedSince(filter.updatedSince)
        }
    }

    /// Checks the draft at once (the inline contact by the contact rules, its fields named
    /// `contact.…`); the writer checks the ids, creates the contact (409 on a duplicate) and the
    /// referral together.
    private static func create(storage: Storage, clock: any Clock, userID: Int64, draft: ReferralDraft) throws -> Future<Referral> {
        var validator = Validator()
        let rules = ReferralRules()
        var referral = rules.blank(userID: userID, now: clock.now())
        var newContact: Contact?
        if let contactDraft = draft.contact {
            if !draft.contactID.isAbsent { validator.add("contact_id", "send contact_id or an inline contact, not both") }
            var contact = ContactRules().blank(userID: userID, now: clock.now())
            do {
                try ContactRules().apply(contactDraft, to: &contact)
            } catch {
                if case .validation(let issues) = error { for issue in issues { validator.add("contact.\(issue.field)", issue.message) } }
            }
            if contact.source == nil { contact.source = "referral" }
            newContact = contact
        } else if case .value(let id) = draft.contactID {
            referral.contactID = id
        } else {
            validator.add("contact_id", "send contact_id or an inline contact")
        }
        if case .value(let id) = draft.referrerID { referral.referrerID = id } else { validator.add("referrer_id", "is required") }
        referral.meetingID = draft.meetingID.applied(to: nil)
        referral.note = validator.optional("note", draft.note.applied(to: nil), maxLength: 2000, multiline: true)
        if case .null = draft.status { validator.add("status", "cannot be null") }
        referral.status = draft.status.applied(to: nil) ?? .suggested
        try validator.finish()
        let checked = referral
        let pending = newContact
        return storage.submit { connection in
            var referral = checked
            try rules.checkReferences(connection, userID: userID, referral, newContact: pending != nil)
            if pending == nil, let existing = try ReferralStore.existing(connection, userID: userID, referrerID: referral.referrerID, contactID: referral.contactID) {
                throw ReferralStore.duplicate(existing, referrerID: referral.referrerID, contactID: referral.contactID)
            }
            let stamp = storage.stamp()
            if var contact = pending {
                contact.createdAt = stamp
                contact.updatedAt = stamp
                do {
                    try ContactRules().check(connection, userID: userID, contact, replacing: nil, options: WriteOptions())
                } catch DomainError.conflict(let code, let detail, let existingID) {
                    throw DomainError.conflict(code: code, detail: "contact: \(detail)", existingID: existingID)
                } catch DomainError.validation(let issues) {
                    throw DomainError.validation(issues.map { FieldIssue("contact.\($0.field)", $0.message) })
                }
                referral.contactID = try ContactStore.insert(connection, userID: userID, contact, at: stamp).id
            }
            referral.createdAt = stamp
            referral.updatedAt = stamp
            var written = try ReferralStore.insert(connection, userID: userID, referral, at: stamp)
            try Reminders.rebuildAskReferral(connection, userID: userID, contactID: written.referrerID)
            try WebhookService.emit(connection, storage, userID: userID, event: .referralCreated, data: try WebhookService.referralData(connection, id: written.id), at: stamp)
            try ReferralStore.fillNames(connection, &written)
            return written
        }
    }
}

/// The rules of a referral: two different contacts of the caller, one referral per referrer and
/// referred person, a meeting with the referrer, and the status moves of `moves`.
struct ReferralRules: ResourceRules {
    typealias Store = ReferralStore

    /// The statuses each status may move to by hand (outreach and meetings move them too).
    /// Forward along suggested → contacted → met, where contacted may be skipped (the referrer
    /// introduced you in person); declined from suggested or contacted; and back to any
    /// earlier status, to correct a mistake. Met and declined never become each other
    /// directly: a declined person was not met, and a met one did not decline.
    static let moves: [ReferralStatus: Set<ReferralStatus>] = [
        .suggested: [.contacted, .met, .declined], .contacted: [.suggested, .met, .declined], .met: [.contacted, .suggested],
        .declined: [.suggested, .contacted],
    ]

    func blank(userID: Int64, now: Date) -> Referral {
        Referral(
            id: 0, userID: userID, referrerID: 0, contactID: 0, meetingID: nil, note: nil, status: .suggested, createdAt: now, updatedAt: now,
            version: 1)
    }

    /// A merge patch (creates take `ReferralService.create`): who referred whom stays.
    func apply(_ draft: ReferralDraft, to referral: inout Referral) throws(DomainError) {
        var validator = Validator()
        if case .value(let id) = draft.referrerID, id != referral.referrerID { validator.add("referrer_id", "cannot change; record another referral") }
        if case .null = draft.referrerID { validator.add("referrer_id", "cannot be removed") }
        if case .value(let id) = draft.contactID, id != referral.contactID { validator.add("contact_id", "cannot change; record another referral") }
        if case .null = draft.contactID { validator.add("contact_id", "cannot be removed") }
        if draft.contact != nil { validator.add("contact", "only a new referral creates a contact") }
        referral.meetingID = draft.meetingID.applied(to: referral.meetingID)
        referral.note = validator.optional("note", draft.note.applied(to: referral.note), maxLength: 2000, multiline: true)
        if case .null = draft.status { validator.add("status", "cannot be null") }
        try validator.finish()
        if case .value(let status) = draft.status, status != referral.status {
            guard Self.moves[referral.status]?.contains(status) == true else {
                throw DomainError.illegalTransition(
                    detail: "Referral \(referral.id) is \(referral.status.rawValue); it cannot become \(status.rawValue).", status: referral.status.rawValue)
            }
            referral.status = status
        }
    }

    func check(_ connection: SQLiteConnection, userID: Int64, _ referral: Referral, replacing current: Referral?, options: WriteOptions) throws {
        if referral.meetingID != current?.meetingID { try checkReferences(connection, userID: userID, referral, newContact: false, meetingOnly: true) }
    }

    /// A referral answers the ask after a meeting with its referrer.
    func saved(_ connection: SQLiteConnection, _ referral: Referral, replacing current: Referral?, checked: Void, at stamp: Date) throws {
        if referral.meetingID != current?.meetingID { try Reminders.rebuildAskReferral(connection, userID: referral.userID, contactID: referral.referrerID) }
    }

    func deleted(_ connection: SQLiteConnection, _ referral: Referral, at stamp: Date) throws {
        try Reminders.rebuildAskReferral(connection, userID: referral.userID, contactID: referral.referrerID)
    }

    /// The referrer, the referred contact and the meeting are the caller's; the referred person
    /// is not the referrer; the meeting was with the referrer.
    func checkReferences(_ connection: SQLiteConnection, userID: Int64, _ referral: Referral, newContact: Bool, meetingOnly: Bool = false) throws {
        var issues: [FieldIssue] = []
        if !meetingOnly {
            if let issue = try OwnedIDs.issue([referral.referrerID], in: "contacts", noun: "contact", field: "referrer_id", userID: userID, connection) {
                issues.append(issue)
            }
            if !newContact {
                if referral.contactID == referral.referrerID {
                    issues.append(FieldIssue("contact_id", "is the referrer; a referral names someone else"))
                } else if let issue = try OwnedIDs.issue([referral.contactID], in: "contacts", noun: "contact", field: "contact_id", userID: userID, connection) {
                    issues.append(issue)
                }
            }
        }
        if let meetingID = referral.meetingID {
            let with = try connection.scalarInt("SELECT contact_id FROM meetings WHERE id = ? AND user_id = ?", [meetingID, userID])
            if with == nil {
                issues.append(FieldIssue("meeting_id", "no such meeting: \(meetingID)"))
            } else if with != referral.referrerID {
                issues.append(FieldIssue("meeting_id", "is a meeting with another contact than the referrer"))
            }
        }
        if !issues.isEmpty { throw DomainError.validation(issues) }
    }
}

/// The referral chains through one contact (`GET /contacts/{id}/network`).
public struct ReferralNetwork: Sendable, Equatable {
    /// A contact in the chains, `distance` referrals away from the one asked about.
    public struct Node: Sendable, Equatable {
        public var id: Int64
        public var name: String
        public var organizationID: Int64?
        public var stage: String
        public var distance: Int
    }

    /// A referral between two nodes: `from` referred `to`.
    public struct Edge: Sendable, Equatable {
        public var from: Int64
        public var to: Int64
        public var referralID: Int64
    }

    public var nodes: [Node]
    public var edges: [Edge]
    /// More nodes than a graph answers (`ReferralService.maxNodes`) were reachable.
    public var truncated: Bool
}

extension ReferralService {
    /// Most nodes one graph answers: the nearest first.
    public static let maxNodes = 1000

    /// Who referred the contact, who referred them, and so on up to `depth` steps; and whom the
    /// contact referred, and whom they referred, as far down. Cycles end: a contact appears once,
    /// at its shortest distance.
    public func network(userID: Int64, contactID: Int64, depth: Int) throws -> ReferralNetwork {
        try storage.read { connection in
            _ = try ContactStore.load(connection, userID: userID, id: contactID)
            let walk = """
                WITH RECURSIVE
                down(id, distance) AS (
                    SELECT ?1, 0
                    UNION
                    SELECT r.contact_id, d.distance + 1 FROM down d JOIN referrals r ON r.referrer_id = d.id
                    WHERE d.distance < ?2 AND r.user_id = ?3
                ),
                up(id, distance) AS (
                    SELECT ?1, 0
                    UNION
                    SELECT r.referrer_id, u.distance + 1 FROM up u JOIN referrals r ON r.contact_id = u.id
                    WHERE u.distance < ?2 AND r.user_id = ?3
                ),
                reached(id, distance) AS (SELECT id, min(distance) FROM (SELECT * FROM down UNION ALL SELECT * FROM up) GROUP BY id)
                SELECT \(NodeColumn.select) FROM reached JOIN contacts c ON c.id = reached.id
                WHERE c.user_id = ?3 ORDER BY reached.distance, c.id LIMIT ?4
                """
            typealias N = NodeColumn
            var nodes = try connection.query(walk, [contactID, depth, userID, Self.maxNodes + 1]) { row in
                ReferralNetwork.Node(
                    id: row.int64(N.id), name: row.string(N.name), organizationID: row.optionalInt64(N.organizationID), stage: row.string(N.stage),
                    distance: row.int(N.distance))
            }
            let truncated = nodes.count > Self.maxNodes
            if truncated { nodes.removeLast() }
            let ids = Set(nodes.map(\.id))
            // The referrals among the nodes, read through the nodes' own (indexed) referrals.
            var edges: [ReferralNetwork.Edge] = []
            for node in nodes {
                typealias E = EdgeColumn
                try connection.forEachRow("SELECT " + E.select + " FROM referrals WHERE referrer_id = ? AND user_id = ? ORDER BY id", [node.id, userID]) { row in
                    let to = row.int64(E.contactID)
                    if ids.contains(to) { edges.append(ReferralNetwork.Edge(from: node.id, to: to, referralID: row.int64(E.id))) }
                }
            }
            return ReferralNetwork(nodes: nodes, edges: edges.sorted { $0.referralID < $1.referralID }, truncated: truncated)
        }
    }

    private enum NodeColumn: Int32, SelectList {
        case id, name, organizationID, stage, distance
        var sql: String {
            switch self {
            case .id: "c.id"
            case .name: "c.name"
            case .organizationID: "c.organization_id"
            case .stage: "c.stage"
            case .distance: "reached.distance"
            }
        }
    }

    private enum EdgeColumn: Int32, SelectList {
        case id, contactID
        var sql: String {
            switch self {
            case .id: "id"
            case .contactID: "contact_id"
            }
        }
    }

}
