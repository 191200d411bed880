import Domain
import HTTPCore

/// `/events`: professional development and community events.
enum EventRoutes {
    static let fields: Set<String> = ["name", "starts_at", "ends_at", "location", "url", "recommended_by_id", "meeting_id", "status", "notes"]

    static func draft(_ request: Request) throws -> EventDraft {
        var body = try BodyReader(request, fields: fields)
        var draft = EventDraft()
        draft.name = body.requiredString("name")
        draft.startsAt = body.timestamp("starts_at")
        draft.endsAt = body.timestamp("ends_at")
        draft.location = body.string("location")
        draft.url = body.string("url")
        draft.recommendedByID = body.id("recommended_by_id")
        draft.meetingID = body.id("meeting_id")
        draft.status = body.enumeration("status", EventStatus.self)
        draft.notes = body.string("notes", multiline: true)
        try body.finish()
        return draft
    }

    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let events = context.events
        ResourceRoutes<Event, EventDraft>(
            path: "/events", id: \.id, version: \.version, write: { ResourceJSON.write($0, &$1) }, draft: draft,
            list: { request, principal in
                let query = try ListQuery(
                    request, filters: ["meeting_id", "recommended_by_id", "status", "from", "to", "q", "updated_since"], sorts: EventService.sorts,
                    defaultSort: EventService.defaultSort)
                var filter = EventFilter()
                filter.meetingID = try query.id("meeting_id")
                filter.recommendedByID = try query.id("recommended_by_id")
                filter.status = try query.enumeration("status", EventStatus.self)
                filter.from = try query.timestamp("from")
                filter.to = try query.timestamp("to")
                filter.text = try query.string("q")
                filter.updatedSince = try query.timestamp("updated_since")
                let page = try events.list(userID: principal.userID, filter: filter, page: query.page)
                return Reply.list(page, sort: query.page.sort) { ResourceJSON.write($1, &$0) }
            },
            service: events
        ).register(on: &router, context.authenticator)
    }
}
