import Domain
import HTTPCore

/// `/resumes`: resume versions.
enum ResumeRoutes {
    static let fields: Set<String> = ["label", "interest_id", "content", "url"]

    static func draft(_ request: Request) throws -> ResumeDraft {
        var body = try BodyReader(request, fields: fields, computed: ["content_updated_at"])
        var draft = ResumeDraft()
        draft.label = body.requiredString("label")
        draft.interestID = body.id("interest_id")
        draft.content = body.string("content", multiline: true)
        draft.url = body.string("url")
        try body.finish()
        return draft
    }

    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let resumes = context.resumes
        ResourceRoutes<Resume, ResumeDraft>(
            // 100,000 code points of content may take 1.2 MB of JSON (a surrogate pair escaped is 12 bytes).
            path: "/resumes", bodyLimit: 2 << 20, id: \.id, version: \.version, write: { ResourceJSON.write($0, &$1) }, draft: draft,
            list: { request, principal in
                let query = try ListQuery(
                    request, filters: ["interest_id", "q", "updated_since"], sorts: ResumeService.sorts, defaultSort: ResumeService.defaultSort)
                var filter = ResumeFilter()
                filter.interestID = try query.id("interest_id")
                filter.text = try query.string("q")
                filter.updatedSince = try query.timestamp("updated_since")
                let page = try resumes.list(userID: principal.userID, filter: filter, page: query.page)
                return Reply.list(page, sort: query.page.sort) { ResourceJSON.write($1, &$0) }
            },
            service: resumes
        ).register(on: &router, context.authenticator)
    }
}
