#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// The SQL of `contacts`, `contact_tags` and `contact_interests`.
enum ContactStore: RecordStore {
    enum Column: Int32, ColumnSet {
        case id, owner, name, title, organizationID, email, phone, linkedinURL, linkedinKey, location, source, hook
        case stage, keepInTouchDays, notes, createdAt, updatedAt, version
        case identifiedAt, nameKey
        case organizationName
        case tags, interestIDs

        var role: ColumnRole {
            switch self {
            case .id: .id
            case .owner: .owner
            case .name: .field("name")
            case .title: .field("title")
            case .organizationID: .field("organization_id")
            case .email: .field("email")
            case .phone: .field("phone")
            case .linkedinURL: .field("linkedin_url")
            // Normalized LinkedIn URL, for the duplicate check; derived from linkedin_url.
            case .linkedinKey: .field("linkedin_key")
            case .location: .field("location")
            case .source: .field("source")
            case .hook: .field("hook")
            case .stage: .field("stage")
            case .keepInTouchDays: .field("keep_in_touch_days")
            case .notes: .field("notes")
            case .createdAt: .createdAt
            case .updatedAt: .updatedAt
            case .version: .version
            case .identifiedAt: .field("identified_at")
            // NameKey.fold(name), derived: what q and sort=name use.
            case .nameKey: .field("name_key")
            case .organizationName: .named(key: "organization", table: "organizations", idColumn: "organization_id")
            case .tags: .computed("(SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM contact_tags t WHERE t.contact_id = c.id ORDER BY tag))")
            case .interestIDs: .computed("(SELECT group_concat(interest_id) FROM contact_interests ci WHERE ci.contact_id = c.id)")
            }
        }
    }

    static let sql = TableSQL<Column>(table: "contacts", alias: "c")
    static let noun = "contact"
    static let kind = "contact"
    static let tags = LinkTable("contact_tags", owner: "contact_id", link: "tag")
    static let interests = LinkTable("contact_interests", owner: "contact_id", link: "interest_id")
    /// Links of a page, read beside it in owner order (see `LinkMerge`).
    static let tagsFrom = "SELECT contact_id, tag FROM contact_tags WHERE contact_id >= ? ORDER BY contact_id, tag"
        + " /* plan: LinkMerge reads the page's owners in id order, stepping at most 32 rows past other owners before it seeks */"
    static let interestsFrom = "SELECT contact_id, interest_id FROM contact_interests WHERE contact_id >= ? ORDER BY contact_id, interest_id"
        + " /* plan: LinkMerge reads the page's owners in id order, stepping at most 32 rows past other owners before it seeks */"

    private enum NameAndOrganization: Int32, SelectList {
        case name, organizationID
        var sql: String {
            switch self {
            case .name: "name"
            case .organizationID: "organization_id"
            }
        }
    }

    /// A contact's name and organization, for a line that names them.
    static func nameAndOrganization(_ connection: SQLiteConnection, id: Int64) throws -> (name: String, organizationID: Int64?)? {
        typealias C = NameAndOrganization
        return try connection.queryOne("SELECT " + C.select + " FROM contacts WHERE id = ?", [id]) { ($0.string(C.name), $0.optionalInt64(C.organizationID)) }
    }

    /// The stage as stored, or nil when there is no such contact (of `userID`, when given).
    static func stage(_ connection: SQLiteConnection, id: Int64, userID: Int64? = nil) throws -> String? {
        guard let userID else { return try connection.scalarText("SELECT stage FROM contacts WHERE id = ?", [id]) }
        return try connection.scalarText("SELECT stage FROM contacts WHERE id = ? AND user_id = ?", [id, userID])
    }

    /// Moves a contact still at `scheduled` to `stage`.
    static func leaveScheduled(_ connection: SQLiteConnection, id: Int64, to stage: ContactStage, at stamp: Date) throws {
        try connection.run(
            "UPDATE contacts SET stage = ?, updated_at = ?, version = version + 1 WHERE id = ? AND stage = 'scheduled'", [stage.rawValue, stamp, id])
    }

    /// A list of contacts the filter keeps.
    static func listQuery(userID: Int64, filter: ContactFilter, stored: Bool = true) -> KeysetQuery {
        var query = listQuery(userID: userID, stored: stored)
        query.equals("c.stage", filter.stage?.rawValue)
        query.equals("c.organization_id", filter.organizationID)
        query.linked(through: "contact_interests", owner: "contact_id", "interest_id", filter.interestID)
        query.linked(through: "contact_tags", owner: "contact_id", "tag", filter.tag)
        query.contains(filter.text, in: ["c.title", "c.email", "c.location", "c.source", "c.hook", "c.notes"], folded: "c.name_key")
        query.updatedSince(filter.updatedSince)
        return query
    }

