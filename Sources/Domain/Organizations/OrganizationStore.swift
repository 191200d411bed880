import Primitives
import SQLiteCore

/// The SQL of `organizations` and `organization_interests`.
enum OrganizationStore: RecordStore {
    /// Every organization's name by id, for an export that names each contact's.
    static func names(_ connection: SQLiteConnection, userID: Int64) throws -> [(id: Int64, name: String)] {
        try connection.query("SELECT \(IDAndName.select) FROM organizations WHERE user_id = ?", [userID], IDAndName.read)
    }

    enum Column: Int32, ColumnSet {
        case id, owner, name, industry, website, location, notes, advocacy, motivation, posting, createdAt, updatedAt, version
        case nameKey
        case interestIDs, contactCount

        var role: ColumnRole {
            switch self {
            case .id: .id
            case .owner: .owner
            case .name: .field("name")
            case .industry: .field("industry")
            case .website: .field("website")
            case .location: .field("location")
            case .notes: .field("notes")
            case .advocacy: .field("advocacy")
            case .motivation: .field("motivation")
            case .posting: .field("posting")
            case .createdAt: .createdAt
            case .updatedAt: .updatedAt
            case .version: .version
            // NameKey.fold(name), derived: what q and sort=name use.
            case .nameKey: .field("name_key")
            case .interestIDs: .computed("(SELECT group_concat(interest_id) FROM organization_interests oi WHERE oi.organization_id = o.id)")
            case .contactCount: .computed("(SELECT count(*) FROM contacts c WHERE c.organization_id = o.id)")
            }
        }
    }

    static let sql = TableSQL<Column>(table: "organizations", alias: "o")
    static let noun = "organization"
    static let kind = "organization"
    static let interests = LinkTable("organization_interests", owner: "organization_id", link: "interest_id")

    static func record(_ row: Row) throws -> Organization {
        Organization(
            id: row.int64(Column.id), userID: row.int64(Column.owner), name: row.string(Column.name),
            industry: row.optionalString(Column.industry), website: row.optionalString(Column.website),
            location: row.optionalString(Column.location), notes: row.optionalString(Column.notes),
            interestIDs: OwnedIDs.parseList(row.optionalString(Column.interestIDs)), advocacy: row.bool(Column.advocacy),
            motivation: row.int(Column.motivation), posting: row.int(Column.posting), contactCount: row.int(Column.contactCount),
            createdAt: try row.stamp(Column.createdAt, of: sql.table), updatedAt: try row.stamp(Column.updatedAt, of: sql.table),
            version: row.int64(Column.version))
    }

    static func value(_ column: Column, of organization: Organization) -> (any DatabaseValueConvertible)? {
        switch column {
        case .name: organization.name
        case .industry: organization.industry
        case .website: organization.website
        case .location: organization.location
        case .notes: organization.notes
        case .advocacy: organization.advocacy
        case .motivation: organization.motivation
        case .posting: organization.posting
        case .nameKey: NameKey.fold(organization.name)
        case .id, .owner, .createdAt, .updatedAt, .version, .interestIDs, .contactCount: nil
        }
    }

    static func saveLinks(_ connection: SQLiteConnection, _ organization: Organization, replacing current: Organization?) throws {
        try interests.replace(connection, owner: organization.id, with: organization.interestIDs, current: current?.interestIDs)
    }
}

extension Organization: StoredRecord {}
