import Foundation
import HTTPCore
import Testing
import TestSupport

@Suite("Leads", .timeLimit(.minutes(1)))
struct LeadTests {
    @Test func leadLifecycle() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let acme = try owner.create("/organizations", #"{"name":"Acme"}"#)
        let maria = try owner.create("/contacts", #"{"name":"Maria","organization_id":\#(acme)}"#)
        let created = try owner.post(
            "/leads", #"{"title":"Data engineer","organization_id":\#(acme),"contact_id":\#(maria),"source":"contact","url":"https://example.com/job"}"#)
        #expect(created.status == 201)
        let id = try #require(created.json?["id"]?.intValue)
        #expect(created.header("location") == "/leads/\(id)")
        #expect(created.json?["status"] == .string("found"))
        #expect(try owner.get("/leads/\(id)").json == created.json)
        for (status, code) in [("applied", 200), ("found", 409), ("interviewing", 200), ("applied", 409), ("offer", 200), ("closed", 200), ("offer", 409), ("found", 200)] {
            let response = try owner.patch("/leads/\(id)", #"{"status":"\#(status)"}"#)
            #expect(response.status == code, "\(status)")
            if code == 409 { #expect(response.isProblem(409, "illegal_transition")) }
        }
        let posting = try owner.create("/leads", #"{"title":"Analyst","status":"applied"}"#)
        #expect(try owner.listIDs("/leads?status=found") == [id])
        #expect(try owner.listIDs("/leads?status=applied") == [posting])
        #expect(try owner.listIDs("/leads?source=contact") == [id])
        #expect(try owner.listIDs("/leads?organization_id=\(acme)") == [id])
        #expect(try owner.walkIDs("/leads?sort=title&limit=1") == [posting, id])
        // Deleting the contact unlinks the lead and moves it; the organization stays while the lead is at it.
        let before = try #require(try owner.get("/leads/\(id)").json?["version"]?.intValue)
        #expect(try owner.delete("/contacts/\(maria)").status == 204)
        let refused = try owner.delete("/organizations/\(acme)")
        #expect(refused.isProblem(409, "has_dependants"))
        #expect(refused.json?["detail"]?.stringValue?.contains("lead(s) are at it") == true)
        let unlinked = try owner.get("/leads/\(id)")
        #expect(unlinked.json?["contact_id"] == .null)
        #expect(unlinked.json?["organization_id"] == .int(acme))
        #expect(unlinked.json?["version"] == .int(before + 1))
        #expect(try owner.delete("/leads/\(id)").status == 204)
        #expect(try owner.walk("/deletions").contains { $0["type"] == .string("lead") && $0["id"] == .int(id) })
        #expect(try owner.delete("/leads/\(posting)").status == 204)
        #expect(try owner.delete("/organizations/\(acme)").status == 204)
    }

    @Test func badLeadsChangeNothing() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let bob = try live.newUser("bob")
        let theirs = try bob.create("/organizations", #"{"name":"Theirs"}"#)
        for (body, status, fields) in [
            (#"{}"#, 422, ["title"]), (#"{"title":"T","organization_id":\#(theirs)}"#, 422, ["organization_id"]),
            (#"{"title":"T","contact_id":99999}"#, 422, ["contact_id"]), (#"{"title":"T","url":"example.com"}"#, 422, ["url"]),
            (#"{"title":"T","source":"newspaper"}"#, 422, ["source"]), (#"{"title":"T","status":null}"#, 422, ["status"]),
            (#"{"title":"T","created_at":"2026-01-01T00:00:00Z"}"#, 400, ["created_at"]),
        ] {
            let response = try owner.post("/leads", body)
            #expect(response.status == status, "\(body)")
            #expect(response.problemFields == fields, "\(body)")
        }
        #expect(try live.count("SELECT count(*) FROM leads") == 0)
        let mine = try owner.create("/leads", #"{"title":"Mine"}"#)
        for response in [try bob.get("/leads/\(mine)"), try bob.patch("/leads/\(mine)", #"{"title":"x"}"#), try bob.delete("/leads/\(mine)")] {
            #expect(response.isProblem(404, "not_found"))
        }
        #expect(try bob.listIDs("/leads") == [])
    }
}
