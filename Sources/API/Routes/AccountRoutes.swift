import Domain
import HTTPCore

/// `/me` and `/tokens`.
enum AccountRoutes {
    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let auth = context.authenticator
        let accounts = context.accounts

        let digests = context.digests
        router.add("GET", "/me", auth.route(.pointRead) { request, principal in
            let user = try accounts.user(id: principal.userID)
            let digest = try digests.settings(userID: principal.userID)
            return try Reply.get(request, version: user.version) { ResourceJSON.write(user, digest: digest, &$0) }
        })

        router.add("PATCH", "/me", auth.route(.handOff) { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            var body = try BodyReader(
                request, fields: ["display_name", "headline", "time_zone", "follow_up_days", "holidays", "digest"],
                computed: ["name", "role", "disabled", "has_password"])
            var draft = UserDraft()
            draft.displayName = body.string("display_name")
            draft.headline = body.string("headline")
            draft.timeZone = body.string("time_zone")
            draft.followUpDays = body.intList("follow_up_days")
            draft.holidays = body.stringList("holidays")
            if body.isNull("digest") {
                draft.digest = .null
            } else if var nested = try body.object("digest", fields: ["email", "at", "days", "send_when_empty"], computed: ["confirmed", "next_at"]) {
                var digest = DigestDraft()
                digest.email = nested.string("email")
                digest.at = nested.string("at")
                digest.days = nested.stringList("days")
                digest.sendWhenEmpty = nested.bool("send_when_empty")
                draft.digest = .value(digest)
            }
            try body.finish()
            let updated = try accounts.updateUser(id: principal.userID, draft: draft, precondition: try Conditional.precondition(request))
            return .later(updated) { user in
                let digest = try? digests.settings(userID: principal.userID)
                return Reply.object(user.version) { ResourceJSON.write(user, digest: digest ?? nil, &$0) }
            }
        })

        router.add("GET", "/tokens", auth.route { request, principal in
            let query = try ListQuery(request, filters: [], sorts: AccountService.tokenSorts, defaultSort: "created_at")
            let page = try accounts.listTokens(userID: principal.userID, page: query.page)
            return Reply.list(page, sort: query.page.sort) { ResourceJSON.write($1, current: principal.tokenID, &$0) }
        })

        router.add("POST", "/tokens", auth.route { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            var body = try BodyReader(request, fields: ["name"], computed: ["token", "current", "last_used_at"])
            let name = body.string("name")
            try body.finish()
            let (token, secret) = try accounts.createToken(userID: principal.userID, name: name.applied(to: nil))
            return Reply.object(token.version, status: 201, location: "/tokens/\(token.id)") {
                ResourceJSON.write(token, current: principal.tokenID, secret: secret, &$0)
            }
        })

        router.add("GET", "/tokens/{id:int}", auth.route { request, principal in
            let token = try accounts.token(userID: principal.userID, id: try request.intParameter("id"))
            return try Reply.get(request, version: token.version) { ResourceJSON.write(token, current: principal.tokenID, &$0) }
        })

        router.add("DELETE", "/tokens/{id:int}", auth.route { request, principal in
            try accounts.deleteToken(userID: principal.userID, id: try request.intParameter("id"), precondition: try Conditional.precondition(request))
            return Reply.noContent
        })
    }
}
