import Foundation
import HTTPCore
import Testing
import TestSupport

@Suite("Referrals", .timeLimit(.minutes(1)))
struct ReferralTests {
    @Test func referralLifecycle() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let maria = try owner.create("/contacts", #"{"name":"Maria"}"#)
        let jon = try owner.create("/contacts", #"{"name":"Jon"}"#)
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(maria),"scheduled_at":"2026-12-03T15:00:00Z"}"#)
        let created = try owner.post("/referrals", #"{"referrer_id":\#(maria),"contact_id":\#(jon),"meeting_id":\#(meeting),"note":"runs the lab"}"#)
        #expect(created.status == 201)
        let id = try #require(created.json?["id"]?.intValue)
        #expect(created.header("location") == "/referrals/\(id)")
        #expect(created.json?["status"] == .string("suggested"))
        #expect(try owner.get("/referrals/\(id)").json == created.json)
        #expect(try owner.get("/meetings/\(meeting)").json?["referral_ids"] == .array([.int(id)]))

        // An inline new contact is created with it, in one transaction.
        let inline = try owner.post("/referrals", #"{"referrer_id":\#(maria),"contact":{"name":"Ana Ruiz","email":"ana@example.com"}}"#)
        #expect(inline.status == 201)
        let ana = try #require(inline.json?["contact_id"]?.intValue)
        #expect(try owner.get("/contacts/\(ana)").json?["source"] == .string("referral"))
        let duplicate = try owner.post("/referrals", #"{"referrer_id":\#(maria),"contact":{"name":"Ana again","email":"ANA@example.com"}}"#)
        #expect(duplicate.isProblem(409, "duplicate_contact"))
        #expect(duplicate.json?["existing_id"] == .int(ana))
        #expect(duplicate.json?["detail"]?.stringValue?.hasPrefix("contact:") == true)
        #expect(try live.count("SELECT count(*) FROM contacts") == 3)
        #expect(try live.count("SELECT count(*) FROM referrals") == 2)

        // Status moves forward (contacted may be skipped), to declined from before met, and back
        // to any earlier status to correct a mistake; met and declined never become each other.
        #expect(try owner.patch("/referrals/\(id)", #"{"status":"contacted"}"#).json?["status"] == .string("contacted"))
        #expect(try owner.patch("/referrals/\(id)", #"{"status":"suggested"}"#).json?["status"] == .string("suggested"))
        #expect(try owner.patch("/referrals/\(id)", #"{"status":"declined","note":"not hiring interns"}"#).json?["status"] == .string("declined"))
        let metFromDeclined = try owner.patch("/referrals/\(id)", #"{"status":"met"}"#)
        #expect(metFromDeclined.isProblem(409, "illegal_transition"))
        #expect(metFromDeclined.json?["current_status"] == .string("declined"))
        #expect(try owner.patch("/referrals/\(id)", #"{"status":"contacted"}"#).json?["status"] == .string("contacted"))
        #expect(try owner.patch("/referrals/\(id)", #"{"status":"met"}"#).json?["status"] == .string("met"))
        #expect(try owner.patch("/referrals/\(id)", #"{"status":"declined"}"#).isProblem(409, "illegal_transition"))
        // A wrong "met" is undone.
        #expect(try owner.patch("/referrals/\(id)", #"{"status":"contacted"}"#).json?["status"] == .string("contacted"))
        #expect(try owner.patch("/referrals/\(id)", #"{"status":"suggested"}"#).json?["status"] == .string("suggested"))
        #expect(try owner.patch("/referrals/\(id)", #"{"status":"met"}"#).json?["status"] == .string("met"))
        #expect(try live.count("SELECT count(*) FROM referrals WHERE id = ? AND status = 'met'", [id]) == 1)
        #expect(try owner.listIDs("/referrals?status=met") == [id])

        #expect(try owner.delete("/referrals/\(id)").status == 204)
        #expect(try owner.get("/contacts/\(jon)").status == 200)
        #expect(try owner.walk("/deletions").contains { $0["type"] == .string("referral") && $0["id"] == .int(id) })
    }

    @Test func badReferralsChangeNothing() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let bob = try live.newUser("bob")
        let maria = try owner.create("/contacts", #"{"name":"Maria"}"#)
        let jon = try owner.create("/contacts", #"{"name":"Jon"}"#)
        let withJon = try owner.create("/meetings", #"{"contact_id":\#(jon)}"#)
        let theirs = try bob.create("/contacts", #"{"name":"Bob's"}"#)
        for (body, status, fields) in [
            (#"{"contact_id":\#(jon)}"#, 422, ["referrer_id"]),
            (#"{"referrer_id":\#(maria)}"#, 422, ["contact_id"]),
            (#"{"referrer_id":\#(maria),"contact_id":\#(maria)}"#, 422, ["contact_id"]),
            (#"{"referrer_id":\#(theirs),"contact_id":\#(jon)}"#, 422, ["referrer_id"]),
            (#"{"referrer_id":\#(maria),"contact_id":\#(theirs)}"#, 422, ["contact_id"]),
            (#"{"referrer_id":\#(maria),"contact_id":\#(jon),"meeting_id":\#(withJon)}"#, 422, ["meeting_id"]),
            (#"{"referrer_id":\#(maria),"contact_id":\#(jon),"contact":{"name":"Both"}}"#, 422, ["contact_id"]),
            (#"{"referrer_id":\#(maria),"contact":{"name":"","email":"x"}}"#, 422, ["contact.name", "contact.email"]),
            (#"{"referrer_id":\#(maria),"contact":null}"#, 422, ["contact"]),
            (#"{"referrer_id":\#(maria),"contact_id":\#(jon),"status":"maybe"}"#, 422, ["status"]),
            (#"{"referrer_id":\#(maria),"contact":{"name":"X","stage":"met","id":4}}"#, 400, ["contact.id"]),
        ] {
            let response = try owner.post("/referrals", body)
            #expect(response.status == status, "\(body): \(response.text)")
            #expect(response.problemFields == fields, "\(body)")
        }
        #expect(try live.count("SELECT count(*) FROM referrals") == 0)
        #expect(try live.count("SELECT count(*) FROM contacts") == 3)
        let id = try owner.create("/referrals", #"{"referrer_id":\#(maria),"contact_id":\#(jon)}"#)
        for (body, fields) in [
            (#"{"referrer_id":\#(jon)}"#, ["referrer_id"]), (#"{"contact_id":\#(maria)}"#, ["contact_id"]),
            (#"{"contact":{"name":"New"}}"#, ["contact"]), (#"{"meeting_id":\#(withJon)}"#, ["meeting_id"]), (#"{"status":null}"#, ["status"]),
        ] {
            let response = try owner.patch("/referrals/\(id)", body)
            #expect(response.isProblem(422, "validation_failed"), "\(body)")
            #expect(response.problemFields == fields, "\(body)")
        }
        #expect(try owner.get("/referrals/\(id)").json?["version"] == .int(1))
        for response in [try bob.get("/referrals/\(id)"), try bob.patch("/referrals/\(id)", #"{"note":"x"}"#), try bob.delete("/referrals/\(id)")] {
            #expect(response.isProblem(404, "not_found"))
        }
    }
}

@Suite("Referral network", .timeLimit(.minutes(1)))
struct ReferralNetworkTests {
    @Test func chainsUpAndDownWithCyclesAndDepth() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        // a → b → c → d → e, b → f, and e → a closes a cycle; g stands apart.
        var ids: [String: Int64] = [:]
        for name in ["a", "b", "c", "d", "e", "f", "g"] { ids[name] = try owner.create("/contacts", #"{"name":"\#(name)"}"#) }
        var referrals: [String: Int64] = [:]
        for (from, to) in [("a", "b"), ("b", "c"), ("c", "d"), ("d", "e"), ("b", "f"), ("e", "a")] {
            referrals[from + to] = try owner.create("/referrals", #"{"referrer_id":\#(ids[from]!),"contact_id":\#(ids[to]!)}"#)
        }
        func graph(_ name: String, _ query: String = "") throws -> (nodes: [String: Int64], edges: Set<Int64>, truncated: Bool?) {
            let response = try owner.get("/contacts/\(ids[name]!)/network\(query)")
            #expect(response.status == 200)
            let json = try #require(response.json)
            var nodes: [String: Int64] = [:]
            for node in json["nodes"]?.arrayValue ?? [] { nodes[node["name"]?.stringValue ?? ""] = node["distance"]?.intValue }
            let edges = Set((json["edges"]?.arrayValue ?? []).compactMap { $0["referral_id"]?.intValue })
            let truncated: Bool? = if case .bool(let flag)? = json["truncated"] { flag } else { nil }
            return (nodes, edges, truncated)
        }
        let c = try graph("c", "?depth=2")
        // Down: d (1), e (2). Up: b (1), a (2). Not f: a sibling branch, not a chain through c.
        #expect(c.nodes == ["c": 0, "d": 1, "e": 2, "b": 1, "a": 2])
        #expect(c.edges == Set(["ab", "bc", "cd", "de", "ea"].map { referrals[$0]! }))
        #expect(c.truncated == false)
        // The cycle ends: at depth 10 every node of the loop appears once, at its shortest distance.
        let all = try graph("a", "?depth=10")
        #expect(all.nodes == ["a": 0, "b": 1, "c": 2, "d": 2, "e": 1, "f": 2])  // d is 2 up: d → e → a
        #expect(try graph("g").nodes == ["g": 0])
        #expect(try graph("a", "?depth=1").nodes == ["a": 0, "b": 1, "e": 1])
        for bad in ["?depth=0", "?depth=11", "?depth=x", "?depth=2&depth=3", "?limit=5"] {
            #expect(try owner.get("/contacts/\(ids["a"]!)/network\(bad)").isProblem(400, "bad_query"), "\(bad)")
        }
        // A contact's referrals, made or received.
        #expect(try owner.walkIDs("/contacts/\(ids["b"]!)/referrals?limit=1") == ["ab", "bc", "bf"].map { referrals[$0]! })
        #expect(try owner.listIDs("/contacts/\(ids["g"]!)/referrals") == [])
        #expect(try owner.get("/contacts/\(ids["b"]!)/referrals?referrer_id=1").isProblem(400, "bad_query"))
        let bob = try live.newUser("bob")
        #expect(try bob.get("/contacts/\(ids["a"]!)/network").isProblem(404, "not_found"))
        #expect(try bob.get("/contacts/\(ids["a"]!)/referrals").isProblem(404, "not_found"))
        #expect(try owner.get("/contacts/99999/network").isProblem(404, "not_found"))
    }
}
