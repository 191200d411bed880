import Crypto
import Domain
import Foundation
import HTTPCore
import Primitives
import Testing
import TestSupport

/// Webhooks through a real socket, with an in-memory receiver standing in for HTTPS.
@Suite("Webhooks", .timeLimit(.minutes(1)))
struct WebhookTests {
    static func at(_ text: String) throws -> Date { try #require(RFC3339.parse(text)) }

    /// What a receiver does: recompute the signature over "t.body" with the secret.
    static func verifies(_ post: FakeWebhooks.Post, secret: String) -> Bool {
        guard let header = post.headers["Foothold-Signature"] else { return false }
        let parts = Dictionary(header.split(separator: ",").map { pair -> (String, String) in
            let kv = pair.split(separator: "=", maxSplits: 1)
            return (String(kv[0]), kv.count > 1 ? String(kv[1]) : "")
        }, uniquingKeysWith: { $1 })
        guard let t = parts["t"], let v1 = parts["v1"] else { return false }
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(t).\(post.body)".utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined() == v1
    }

    @Test func hooksAreCheckedMadeWithASecretShownOnceAndPrivate() throws {
        let receiver = FakeWebhooks()
        let live = try LiveServer(webhooks: receiver)
        let owner = try live.owner()
        for (body, field) in [
            (#"{"events":["meeting.completed"]}"#, "url"),
            (#"{"url":"http://example.org/hook","events":["meeting.completed"]}"#, "url"),
            (#"{"url":"https://internal.example/hook","events":["meeting.completed"]}"#, "url"),
            (#"{"url":"https://example.org/hook"}"#, "events"),
            (#"{"url":"https://example.org/hook","events":[]}"#, "events"),
            (#"{"url":"https://example.org/hook","events":["meeting.exploded"]}"#, "events"),
        ] {
            let response = try owner.post("/webhooks", body)
            #expect(response.status == 422, "\(body): \(response.text)")
            #expect(response.problemFields == [field], "\(body): \(response.text)")
        }
        #expect(try owner.post("/webhooks", #"{"url":"https://internal.example/hook","events":["agenda.due"]}"#).json?["errors"]?.arrayValue?.first?["message"]?
            .stringValue?.contains("own network") == true)
        #expect(try owner.post("/webhooks", #"{"url":"https://example.org/hook","events":["agenda.due"],"secret":"mine"}"#).isProblem(400, "read_only_fields"))
        #expect(try live.count("SELECT count(*) FROM webhooks") == 0)

        let made = try owner.post("/webhooks", #"{"url":"https://example.org/hook","events":["meeting.completed","referral.created","meeting.completed"]}"#)
        #expect(made.status == 201, "\(made.text)")
        let id = try #require(made.json?["id"]?.intValue)
        #expect(made.header("location") == "/webhooks/\(id)")
        #expect(made.json?["events"] == .array([.string("meeting.completed"), .string("referral.created")]))
        let secret = try #require(made.json?["secret"]?.stringValue)
        #expect(secret.hasPrefix("whsec_"))
        // Never again: not in the list, not in the object.
        #expect(try !owner.get("/webhooks").text.contains(secret))
        #expect(try owner.get("/webhooks/\(id)").json?["secret"] == nil)
        #expect(try owner.get("/webhooks").json?["items"]?.arrayValue?.count == 1)
        // Another account, and a coach reading along, see nothing of it.
        let bob = try live.newUser("bob")
        #expect(try bob.get("/webhooks/\(id)").isProblem(404, "not_found"))
        #expect(try bob.get("/webhooks/\(id)/deliveries").isProblem(404, "not_found"))
        #expect(try bob.delete("/webhooks/\(id)").isProblem(404, "not_found"))
        let ownerID = try #require(try owner.get("/me").json?["id"]?.intValue)
        _ = try owner.post("/shares", #"{"grantee":"bob","scope":"read"}"#)
        #expect(try bob.get("/accounts/\(ownerID)/webhooks").isProblem(404, "not_found"))
        // DELETE takes If-Match as every DELETE does: a stale version is 412 and keeps the hook.
        let etag = try #require(try owner.get("/webhooks/\(id)").header("etag"))
        #expect(try owner.delete("/webhooks/\(id)", headers: [("If-Match", "\"99\"")]).isProblem(412, "precondition_failed"))
        #expect(try live.count("SELECT count(*) FROM webhooks") == 1)
        #expect(try owner.get("/webhooks/\(id)/deliveries?cursor=abc").isProblem(400, "bad_cursor"))
        #expect(try owner.delete("/webhooks/\(id)", headers: [("If-Match", etag)]).status == 204)
        #expect(try owner.get("/webhooks/\(id)").isProblem(404, "not_found"))
        #expect(try live.count("SELECT count(*) FROM webhooks") == 0)
    }

    @Test func eventsArriveSignedAtLeastOnceWithADeliveryID() throws {
        let clock = ManualClock(try Self.at("2026-11-30T09:00:00Z"))
        let receiver = FakeWebhooks()
        let live = try LiveServer(clock: clock, webhooks: receiver)
        let owner = try live.owner()
        let services = try #require(live.services)
        let secret = try #require(owner.post("/webhooks", #"{"url":"https://example.org/hook","events":["meeting.completed","referral.created"]}"#).json?["secret"]?.stringValue)
        let hook = try #require(owner.get("/webhooks").json?["items"]?.arrayValue?.first?["id"]?.intValue)
        // Another account's events never reach it.
        let bob = try live.newUser("bob")
        let theirs = try bob.create("/contacts", #"{"name":"Theirs"}"#)
        let theirMeeting = try bob.create("/meetings", #"{"contact_id":\#(theirs),"scheduled_at":"2026-11-30T08:00:00Z"}"#)
        #expect(try bob.post("/meetings/\(theirMeeting)/complete", #"{"none_offered":true}"#).status == 200)

        let ann = try owner.create("/contacts", #"{"name":"Ann \"Quote\" Berg"}"#)
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(ann),"scheduled_at":"2026-11-30T08:00:00Z"}"#)
        receiver.answerNext(500)
        #expect(try owner.post("/meetings/\(meeting)/complete", #"{"referrals":[{"contact":{"name":"Dana Li"}}]}"#).status == 200)
        try services.webhooks.sendReady()
        #expect(receiver.posts.count == 2)
        var deliveries = try #require(owner.get("/webhooks/\(hook)/deliveries").json?["items"]?.arrayValue)
        try #require(deliveries.count == 2)
        #expect(deliveries.map { $0["event"] } == [.string("referral.created"), .string("meeting.completed")])
        let failed = try #require(deliveries.last)
        #expect(failed["status"] == .string("queued"))
        #expect(failed["attempts"] == .int(1))
        #expect(failed["last_status"] == .int(500))
        #expect(failed["next_attempt_at"] == .string("2026-11-30T09:01:00Z"))
        #expect(deliveries.first?["status"] == .string("delivered"))
        // A minute later it goes again, the same delivery with the same id and body.
        clock.set(try Self.at("2026-11-30T09:01:00Z"))
        try services.webhooks.sendReady()
        let posts = receiver.posts
        try #require(posts.count == 3)
        #expect(posts[0].headers["Foothold-Delivery"] == posts[2].headers["Foothold-Delivery"])
        #expect(posts[0].body == posts[2].body)
        #expect(posts[0].headers["Foothold-Delivery"] != posts[1].headers["Foothold-Delivery"])
        for post in posts { #expect(Self.verifies(post, secret: secret), "\(post.headers)") }
        #expect(!Self.verifies(posts[0], secret: "whsec_wrong"))
        let completed = try #require(posts.first { $0.headers["Foothold-Event"] == "meeting.completed" })
        let json = try #require(try JSONSerialization.jsonObject(with: Data(completed.body.utf8)) as? [String: Any])
        #expect(json["type"] as? String == "meeting.completed")
        #expect(json["id"] as? String == completed.headers["Foothold-Delivery"])
        let data = try #require(json["data"] as? [String: Any])
        #expect(data["meeting_id"] as? Int == Int(meeting))
        #expect((data["referral_ids"] as? [Int])?.count == 1)
        let referral = try #require(posts.first { $0.headers["Foothold-Event"] == "referral.created" })
        let referralData = try #require((try JSONSerialization.jsonObject(with: Data(referral.body.utf8)) as? [String: Any])?["data"] as? [String: Any])
        #expect(referralData["referrer_name"] as? String == "Ann \"Quote\" Berg")
        #expect(referralData["contact_name"] as? String == "Dana Li")
        deliveries = try #require(owner.get("/webhooks/\(hook)/deliveries").json?["items"]?.arrayValue)
        #expect(deliveries.map { $0["status"] } == [.string("delivered"), .string("delivered")])
        #expect(deliveries.last?["attempts"] == .int(2))
        // A referral made by hand is an event too.
        let eli = try owner.create("/contacts", #"{"name":"Eli"}"#)
        _ = try owner.create("/referrals", #"{"referrer_id":\#(ann),"contact_id":\#(eli)}"#)
        try services.webhooks.sendReady()
        #expect(receiver.posts.count == 4)
        #expect(receiver.posts.last?.headers["Foothold-Event"] == "referral.created")
    }

    @Test func agendaDueFiresOncePerItemAsItFallsDue() throws {
        let clock = ManualClock(try Self.at("2026-11-30T07:00:00Z"))
        let receiver = FakeWebhooks()
        let live = try LiveServer(clock: clock, webhooks: receiver)
        let owner = try live.owner()
        let services = try #require(live.services)
        _ = try owner.post("/webhooks", #"{"url":"https://ntfy.example/me","events":["agenda.due"]}"#)
        let ann = try owner.create("/contacts", #"{"name":"Ann"}"#)
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(ann),"scheduled_at":"2026-11-30T10:00:00Z"}"#)
        // Before it is due: the meeting's prep (due two days before) fires, the meeting not yet.
        #expect(try services.webhooks.fireAgenda() == 1)
        #expect(try services.webhooks.fireAgenda() == 0)
        clock.set(try Self.at("2026-11-30T10:00:00Z"))
        #expect(try services.webhooks.fireAgenda() == 1)
        #expect(try services.webhooks.fireAgenda() == 0)
        try services.webhooks.sendReady()
        let kinds = receiver.posts.compactMap { post -> String? in
            let json = try? JSONSerialization.jsonObject(with: Data(post.body.utf8)) as? [String: Any]
            return (json?["data"] as? [String: Any])?["kind"] as? String
        }
        #expect(kinds.sorted() == ["meeting", "prep_missing"])
        #expect(receiver.posts.allSatisfy { $0.headers["Foothold-Event"] == "agenda.due" })
        _ = meeting
    }
}
