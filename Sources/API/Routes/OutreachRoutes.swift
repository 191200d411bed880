import Domain
import HTTPCore

/// `/outreach` and `/contacts/{id}/outreach`: the outreach log.
enum OutreachRoutes {
    static let fields: Set<String> = ["contact_id", "channel", "direction", "sent_at", "pitch_id", "resume_id", "summary"]
    static let filters: Set<String> = ["contact_id", "channel", "direction", "from", "to", "updated_since"]

    static func draft(_ request: Request) throws -> OutreachDraft {
        var body = try BodyReader(request, fields: fields)
        var draft = OutreachDraft()
        draft.contactID = body.id("contact_id")
        draft.channel = body.enumeration("channel", OutreachChannel.self)
        draft.direction = body.enumeration("direction", OutreachDirection.self)
        draft.sentAt = body.timestamp("sent_at")
        draft.pitchID = body.id("pitch_id")
        draft.resumeID = body.id("resume_id")
        draft.summary = body.string("summary", multiline: true)
        try body.finish()
        return draft
    }

    static func filter(_ query: ListQuery) throws -> OutreachFilter {
        var filter = OutreachFilter()
        filter.contactID = try query.id("contact_id")
        filter.channel = try query.enumeration("channel", OutreachChannel.self)
        filter.direction = try query.enumeration("direction", OutreachDirection.self)
        filter.from = try query.timestamp("from")
        filter.to = try query.timestamp("to")
        filter.updatedSince = try query.timestamp("updated_since")
        return filter
    }

    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let outreach = context.outreach
        ResourceRoutes<Outreach, OutreachDraft>(
            path: "/outreach", id: \.id, version: \.version, write: { ResourceJSON.write($0, &$1) }, draft: draft,
            list: { request, principal in
                let query = try ListQuery(request, filters: filters, sorts: OutreachService.sorts, defaultSort: OutreachService.defaultSort)
                let page = try outreach.list(userID: principal.userID, filter: try filter(query), page: query.page)
                return Reply.list(page, sort: query.page.sort) { ResourceJSON.write($1, &$0) }
            },
            service: outreach
        ).register(on: &router, context.authenticator)

        // One contact's log: the same list, its contact fixed by the path (404 for another's).
        router.add("GET", "/contacts/{id:int}/outreach", context.authenticator.route { request, principal in
            let contactID = try request.intParameter("id")
            var allowed = filters
            allowed.remove("contact_id")
            let query = try ListQuery(request, filters: allowed, sorts: OutreachService.sorts, defaultSort: OutreachService.defaultSort)
            try outreach.requireContact(userID: principal.userID, contactID: contactID)
            var filter = try filter(query)
            filter.contactID = contactID
            let page = try outreach.list(userID: principal.userID, filter: filter, page: query.page)
            return Reply.list(page, sort: query.page.sort) { ResourceJSON.write($1, &$0) }
        })
    }
}
