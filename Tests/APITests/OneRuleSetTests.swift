import Domain
import Foundation
import HTTPCore
import Testing
import TestSupport

/// What a completion records inline goes through the same rules as the resource's own route.
@Suite("One rule set per resource", .timeLimit(.minutes(1)))
struct OneRuleSetTests {
    @Test func aCompletionsEventsMeetTheEventRulesNamedUnderTheirEvent() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let contact = try owner.create("/contacts", #"{"name":"Ann"}"#)
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(contact),"scheduled_at":"2026-01-05T10:00:00Z"}"#)
        let long = String(repeating: "x", count: 201)
        // What POST /events says of each, the completion says under events[i].
        let direct = try owner.post("/events", #"{"name":"\#(long)","starts_at":"2026-03-02T10:00:00Z","ends_at":"2026-03-01T10:00:00Z","url":"ftp://x"}"#)
        #expect(direct.isProblem(422, "validation_failed"))
        #expect(Set(direct.problemFields) == ["name", "ends_at", "url"])
        let refused = try owner.post(
            "/meetings/\(meeting)/complete",
            #"{"events":[{"name":"Fine"},{"name":"\#(long)","starts_at":"2026-03-02T10:00:00Z","ends_at":"2026-03-01T10:00:00Z","url":"ftp://x"}]}"#)
        #expect(refused.isProblem(422, "validation_failed"))
        #expect(Set(refused.problemFields) == ["events[1].name", "events[1].ends_at", "events[1].url"])
        #expect(try live.count("SELECT count(*) FROM events") == 0)
        #expect(try owner.get("/meetings/\(meeting)").json?["status"]?.stringValue == "scheduled")
        // And a good one is stored as POST /events would store it.
        let done = try owner.post("/meetings/\(meeting)/complete", #"{"events":[{"name":"  Soil Summit  ","location":"Ghent"}]}"#)
        #expect(done.status == 200, "\(done.text)")
        let eventID = try #require(done.json?["event_ids"]?.arrayValue?.first?.intValue)
        let event = try owner.get("/events/\(eventID)")
        let made = try owner.get("/events/\(try owner.create("/events", #"{"name":"  Soil Summit  ","location":"Ghent"}"#))")
        #expect(event.json?["name"] == made.json?["name"])
        #expect(event.json?["status"]?.stringValue == "interested")
        #expect(event.json?["recommended_by_id"]?.intValue == contact)
        #expect(event.json?["meeting_id"]?.intValue == meeting)
    }
}
