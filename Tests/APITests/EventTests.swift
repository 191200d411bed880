import Foundation
import HTTPCore
import Testing
import TestSupport

@Suite("Events", .timeLimit(.minutes(1)))
struct EventTests {
    @Test func eventLifecycle() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let maria = try owner.create("/contacts", #"{"name":"Maria"}"#)
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(maria)}"#)
        let created = try owner.post(
            "/events",
            #"{"name":"Soil summit","starts_at":"2027-02-01T09:00:00Z","ends_at":"2027-02-01T17:00:00Z","url":"https://example.com/summit","recommended_by_id":\#(maria),"meeting_id":\#(meeting)}"#)
        #expect(created.status == 201)
        let id = try #require(created.json?["id"]?.intValue)
        #expect(created.header("location") == "/events/\(id)")
        #expect(created.json?["status"] == .string("interested"))
        #expect(try owner.get("/events/\(id)").json == created.json)
        let registered = try owner.patch("/events/\(id)", #"{"status":"registered","notes":"Bring cards"}"#)
        #expect(registered.json?["status"] == .string("registered"))
        #expect(registered.json?["version"] == .int(2))
        let undated = try owner.create("/events", #"{"name":"A meetup, some day"}"#)
        #expect(try owner.walkIDs("/events?sort=starts_at&limit=1") == [undated, id])
        #expect(try owner.listIDs("/events?from=2027-01-01T00:00:00Z") == [id])
        #expect(try owner.listIDs("/events?status=registered") == [id])
        #expect(try owner.listIDs("/events?recommended_by_id=\(maria)") == [id])
        #expect(try owner.listIDs("/events?q=summit") == [id])
        #expect(try owner.get("/meetings/\(meeting)").json?["event_ids"] == .array([.int(id)]))
        // Deleting the meeting keeps the event, unlinked and moved for sync.
        #expect(try owner.delete("/meetings/\(meeting)").status == 204)
        let unlinked = try owner.get("/events/\(id)")
        #expect(unlinked.json?["meeting_id"] == .null)
        #expect(unlinked.json?["version"] == .int(3))
        #expect(try owner.delete("/events/\(id)").status == 204)
        #expect(try owner.walk("/deletions").contains { $0["type"] == .string("event") && $0["id"] == .int(id) })
    }

    @Test func badEventsChangeNothing() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let bob = try live.newUser("bob")
        let theirContact = try bob.create("/contacts", #"{"name":"B"}"#)
        let theirMeeting = try bob.create("/meetings", #"{"contact_id":\#(theirContact)}"#)
        for (body, status, fields) in [
            (#"{}"#, 422, ["name"]),
            (#"{"name":"E","starts_at":"2027-02-01T09:00:00Z","ends_at":"2027-01-31T09:00:00Z"}"#, 422, ["ends_at"]),
            (#"{"name":"E","url":"mailto:x@example.com"}"#, 422, ["url"]),
            (#"{"name":"E","status":"maybe"}"#, 422, ["status"]),
            (#"{"name":"E","status":null}"#, 422, ["status"]),
            (#"{"name":"E","recommended_by_id":\#(theirContact)}"#, 422, ["recommended_by_id"]),
            (#"{"name":"E","meeting_id":\#(theirMeeting)}"#, 422, ["meeting_id"]),
            (#"{"name":"E","starts_at":"soon"}"#, 422, ["starts_at"]),
            (#"{"name":"E","version":2}"#, 400, ["version"]),
        ] {
            let response = try owner.post("/events", body)
            #expect(response.status == status, "\(body)")
            #expect(response.problemFields == fields, "\(body)")
        }
        #expect(try live.count("SELECT count(*) FROM events") == 0)
        let mine = try owner.create("/events", #"{"name":"Mine"}"#)
        #expect(try bob.get("/events/\(mine)").isProblem(404, "not_found"))
        #expect(try bob.patch("/events/\(mine)", #"{"name":"Theirs"}"#).isProblem(404, "not_found"))
        #expect(try bob.delete("/events/\(mine)").isProblem(404, "not_found"))
        #expect(try bob.listIDs("/events") == [])
        #expect(try owner.get("/events/\(mine)").json?["version"] == .int(1))
    }
}
