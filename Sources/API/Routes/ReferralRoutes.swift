import Domain
import HTTPCore

/// `/referrals`, read: completing a meeting writes them.
enum ReferralRoutes {
    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let auth = context.authenticator
        let referrals = context.referrals

        router.add("GET", "/referrals", auth.route { request, principal in
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
        })
        router.add("GET", "/referrals/{id:int}", auth.route(inline: true) { request, principal in
            let referral = try referrals.get(userID: principal.userID, id: try request.intParameter("id"))
            return try Reply.get(request, version: referral.version) { ResourceJSON.write(referral, &$0) }
        })
    }
}
