#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// Organizations: CRUD, LAMP ranking, and the rule that one with contacts is not deleted.
public final class OrganizationService: ResourceService<Organization, OrganizationDraft>, @unchecked Sendable {
    // @unchecked restated from ResourceService, as Swift requires; what this class adds are lets of
    // Sendable types.
    private let path: ResourcePath<OrganizationRules>

    public static let sorts: [String: ListOrder] = ListOrder.standard(alias: "o", foldedColumn: "name_key").merging([
        // docs/product.md: Motivation, then Posting, then Advocacy, all descending (newest first on ties).
        "lamp": ListOrder(name: "lamp", columns: ["o.motivation", "o.posting", "o.advocacy"], descending: true),
    ]) { $1 }
    public static let defaultSort = "created_at"

    public init(storage: Storage, clock: any Clock = SystemClock()) {
        path = ResourcePath(storage: storage, clock: clock, rules: OrganizationRules())
        super.init(path)
    }

    public func list(userID: Int64, filter: OrganizationFilter, page: PageRequest) throws -> Page<Organization> {
        try path.list(userID: userID, page: page) { query in
            query.contains(filter.text, in: ["o.industry", "o.location", "o.notes"], folded: "o.name_key")
            query.linked(through: "organization_interests", owner: "organization_id", "interest_id", filter.interestID)
            query.equals("o.advocacy", filter.advocacy)
            query.equals("o.motivation", filter.motivation)
            if let posting = filter.posting {
                query.conditions.append("o.posting = ?")
                query.arguments.append(posting)
            }
            query.updatedSince(filter.updatedSince)
        }
    }
}

/// The rules of an organization: LAMP ranges, a unique name, interests that exist.
struct OrganizationRules: ResourceRules {
    typealias Store = OrganizationStore

    func blank(userID: Int64, now: Date) -> Organization {
        Organization(
            id: 0, userID: userID, name: "", industry: nil, website: nil, location: nil, notes: nil, interestIDs: [],
            advocacy: false, motivation: 0, posting: 1, contactCount: 0, createdAt: now, updatedAt: now, version: 1)
    }

    func apply(_ draft: OrganizationDraft, to organization: inout Organization) throws(DomainError) {
        var validator = Validator()
        organization.name = validator.required("name", draft.name.applied(to: organization.name), maxLength: 200)
        organization.industry = validator.optional("industry", draft.industry.applied(to: organization.industry), maxLength: 200)
        organization.website = validator.optional("website", draft.website.applied(to: organization.website), maxLength: 2000)
        validator.url("website", organization.website)
        organization.location = validator.optional("location", draft.location.applied(to: organization.location), maxLength: 200)
        organization.notes = validator.optional("notes", draft.notes.applied(to: organization.notes), maxLength: 20_000, multiline: true)
        organization.interestIDs = OwnedIDs.normalized(draft.interestIDs.applied(to: organization.interestIDs), field: "interest_ids", &validator)
        organization.advocacy = draft.advocacy.applied(to: organization.advocacy) ?? false
        organization.motivation = draft.motivation.applied(to: organization.motivation) ?? 0
        validator.range("motivation", organization.motivation, 0...3)
        organization.posting = draft.posting.applied(to: organization.posting) ?? 1
        validator.range("posting", organization.posting, 1...3)
        try validator.finish()
    }

    func check(_ connection: SQLiteConnection, userID: Int64, _ organization: Organization, replacing current: Organization?, options: WriteOptions) throws {
        if let issue = try OwnedIDs.issue(organization.interestIDs, in: "interests", noun: "interest", field: "interest_ids", userID: userID, connection) {
            throw DomainError.validation([issue])
        }
        try UniqueName.check(connection, table: "organizations", noun: "An organization", userID: userID, name: organization.name, except: current?.id)
    }

    /// Refused with 409 while contacts belong to the organization: deleting it would silently
    /// detach people from where they work.
    /// The one rule of deletes (README, "Deleting"): what the record of the search refers to
    /// stays; here its contacts and leads.
    func checkDelete(_ connection: SQLiteConnection, _ organization: Organization) throws {
        try Dependants.refuse(connection, "organization", [
            ("contact(s) belong to it", "contacts", "organization_id"),
            ("lead(s) are at it", "leads", "organization_id"),
        ], id: organization.id)
    }
}
