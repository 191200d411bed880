import Foundation
import HTTPCore
import Testing
import TestSupport

@Suite("Outreach", .timeLimit(.minutes(1)))
struct OutreachTests {
    @Test func outboundOutreachMovesTheContactAndItsReferrals() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let maria = try owner.create("/contacts", #"{"name":"Maria"}"#)
        let jon = try owner.create("/contacts", #"{"name":"Jon"}"#)
        let referral = try owner.create("/referrals", #"{"referrer_id":\#(maria),"contact_id":\#(jon)}"#)
        let pitch = try owner.create("/pitches", #"{"name":"P","body":"Could we talk?"}"#)
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(jon),"scheduled_at":"2026-12-10T10:00:00Z"}"#)
        #expect(try owner.get("/contacts/\(jon)").json?["stage"] == .string("scheduled"))
        let fresh = try owner.create("/contacts", #"{"name":"Fresh"}"#)

        // An inbound message does not move anything.
        let reply = try owner.post("/outreach", #"{"contact_id":\#(fresh),"direction":"inbound","channel":"linkedin"}"#)
        #expect(reply.status == 201)
        #expect(try owner.get("/contacts/\(fresh)").json?["stage"] == .string("identified"))
        // The first outbound one does.
        let sent = try owner.post(
            "/outreach", #"{"contact_id":\#(fresh),"sent_at":"2026-11-29T09:00:00Z","pitch_id":\#(pitch),"summary":"Intro email"}"#)
        #expect(sent.status == 201)
        let id = try #require(sent.json?["id"]?.intValue)
        #expect(sent.header("location") == "/outreach/\(id)")
        #expect(sent.json?["channel"] == .string("email"))
        #expect(sent.json?["direction"] == .string("outbound"))
        #expect(sent.json?["sent_at"] == .string("2026-11-29T09:00:00Z"))
        #expect(try owner.get("/outreach/\(id)").json == sent.json)
        #expect(try owner.get("/contacts/\(fresh)").json?["stage"] == .string("contacted"))
        // Never backwards: Jon is scheduled already; his referral moves on, though.
        _ = try owner.create("/outreach", #"{"contact_id":\#(jon),"channel":"phone"}"#)
        #expect(try owner.get("/contacts/\(jon)").json?["stage"] == .string("scheduled"))
        #expect(try owner.get("/referrals/\(referral)").json?["status"] == .string("contacted"))
        // Outreach counts for meeting prep's pitch check.
        let prep = try owner.get("/meetings/\(meeting)/prep").json?["items"]?.arrayValue ?? []
        #expect(prep.first { $0["code"] == .string("pitch") }?["status"] == .string("pass"))

        #expect(try owner.listIDs("/outreach?contact_id=\(fresh)") == [reply.json?["id"]?.intValue ?? 0, id])
        #expect(try owner.listIDs("/contacts/\(fresh)/outreach?direction=outbound") == [id])
        #expect(try owner.walkIDs("/contacts/\(fresh)/outreach?sort=-sent_at&limit=1").count == 2)
        #expect(try owner.get("/contacts/\(fresh)/outreach?contact_id=\(jon)").isProblem(400, "bad_query"))
        #expect(try owner.listIDs("/outreach?from=2026-11-29T08:00:00Z&to=2026-11-29T10:00:00Z") == [id])

        // The pitch a message used stays; deleting the contact takes its log, with tombstones.
        #expect(try owner.delete("/pitches/\(pitch)").isProblem(409, "has_dependants"))
        #expect(try owner.get("/outreach/\(id)").json?["pitch_id"] == .int(pitch))
        #expect(try owner.delete("/contacts/\(fresh)").status == 204)
        #expect(try owner.get("/outreach/\(id)").isProblem(404, "not_found"))
        #expect(try owner.walk("/deletions").contains { $0["type"] == .string("outreach") && $0["id"] == .int(id) })
        // No message uses it now: the pitch may go.
        #expect(try owner.delete("/pitches/\(pitch)").status == 204)
    }

    @Test func badOutreachChangesNothing() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let bob = try live.newUser("bob")
        let maria = try owner.create("/contacts", #"{"name":"Maria"}"#)
        let theirs = try bob.create("/contacts", #"{"name":"B"}"#)
        let theirPitch = try bob.create("/pitches", #"{"name":"P","body":"Hi?"}"#)
        for (body, status, fields) in [
            (#"{}"#, 422, ["contact_id"]),
            (#"{"contact_id":\#(theirs)}"#, 422, ["contact_id"]),
            (#"{"contact_id":\#(maria),"pitch_id":\#(theirPitch)}"#, 422, ["pitch_id"]),
            (#"{"contact_id":\#(maria),"resume_id":99999}"#, 422, ["resume_id"]),
            (#"{"contact_id":\#(maria),"channel":"carrier pigeon"}"#, 422, ["channel"]),
            (#"{"contact_id":\#(maria),"direction":"sideways"}"#, 422, ["direction"]),
            (#"{"contact_id":\#(maria),"sent_at":null}"#, 422, ["sent_at"]),
            (#"{"contact_id":\#(maria),"summary":"a\u0001b"}"#, 422, ["summary"]),
            (#"{"contact_id":\#(maria),"id":1}"#, 400, ["id"]),
        ] {
            let response = try owner.post("/outreach", body)
            #expect(response.status == status, "\(body): \(response.text)")
            #expect(response.problemFields == fields, "\(body)")
        }
        #expect(try live.count("SELECT count(*) FROM outreach") == 0)
        #expect(try owner.get("/contacts/\(maria)").json?["stage"] == .string("identified"))
        let id = try owner.create("/outreach", #"{"contact_id":\#(maria)}"#)
        let other = try owner.create("/contacts", #"{"name":"Other"}"#)
        for (body, field) in [(#"{"contact_id":\#(other)}"#, "contact_id"), (#"{"direction":null}"#, "direction")] {
            let response = try owner.patch("/outreach/\(id)", body)
            #expect(response.isProblem(422, "validation_failed"), "\(body)")
            #expect(response.problemFields == [field], "\(body)")
        }
        #expect(try owner.get("/outreach/\(id)").json?["version"] == .int(1))
        for response in [
            try bob.get("/outreach/\(id)"), try bob.patch("/outreach/\(id)", #"{"summary":"x"}"#), try bob.delete("/outreach/\(id)"),
            try bob.get("/contacts/\(maria)/outreach"),
        ] {
            #expect(response.isProblem(404, "not_found"))
        }
        #expect(try bob.listIDs("/outreach") == [])
    }
}
