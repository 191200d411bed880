import Domain
import Foundation
import HTTPCore
import Primitives
import Testing
import TestSupport

/// `GET /focus`: the areas side by side, with "now" pinned.
@Suite("Where to focus", .timeLimit(.minutes(1)))
struct FocusTests {
    static func at(_ text: String) throws -> Date { try #require(ISO8601DateFormatter().date(from: text)) }

    /// Completes a meeting with `contact` held at `day` (a November 2026 day) 10:00 UTC, with
    /// the completion body's members in `body` (something to leave with is up to the caller).
    static func meet(_ owner: APIClient, _ clock: ManualClock, _ contact: Int64, day: Int, _ body: String = #""none_offered":true"#) throws -> Int64 {
        let date = "2026-11-\(day < 10 ? "0" : "")\(day)"
        clock.set(try at(date + "T11:00:00Z"))
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(contact),"scheduled_at":"\#(date)T10:00:00Z"}"#)
        let done = try owner.post("/meetings/\(meeting)/complete", "{\(body)}")
        #expect(done.status == 200, "\(done.text)")
        return meeting
    }

    static func named(_ interest: Int64, _ skills: [String]) -> String {
        #""insights":["# + skills.map { #"{"interest_id":\#(interest),"kind":"skill","name":"\#($0)","text":"Asked for"}"# }.joined(separator: ",") + "]"
    }

    static func areas(_ response: ClientResponse) -> [JSONValue] { response.json?["areas"]?.arrayValue ?? [] }

