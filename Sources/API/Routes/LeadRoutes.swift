import Domain
import HTTPCore

/// `/leads`: job leads.
enum LeadRoutes {
    static let fields: Set<String> = ["title", "organization_id", "contact_id", "url", "source", "status", "notes"]

    static func draft(_ request: Request) throws -> LeadDraft {
        var body = try BodyReader(request, fields: fields)
        var draft = LeadDraft()
        draft.title = body.requiredString("title")
        draft.organizationID = body.id("organization_id")
        draft.contactID = body.id("contact_id")
        draft.url = body.string("url")
        draft.source = body.enumeration("source", LeadSource.self)
        draft.status = body.enumeration("status", LeadStatus.self)
        draft.notes = body.string("notes", multiline: true)
        try body.finish()
        return draft
    }

    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let leads = context.leads
        ResourceRoutes<Lead, LeadDraft>(
            path: "/leads", id: \.id, version: \.version, write: { ResourceJSON.write($0, &$1) }, draft: draft,
            list: { request, principal in
                let query = try ListQuery(
                    request, filters: ["status", "source", "organization_id", "contact_id", "q", "updated_since"], sorts: LeadService.sorts,
                    defaultSort: LeadService.defaultSort)
                var filter = LeadFilter()
                filter.status = try query.enumeration("status", LeadStatus.self)
                filter.source = try query.enumeration("source", LeadSource.self)
                filter.organizationID = try query.id("organization_id")
                filter.contactID = try query.id("contact_id")
                filter.text = try query.string("q")
                filter.updatedSince = try query.timestamp("updated_since")
                let page = try leads.list(userID: principal.userID, filter: filter, page: query.page)
                return Reply.list(page, sort: query.page.sort) { ResourceJSON.write($1, &$0) }
            },
            service: leads
        ).register(on: &router, context.authenticator)
    }
}
