#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Domain
import HTTPCore
import Primitives

/// `/agenda` (what to do today), `/agenda/dismissals`, `/stats` and `/search`.
enum AgendaRoutes {
    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let auth = context.authenticator
        let agenda = context.agenda
        let stats = context.stats
        let search = context.search
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

        router.add("GET", "/stats", auth.route { request, principal in
            var from: Date?
            var to: Date?
            var seen: Set<String> = []
            for (name, value) in try request.queryItems() {
                guard name == "from" || name == "to", !seen.contains(name) else {
                    throw Problem.badRequest("bad_query", "from and to, once each, are the parameters here.", errors: [.init(field: name, message: "is not allowed here")])
                }
                seen.insert(name)
                let date: Date?
                if let instant = RFC3339.parse(value) {
                    date = instant
                } else if LocalDay.parse(value) != nil {
                    date = try agenda.instant(userID: principal.userID, localDate: value)
                } else {
                    throw Problem.badRequest(
                        "bad_query", "\(name) must be an RFC 3339 timestamp or a date like 2026-12-01.", errors: [.init(field: name, message: "is not a date")])
                }
                if name == "from" { from = date } else { to = date }
            }
            if let from, let to, to < from {
                throw Problem.badRequest("bad_query", "to is before from.", errors: [.init(field: "to", message: "must not be before from")])
            }
            let result = try stats.stats(userID: principal.userID, from: from, to: to)
            var w = JSONWriter(capacity: 2048)
            write(result, &w)
            return Response.json(200, w)
        })

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

    static func rate(_ value: Double?, _ w: inout JSONWriter) {
        if let value { w.double(value) } else { w.null() }
    }

    static func write(_ stats: Stats, _ w: inout JSONWriter) {
        let funnel = stats.funnel
        w.objectStart()
        w.field("from", stats.from)
        w.field("to", stats.to)
        w.key("funnel")
        w.objectStart()
        w.field("identified", funnel.identified)
        w.field("contacted", funnel.contacted)
        w.field("met", funnel.met)
        w.field("referred", funnel.referred)
        w.field("leads", funnel.leads)
        w.key("conversion")
        w.objectStart()
        w.key("contacted_per_identified"); rate(Stats.rate(funnel.contacted, of: funnel.identified), &w)
        w.key("met_per_contacted"); rate(Stats.rate(funnel.met, of: funnel.contacted), &w)
        w.key("referred_per_met"); rate(Stats.rate(funnel.referred, of: funnel.met), &w)
        w.key("leads_per_referred"); rate(Stats.rate(funnel.leads, of: funnel.referred), &w)
        w.objectEnd()
        w.objectEnd()
        w.key("outreach")
        w.objectStart()
        w.field("sent", stats.outreach.sent)
        w.field("replied", stats.outreach.replied)
        w.key("reply_rate"); rate(Stats.rate(stats.outreach.replied, of: stats.outreach.sent), &w)
        w.key("median_days_to_reply"); rate(stats.outreach.medianDaysToReply, &w)
        w.objectEnd()
        w.key("meetings")
        w.objectStart()
        w.field("completed", stats.completedMeetings)
        w.field("referrals", stats.referralsFromMeetings)
        w.key("referrals_per_meeting"); rate(Stats.rate(stats.referralsFromMeetings, of: stats.completedMeetings), &w)
        w.field("thank_you_within_24h", stats.thankYouWithin24Hours)
        w.key("thank_you_within_24h_share"); rate(Stats.rate(stats.thankYouWithin24Hours, of: stats.completedMeetings), &w)
        w.objectEnd()
        w.key("new_contacts_per_week")
        w.arrayStart()
        for (week, count) in stats.newContactsPerWeek {
            w.objectStart()
            w.field("week", week)
            w.field("count", count)
            w.objectEnd()
        }
        w.arrayEnd()
        w.key("contacts_by_source")
        w.arrayStart()
        for (source, count) in stats.contactsBySource {
            w.objectStart()
            w.field("source", source)
            w.field("count", count)
            w.objectEnd()
        }
        w.arrayEnd()
        w.objectEnd()
    }
}
