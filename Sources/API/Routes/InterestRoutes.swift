import Domain
import HTTPCore

/// `/interests`: interest areas with coverage.
enum InterestRoutes {
    static let fields: Set<String> = ["name", "goal", "target_date", "target_meetings", "priority"]

    static func draft(_ request: Request) throws -> InterestDraft {
        var body = try BodyReader(request, fields: fields, computed: ["coverage"])
        var draft = InterestDraft()
        draft.name = body.requiredString("name")
        draft.goal = body.string("goal", multiline: true)
        draft.targetDate = body.string("target_date")
        draft.targetMeetings = body.int("target_meetings", nullable: true)
        draft.priority = body.int("priority", nullable: false)
        try body.finish()
        return draft
    }

    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let interests = context.interests
        ResourceRoutes<Interest, InterestDraft>(
            path: "/interests", id: \.id, version: \.version, write: { ResourceJSON.write($0, &$1) }, draft: draft,
            list: { request, principal in
                let query = try ListQuery(request, filters: ["q", "updated_since"], sorts: InterestService.sorts, defaultSort: InterestService.defaultSort)
                var filter = InterestFilter()
                filter.text = try query.string("q")
                filter.updatedSince = try query.timestamp("updated_since")
                let page = try interests.list(userID: principal.userID, filter: filter, page: query.page)
                return Reply.list(page, sort: query.page.sort) { ResourceJSON.write($1, &$0) }
            },
            service: interests
        ).register(on: &router, context.authenticator)
    }
}