    /// A restored export from before identified_at: its contacts were found when added.
    static func identifiedWhenAdded(_ connection: SQLiteConnection, userID: Int64) throws {
        try connection.run("UPDATE contacts SET identified_at = created_at WHERE user_id = ? AND identified_at = ''", [userID])
    }

    /// When the contact was found: a row without one (NULL or '', written around the API)
    /// reads as found when added, as lists say; anything else must be a timestamp.
    private static func identifiedAt(_ row: Row) throws(DomainError) -> Date {
        if let text = row.optionalString(Column.identifiedAt), !text.isEmpty { return try row.stamp(Column.identifiedAt, of: sql.table) }
        return try row.stamp(Column.createdAt, of: sql.table)
    }

    static func record(_ row: Row) throws -> Contact {
        let tags = row.optionalString(Column.tags).map { $0.split(separator: "\u{1F}").map(String.init) } ?? []
        return Contact(
            id: row.int64(Column.id), userID: row.int64(Column.owner), name: row.string(Column.name), title: row.optionalString(Column.title),
            organizationID: row.optionalInt64(Column.organizationID), email: row.optionalString(Column.email),
            phone: row.optionalString(Column.phone), linkedinURL: row.optionalString(Column.linkedinURL),
            location: row.optionalString(Column.location), source: row.optionalString(Column.source), hook: row.optionalString(Column.hook),
            tags: tags, interestIDs: OwnedIDs.parseList(row.optionalString(Column.interestIDs)),
            stage: try row.member(Column.stage, of: sql.table),
            keepInTouchDays: row.optionalInt64(Column.keepInTouchDays).map(Int.init), notes: row.optionalString(Column.notes),
            identifiedAt: try identifiedAt(row), createdAt: try row.stamp(Column.createdAt, of: sql.table), updatedAt: try row.stamp(Column.updatedAt, of: sql.table),
            version: row.int64(Column.version), names: LinkedNames.of(row, Column.self))
    }

    static func fillNames(_ connection: SQLiteConnection, _ record: inout Contact) throws {
        record.names = try LinkedNames.read(connection, Column.self) { value($0, of: record) }
    }

    static func value(_ column: Column, of contact: Contact) -> (any DatabaseValueConvertible)? {
        switch column {
        case .name: contact.name
        case .title: contact.title
        case .organizationID: contact.organizationID
        case .email: contact.email
        case .phone: contact.phone
        case .linkedinURL: contact.linkedinURL
        case .linkedinKey: LinkedInURL.key(contact.linkedinURL)
        case .location: contact.location
        case .source: contact.source
        case .hook: contact.hook
        case .stage: contact.stage.rawValue
        case .keepInTouchDays: contact.keepInTouchDays
        case .notes: contact.notes
        case .identifiedAt: contact.identified
        case .nameKey: NameKey.fold(contact.name)
        case .id, .owner, .createdAt, .updatedAt, .version, .tags, .interestIDs, .organizationName: nil
        }
    }

    static func saveLinks(_ connection: SQLiteConnection, _ contact: Contact, replacing current: Contact?) throws {
        try tags.replace(connection, owner: contact.id, with: contact.tags, current: current?.tags)
        try interests.replace(connection, owner: contact.id, with: contact.interestIDs, current: current?.interestIDs)
    }

    /// The contact of this user with `email` (ignoring case), other than `except`.
    static func withEmail(_ connection: SQLiteConnection, userID: Int64, _ email: String, except: Int64?) throws -> (id: Int64, name: String)? {
        try connection.queryOne(
            "SELECT \(IDAndName.select) FROM contacts WHERE user_id = ? AND email = ? COLLATE NOCASE AND id IS NOT ? ORDER BY id LIMIT 1",
            [userID, email, except], IDAndName.read)
    }

    /// The contact of this user with this normalized LinkedIn URL, other than `except`.
    static func withLinkedInKey(_ connection: SQLiteConnection, userID: Int64, _ key: String, except: Int64?) throws -> (id: Int64, name: String)? {
        try connection.queryOne(
            "SELECT \(IDAndName.select) FROM contacts WHERE user_id = ? AND linkedin_key = ? AND id IS NOT ? ORDER BY id LIMIT 1",
            [userID, key, except], IDAndName.read)
    }

    /// How many of the user's contacts work at `organizationID`.
    static func count(_ connection: SQLiteConnection, organizationID: Int64) throws -> Int64 {
        try connection.scalarInt("SELECT count(*) FROM contacts WHERE organization_id = ?", [organizationID]) ?? 0
    }
}

extension Contact: StoredRecord {}
