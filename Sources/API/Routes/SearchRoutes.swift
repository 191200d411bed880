import Domain
import HTTPCore
import Primitives

/// `/search`: full text over the account's rows.
enum SearchRoutes {
    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let auth = context.authenticator
        let search = context.search

        router.add("GET", "/search", auth.route { request, principal in
            let query = try ListQuery(request, filters: ["q"], sorts: ["rank": SearchService.order], defaultSort: "rank")
            let text = query.rawValue("q") ?? ""
            let offset = query.page.after.flatMap { keyset -> Int? in
                if case .integer(let value) = keyset.keys.last { return Int(value) } else { return nil }
            } ?? 0
            guard offset <= SearchService.maxOffset else { throw CursorCodec.invalid }
            let page = try search.search(userID: principal.userID, query: text, limit: query.page.limit, offset: offset)
            var w = JSONWriter(capacity: 256 + page.items.count * 256)
            w.objectStart()
            w.key("items")
            w.arrayStart()
            for hit in page.items {
                w.objectStart()
                w.field("type", hit.type)
                w.field("id", hit.id)
                w.field("title", hit.title)
                w.field("snippet", hit.snippet)
                w.objectEnd()
            }
            w.arrayEnd()
            w.key("next_cursor")
            if let next = page.nextOffset {
                w.string(CursorCodec.encode(sort: SearchService.order, keyset: Keyset([.integer(Int64(next))])))
            } else {
                w.null()
            }
            w.objectEnd()
            return Response.json(200, w)
        })
    }
}
