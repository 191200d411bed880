import Domain
import HTTPCore

/// `/organizations`: target employers ranked the LAMP way.
enum OrganizationRoutes {
    static let fields: Set<String> = ["name", "industry", "website", "location", "notes", "interest_ids", "advocacy", "motivation", "posting"]

    static func draft(_ request: Request) throws -> OrganizationDraft {
        var body = try BodyReader(request, fields: fields, computed: ["contact_count"])
        var draft = OrganizationDraft()
        draft.name = body.requiredString("name")
        draft.industry = body.string("industry")
        draft.website = body.string("website")
        draft.location = body.string("location")
        draft.notes = body.string("notes", multiline: true)
        draft.interestIDs = body.idList("interest_ids")
        draft.advocacy = body.bool("advocacy")
        draft.motivation = body.int("motivation", nullable: false)
        draft.posting = body.int("posting", nullable: false)
        try body.finish()
        return draft
    }

    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let organizations = context.organizations
        ResourceRoutes<Organization, OrganizationDraft>(
            path: "/organizations", id: \.id, version: \.version, write: { ResourceJSON.write($0, &$1) }, draft: draft,
            list: { request, principal in
                let query = try ListQuery(
                    request, filters: ["q", "interest_id", "advocacy", "motivation", "posting", "updated_since"],
                    sorts: OrganizationService.sorts, defaultSort: OrganizationService.defaultSort)
                var filter = OrganizationFilter()
                filter.text = try query.string("q")
                filter.interestID = try query.id("interest_id")
                filter.advocacy = try query.bool("advocacy")
                filter.motivation = try query.int("motivation", 0...3)
                filter.posting = try query.int("posting", 1...3)
                filter.updatedSince = try query.timestamp("updated_since")
                let page = try organizations.list(userID: principal.userID, filter: filter, page: query.page)
                return Reply.list(page, sort: query.page.sort) { ResourceJSON.write($1, &$0) }
            },
            service: organizations
        ).register(on: &router, context.authenticator)
    }
}
