import Domain
import HTTPCore

/// `/contacts`: the people in the network.
enum ContactRoutes {
    static let fields: Set<String> = [
        "name", "title", "organization_id", "email", "phone", "linkedin_url", "location", "source", "hook", "tags", "interest_ids",
        "stage", "keep_in_touch_days", "notes", "identified_at",
    ]

    static func draft(_ request: Request) throws -> ContactDraft {
        var body = try BodyReader(request, fields: fields)
        let draft = read(&body)
        try body.finish()
        return draft
    }

    /// A contact body, also where it is nested (a referral's inline `contact`).
    static func read(_ body: inout BodyReader) -> ContactDraft {
        var draft = ContactDraft()
        draft.name = body.requiredString("name")
        draft.title = body.string("title")
        draft.organizationID = body.id("organization_id")
        draft.email = body.string("email")
        draft.phone = body.string("phone")
        draft.linkedinURL = body.string("linkedin_url")
        draft.location = body.string("location")
        draft.source = body.string("source")
        draft.hook = body.string("hook")
        draft.tags = body.stringList("tags")
        draft.interestIDs = body.idList("interest_ids")
        draft.stage = body.enumeration("stage", ContactStage.self)
        draft.keepInTouchDays = body.int("keep_in_touch_days", nullable: true)
        draft.notes = body.string("notes", multiline: true)
        draft.identifiedAt = body.timestamp("identified_at")
        return draft
    }

    /// The list filters of `GET /contacts`, for its exports (`/contacts.csv`, `/contacts.vcf`).
    static func exportFilter(_ request: Request) throws -> ContactFilter {
        let query = try ListQuery(
            request, filters: ["stage", "organization_id", "interest_id", "tag", "q", "updated_since"],
            sorts: ContactService.sorts, defaultSort: ContactService.defaultSort)
        guard query.page.after == nil, query.rawValue("limit") == nil, query.rawValue("sort") == nil else {
            throw Problem.badRequest("bad_query", "An export holds every contact the filters keep: limit, cursor and sort do not apply.")
        }
        var filter = ContactFilter()
        filter.stage = try query.enumeration("stage", ContactStage.self)
        filter.organizationID = try query.id("organization_id")
        filter.interestID = try query.id("interest_id")
        filter.tag = try query.string("tag")
        filter.text = try query.string("q")
        filter.updatedSince = try query.timestamp("updated_since")
        return filter
    }

    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let contacts = context.contacts
        ResourceRoutes<Contact, ContactDraft>(
            path: "/contacts", writeFlags: ["allow_duplicate"], id: \.id, version: \.version, write: { ResourceJSON.write($0, &$1) },
            draft: draft,
            list: { request, principal in
                let query = try ListQuery(
                    request, filters: ["stage", "organization_id", "interest_id", "tag", "q", "updated_since"],
                    sorts: ContactService.sorts, defaultSort: ContactService.defaultSort)
                var filter = ContactFilter()
                filter.stage = try query.enumeration("stage", ContactStage.self)
                filter.organizationID = try query.id("organization_id")
                filter.interestID = try query.id("interest_id")
                filter.tag = try query.string("tag")
                filter.text = try query.string("q")
                filter.updatedSince = try query.timestamp("updated_since")
                return try Reply.list(sort: query.page.sort, estimatedCount: query.page.limit) { writer in
                    try contacts.listRows(userID: principal.userID, filter: filter, page: query.page) { try ResourceJSON.write($0, &writer) }
                }
            },
            service: contacts
        ).register(on: &router, context.authenticator)
    }
}
