#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Domain
import HTTPCore
import Primitives

/// `GET /focus`: the interest areas compared on what the search has found, with next steps.
enum FocusRoutes {
    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let focus = context.focus
        router.add("GET", "/focus", context.authenticator.route { request, principal in
            var ids: [Int64] = []
            for (name, value) in try request.queryItems() {
                guard name == "interest_id" else {
                    throw Problem.badRequest(
                        "bad_query", "interest_id (repeated for several areas) is the only parameter here.",
                        errors: [.init(field: name, message: "is not allowed here")])
                }
                guard let id = Int64(value), id > 0 else {
                    throw Problem.badRequest("bad_query", "interest_id must be an interest's id, like 3.", errors: [.init(field: name, message: "is not an id")])
                }
                if !ids.contains(id) { ids.append(id) }
            }
            guard ids.count <= 100 else {
                throw Problem.badRequest("bad_query", "At most 100 interest_id values.", errors: [.init(field: "interest_id", message: "too many")])
            }
            let report = try focus.report(userID: principal.userID, interestIDs: ids)
            return Reply.report(request, capacity: 1024 + report.areas.count * 2048, markdown: report.markdown) { write(report, &$0) }
        })
    }

    static func number(_ value: Double?, _ w: inout JSONWriter) {
        if let value { w.double(value) } else { w.null() }
    }

    static func write(_ report: FocusReport, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("as_of", report.asOf)
        w.key("areas")
        w.arrayStart()
        for area in report.areas {
            write(area, &w)
        }
        w.arrayEnd()
        w.objectEnd()
    }

    static func write(_ area: FocusArea, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("interest_id", area.interestID)
        w.field("name", area.name)
        w.field("goal", area.goal)
        w.field("priority", area.priority)
        w.field("rank", area.rank)
        w.key("score"); w.double(area.score)
        let parts = area.parts
        w.key("score_parts")
        w.objectStart()
        w.key("evidence"); w.double(parts.evidence)
        w.key("fit"); w.double(parts.fit)
        w.key("replies"); w.double(parts.replies)
        w.key("referrals"); w.double(parts.referrals)
        w.key("leads"); w.double(parts.leads)
        w.key("events"); w.double(parts.events)
        w.key("pace"); w.double(parts.pace)
        w.objectEnd()

        let evidence = area.evidence
        w.key("evidence")
        w.objectStart()
        w.field("status", evidence.enough ? "enough" : "too_early")
        w.field("contacts", evidence.contacts)
        w.field("people_met", evidence.peopleMet)
        w.field("meetings_completed", evidence.meetingsCompleted)
        w.field("meetings_needed", evidence.meetingsNeeded)
        w.objectEnd()

        let fit = area.fit
        w.key("fit")
        w.objectStart()
        w.field("named", fit.named)
        w.field("have", fit.have)
        w.key("share"); number(fit.share, &w)
        w.key("gaps")
        w.arrayStart()
        for gap in fit.gaps {
            w.objectStart()
            w.field("name", gap.name)
            w.field("kind", gap.kind)
            w.field("people", gap.people)
            w.objectEnd()
        }
        w.arrayEnd()
        w.objectEnd()

        let traction = area.traction
        w.key("traction")
        w.objectStart()
        w.field("written_to", traction.writtenTo)
        w.field("replied", traction.replied)
        w.key("reply_rate"); number(traction.replyRate, &w)
        w.field("referrals", traction.referrals)
        w.key("referrals_per_meeting"); number(traction.referralsPerMeeting, &w)
        w.field("events_attended", traction.eventsAttended)
        w.key("leads")
        w.objectStart()
        for status in LeadStatus.allCases {
            w.key(status.rawValue)
            w.int(traction.leads[status] ?? 0)
        }
        w.objectEnd()
        w.field("last_touch_at", traction.lastTouchAt)
        w.field("days_since_last_touch", traction.daysSinceLastTouch)
        w.objectEnd()

        let pace = area.pace
        w.key("pace")
        w.objectStart()
        w.field("status", pace.status.rawValue)
        w.field("target_meetings", pace.targetMeetings)
        w.field("target_date", pace.targetDate)
        w.field("completed", pace.completed)
        w.field("remaining", pace.remaining)
        w.key("expected_by_now"); number(pace.expectedByNow, &w)
        w.objectEnd()

        w.field("reasons", area.reasons)
        w.key("next_steps")
        w.arrayStart()
        for step in area.nextSteps {
            w.objectStart()
            w.field("kind", step.kind.rawValue)
            w.field("text", step.text)
            w.key("objects")
            w.arrayStart()
            for object in step.objects {
                w.objectStart()
                w.field("type", object.type)
                w.field("id", object.id)
                w.field("name", object.name)
                w.objectEnd()
            }
            w.arrayEnd()
            w.objectEnd()
        }
        w.arrayEnd()
        w.objectEnd()
    }
}
