import Domain
import HTTPCore

/// `/pitches`: pitch templates, and `POST /pitches/{id}/render`.
enum PitchRoutes {
    static let fields: Set<String> = ["name", "body", "channel"]

    static func draft(_ request: Request) throws -> PitchDraft {
        var body = try BodyReader(request, fields: fields)
        var draft = PitchDraft()
        draft.name = body.requiredString("name")
        draft.body = body.string("body", multiline: true)
        draft.channel = body.enumeration("channel", PitchChannel.self)
        try body.finish()
        return draft
    }

    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let pitches = context.pitches
        ResourceRoutes<Pitch, PitchDraft>(
            path: "/pitches", id: \.id, version: \.version, write: { ResourceJSON.write($0, &$1) }, draft: draft,
            list: { request, principal in
                let query = try ListQuery(
                    request, filters: ["channel", "q", "updated_since"], sorts: PitchService.sorts, defaultSort: PitchService.defaultSort)
                var filter = PitchFilter()
                filter.channel = try query.enumeration("channel", PitchChannel.self)
                filter.text = try query.string("q")
                filter.updatedSince = try query.timestamp("updated_since")
                let page = try pitches.list(userID: principal.userID, filter: filter, page: query.page)
                return Reply.list(page, sort: query.page.sort) { ResourceJSON.write($1, &$0) }
            },
            service: pitches
        ).register(on: &router, context.authenticator)

        // A render is not the pitch: no ETag, and it answers what was rendered.
        router.add("POST", "/pitches/{id:int}/render", context.authenticator.route(.handOff) { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            var body = try BodyReader(request, fields: ["contact_id", "interest_id"])
            let contactID = body.id("contact_id")
            let interestID = body.id("interest_id")
            try body.finish()
            let rendered = try pitches.render(
                userID: principal.userID, pitchID: try request.intParameter("id"), contactID: contactID.applied(to: nil),
                interestID: interestID.applied(to: nil))
            return .later(rendered) { render in
                var writer = JSONWriter(capacity: 1024)
                ResourceJSON.write(render, &writer)
                return Response.json(200, writer)
            }
        })
    }
}
