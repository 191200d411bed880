import Foundation
import HTTPCore
import Testing
import TestSupport

/// The knowledge base's resources: insights, the user's skills, and interests' goals.
@Suite("Knowledge base", .timeLimit(.minutes(1)))
struct KnowledgeTests {
    @Test func skillsAreOnePerNameAsPeopleMeanIt() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let created = try owner.post("/skills", #"{"name":"  Motivational   interviewing ","level":3,"evidence":"Two years of coaching"}"#)
        #expect(created.status == 201)
        #expect(created.json?["name"] == .string("Motivational interviewing"))
        #expect(created.json?["level"] == .int(3))
        let id = try #require(created.json?["id"]?.intValue)
        for name in ["motivational Interviewing", "MOTIVATIONAL\u{00A0}INTERVIEWING", "Ｍotivational interviewing"] {
            let duplicate = try owner.post("/skills", #"{"name":"\#(name)"}"#)
            #expect(duplicate.isProblem(409, "duplicate_skill"), "\(name)")
            #expect(duplicate.json?["existing_id"] == .int(id))
        }
        for (body, field) in [(#"{"name":"R","level":0}"#, "level"), (#"{"name":"R","level":6}"#, "level"), (#"{"name":"   "}"#, "name"),
                              (#"{"level":2}"#, "name"), (#"{"name":"R","level":null}"#, "level")] {
            let response = try owner.post("/skills", body)
            #expect(response.status == 422, "\(body): \(response.text)")
            #expect(response.problemFields == [field], "\(body)")
        }
        #expect(try live.count("SELECT count(*) FROM skills") == 1)
        #expect(try owner.patch("/skills/\(id)", #"{"level":5}"#).json?["level"] == .int(5))
        _ = try owner.create("/skills", #"{"name":"GIS"}"#)
        #expect(try owner.walk("/skills").map { $0["name"]?.stringValue ?? "" } == ["GIS", "Motivational interviewing"])
        let bob = try live.newUser("bob")
        #expect(try bob.get("/skills/\(id)").isProblem(404, "not_found"))
        #expect(try bob.create("/skills", #"{"name":"GIS"}"#) > 0)
        #expect(try owner.delete("/skills/\(id)").status == 204)
        #expect(try owner.walk("/deletions").contains { $0["type"] == .string("skill") && $0["id"] == .int(id) })
    }

    @Test func insightsAboutMeetingsAndContacts() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let bob = try live.newUser("bob")
        let area = try owner.create("/interests", #"{"name":"Soil carbon"}"#)
        let theirArea = try bob.create("/interests", #"{"name":"Theirs"}"#)
        let ann = try owner.create("/contacts", #"{"name":"Ann"}"#)
        let ben = try owner.create("/contacts", #"{"name":"Ben"}"#)
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(ann)}"#)

        let skill = try owner.post("/insights", #"{"meeting_id":\#(meeting),"interest_id":\#(area),"kind":"skill","name":" Remote  sensing","text":"Everyone in the lab uses it"}"#)
        #expect(skill.status == 201, "\(skill.text)")
        #expect(skill.json?["name"] == .string("Remote sensing"))
        #expect(skill.json?["meeting_id"] == .int(meeting))
        let advice = try owner.create("/insights", #"{"contact_id":\#(ben),"kind":"advice","text":"Publish your field notes"}"#)
        for (body, field) in [
            (#"{"kind":"advice","text":"x"}"#, "meeting_id"),
            (#"{"contact_id":\#(ann),"text":"x"}"#, "kind"),
            (#"{"contact_id":\#(ann),"kind":"skill","text":"x"}"#, "name"),
            (#"{"contact_id":\#(ann),"kind":"trend","name":"N","text":"x"}"#, "name"),
            (#"{"contact_id":\#(ann),"kind":"trend"}"#, "text"),
            (#"{"contact_id":\#(ann),"kind":"hunch","text":"x"}"#, "kind"),
            (#"{"contact_id":\#(ann),"kind":"trend","text":"x","interest_id":\#(theirArea)}"#, "interest_id"),
            (#"{"meeting_id":\#(meeting),"contact_id":\#(ben),"kind":"trend","text":"x"}"#, "contact_id"),
            (#"{"meeting_id":999999,"kind":"trend","text":"x"}"#, "meeting_id"),
        ] {
            let response = try owner.post("/insights", body)
            #expect(response.status == 422, "\(body): \(response.text)")
            #expect(response.problemFields == [field], "\(body): \(response.text)")
        }
        #expect(try live.count("SELECT count(*) FROM insights") == 2)
        #expect(try owner.listIDs("/insights?kind=advice") == [advice])
        #expect(try owner.listIDs("/insights?interest_id=\(area)").count == 1)
        #expect(try owner.get("/insights?kind=hunch").isProblem(400, "bad_query"))
        // Search finds insights; another account does not.
        let hits = try owner.walk("/search?q=sensing")
        #expect(hits.map { $0["type"] } == [.string("insight")])
        #expect(try bob.walk("/search?q=sensing").isEmpty)
        #expect(try bob.get("/insights/\(advice)").isProblem(404, "not_found"))
        #expect(try owner.patch("/insights/\(advice)", #"{"text":"Publish field notes early"}"#).json?["version"] == .int(2))
        #expect(try owner.walk("/search?q=early").count == 1)
        // Deleting the contact takes its insights; deleting the meeting unlinks them.
        #expect(try owner.delete("/contacts/\(ben)").status == 204)
        #expect(try owner.get("/insights/\(advice)").isProblem(404, "not_found"))
        #expect(try owner.delete("/meetings/\(meeting)").status == 204)
        let kept = try #require(owner.walk("/insights").first)
        #expect(kept["meeting_id"] == .null)
    }

    @Test func interestsCarryATargetAndAPriority() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let plain = try #require(owner.post("/interests", #"{"name":"Plain"}"#).json)
        #expect(plain["priority"] == .int(3))
        #expect(plain["target_meetings"] == .null)
        let goal = try owner.post("/interests", #"{"name":"Goal","target_meetings":12,"target_date":"2027-06-30","priority":5}"#)
        #expect(goal.json?["target_meetings"] == .int(12))
        #expect(goal.json?["priority"] == .int(5))
        for (body, field) in [(#"{"name":"X","priority":0}"#, "priority"), (#"{"name":"X","priority":null}"#, "priority"),
                              (#"{"name":"X","target_meetings":0}"#, "target_meetings")] {
            #expect(try owner.post("/interests", body).problemFields == [field], "\(body)")
        }
        let id = try #require(goal.json?["id"]?.intValue)
        #expect(try owner.patch("/interests/\(id)", #"{"target_meetings":null}"#).json?["target_meetings"] == .null)
    }
}
