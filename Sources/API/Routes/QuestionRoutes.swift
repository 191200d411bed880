import Domain
import HTTPCore

/// `/questions`: the question bank.
enum QuestionRoutes {
    static let fields: Set<String> = ["text", "category", "tags"]

    static func draft(_ request: Request) throws -> QuestionDraft {
        var body = try BodyReader(request, fields: fields)
        var draft = QuestionDraft()
        draft.text = body.requiredString("text")
        draft.category = body.enumeration("category", QuestionCategory.self)
        draft.tags = body.stringList("tags")
        try body.finish()
        return draft
    }

    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let questions = context.questions
        ResourceRoutes<Question, QuestionDraft>(
            path: "/questions", id: \.id, version: \.version, write: { ResourceJSON.write($0, &$1) }, draft: draft,
            list: { request, principal in
                let query = try ListQuery(
                    request, filters: ["category", "tag", "q", "updated_since"], sorts: QuestionService.sorts,
                    defaultSort: QuestionService.defaultSort)
                var filter = QuestionFilter()
                filter.category = try query.enumeration("category", QuestionCategory.self)
                filter.tag = try query.string("tag")
                filter.text = try query.string("q")
                filter.updatedSince = try query.timestamp("updated_since")
                let page = try questions.list(userID: principal.userID, filter: filter, page: query.page)
                return Reply.list(page, sort: query.page.sort) { ResourceJSON.write($1, &$0) }
            },
            service: questions
        ).register(on: &router, context.authenticator)
    }
}
