import Domain
import HTTPCore

/// `/deletions`: what a sync client needs beside `updated_since` to learn what went away.
enum SyncRoutes {
    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let deletions = context.deletions
        router.add("GET", "/deletions", context.authenticator.route { request, principal in
            let query = try ListQuery(request, filters: ["since"], sorts: DeletionService.sorts, defaultSort: "deleted_at")
            let page = try deletions.list(userID: principal.userID, since: try query.timestamp("since"), page: query.page)
            return Reply.list(page, sort: query.page.sort) { w, deletion in
                w.objectStart()
                w.field("type", deletion.type)
                w.field("id", deletion.id)
                w.field("deleted_at", deletion.deletedAt)
                w.objectEnd()
            }
        })
    }
}
