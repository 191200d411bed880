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

    /// The file the issue describes: a restored export whose rows the API would refuse is
    /// refused whole, each bad field named by its place in the file, and nothing is stored.
    @Test func aRestoreMeetsEveryResourcesRules() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let acme = try owner.create("/organizations", #"{"name":"Acme","website":"https://acme.example"}"#)
        for index in 0..<4 {
            _ = try owner.create("/contacts", #"{"name":"C\#(index)","email":"c\#(index)@example.com","organization_id":\#(acme),"notes":"line one\n\tline two"}"#)
        }
        let contact = try owner.create("/contacts", #"{"name":"Met"}"#)
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(contact),"scheduled_at":"2026-01-05T10:00:00Z","duration_minutes":45}"#)
        _ = try owner.create("/meetings/\(meeting)/questions", #"{"text":"Which skills matter?"}"#)
        #expect(try owner.post("/meetings/\(meeting)/complete", #"{"resources":[{"title":"Soil book","url":"https://book.example"}]}"#).status == 200)
        #expect(try owner.patch("/me", #"{"display_name":"Kim"}"#).status == 200)
        let export = try owner.get("/export").text
        // A good export restores, multi-line notes and all.
        let first = try live.newUser("first")
        let restored = try first.request("POST", "/imports/json", body: Array(export.utf8), headers: [("Content-Type", "application/json")])
        #expect(restored.status == 201, "\(restored.text)")
        #expect(try first.walk("/contacts").compactMap { $0["notes"]?.stringValue }.contains("line one\n\tline two"))

        let name = String(repeating: #"\u0001"#, count: 6_000)
        var bad = export
        for (good, wrong) in [
            (#""C3""#, "\"\(name)\""), (#""c3@example.com""#, #""not an email""#), (#""https://acme.example""#, #""javascript:alert(1)""#),
            (#""https://book.example""#, #""javascript:alert(2)""#), (#""Which skills matter?""#, #""Which\u0007skills""#),
            (#""duration_minutes":45"#, #""duration_minutes":999"#), (#""Kim""#, #""K\u0000m""#),
        ] {
            #expect(bad.contains(good), "\(good)")
            bad = bad.replacingOccurrences(of: good, with: wrong)
        }
        let carol = try live.newUser("carol")
        let refused = try carol.request("POST", "/imports/json", body: Array(bad.utf8), headers: [("Content-Type", "application/json")])
        #expect(refused.isProblem(422, "validation_failed"), "\(refused.text)")
        #expect(Set(refused.problemFields) == [
            "contacts[3].name", "contacts[3].email", "organizations[0].website", "meeting_resources[0].url", "meeting_questions[0].text",
            "meetings[0]", "account.display_name",
        ])
        // What POST /contacts says of the name, the restore says under contacts[3].
        let direct = try owner.post("/contacts", #"{"name":"\#(String(repeating: "x", count: 6_000))","email":"not an email"}"#)
        let message = refused.json?["errors"]?.arrayValue?.first { $0["field"] == .string("contacts[3].email") }?["message"]
        #expect(message != nil && message == direct.json?["errors"]?.arrayValue?.first { $0["field"] == .string("email") }?["message"])
        // The meeting's duration is refused by the schema's own CHECK, which names the column.
        #expect(refused.json?["errors"]?.arrayValue?.first { $0["field"] == .string("meetings[0]") }?["message"]?.stringValue?.contains("duration_minutes") == true)
        for table in ["contacts", "organizations", "meetings"] {
            #expect(try live.count("SELECT count(*) FROM \(table) WHERE user_id = (SELECT id FROM users WHERE name = 'carol')") == 0)
        }
        #expect(try carol.get("/me").json?["display_name"] == .null)
    }

    /// A completion's new contacts meet ContactRules as POST /contacts does: the same issues,
    /// named under the referral, and the same duplicate check.
    @Test func aCompletionsNewContactsMeetTheContactRules() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let ann = try owner.create("/contacts", #"{"name":"Ann","email":"ann@example.com"}"#)
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(ann),"scheduled_at":"2026-01-05T10:00:00Z"}"#)
        let direct = try owner.post("/contacts", #"{"name":" ","email":"not an email","keep_in_touch_days":0}"#)
        #expect(Set(direct.problemFields) == ["name", "email", "keep_in_touch_days"])
        let refused = try owner.post(
            "/meetings/\(meeting)/complete", #"{"referrals":[{"contact":{"name":" ","email":"not an email","keep_in_touch_days":0}}]}"#)
        #expect(refused.isProblem(422, "validation_failed"), "\(refused.text)")
        #expect(Set(refused.problemFields) == ["referrals[0].contact.name", "referrals[0].contact.email", "referrals[0].contact.keep_in_touch_days"])
        let duplicate = try owner.post("/meetings/\(meeting)/complete", #"{"referrals":[{"contact":{"name":"Ann again","email":"ANN@example.com"}}]}"#)
        #expect(duplicate.isProblem(409, "duplicate_contact"), "\(duplicate.text)")
        #expect(try live.count("SELECT count(*) FROM contacts") == 1)
        #expect(try owner.get("/meetings/\(meeting)").json?["status"]?.stringValue == "scheduled")
    }
}
