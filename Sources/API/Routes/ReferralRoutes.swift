import Domain
import HTTPCore

/// `/referrals`: who referred whom, at which meeting; completing a meeting records them too.
enum ReferralRoutes {
    static let fields: Set<String> = ["referrer_id", "contact_id", "contact", "meeting_id", "note", "status"]

    static func draft(_ request: Request) throws -> ReferralDraft {
        var body = try BodyReader(request, fields: fields)
        var draft = ReferralDraft()
        draft.referrerID = body.id("referrer_id")
        draft.contactID = body.id("contact_id")
        if body.isNull("contact") { body.reject("contact", "must be an object; leave it out for none") }
        if var contact = try body.object("contact", fields: ContactRoutes.fields) { draft.contact = ContactRoutes.read(&contact) }
        draft.meetingID = body.id("meeting_id")
        draft.note = body.string("note", multiline: true)
        draft.status = body.enumeration("status", ReferralStatus.self)
        try body.finish()
        return draft
    }

    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let referrals = context.referrals
        ResourceRoutes<Referral, ReferralDraft>(
            path: "/referrals", id: \.id, version: \.version, write: { ResourceJSON.write($0, &$1) }, draft: draft,
            list: { request, principal in
                let query = try ListQuery(
                    request, filters: ["meeting_id", "referrer_id", "contact_id", "status", "updated_since"], sorts: ReferralService.sorts,
                    defaultSort: ReferralService.defaultSort)
                var filter = ReferralFilter()
                filter.meetingID = try query.id("meeting_id")
                filter.referrerID = try query.id("referrer_id")
                filter.contactID = try query.id("contact_id")
                filter.status = try query.enumeration("status", ReferralStatus.self)
                filter.updatedSince = try query.timestamp("updated_since")
                let page = try referrals.list(userID: principal.userID, filter: filter, page: query.page)
                return Reply.list(page, sort: query.page.sort) { ResourceJSON.write($1, &$0) }
            },
            service: referrals
        ).register(on: &router, context.authenticator)

        // The referrals a contact made or received.
        router.add("GET", "/contacts/{id:int}/referrals", context.authenticator.route { request, principal in
            let contactID = try request.intParameter("id")
            let query = try ListQuery(
                request, filters: ["meeting_id", "status", "updated_since"], sorts: ReferralService.sorts, defaultSort: ReferralService.defaultSort)
            try referrals.requireContact(userID: principal.userID, contactID: contactID)
            var filter = ReferralFilter()
            filter.involving = contactID
            filter.meetingID = try query.id("meeting_id")
            filter.status = try query.enumeration("status", ReferralStatus.self)
            filter.updatedSince = try query.timestamp("updated_since")
            let page = try referrals.list(userID: principal.userID, filter: filter, page: query.page)
            return Reply.list(page, sort: query.page.sort) { ResourceJSON.write($1, &$0) }
        })

        router.add("GET", "/contacts/{id:int}/network", context.authenticator.route { request, principal in
            var depth = 3
            var seen = false
            for (name, value) in try request.queryItems() {
                guard name == "depth", !seen else {
                    throw Problem.badRequest("bad_query", "Only depth, once, is a parameter here.", errors: [.init(field: name, message: "is not allowed here")])
                }
                seen = true
                guard let number = Int(value), (1...10).contains(number) else {
                    throw Problem.badRequest("bad_query", "depth must be an integer from 1 to 10.", errors: [.init(field: "depth", message: "must be 1–10")])
                }
                depth = number
            }
            let network = try referrals.network(userID: principal.userID, contactID: try request.intParameter("id"), depth: depth)
            var writer = JSONWriter(capacity: 256 + network.nodes.count * 96)
            ResourceJSON.write(network, &writer)
            return Response.json(200, writer)
        })
    }
}