    /// A number as a Double, whether the JSON wrote it whole or not.
    static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .int(let whole): Double(whole)
        case .double(let fraction): fraction
        default: nil
        }
    }

    /// An object without one of its members.
    static func without(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case .object(let members) = value else { return value }
        return .object(members.filter { $0.0 != key })
    }

    static func area(_ response: ClientResponse, _ id: Int64) throws -> JSONValue {
        try #require(areas(response).first { $0["interest_id"] == .int(id) })
    }

    /// The README's worked example: three areas where the evidence points to soil carbon.
    static func example() throws -> (LiveServer, APIClient, ManualClock, soil: Int64, gis: Int64, marine: Int64) {
        let clock = ManualClock(try at("2026-11-01T09:00:00Z"))
        let live = try LiveServer(clock: clock)
        let owner = try live.owner()
        let soil = try owner.create("/interests", #"{"name":"Soil carbon","target_meetings":4,"target_date":"2026-11-30","priority":4}"#)
        let gis = try owner.create("/interests", #"{"name":"GIS mapping"}"#)
        let marine = try owner.create("/interests", #"{"name":"Marine policy"}"#)
        let terra = try owner.create("/organizations", #"{"name":"Terra Labs","motivation":3,"posting":2,"interest_ids":[\#(soil)]}"#)
        _ = try owner.create("/organizations", #"{"name":"Humus & Co","motivation":0,"interest_ids":[\#(soil)]}"#)
        _ = try owner.create("/skills", #"{"name":"Remote sensing","level":4}"#)
        _ = try owner.create("/skills", #"{"name":"Statistics in R","level":3}"#)
        func contact(_ name: String, _ area: Int64, organization: Int64? = nil) throws -> Int64 {
            try owner.create("/contacts", #"{"name":"\#(name)","interest_ids":[\#(area)]\#(organization.map { ",\"organization_id\":\($0)" } ?? "")}"#)
        }
        let ann = try contact("Ann Berg", soil, organization: terra)
        let ben = try contact("Ben Okafor", soil)
        let cat = try contact("Cat Lindqvist", soil)
        let gus = try contact("Gus Hale", gis), hal = try contact("Hal Ito", gis), ivy = try contact("Ivy Moss", gis)
        let kim = try contact("Kim Lund", gis), lou = try contact("Lou Park", gis)
        let jo = try contact("Jo Reyes", marine)
        // Everyone in soil carbon wrote back; one of five in GIS did.
        clock.set(try at("2026-11-01T12:00:00Z"))
        for person in [ann, ben, cat, gus, hal, ivy, kim, lou, jo] {
            _ = try owner.create("/outreach", #"{"contact_id":\#(person),"channel":"email","direction":"outbound","sent_at":"2026-11-01T10:00:00Z"}"#)
        }
        for person in [ann, ben, cat, gus] {
            _ = try owner.create("/outreach", #"{"contact_id":\#(person),"channel":"email","direction":"inbound","sent_at":"2026-11-01T11:00:00Z"}"#)
        }
        let first = try meet(owner, clock, ann, day: 3, #"\#(named(soil, ["Remote sensing", "Statistics in R"])),"referrals":[{"contact":{"name":"Dana Li"}},{"contact":{"name":"Eli Roth"}}]"#)
        let second = try meet(owner, clock, ben, day: 4, #"\#(named(soil, ["Remote sensing", "Soil sampling"])),"referrals":[{"contact":{"name":"Fay Chen"}}]"#)
        _ = try meet(owner, clock, cat, day: 5, #"\#(named(soil, ["Soil sampling", "Statistics in R"])),"none_offered":true"#)
        _ = try meet(owner, clock, gus, day: 6, #"\#(named(gis, ["Python"])),"none_offered":true"#)
        _ = try meet(owner, clock, hal, day: 7, #"\#(named(gis, ["Python", "Cartography"])),"none_offered":true"#)
        _ = try meet(owner, clock, ivy, day: 8, #"\#(named(gis, ["Cartography"])),"none_offered":true"#)
        _ = try meet(owner, clock, jo, day: 9)
        for meeting in [first, second] {
            #expect(try owner.patch("/meetings/\(meeting)", #"{"thank_you_sent_at":"2026-11-09T11:00:00Z"}"#).status == 200)
        }
        _ = try owner.create("/leads", #"{"title":"Soil analyst","organization_id":\#(terra),"status":"interviewing"}"#)
        clock.set(try at("2026-11-20T09:00:00Z"))
        return (live, owner, clock, soil, gis, marine)
    }

    @Test func threeAreasWhereTheEvidencePointsOneWay() throws {
        let (live, owner, _, soil, gis, marine) = try Self.example()
        defer { withExtendedLifetime(live) {} }
        let response = try owner.get("/focus")
        #expect(response.status == 200, "\(response.text)")
        #expect(response.header("vary")?.contains("Accept") == true)
        #expect(response.json?["as_of"] == .string("2026-11-20T09:00:00Z"))
        let areas = Self.areas(response)
        try #require(areas.count == 3)
        #expect(areas.map { $0["interest_id"] } == [.int(soil), .int(gis), .int(marine)])
        #expect(areas.map { $0["rank"] } == [.int(1), .int(2), .int(3)])

        let first = areas[0]
        #expect(first["evidence"]?["status"] == .string("enough"))
        #expect(first["evidence"]?["people_met"] == .int(3))
        #expect(first["evidence"]?["meetings_completed"] == .int(3))
        #expect(first["fit"]?["named"] == .int(3))
        #expect(first["fit"]?["have"] == .int(2))
        // (4/5 + 3/5) / 3, the levels of the two you have over the three named.
        #expect(first["fit"]?["share"] == .double(0.47))
        #expect(first["fit"]?["gaps"]?.arrayValue?.map { $0["name"] } == [.string("Soil sampling")])
        #expect(first["traction"]?["written_to"] == .int(3))
        #expect(first["traction"]?["reply_rate"] == .int(1))
        #expect(first["traction"]?["referrals_per_meeting"] == .int(1))
        #expect(first["traction"]?["leads"]?["interviewing"] == .int(1))
        // Cat's meeting, completed on the 5th at 11:00: 14 whole days before the 20th at 09:00.
        #expect(first["traction"]?["days_since_last_touch"] == .int(14))
        // 4 from 2026-11-01 09:00 to the end of the 30th asks for 2.6 by the 20th.
        #expect(first["pace"]?["status"] == .string("on_track"))
        #expect(first["pace"]?["expected_by_now"] == .double(2.6))
        // 12 + 14.1 + 15 + 7.5 + 7.5 + 0 + 5.
        #expect(first["score"] == .double(61.1))
        #expect(first["score_parts"]?["fit"] == .double(14.1))
        #expect(first["reasons"]?.arrayValue?.compactMap(\.stringValue) == [
            "3 people met in 3 meetings: enough to go on",
            "2 of the 3 skills people named, you have, your best fit",
            "1 referral per meeting, your best",
            "All 3 people you wrote to replied, your best",
            "A lead at interviewing",
            "On track: 3 of 4 meetings held, 1 to go by 2026-11-30",
        ])
        let steps = first["next_steps"]?.arrayValue ?? []
        try #require(steps.count == 5)
        #expect(steps.map { $0["kind"]?.stringValue ?? "" } == [
            "send_thank_you", "contact_referral", "reach_organization", "research_organization", "work_on_skill",
        ])
        #expect(steps.first?["text"] == .string("Send Cat Lindqvist a thank-you for your meeting on 2026-11-05"))
        #expect(steps[1]["text"] == .string("Contact Dana Li, whom Ann Berg suggested"))
        #expect(steps[1]["objects"]?.arrayValue?.map { $0["type"] } == [.string("referral"), .string("contact")])
        #expect(steps[2]["text"] == .string("Find a second contact at Terra Labs (motivation 3, posting 2, advocacy no)"))
        #expect(steps[3]["text"] == .string("Research Humus & Co and set its motivation (now 0)"))
        #expect(steps[4]["text"] == .string("Work on Soil sampling: 2 people in Soil carbon named it"))

        let second = areas[1]
        #expect(second["fit"]?["share"] == .int(0))
        #expect(second["traction"]?["reply_rate"] == .double(0.2))
        #expect(second["traction"]?["referrals_per_meeting"] == .int(0))
        #expect(second["pace"]?["status"] == .string("no_target"))
        #expect(second["score"] == .double(17.5))
        #expect(second["reasons"]?.arrayValue?.compactMap(\.stringValue).contains("None of the 2 skills people named, you have") == true)

        let third = areas[2]
        #expect(third["evidence"]?["status"] == .string("too_early"))
        #expect(third["evidence"]?["meetings_needed"] == .int(2))
        #expect(third["reasons"]?.arrayValue?.first == .string("Too early to say: 1 person met; 2 more meetings with someone new would make it enough"))
        #expect(third["fit"]?["share"] == .null)
        // Jo was written to and did not reply, and her meeting left no referral: those parts earn
        // nothing. Nothing was named twice: not measured yet, so fit earns half its points.
        #expect(third["score_parts"]?["fit"] == .int(15))
        #expect(third["score_parts"]?["replies"] == .int(0))
        #expect(third["score_parts"]?["referrals"] == .int(0))

        // As a document.
        let markdown = try owner.get("/focus", headers: [("Accept", "text/markdown")])
        #expect(markdown.header("content-type") == "text/markdown; charset=utf-8")
        #expect(markdown.text.hasPrefix("# Where to focus\n\nAs of 2026-11-20."))
        #expect(markdown.text.contains("\n## 1. Soil carbon: 61.1 of 100\n"))
        #expect(markdown.text.contains("\n## 3. Marine policy: too early ("))
        #expect(markdown.text.contains("1. Send Cat Lindqvist a thank-you for your meeting on 2026-11-05\n"))
        #expect(markdown.text.contains("- 2 of the 3 skills people named, you have, your best fit\n"))
        #expect(markdown.text.contains("Gaps: Soil sampling (2 people)"))

        // Some areas only: ranked among those asked for.
        let two = try owner.get("/focus?interest_id=\(marine)&interest_id=\(gis)")
        #expect(Self.areas(two).map { $0["interest_id"] } == [.int(gis), .int(marine)])
        #expect(Self.areas(two).map { $0["rank"] } == [.int(1), .int(2)])
    }

    @Test func equalEvidenceGivesEqualRank() throws {
        let clock = ManualClock(try Self.at("2026-11-01T09:00:00Z"))
        let live = try LiveServer(clock: clock)
        let owner = try live.owner()
        let north = try owner.create("/interests", #"{"name":"North","priority":2}"#)
        let south = try owner.create("/interests", #"{"name":"South","priority":5}"#)
        let west = try owner.create("/interests", #"{"name":"West"}"#)
        var day = 2
        for (area, people) in [(north, 3), (south, 3), (west, 4)] {
            for index in 0..<people {
                let person = try owner.create("/contacts", #"{"name":"P\#(area)-\#(index)","interest_ids":[\#(area)]}"#)
                _ = try Self.meet(owner, clock, person, day: day)
                day += 1
            }
        }
        let areas = Self.areas(try owner.get("/focus"))
        try #require(areas.count == 3)
        // West met one more person: ahead. North and South share rank 2 (the higher priority listed first).
        #expect(areas.map { $0["interest_id"] } == [.int(west), .int(south), .int(north)])
        #expect(areas.map { $0["rank"] } == [.int(1), .int(2), .int(2)])
        #expect(areas[1]["score"] == areas[2]["score"])
        #expect(areas[1]["reasons"] == areas[2]["reasons"])
    }

    @Test func aSkillYouLackMovesFitDown() throws {
        let clock = ManualClock(try Self.at("2026-11-01T09:00:00Z"))
        let live = try LiveServer(clock: clock)
        let owner = try live.owner()
        let area = try owner.create("/interests", #"{"name":"Data journalism"}"#)
        _ = try owner.create("/skills", #"{"name":"SQL","level":5}"#)
        let ann = try owner.create("/contacts", #"{"name":"Ann","interest_ids":[\#(area)]}"#)
        let ben = try owner.create("/contacts", #"{"name":"Ben","interest_ids":[\#(area)]}"#)
        _ = try Self.meet(owner, clock, ann, day: 2, #"\#(Self.named(area, ["SQL"])),"none_offered":true"#)
        _ = try Self.meet(owner, clock, ben, day: 3, #"\#(Self.named(area, ["sql", "Python"])),"none_offered":true"#)
        let before = try Self.area(try owner.get("/focus"), area)
        // Python was named by one person only: not yet a pattern, so not counted.
        #expect(before["fit"]?["named"] == .int(1))
        #expect(before["fit"]?["share"] == .int(1))
        #expect(before["score_parts"]?["fit"] == .int(30))

        _ = try owner.create("/insights", #"{"contact_id":\#(ann),"interest_id":\#(area),"kind":"skill","name":"python","text":"Every day"}"#)
        let after = try Self.area(try owner.get("/focus"), area)
        #expect(after["fit"]?["named"] == .int(2))
        #expect(after["fit"]?["have"] == .int(1))
        #expect(after["fit"]?["share"] == .double(0.5))
        #expect(after["score_parts"]?["fit"] == .int(15))
        #expect(after["fit"]?["gaps"] == .array([.object([("name", .string("Python")), ("kind", .string("skill")), ("people", .int(2))])]))
        #expect(after["reasons"]?.arrayValue?.contains(.string("1 of the 2 skills people named, you have")) == true)
        #expect(try #require(Self.number(after["score"])) < (try #require(Self.number(before["score"]))))
        #expect(after["next_steps"]?.arrayValue?.contains { $0["kind"] == .string("work_on_skill") && $0["objects"]?.arrayValue?.first?["name"] == .string("Python") } == true)
        // Learning it at level 3 gives back three fifths of it.
        _ = try owner.create("/skills", #"{"name":"Python","level":3}"#)
        #expect(try Self.area(try owner.get("/focus"), area)["fit"]?["share"] == .double(0.8))
    }

    @Test func nextStepsLeaveWhenTheyAreDone() throws {
        let clock = ManualClock(try Self.at("2026-11-01T09:00:00Z"))
        let live = try LiveServer(clock: clock)
        let owner = try live.owner()
        let area = try owner.create("/interests", #"{"name":"Urban planning"}"#)
        let ann = try owner.create("/contacts", #"{"name":"Ann","interest_ids":[\#(area)]}"#)
        let meeting = try Self.meet(owner, clock, ann, day: 2, #""referrals":[{"contact":{"name":"Dana"}}]"#)
        let event = try owner.create("/events", #"{"name":"Planners' meetup","starts_at":"2026-11-10T18:00:00Z","recommended_by_id":\#(ann)}"#)
        clock.set(try Self.at("2026-11-03T09:00:00Z"))
        func steps() throws -> [JSONValue] { try Self.area(try owner.get("/focus"), area)["next_steps"]?.arrayValue ?? [] }
        let referral = try #require(try owner.walk("/referrals").first?["id"]?.intValue)
        var now = try steps()
        try #require(now.count == 3)
        #expect(now.map { $0["kind"]?.stringValue ?? "" } == ["send_thank_you", "contact_referral", "attend_event"])
        #expect(now[1]["objects"]?.arrayValue?.first?["id"] == .int(referral))
        #expect(now[2]["text"] == .string("Register for Planners' meetup on 2026-11-10"))
        #expect(now[2]["objects"]?.arrayValue?.first?["id"] == .int(event))

        #expect(try owner.patch("/referrals/\(referral)", #"{"status":"contacted"}"#).status == 200)
        #expect(try owner.patch("/meetings/\(meeting)", #"{"thank_you_sent_at":"2026-11-03T08:00:00Z"}"#).status == 200)
        now = try steps()
        #expect(now.map { $0["kind"]?.stringValue ?? "" } == ["attend_event"])
        // Once it has begun, an event is no step.
        clock.set(try Self.at("2026-11-11T09:00:00Z"))
        #expect(try steps().isEmpty)
        #expect(try owner.get("/focus", headers: [("Accept", "text/markdown")]).text.contains("Next steps:\n\nNone: keep going.\n"))
    }

    @Test func anotherAccountNeverCounts() throws {
        let clock = ManualClock(try Self.at("2026-11-01T09:00:00Z"))
        let live = try LiveServer(clock: clock)
        let owner = try live.owner()
        let bob = try live.newUser("bob")
        let coach = try live.newUser("cole")
        let mine = try owner.create("/interests", #"{"name":"Urban planning"}"#)
        let theirs = try bob.create("/interests", #"{"name":"Urban planning"}"#)
        let ann = try owner.create("/contacts", #"{"name":"Ann","interest_ids":[\#(mine)]}"#)
        _ = try Self.meet(owner, clock, ann, day: 2)
        let empty = try Self.area(try owner.get("/focus"), mine)
        // Bob's own search, however busy, changes nothing in the owner's report.
        _ = try bob.create("/skills", #"{"name":"GIS","level":5}"#)
        for index in 0..<4 {
            let person = try bob.create("/contacts", #"{"name":"B\#(index)","interest_ids":[\#(theirs)]}"#)
            _ = try Self.meet(bob, clock, person, day: 3 + index, #"\#(Self.named(theirs, ["GIS"])),"referrals":[{"contact":{"name":"R\#(index)"}}]"#)
            _ = try bob.create("/outreach", #"{"contact_id":\#(person),"channel":"email","direction":"outbound","sent_at":"2026-11-01T08:00:00Z"}"#)
        }
        clock.set(try Self.at("2026-11-01T09:00:00Z").addingTimeInterval(9 * 86400))
        let again = try Self.area(try owner.get("/focus"), mine)
        // Only the clock's own effect (days since the last touch) may differ.
        #expect(again["traction"]?["days_since_last_touch"] == .int(7))
        #expect(Self.without("traction", again) == Self.without("traction", empty))
        #expect(Self.without("days_since_last_touch", again["traction"] ?? .null) == Self.without("days_since_last_touch", empty["traction"] ?? .null))
        #expect(Self.areas(try owner.get("/focus")).count == 1)
        let bobs = Self.areas(try bob.get("/focus"))
        #expect(bobs.first?["evidence"]?["people_met"] == .int(4))
        #expect(bobs.first?["fit"]?["share"] == .int(1))
        // Another account's area is not found, as if it did not exist.
        #expect(try owner.get("/focus?interest_id=\(theirs)").isProblem(404, "not_found"))
        #expect(try owner.get("/focus?interest_id=\(mine)&interest_id=999999").isProblem(404, "not_found"))
        #expect(try owner.get("/focus?interest_id=abc").problemFields == ["interest_id"])
        #expect(try owner.get("/focus?area=1").problemFields == ["area"])
        for query in ["interest_id=abc", "interest_id=0", "area=1", "interest_id="] {
            let bad = try owner.get("/focus?\(query)")
            #expect(bad.isProblem(400, "bad_query"), "\(query): \(bad.text)")
        }
        // A coach with a share reads it as the owner does; without one, nothing is there.
        let ownerID = try #require(try owner.get("/me").json?["id"]?.intValue)
        #expect(try coach.get("/accounts/\(ownerID)/focus").isProblem(404, "not_found"))
        #expect(try owner.post("/shares", #"{"grantee":"cole","scope":"read"}"#).status == 201)
        let own = try owner.get("/focus")
        let read = try coach.get("/accounts/\(ownerID)/focus")
        #expect(read.status == 200)
        #expect(read.text == own.text)
    }
}
