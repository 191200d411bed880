import Domain
import HTTPCore

/// `/contacts`: the people in the network.
enum ContactRoutes {
    static let fields: Set<String> = [
        "name", "title", "organization_id", "email", "phone", "linkedin_url", "location", "source", "hook", "tags", "interest_ids",
        "stage", "keep_in_touch_days", "notes",
    ]

    static func draft(_ request: Request) throws -> ContactDraft {
        var body = try BodyReader(request, fields: fields)
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
        draft.notes = body.string("notes")
        try body.finish()
        return draft
    }

    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let auth = context.authenticator
        let contacts = context.contacts

        router.add("GET", "/contacts", auth.route { request, principal in
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
            let page = try contacts.list(userID: principal.userID, filter: filter, page: query.page)
            return Reply.list(page, sort: query.page.sort) { ResourceJSON.write($1, &$0) }
        })

        router.add("POST", "/contacts", auth.route { request, principal in
            let flags = try FlagQuery.flags(request, allowed: ["allow_duplicate"])
            let contact = try contacts.create(userID: principal.userID, draft: try draft(request), allowDuplicate: flags["allow_duplicate"] ?? false)
            return Reply.object(contact.version, status: 201, location: "/contacts/\(contact.id)") { ResourceJSON.write(contact, &$0) }
        })

        router.add("GET", "/contacts/{id:int}", auth.route { request, principal in
            let contact = try contacts.get(userID: principal.userID, id: try request.intParameter("id"))
            return Reply.get(request, version: contact.version) { ResourceJSON.write(contact, &$0) }
        })

        router.add("PATCH", "/contacts/{id:int}", auth.route { request, principal in
            let flags = try FlagQuery.flags(request, allowed: ["allow_duplicate"])
            let contact = try contacts.update(
                userID: principal.userID, id: try request.intParameter("id"), draft: try draft(request),
                precondition: Conditional.precondition(request), allowDuplicate: flags["allow_duplicate"] ?? false)
            return Reply.object(contact.version) { ResourceJSON.write(contact, &$0) }
        })

        router.add("DELETE", "/contacts/{id:int}", auth.route { request, principal in
            try contacts.delete(userID: principal.userID, id: try request.intParameter("id"), precondition: Conditional.precondition(request))
            return Reply.noContent
        })
    }
}
