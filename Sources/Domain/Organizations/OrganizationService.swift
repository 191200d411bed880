#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SQLiteCore
import Primitives

/// Organizations: CRUD, LAMP ranking, and the rule that one with contacts is not deleted.
public final class OrganizationService: Sendable {
    private let database: Database
    private let clock: any Clock

    public static let sorts: [String: ListOrder] = ListOrder.standard(alias: "o").merging([
        // PRODUCT.md: Motivation, then Posting, then Advocacy, all descending (newest first on ties).
        "lamp": ListOrder(name: "lamp", columns: ["o.motivation", "o.posting", "o.advocacy"], descending: true),
    ]) { $1 }
    public static let defaultSort = "created_at"

    public init(database: Database, clock: any Clock = SystemClock()) {
        self.database = database
        self.clock = clock
    }

    private static let columns = """
        o.id, o.user_id, o.name, o.industry, o.website, o.location, o.notes, o.advocacy, o.motivation, o.posting,
        o.created_at, o.updated_at, o.version,
        (SELECT group_concat(interest_id) FROM organization_interests oi WHERE oi.organization_id = o.id),
        (SELECT count(*) FROM contacts c WHERE c.organization_id = o.id)
        """
    private static let columnCount: Int32 = 15

    static func organization(_ row: Row) -> Organization {
        Organization(
            id: row.int64(0), userID: row.int64(1), name: row.string(2), industry: row.optionalString(3), website: row.optionalString(4),
            location: row.optionalString(5), notes: row.optionalString(6), interestIDs: OwnedIDs.parseList(row.optionalString(13)),
            advocacy: row.bool(7), motivation: row.int(8), posting: row.int(9), contactCount: row.int(14),
            createdAt: row.date(10) ?? .distantPast, updatedAt: row.date(11) ?? .distantPast, version: row.int64(12))
    }

    public func list(userID: Int64, filter: OrganizationFilter, page: PageRequest) throws -> Page<Organization> {
        var query = KeysetQuery(select: Self.columns, from: "organizations o", alias: "o", conditions: ["o.user_id = ?"], arguments: [userID])
        query.contains(filter.text, in: ["o.name", "o.industry", "o.location", "o.notes"])
        if let interestID = filter.interestID {
            query.conditions.append("EXISTS (SELECT 1 FROM organization_interests oi WHERE oi.organization_id = o.id AND oi.interest_id = ?)")
            query.arguments.append(interestID)
        }
        if let advocacy = filter.advocacy {
            query.conditions.append("o.advocacy = ?")
            query.arguments.append(advocacy)
        }
        if let motivation = filter.motivation {
            query.conditions.append("o.motivation = ?")
            query.arguments.append(motivation)
        }
        if let posting = filter.posting {
            query.conditions.append("o.posting = ?")
            query.arguments.append(posting)
        }
        query.updatedSince(filter.updatedSince)
        return try database.read { try query.run($0, page: page, columnCount: Self.columnCount, map: Self.organization) }
    }

    public func get(userID: Int64, id: Int64) throws -> Organization {
        try database.read { try load($0, userID: userID, id: id) }
    }

    private func load(_ connection: SQLiteConnection, userID: Int64, id: Int64) throws -> Organization {
        guard let found = try connection.queryOne(
            "SELECT \(Self.columns) FROM organizations o WHERE o.user_id = ? AND o.id = ?", [userID, id], Self.organization)
        else {
            throw DomainError.notFound("No organization \(id).")
        }
        return found
    }

