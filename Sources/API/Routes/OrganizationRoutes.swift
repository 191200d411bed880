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
        draft.notes = body.string("notes")
        draft.interestIDs = body.idList("interest_ids")
        draft.advocacy = body.bool("advocacy")
        draft.motivation = body.int("motivation", nullable: false)
        draft.posting = body.int("posting", nullable: false)
        try body.finish()
        return draft
    }

    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let auth = context.authenticator
        let organizations = context.organizations

        router.add("GET", "/organizations", auth.route { request, principal in
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
        })

        router.add("POST", "/organizations", auth.route { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            let organization = try organizations.create(userID: principal.userID, draft: try draft(request))
            return Reply.object(organization.version, status: 201, location: "/organizations/\(organization.id)") { ResourceJSON.write(organization, &$0) }
        })

        router.add("GET", "/organizations/{id:int}", auth.route { request, principal in
            let organization = try organizations.get(userID: principal.userID, id: try request.intParameter("id"))
            return Reply.get(request, version: organization.version) { ResourceJSON.write(organization, &$0) }
        })

        router.add("PATCH", "/organizations/{id:int}", auth.route { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            let organization = try organizations.update(
                userID: principal.userID, id: try request.intParameter("id"), draft: try draft(request), precondition: Conditional.precondition(request))
            return Reply.object(organization.version) { ResourceJSON.write(organization, &$0) }
        })

        router.add("DELETE", "/organizations/{id:int}", auth.route { request, principal in
            try organizations.delete(userID: principal.userID, id: try request.intParameter("id"), precondition: Conditional.precondition(request))
            return Reply.noContent
        })
    }
}
