import Domain
import Foundation
import HTTPCore
import Primitives
import Testing
import TestSupport

/// The morning digest through a real socket: settings in `/me`, the confirmation, preview,
/// sending now and the deliveries, with a fake relay standing in for SMTP.
@Suite("The morning digest", .timeLimit(.minutes(1)))
struct DigestTests {
    static func at(_ text: String) throws -> Date { try #require(RFC3339.parse(text)) }

    @Test func withoutSMTPTheDigestIsOffAndSaysWhy() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let before = try #require(owner.get("/me").json)
        #expect(before["digest"] == .null)
        let refused = try owner.patch("/me", #"{"digest":{"email":"ann@example.org","at":"07:30"},"headline":"Soil scientist"}"#)
        #expect(refused.isProblem(422, "digest_unavailable"), "\(refused.text)")
        #expect(refused.problemFields == ["digest"])
        #expect(refused.json?["detail"]?.stringValue?.contains("--smtp-url") == true)
        // Nothing of the request was kept, the headline neither.
        #expect(try owner.get("/me").json?["headline"] == before["headline"])
        #expect(try owner.post("/me/digest/send", "{}").isProblem(422, "digest_unavailable"))
        // Turning off what is off, and a preview, work without SMTP.
        #expect(try owner.patch("/me", #"{"digest":null}"#).status == 200)
        let preview = try owner.get("/me/digest/preview")
        #expect(preview.status == 200)
        #expect(preview.json?["would_send"] == .bool(false))
        #expect(try owner.get("/me/deliveries").json?["items"] == .array([]))
        #expect(try live.count("SELECT count(*) FROM deliveries") == 0)
    }

    @Test func settingsAreCheckedThenConfirmedByTheMailedCode() throws {
        let clock = ManualClock(try Self.at("2026-11-27T14:05:00Z"))
        let mail = FakeMail()
        let live = try LiveServer(clock: clock, publicURL: "https://foothold.example.org", mail: mail)
        let owner = try live.owner()
        let services = try #require(live.services)
        #expect(try owner.patch("/me", #"{"time_zone":"Europe/Oslo"}"#).status == 200)
        for (body, field) in [
            (#"{"digest":{"email":"ann@example.org","at":"7:30"}}"#, "digest.at"),
            (#"{"digest":{"email":"ann@example.org","at":"07:30","days":["funday"]}}"#, "digest.days"),
            (#"{"digest":{"email":"ann@example.org","at":"07:30","days":[]}}"#, "digest.days"),
            (#"{"digest":{"email":"not an email","at":"07:30"}}"#, "digest.email"),
            (#"{"digest":{"at":"07:30"}}"#, "digest.email"),
            (#"{"digest":{"email":"ann@example.org"}}"#, "digest.at"),
            (#"{"digest":{"email":"a@example.org, b@example.org","at":"07:30"}}"#, "digest.email"),
            (#"{"digest":"daily"}"#, "digest"),
        ] {
            let response = try owner.patch("/me", body)
            #expect(response.status == 422, "\(body): \(response.text)")
            #expect(response.problemFields == [field], "\(body): \(response.text)")
        }
        let unknown = try owner.patch("/me", #"{"digest":{"email":"ann@example.org","at":"07:30","hour":7}}"#)
        #expect(unknown.isProblem(400, "unknown_fields"))
        #expect(unknown.problemFields == ["digest.hour"])
        #expect(try owner.patch("/me", #"{"digest":{"email":"ann@example.org","at":"07:30","confirmed":true}}"#).isProblem(400, "read_only_fields"))
        #expect(try live.count("SELECT count(*) FROM users WHERE digest_email IS NOT NULL") == 0)
        #expect(try live.count("SELECT count(*) FROM deliveries") == 0)

        let version = try #require(owner.get("/me").json?["version"]?.intValue)
        let set = try owner.patch("/me", #"{"digest":{"email":"ann@example.org","at":"07:30","days":["wed","mon"]}}"#)
        #expect(set.status == 200, "\(set.text)")
        #expect(set.json?["version"] == .int(version + 1))
        #expect(set.json?["digest"] == .object([
            ("email", .string("ann@example.org")), ("at", .string("07:30")), ("days", .array([.string("mon"), .string("wed")])),
            ("send_when_empty", .bool(false)), ("confirmed", .bool(false)), ("next_at", .null),
        ]))
        // The confirmation goes out; nothing else will until it is followed.
        try services.digests.sendReady()
        #expect(mail.sent.map(\.to) == ["ann@example.org"])
        let confirmation = try #require(mail.sent.first)
        let code = try #require(mail.code(0))
        #expect(mail.part(0).contains("https://foothold.example.org/#/settings?digest_code=\(code)"))
        #expect(confirmation.text.contains("Subject: Confirm your Foothold digest"))
        // The code is in no answer and no longer stored in clear.
        #expect(try !owner.get("/me/deliveries").text.contains(code))
        #expect(try !owner.get("/me").text.contains(code))
        #expect(try live.count("SELECT count(*) FROM deliveries WHERE payload IS NOT NULL") == 0)
        #expect(try owner.post("/me/digest/send", "{}").isProblem(422, "digest_unconfirmed"))

        let wrong = try owner.post("/me/digest/confirm", #"{"code":"dc_not-it"}"#)
        #expect(wrong.isProblem(422, "invalid_code"))
        #expect(wrong.problemFields == ["code"])
        let missing = try owner.post("/me/digest/confirm", "{}")
        #expect(missing.status == 422)
        #expect(missing.problemFields == ["code"])
        let confirmed = try owner.post("/me/digest/confirm", #"{"code":"\#(code)"}"#)
        #expect(confirmed.status == 200, "\(confirmed.text)")
        #expect(confirmed.json?["digest"]?["confirmed"] == .bool(true))
        // Friday afternoon in Oslo: the next chosen day is Monday, 07:30 there.
        #expect(confirmed.json?["digest"]?["next_at"] == .string("2026-11-30T06:30:00Z"))
        // Confirming again changes nothing; the old code after a new address does not work.
        #expect(try owner.post("/me/digest/confirm", #"{"code":"\#(code)"}"#).status == 200)
        // A new time reschedules at once; a new zone too.
        #expect(try owner.patch("/me", #"{"digest":{"at":"08:00"}}"#).json?["digest"]?["next_at"] == .string("2026-11-30T07:00:00Z"))
        #expect(try owner.patch("/me", #"{"time_zone":"America/New_York"}"#).json?["digest"]?["next_at"] == .string("2026-11-30T13:00:00Z"))
        #expect(try owner.patch("/me", #"{"digest":{"email":"ann@new.example"}}"#).json?["digest"]?["confirmed"] == .bool(false))
        #expect(try owner.post("/me/digest/confirm", #"{"code":"\#(code)"}"#).isProblem(422, "invalid_code"))
        let off = try owner.patch("/me", #"{"digest":null}"#)
        #expect(off.json?["digest"] == .null)
        #expect(try live.count("SELECT count(*) FROM users WHERE digest_email IS NOT NULL OR digest_code_hash IS NOT NULL OR digest_next_at IS NOT NULL") == 0)
    }

    @Test func previewSendNowAndTheDeliveries() throws {
        let clock = ManualClock(try Self.at("2026-11-30T07:00:00Z"))
        let mail = FakeMail()
        let live = try LiveServer(clock: clock, mail: mail)
        let owner = try live.owner()
        let services = try #require(live.services)
        let ann = try owner.create("/contacts", #"{"name":"Ann <b>Berg</b>"}"#)
        _ = try owner.create("/meetings", #"{"contact_id":\#(ann),"scheduled_at":"2026-11-30T15:00:00Z"}"#)
        let area = try owner.create("/interests", #"{"name":"Soil carbon","target_meetings":4,"target_date":"2026-12-31"}"#)
        _ = area
        let preview = try #require(owner.get("/me/digest/preview").json)
        #expect(preview["to"] == .null)
        // The meeting today, and its prep, due two days before and not done: overdue.
        #expect(preview["due_count"] == .int(2))
        #expect(preview["would_send"] == .bool(true))
        #expect(preview["subject"] == .string("Foothold, 2026-11-30: 2 things to do, 1 overdue"))
        let text = try #require(preview["text"]?.stringValue)
        #expect(text.contains("\nOverdue\n- Prepare: "))
        #expect(text.contains("\nToday\n- Meeting: "))
        #expect(text.contains("Ann <b>Berg</b>"))
        #expect(text.contains("Soil carbon: 0 meetings this week; 0 of 4 held by 2026-12-31, behind") || text.contains("Soil carbon: 0 meetings this week; 0 of 4 held by 2026-12-31, on track"))
        let html = try #require(preview["html"]?.stringValue)
        #expect(html.contains("Ann &lt;b&gt;Berg&lt;/b&gt;"))
        #expect(!html.contains("<b>Berg"))

        _ = try owner.patch("/me", #"{"digest":{"email":"me@example.org","at":"06:00"}}"#)
        try services.digests.sendReady()
        let code = try #require(mail.code(0))
        #expect(try owner.post("/me/digest/confirm", #"{"code":"\#(code)"}"#).status == 200)
        let sent = try owner.post("/me/digest/send", "")
        #expect(sent.status == 202, "\(sent.text)")
        #expect(sent.json?["kind"] == .string("manual"))
        #expect(sent.json?["status"] == .string("queued"))
        try services.digests.sendReady()
        try #require(mail.sent.count == 2)
        #expect(mail.sent[1].text.contains("Subject: Foothold, 2026-11-30: 2 things to do, 1 overdue"))
        #expect(mail.part(1, "text/html").contains("Ann &lt;b&gt;Berg&lt;/b&gt;"))
        // Sending now is not the day's digest: the schedule still sends tomorrow's.
        let deliveries = try #require(owner.get("/me/deliveries").json?["items"]?.arrayValue)
        try #require(deliveries.count == 2)
        #expect(deliveries.map { $0["kind"] } == [.string("manual"), .string("confirmation")])
        #expect(deliveries.map { $0["status"] } == [.string("sent"), .string("sent")])
        #expect(deliveries.first?["sent_at"] == .string("2026-11-30T07:00:00Z"))
        let first = try owner.get("/me/deliveries?limit=1")
        let cursor = try #require(first.json?["next_cursor"]?.stringValue)
        #expect(try owner.get("/me/deliveries?limit=1&cursor=\(cursor)").json?["items"]?.arrayValue?.first?["kind"] == .string("confirmation"))
        for (query, code) in [("limit=0", "bad_query"), ("cursor=abc", "bad_cursor"), ("limit=1&limit=2", "bad_query"), ("since=2026", "bad_query")] {
            #expect(try owner.get("/me/deliveries?\(query)").isProblem(400, code), "\(query)")
        }
        // Another account sees none of it.
        let bob = try live.newUser("bob")
        #expect(try bob.get("/me/deliveries").json?["items"] == .array([]))
        #expect(try bob.get("/me").json?["digest"] == .null)
    }
}
