#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Domain
import HTTPCore
import Primitives

/// `/stats`: the funnel, outreach and meetings over a period.
enum StatsRoutes {
    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let auth = context.authenticator
        let agenda = context.agenda
        let stats = context.stats

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
