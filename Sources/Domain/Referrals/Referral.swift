#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SQLiteCore

/// Where a referral stands: suggested → contacted → met, or declined.
public enum ReferralStatus: String, Sendable, CaseIterable {
    case suggested
    case contacted
    case met
    case declined
}

/// One contact naming another as someone to talk with (PRODUCT.md step 6).
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
}

/// Filters of `GET /referrals`.
public struct ReferralFilter: Sendable {
    public var meetingID: Int64?
    public var referrerID: Int64?
    public var contactID: Int64?
    public var status: ReferralStatus?
    public var updatedSince: Date?

    public init() {}
}

/// The SQL of `referrals`.
enum ReferralStore: RecordStore {
    enum Column: Int32, ColumnSet {
        case id, owner, referrerID, contactID, meetingID, note, status, createdAt, updatedAt, version

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
            }
        }
    }

    static let sql = TableSQL<Column>(table: "referrals", alias: "r")
    static let noun = "referral"
    static let kind = "referral"

    static func record(_ row: Row) -> Referral {
        Referral(
            id: row.int64(Column.id), userID: row.int64(Column.owner), referrerID: row.int64(Column.referrerID),
            contactID: row.int64(Column.contactID), meetingID: row.optionalInt64(Column.meetingID), note: row.optionalString(Column.note),
            status: ReferralStatus(rawValue: row.string(Column.status)) ?? .suggested, createdAt: row.date(Column.createdAt) ?? .distantPast,
            updatedAt: row.date(Column.updatedAt) ?? .distantPast, version: row.int64(Column.version))
    }

    static func value(_ column: Column, of referral: Referral) -> (any DatabaseValueConvertible)? {
        switch column {
        case .referrerID: referral.referrerID
        case .contactID: referral.contactID
        case .meetingID: referral.meetingID
        case .note: referral.note
        case .status: referral.status.rawValue
        case .id, .owner, .createdAt, .updatedAt, .version: nil
        }
    }

    /// Tombstones for the referrals a contact's delete takes with it (they cascade).
    static func recordCascade(_ connection: SQLiteConnection, userID: Int64, contactID: Int64, at stamp: Date) throws {
        var ids: [Int64] = []
        try connection.forEachRow("SELECT id FROM referrals WHERE referrer_id = ? OR contact_id = ?", [contactID, contactID]) { ids.append($0.int64(0)) }
        for id in ids { try DeletionStore.record(connection, userID: userID, kind: kind, id: id, at: stamp) }
    }
}

/// Referrals, read (`/referrals`). Completing a meeting creates them; the network issue adds
/// writes and status changes.
public final class ReferralService: @unchecked Sendable {
    // Immutable after init.
    private let storage: Storage

    public static let sorts: [String: ListOrder] = ListOrder.standard(alias: "r", nameColumn: nil)
    public static let defaultSort = "created_at"

    public init(storage: Storage) {
        self.storage = storage
    }

    public func get(userID: Int64, id: Int64) throws -> Referral {
        try storage.read { try ReferralStore.load($0, userID: userID, id: id) }
    }

    public func list(userID: Int64, filter: ReferralFilter, page: PageRequest) throws -> Page<Referral> {
        var query = ReferralStore.listQuery(userID: userID)
        query.equals("r.meeting_id", filter.meetingID)
        query.equals("r.referrer_id", filter.referrerID)
        query.equals("r.contact_id", filter.contactID)
        query.equals("r.status", filter.status?.rawValue)
        query.updatedSince(filter.updatedSince)
        return try storage.read { try ReferralStore.list($0, query, page: page) }
    }
}
