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
    }
}
