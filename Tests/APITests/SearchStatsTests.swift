import Domain
import Foundation
import HTTPCore
import Primitives
import Testing
import TestSupport

@Suite("Search and stats", .timeLimit(.minutes(1)))
struct SearchStatsTests {
    /// The hits of a search as "type:id", in rank order.
    static func hits(_ client: APIClient, _ query: String) throws -> [String] {
        let encoded = query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? query
        return try client.walk("/search?q=\(encoded)").map { "\($0["type"]?.stringValue ?? "?"):\($0["id"]?.intValue ?? 0)" }
    }

    @Test func searchFindsEveryKindWithPrefixesAndFoldedDiacritics() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let acme = try owner.create("/organizations", #"{"name":"Kompost Café","industry":"soil science","notes":"Carbon farming"}"#)
        let zoe = try owner.create("/contacts", #"{"name":"Zoë Bergström","organization_id":\#(acme),"notes":"Leads the peat lab"}"#)
        let ola = try owner.create("/contacts", #"{"name":"Ola Nordmann","hook":"Wrote about Bergström's peat survey"}"#)
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(zoe),"notes":"Discussed mycorrhiza trials"}"#)
        let event = try owner.create("/events", #"{"name":"Mycorrhiza Meetup","location":"Oslo"}"#)
        let lead = try owner.create("/leads", #"{"title":"Soil analyst","notes":"Posted by Kompost"}"#)
        let note = try owner.create("/outreach", #"{"contact_id":\#(ola),"summary":"Asked about the peat survey"}"#)

        // Plain words match as prefixes, diacritics folded either way; titles outrank bodies.
        #expect(try Self.hits(owner, "bergs") == ["contact:\(zoe)", "meeting:\(meeting)", "contact:\(ola)"])
        #expect(try Self.hits(owner, "ZOE") == ["contact:\(zoe)", "meeting:\(meeting)"])
        #expect(try Self.hits(owner, "cafe") == ["organization:\(acme)"])
        #expect(Set(try Self.hits(owner, "mycorrhiza")) == ["event:\(event)", "meeting:\(meeting)"])
        #expect(try Self.hits(owner, "mycorrhiza").first == "event:\(event)")
        #expect(Set(try Self.hits(owner, "kompost")) == ["organization:\(acme)", "lead:\(lead)"])
        #expect(Set(try Self.hits(owner, "peat survey")) == ["contact:\(ola)", "outreach:\(note)"])
        #expect(try Self.hits(owner, "peat survey farming").isEmpty)
        // FTS5 syntax as written.
        #expect(Set(try Self.hits(owner, "oslo OR analyst")) == ["event:\(event)", "lead:\(lead)"])
        #expect(try Self.hits(owner, "\"peat lab\"") == ["contact:\(zoe)"])
        #expect(try Self.hits(owner, "title:soil*") == ["lead:\(lead)"])

        let page = try owner.get("/search?q=peat%20lab")
        #expect(page.status == 200)
        let item = try #require(page.json?["items"]?.arrayValue?.first)
        #expect(item["title"] == .string("Zoë Bergström"))
        #expect(item["snippet"]?.stringValue?.contains("<b>peat</b> <b>lab</b>") == true)

        // Triggers keep it in step: renames, edits, deletes.
        #expect(try owner.patch("/contacts/\(zoe)", #"{"name":"Zoe Lindqvist"}"#).status == 200)
        #expect(try Self.hits(owner, "bergstrom") == ["contact:\(ola)"])
        #expect(try Self.hits(owner, "lindqvist") == ["contact:\(zoe)", "meeting:\(meeting)"])
        #expect(try owner.patch("/leads/\(lead)", #"{"notes":null}"#).status == 200)
        #expect(try Self.hits(owner, "kompost") == ["organization:\(acme)"])
        #expect(try owner.delete("/events/\(event)").status == 204)
        #expect(try owner.delete("/outreach/\(note)").status == 204)
        #expect(try Self.hits(owner, "mycorrhiza") == ["meeting:\(meeting)"])
        #expect(try Self.hits(owner, "survey") == ["contact:\(ola)"])
        #expect(try live.count("SELECT count(*) FROM search_index") == 5)
    }

    @Test func searchIsScopedToTheAccountAndPages() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let bob = try live.newUser("bob")
        var mine: [Int64] = []
        for index in 1...25 { mine.append(try owner.create("/contacts", #"{"name":"Gardener \#(index)"}"#)) }
        let theirs = try bob.create("/contacts", #"{"name":"Gardener Bob"}"#)
        #expect(try Self.hits(bob, "gardener") == ["contact:\(theirs)"])
        // No query reaches past the account: a column filter, an OR, a NOT.
        #expect(try Self.hits(bob, "title:gardener") == ["contact:\(theirs)"])
        #expect(try Self.hits(bob, "bob OR gardener") == ["contact:\(theirs)"])
        #expect(try Self.hits(bob, "gardener NOT bob").isEmpty)
        #expect(try bob.get("/search?q=x)%20OR%20(gardener").isProblem(400, "bad_query"))
        #expect(try Self.hits(owner, "bob").isEmpty)
        let walked = try owner.walk("/search?q=gardener&limit=10").compactMap { $0["id"]?.intValue }
        #expect(walked.count == 25)
        #expect(Set(walked) == Set(mine))
    }

    @Test func badSearchesAre400s() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        _ = try owner.create("/contacts", #"{"name":"Ann"}"#)
        for query in ["%22unclosed", "NOT%20x", "AND", "ann%20AND", "(ann", "ann)", "nosuchcolumn:ann", "%5E", "NEAR(ann", "", "%20%20"] {
            let response = try owner.get("/search?q=\(query)")
            #expect(response.isProblem(400, "bad_query"), "\(query): \(response.status) \(response.text)")
            #expect(response.problemFields == ["q"], "\(query)")
        }
        #expect(try owner.get("/search").isProblem(400, "bad_query"))
        #expect(try owner.get("/search?q=ann&cursor=garbage").isProblem(400, "bad_cursor"))
        #expect(try owner.get("/search?q=ann&sort=name").isProblem(400, "bad_query"))
        #expect(try owner.get("/search?q=\(String(repeating: "a", count: 501))").isProblem(400, "bad_query"))
        #expect(try owner.get("/search?q=ann").status == 200)
    }

    @Test func statsOverAPeriod() throws {
        // Monday 2 November 2026.
        let clock = ManualClock(try #require(RFC3339.parse("2026-11-02T09:00:00Z")))
        let live = try LiveServer(clock: clock)
        let owner = try live.owner()
        let bob = try live.newUser("bob")
        _ = try bob.create("/contacts", #"{"name":"Not counted"}"#)
        let ann = try owner.create("/contacts", #"{"name":"Ann","source":"conference"}"#)
        let ben = try owner.create("/contacts", #"{"name":"Ben","source":"conference"}"#)
        let cat = try owner.create("/contacts", #"{"name":"Cat"}"#)
        clock.set(try #require(RFC3339.parse("2026-11-10T09:00:00Z")))
        _ = try owner.create("/contacts", #"{"name":"Dan","source":"alumni"}"#)
        // Ann replies after 2 days, Ben after 4; Cat never.
        _ = try owner.create("/outreach", #"{"contact_id":\#(ann),"sent_at":"2026-11-03T09:00:00Z"}"#)
        _ = try owner.create("/outreach", #"{"contact_id":\#(ann),"direction":"inbound","sent_at":"2026-11-05T09:00:00Z"}"#)
        _ = try owner.create("/outreach", #"{"contact_id":\#(ben),"sent_at":"2026-11-03T09:00:00Z"}"#)
        _ = try owner.create("/outreach", #"{"contact_id":\#(ben),"direction":"inbound","sent_at":"2026-11-07T09:00:00Z"}"#)
        _ = try owner.create("/outreach", #"{"contact_id":\#(cat),"sent_at":"2026-11-04T09:00:00Z"}"#)
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(ann),"scheduled_at":"2026-11-09T09:00:00Z"}"#)
        #expect(try owner.post("/meetings/\(meeting)/complete", #"{"referrals":[{"contact_id":\#(cat)},{"contact_id":\#(ben)}]}"#).status == 200)
        // A thank-you cannot be recorded before it is sent.
        let early = try owner.patch("/meetings/\(meeting)", #"{"thank_you_sent_at":"2026-11-10T20:00:00Z"}"#)
        #expect(early.isProblem(422, "validation_failed"))
        #expect(early.problemFields == ["thank_you_sent_at"])
        clock.set(try #require(RFC3339.parse("2026-11-10T21:00:00Z")))
        #expect(try owner.patch("/meetings/\(meeting)", #"{"thank_you_sent_at":"2026-11-10T20:00:00Z"}"#).status == 200)
        _ = try owner.create("/leads", #"{"title":"Analyst"}"#)

        let stats = try owner.get("/stats")
        #expect(stats.status == 200, "\(stats.text)")
        let json = try #require(stats.json)
        #expect(json["funnel"]?["identified"] == .int(4))
        #expect(json["funnel"]?["contacted"] == .int(3))
        #expect(json["funnel"]?["met"] == .int(1))
        #expect(json["funnel"]?["referred"] == .int(2))
        #expect(json["funnel"]?["leads"] == .int(1))
        #expect(json["funnel"]?["conversion"]?["contacted_per_identified"] == .double(0.75))
        #expect(json["funnel"]?["conversion"]?["leads_per_referred"] == .double(0.5))
        #expect(json["outreach"]?["sent"] == .int(3))
        #expect(json["outreach"]?["replied"] == .int(2))
        #expect(json["outreach"]?["median_days_to_reply"] == .int(3) || json["outreach"]?["median_days_to_reply"] == .double(3))
        #expect(json["meetings"]?["completed"] == .int(1))
        #expect(json["meetings"]?["referrals_per_meeting"] == .int(2) || json["meetings"]?["referrals_per_meeting"] == .double(2))
        #expect(json["meetings"]?["thank_you_within_24h"] == .int(1))
        let weeks = json["new_contacts_per_week"]?.arrayValue?.map { "\($0["week"]?.stringValue ?? ""):\($0["count"]?.intValue ?? 0)" }
        #expect(weeks == ["2026-W45:3", "2026-W46:1"])
        let sources = json["contacts_by_source"]?.arrayValue?.map { "\($0["source"]?.stringValue ?? "null"):\($0["count"]?.intValue ?? 0)" }
        #expect(sources == ["conference:2", "alumni:1", "null:1"])

        // A period: the second week only (dates are midnights in the user's zone).
        let week = try #require(owner.get("/stats?from=2026-11-09&to=2026-11-16").json)
        #expect(week["from"] == .string("2026-11-09T00:00:00Z"))
        // Stages nest: Ann, met this week, counts as contacted and identified in it too (with Dan, added).
        #expect(week["funnel"]?["identified"] == .int(2))
        #expect(week["funnel"]?["contacted"] == .int(1))
        #expect(week["outreach"]?["sent"] == .int(0))
        #expect(week["outreach"]?["reply_rate"] == .null)
        #expect(week["funnel"]?["met"] == .int(1))

        for path in ["/stats?from=yesterday", "/stats?to=2026-11-01&from=2026-11-02", "/stats?from=2026-11-01&from=2026-11-02", "/stats?period=week"] {
            #expect(try owner.get(path).isProblem(400, "bad_query"), "\(path)")
        }
        // Another account's numbers are its own.
        #expect(try bob.get("/stats").json?["funnel"]?["identified"] == .int(1))
        #expect(try bob.get("/stats").json?["outreach"]?["sent"] == .int(0))
    }
}
