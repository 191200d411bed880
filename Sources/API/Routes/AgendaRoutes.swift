#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Domain
import HTTPCore
import Primitives

/// `/agenda` (what to do on a day) and `/agenda/dismissals`.
enum AgendaRoutes {
    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let auth = context.authenticator
        let agenda = context.agenda
        let sorts = ["due": AgendaService.order]

        router.add("GET", "/agenda", auth.route { request, principal in
            let query = try ListQuery(request, filters: ["date"], sorts: sorts, defaultSort: "due")
            let date = try query.string("date")
            if let date, LocalDay.parse(date) == nil {
                throw Problem.badRequest("bad_query", "date must be a calendar date like 2026-12-01.", errors: [.init(field: "date", message: "must be YYYY-MM-DD")])
            }
            let day = try agenda.day(userID: principal.userID, date: date, page: query.page)
            var w = JSONWriter(capacity: 512 + day.items.count * 400)
            w.objectStart()
            w.field("date", day.date)
            w.field("time_zone", day.timeZone)
            w.key("items")
            w.arrayStart()
            for item in day.items { write(item, &w) }
            w.arrayEnd()
            w.key("next_cursor")
            if let next = day.next { w.string(CursorCodec.encode(sort: AgendaService.order, keyset: next)) } else { w.null() }
            w.objectEnd()
            return Response.json(200, w)
        })

        router.add("POST", "/agenda/dismissals", auth.route { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            var body = try BodyReader(request, fields: ["kind", "ref_id", "until"], computed: ["created_at"])
            let kind = body.enumeration("kind", AgendaKind.self)
            let refID = body.id("ref_id")
            var until: Date?
            if !body.has("kind") { body.reject("kind", "is required: one of " + AgendaKind.allCases.map(\.rawValue).joined(separator: ", ")) }
            if !body.has("ref_id") { body.reject("ref_id", "is required: the id of what the item is about (its ref_id on the agenda)") }
            if body.isNull("ref_id") { body.reject("ref_id", "cannot be null") }
            if let text = body.rawString("until") {
                if let date = RFC3339.parse(text) {
                    until = date
                } else if LocalDay.parse(text) != nil {
                    until = try agenda.instant(userID: principal.userID, localDate: text)
                } else {
                    body.reject("until", "must be an RFC 3339 timestamp or a date like 2026-12-01 (its start in your time zone); null or absent: for good")
                }
            }
            try body.finish()
            guard case .value(let kind) = kind, case .value(let refID) = refID else { throw Problem.validation([.init(field: "kind", message: "is required")]) }
            let done = agenda.dismiss(userID: principal.userID, kind: kind, refID: refID, until: until)
            return .later(done) { dismissal, created in
                var w = JSONWriter(capacity: 192)
                write(dismissal, &w)
                return Response.json(created ? 201 : 200, w)
            }
        })

        router.add("DELETE", "/agenda/dismissals/{kind}/{ref_id:int}", auth.route { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            guard let kind = request.parameters["kind"].flatMap(AgendaKind.init(rawValue:)) else {
                throw Problem.notFound("No such agenda kind; kinds: \(AgendaKind.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            let done = agenda.undismiss(userID: principal.userID, kind: kind, refID: try request.intParameter("ref_id"))
            return .later(done) { _ in Reply.noContent }
        })
    }

    static func write(_ item: DueItem, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("kind", item.kind.rawValue)
        w.field("due", item.due)
        w.field("reason", item.reason)
        w.field("ref_id", item.refID)
        w.field("contact_id", item.contactID)
        w.field("contact_name", item.contactName)
        w.field("organization_id", item.organizationID)
        w.field("meeting_id", item.meetingID)
        w.field("event_id", item.eventID)
        w.field("referral_id", item.referralID)
        w.field("outreach_id", item.outreachID)
        w.field("coach_note_id", item.coachNoteID)
        w.objectEnd()
    }

    static func write(_ dismissal: AgendaDismissal, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("kind", dismissal.kind.rawValue)
        w.field("ref_id", dismissal.refID)
        w.field("until", dismissal.until)
        w.field("created_at", dismissal.createdAt)
        w.objectEnd()
    }
}
