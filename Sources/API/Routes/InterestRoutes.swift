import Domain
import HTTPCore

/// `/interests`: interest areas with coverage.
enum InterestRoutes {
    static let fields: Set<String> = ["name", "goal", "target_date"]

    static func draft(_ request: Request) throws -> InterestDraft {
        var body = try BodyReader(request, fields: fields, computed: ["coverage"])
        var draft = InterestDraft()
        draft.name = body.requiredString("name")
        draft.goal = body.string("goal")
        draft.targetDate = body.string("target_date")
        try body.finish()
        return draft
    }

    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let auth = context.authenticator
        let interests = context.interests

        router.add("GET", "/interests", auth.route { request, principal in
            let query = try ListQuery(request, filters: ["q", "updated_since"], sorts: InterestService.sorts, defaultSort: InterestService.defaultSort)
            var filter = InterestFilter()
            filter.text = try query.string("q")
            filter.updatedSince = try query.timestamp("updated_since")
            let page = try interests.list(userID: principal.userID, filter: filter, page: query.page)
            return Reply.list(page, sort: query.page.sort) { ResourceJSON.write($1, &$0) }
        })

        router.add("POST", "/interests", auth.route { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            let interest = try interests.create(userID: principal.userID, draft: try draft(request))
            return Reply.object(interest.version, status: 201, location: "/interests/\(interest.id)") { ResourceJSON.write(interest, &$0) }
        })

        router.add("GET", "/interests/{id:int}", auth.route { request, principal in
            let interest = try interests.get(userID: principal.userID, id: try request.intParameter("id"))
            return Reply.get(request, version: interest.version) { ResourceJSON.write(interest, &$0) }
        })

        router.add("PATCH", "/interests/{id:int}", auth.route { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            let interest = try interests.update(
                userID: principal.userID, id: try request.intParameter("id"), draft: try draft(request), precondition: Conditional.precondition(request))
            return Reply.object(interest.version) { ResourceJSON.write(interest, &$0) }
        })

        router.add("DELETE", "/interests/{id:int}", auth.route { request, principal in
            try interests.delete(userID: principal.userID, id: try request.intParameter("id"), precondition: Conditional.precondition(request))
            return Reply.noContent
        })
    }
}