    /// Validates now; the insert runs on the writer thread (see `ContactService.create`).
    public func create(userID: Int64, draft: OrganizationDraft) throws -> Future<Organization> {
        let now = clock.now()
        var organization = Organization(
            id: 0, userID: userID, name: "", industry: nil, website: nil, location: nil, notes: nil, interestIDs: [],
            advocacy: false, motivation: 0, posting: 1, contactCount: 0, createdAt: now, updatedAt: now, version: 1)
        try apply(draft, to: &organization)
        let validated = organization
        return database.submit { [self] connection in
            let organization = validated
            try checkReferences(connection, userID: userID, organization)
            try UniqueName.check(connection, table: "organizations", noun: "An organization", userID: userID, name: organization.name, except: nil)
            try connection.run(
                """
                INSERT INTO organizations (user_id, name, industry, website, location, notes, advocacy, motivation, posting, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [userID, organization.name, organization.industry, organization.website, organization.location, organization.notes,
                 organization.advocacy, organization.motivation, organization.posting, now, now])
            let id = connection.lastInsertRowID
            try OwnedIDs.replaceLinks("organization_interests", ownerColumn: "organization_id", ownerID: id, linkColumn: "interest_id", ids: organization.interestIDs, connection)
            return try load(connection, userID: userID, id: id)
        }
    }

    public func update(userID: Int64, id: Int64, draft: OrganizationDraft, precondition: VersionPrecondition) -> Future<Organization> {
        database.submit { [self] connection in
            let current = try load(connection, userID: userID, id: id)
            try precondition.check(current.version)
            var updated = current
            try apply(draft, to: &updated)
            guard updated != current else { return current }
            try checkReferences(connection, userID: userID, updated)
            try UniqueName.check(connection, table: "organizations", noun: "An organization", userID: userID, name: updated.name, except: id)
            try connection.run(
                """
                UPDATE organizations SET name = ?, industry = ?, website = ?, location = ?, notes = ?, advocacy = ?, motivation = ?,
                    posting = ?, updated_at = ?, version = version + 1 WHERE id = ?
                """,
                [updated.name, updated.industry, updated.website, updated.location, updated.notes, updated.advocacy, updated.motivation,
                 updated.posting, clock.now(), id])
            if updated.interestIDs != current.interestIDs {
                try OwnedIDs.replaceLinks("organization_interests", ownerColumn: "organization_id", ownerID: id, linkColumn: "interest_id", ids: updated.interestIDs, connection)
            }
            return try load(connection, userID: userID, id: id)
        }
    }

    /// Refused with 409 while contacts belong to the organization: deleting it would silently
    /// detach people from where they work.
    public func delete(userID: Int64, id: Int64, precondition: VersionPrecondition) -> Future<Void> {
        database.submit { [self] connection in
            let current = try load(connection, userID: userID, id: id)
            try precondition.check(current.version)
            if current.contactCount > 0 {
                throw DomainError.conflict(
                    code: "has_dependants",
                    detail: "\(current.contactCount) contact(s) belong to this organization; move or delete them first.", existingID: nil)
            }
            try connection.run("DELETE FROM organizations WHERE id = ?", [id])
        }
    }

    private func apply(_ draft: OrganizationDraft, to organization: inout Organization) throws(DomainError) {
        var validator = Validator()
        organization.name = validator.required("name", draft.name.applied(to: organization.name), maxLength: 200)
        organization.industry = validator.optional("industry", draft.industry.applied(to: organization.industry), maxLength: 200)
        organization.website = validator.optional("website", draft.website.applied(to: organization.website), maxLength: 2000)
        validator.url("website", organization.website)
        organization.location = validator.optional("location", draft.location.applied(to: organization.location), maxLength: 200)
        organization.notes = validator.optional("notes", draft.notes.applied(to: organization.notes), maxLength: 20_000)
        organization.interestIDs = OwnedIDs.normalized(draft.interestIDs.applied(to: organization.interestIDs), field: "interest_ids", &validator)
        organization.advocacy = draft.advocacy.applied(to: organization.advocacy) ?? false
        organization.motivation = draft.motivation.applied(to: organization.motivation) ?? 0
        validator.range("motivation", organization.motivation, 0...3)
        organization.posting = draft.posting.applied(to: organization.posting) ?? 1
        validator.range("posting", organization.posting, 1...3)
        try validator.finish()
    }

    private func checkReferences(_ connection: SQLiteConnection, userID: Int64, _ organization: Organization) throws {
        if let issue = try OwnedIDs.issue(organization.interestIDs, in: "interests", noun: "interest", field: "interest_ids", userID: userID, connection) {
            throw DomainError.validation([issue])
        }
    }

}
