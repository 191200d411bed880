import Domain
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
        #expect(try owner.walk("/deletions").contains { $0["type"] == .string("insight") && $0["id"] == .int(advice) })
        #expect(try owner.delete("/meetings/\(meeting)").status == 204)
        let kept = try #require(owner.walk("/insights").first)
        #expect(kept["meeting_id"] == .null)
        #expect(kept["version"] == .int(2))
        #expect(try owner.delete("/interests/\(area)").status == 204)
        let unlinked = try #require(owner.walk("/insights").first)
        #expect(unlinked["interest_id"] == .null)
        #expect(unlinked["version"] == .int(3))
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

/// The knowledge report and the gaps across areas, with "now" pinned.
@Suite("Knowledge report", .timeLimit(.minutes(1)))
struct KnowledgeReportTests {
    static func at(_ text: String) throws -> Date { try #require(ISO8601DateFormatter().date(from: text)) }

    /// Three meetings that name overlapping skills (the README's worked example).
    static func example() throws -> (LiveServer, APIClient, ManualClock, Int64, Int64) {
        let clock = ManualClock(try at("2026-11-01T09:00:00Z"))
        let live = try LiveServer(clock: clock)
        let owner = try live.owner()
        let soil = try owner.create("/interests", #"{"name":"Soil carbon","goal":"A research job in soil carbon","target_meetings":4,"target_date":"2026-11-30","priority":4}"#)
        let gis = try owner.create("/interests", #"{"name":"GIS mapping","priority":2}"#)
        _ = try owner.create("/skills", #"{"name":"Remote sensing","level":2,"evidence":"Thesis chapter"}"#)
        var contacts: [Int64] = []
        for name in ["Ann Berg", "Ben Okafor", "Cat Lindqvist"] {
            contacts.append(try owner.create("/contacts", #"{"name":"\#(name)","interest_ids":[\#(soil)]}"#))
        }
        let said: [[String]] = [
            [#"{"kind":"skill","name":"Remote sensing","text":"Satellite data for every field site"}"#,
             #"{"kind":"skill","name":"Soil sampling","text":"Cores by hand, every season"}"#,
             #"{"kind":"competency","name":"Grant writing","text":"Half the job is funding"}"#,
             #"{"kind":"path","text":"PhD in soil science, then a postdoc abroad"}"#,
             #"{"kind":"advice","text":"Publish your field notes"}"#],
            [#"{"kind":"skill","name":"remote  Sensing","text":"Learn Google Earth Engine"}"#,
             #"{"kind":"skill","name":"Statistics in R","text":"Mixed models"}"#,
             #"{"kind":"trend","text":"Carbon markets are growing"}"#,
             #"{"kind":"resource","text":"The Nature and Properties of Soils"}"#],
            [#"{"kind":"skill","name":"Soil Sampling","text":"Field weeks in autumn"}"#,
             #"{"kind":"skill","name":"Statistics in R","text":"lme4"}"#,
             #"{"kind":"competency","name":"grant writing","text":"EU calls"}"#],
        ]
        for (index, contact) in contacts.enumerated() {
            clock.set(try at("2026-11-0\(2 + index)T10:00:00Z"))
            let meeting = try owner.create("/meetings", #"{"contact_id":\#(contact),"scheduled_at":"2026-11-0\#(2 + index)T09:00:00Z"}"#)
            let insights = said[index].map { $0.replacingOccurrences(of: "{\"kind\"", with: "{\"interest_id\":\(soil),\"kind\"") }.joined(separator: ",")
            // A resource insight is something to leave with; without one, none_offered says so.
            let leaves = said[index].contains { $0.contains("\"resource\"") } ? "" : #""none_offered":true,"#
            let done = try owner.post("/meetings/\(meeting)/complete", #"{\#(leaves)"insights":[\#(insights)]}"#)
            #expect(done.status == 200, "\(done.text)")
            #expect(done.json?["created"]?["insight_ids"]?.arrayValue?.count == said[index].count)
        }
        // Ann also named statistics for another area, outside a meeting.
        _ = try owner.create("/insights", #"{"contact_id":\#(contacts[0]),"interest_id":\#(gis),"kind":"skill","name":"Statistics in R","text":"Spatial stats"}"#)
        return (live, owner, clock, soil, gis)
    }

    @Test func skillsRankedByContactsWithGapsMarked() throws {
        let (live, owner, _, soil, gis) = try Self.example()
        let report = try #require(owner.get("/interests/\(soil)/knowledge").json)
        let skills = report["skills"]?.arrayValue ?? []
        #expect(skills.map { $0["name"]?.stringValue ?? "" } == ["Soil sampling", "Statistics in R", "Remote sensing"])
        #expect(skills.map { $0["contacts"] } == [.int(2), .int(2), .int(2)])
        #expect(skills.map { $0["status"] } == [.string("gap"), .string("gap"), .string("have")])
        #expect(skills.last?["level"] == .int(2))
        #expect(skills.first?["level"] == .null)
        #expect(skills.first?["last_named_at"] == .string("2026-11-04T10:00:00Z"))
        #expect(report["competencies"]?.arrayValue?.map { $0["name"] } == [.string("Grant writing")])
        #expect(report["competencies"]?.arrayValue?.first?["contacts"] == .int(2))
        #expect(report["paths"]?.arrayValue?.first?["contact_name"] == .string("Ann Berg"))
        #expect(report["advice"]?.arrayValue?.count == 1)
        #expect(report["trends"]?.arrayValue?.first?["text"] == .string("Carbon markets are growing"))
        #expect(report["resources"]?.arrayValue?.first?["text"] == .string("The Nature and Properties of Soils"))
        #expect(report["people"]?.arrayValue?.map { $0["meetings"] } == [.int(1), .int(1), .int(1)])
        #expect(report["meetings_held"] == .int(3))
        #expect(report["progress"]?["status"] == .string("on_track"))
        #expect(report["progress"]?["remaining"] == .int(1))

        // Across areas, weighted by priority: statistics is named in both (2 × 4 + 1 × 2).
        let gaps = try #require(owner.get("/skills/gaps").json?["items"]?.arrayValue)
        #expect(gaps.map { $0["name"]?.stringValue ?? "" } == ["Statistics in R", "Grant writing", "Soil sampling"])
        #expect(gaps.map { $0["score"] } == [.int(10), .int(8), .int(8)])
        #expect(gaps.first?["contacts"] == .int(3))
        #expect(gaps.first?["areas"]?.arrayValue?.map { $0["interest_id"] } == [.int(soil), .int(gis)])
        // Learning a skill closes its gap.
        _ = try owner.create("/skills", #"{"name":"STATISTICS IN R","level":1}"#)
        #expect(try owner.get("/skills/gaps").json?["items"]?.arrayValue?.first?["name"] == .string("Grant writing"))
        let after = try #require(owner.get("/interests/\(soil)/knowledge").json?["skills"]?.arrayValue)
        try #require(after.count == 3)
        #expect(after[1]["name"] == .string("Statistics in R"))
        #expect(after[1]["status"] == .string("have"))

        // As a document.
        let markdown = try owner.get("/interests/\(soil)/knowledge", headers: [("Accept", "text/markdown")])
        #expect(markdown.header("content-type") == "text/markdown; charset=utf-8")
        #expect(markdown.text.hasPrefix("# Soil carbon\n"))
        #expect(markdown.text.contains("| Soil sampling | 2 | 2026-11-04 | **gap** |"))
        #expect(markdown.text.contains("- PhD in soil science, then a postdoc abroad — Ann Berg"))
        #expect(markdown.text.contains("3 of 4 meetings held, 1 to go by 2026-11-30: on track."))

        // Another account sees none of it.
        let bob = try live.newUser("bob")
        #expect(try bob.get("/interests/\(soil)/knowledge").isProblem(404, "not_found"))
        #expect(try bob.get("/skills/gaps").json?["items"] == .array([]))
        #expect(try owner.get("/interests/999999/knowledge").isProblem(404, "not_found"))
    }

    @Test func goalPaceAtItsEdges() throws {
        let clock = ManualClock(try Self.at("2026-11-01T00:00:00Z"))
        let live = try LiveServer(clock: clock)
        let owner = try live.owner()
        // Ten meetings over exactly ten days (to the end of 10 November).
        let area = try owner.create("/interests", #"{"name":"Paced","target_meetings":10,"target_date":"2026-11-10"}"#)
        let none = try owner.create("/interests", #"{"name":"Open"}"#)
        let past = try owner.create("/interests", #"{"name":"Late","target_meetings":2,"target_date":"2026-11-03"}"#)
        let status = { (id: Int64) throws -> JSONValue? in try owner.get("/interests/\(id)/knowledge").json?["progress"] }
        #expect(try status(none)?["status"] == .string("no_target"))
        #expect(try status(none)?["remaining"] == .null)
        var completed = 0
        func meet() throws {
            let contact = try owner.create("/contacts", #"{"name":"P\#(completed)","interest_ids":[\#(area),\#(past)]}"#)
            let meeting = try owner.create("/meetings", #"{"contact_id":\#(contact),"scheduled_at":"2026-10-31T08:00:00Z"}"#)
            #expect(try owner.post("/meetings/\(meeting)/complete", #"{"none_offered":true}"#).status == 200)
            completed += 1
        }
        for _ in 0..<4 { try meet() }
        clock.set(try Self.at("2026-11-06T00:00:00Z"))
        // Half the time gone asks for 5: 4 is behind, 5 exactly on pace.
        #expect(try status(area)?["expected_by_now"] == .double(5) || status(area)?["expected_by_now"] == .int(5))
        #expect(try status(area)?["status"] == .string("behind"))
        try meet()
        #expect(try status(area)?["status"] == .string("on_track"))
        // A target date passed without the meetings: behind; reached: done.
        #expect(try status(past)?["status"] == .string("done"))
        let late = try owner.create("/interests", #"{"name":"Later","target_meetings":20,"target_date":"2026-11-02"}"#)
        #expect(try status(late)?["status"] == .string("behind"))
        for _ in 0..<5 { try meet() }
        #expect(try status(area)?["status"] == .string("done"))
        #expect(try status(area)?["remaining"] == .int(0))
    }

    @Test func insightsAtCompletion() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let ann = try owner.create("/contacts", #"{"name":"Ann"}"#)
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(ann),"scheduled_at":"2026-11-01T08:00:00Z"}"#)
        // Only advice: nothing to leave with. A resource insight is something.
        #expect(try owner.post("/meetings/\(meeting)/complete", #"{"insights":[{"kind":"advice","text":"Read more"}]}"#).isProblem(422, "nothing_to_leave_with"))
        let bad = try owner.post("/meetings/\(meeting)/complete", #"{"insights":[{"kind":"skill","text":"x"},{"kind":"resource","text":"Book","interest_id":999}]}"#)
        #expect(bad.status == 422)
        #expect(bad.problemFields == ["insights[0].name"])
        let badArea = try owner.post("/meetings/\(meeting)/complete", #"{"insights":[{"kind":"resource","text":"Book","interest_id":999}]}"#)
        #expect(badArea.problemFields == ["insights[0].interest_id"])
        #expect(try live.count("SELECT count(*) FROM insights") == 0)
        let done = try owner.post("/meetings/\(meeting)/complete", #"{"insights":[{"kind":"resource","text":"Soil book"}]}"#)
        #expect(done.status == 200)
        let insight = try #require(owner.walk("/insights").first)
        #expect(insight["meeting_id"] == .int(meeting))
        #expect(insight["contact_id"] == .int(ann))
    }
}
