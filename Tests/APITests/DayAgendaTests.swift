import Domain
import Foundation
import HTTPCore
import Primitives
import Testing
import TestSupport

/// `GET /agenda` and `/agenda/dismissals`: what is due on a day, in the user's time zone, with
/// "now" pinned by a manual clock.
@Suite("Day agenda", .timeLimit(.minutes(1)))
struct DayAgendaTests {
    static func at(_ text: String) throws -> Date {
        try #require(RFC3339.parse(text))
    }

    /// Every item of the day's agenda, following `next_cursor`, as (kind, ref_id, due).
    static func items(_ client: APIClient, _ date: String, limit: Int = 50) throws -> [(kind: String, ref: Int64, due: String, item: JSONValue)] {
        var result: [(String, Int64, String, JSONValue)] = []
        var path = "/agenda?date=\(date)&limit=\(limit)"
        for _ in 0..<100 {
            let page = try client.get(path)
            guard page.status == 200, let items = page.json?["items"]?.arrayValue else { throw ClientError("GET \(path): \(page.status) \(page.text)") }
            guard page.json?["date"] == .string(date) else { throw ClientError("GET \(path) answered another date: \(page.text)") }
            for item in items {
                result.append((item["kind"]?.stringValue ?? "?", item["ref_id"]?.intValue ?? 0, item["due"]?.stringValue ?? "?", item))
            }
            guard let cursor = page.nextCursor else { return result }
            path = "/agenda?date=\(date)&limit=\(limit)&cursor=\(cursor)"
        }
        throw ClientError("agenda paging did not end")
    }

    /// Moves "now" on to a time the test records as past (never back): a time something
    /// happened cannot be in the future.
    static func advance(_ clock: ManualClock, to text: String) throws {
        let time = try at(text)
        if time > clock.now() { clock.set(time) }
    }

    static func kinds(_ client: APIClient, _ date: String) throws -> [String] {
        try items(client, date).map(\.kind)
    }

    @Test func threeBSevenCountsBusinessDaysInTheUsersZone() throws {
        // Friday 2026-11-20, 15:00 in New York.
        let clock = ManualClock(try Self.at("2026-11-20T20:00:00Z"))
        let live = try LiveServer(clock: clock)
        let owner = try live.owner()
        #expect(try owner.patch("/me", #"{"time_zone":"America/New_York"}"#).status == 200)
        let acme = try owner.create("/organizations", #"{"name":"Acme"}"#)
        let ann = try owner.create("/contacts", #"{"name":"Ann Lee","organization_id":\#(acme)}"#)
        let ben = try owner.create("/contacts", #"{"name":"Ben Ng","organization_id":\#(acme)}"#)
        try Self.advance(clock, to: "2026-11-20T20:00:00Z")
        let sent = try owner.create("/outreach", #"{"contact_id":\#(ann),"sent_at":"2026-11-20T20:00:00Z"}"#)

        // Three business days from Friday 15:00 is Wednesday 15:00 (the weekend skipped), seven is
        // the Tuesday after: at 20:00Z, as both days are in standard time.
        #expect(try Self.kinds(owner, "2026-11-24") == [])
        let wednesday = try Self.items(owner, "2026-11-25")
        #expect(wednesday.map(\.kind) == ["try_second_contact"])
        #expect(wednesday.first?.ref == sent)
        #expect(wednesday.first?.due == "2026-11-25T20:00:00.000Z")
        let item = try #require(wednesday.first?.item)
        #expect(item["contact_id"] == .int(ann))
        #expect(item["outreach_id"] == .int(sent))
        #expect(item["organization_id"] == .int(acme))
        #expect(item["reason"]?.stringValue?.contains("Acme") == true)
        #expect(item["reason"]?.stringValue?.contains("2026-11-20") == true)
        let tuesday = try Self.items(owner, "2026-12-01")
        #expect(tuesday.map(\.kind) == ["try_second_contact", "follow_up"])
        #expect(tuesday.last?.due == "2026-12-01T20:00:00.000Z")
        // The default date is today in the user's zone: 2026-11-20 there.
        #expect(try owner.get("/agenda").json?["date"] == .string("2026-11-20"))
        #expect(try owner.get("/agenda").json?["time_zone"] == .string("America/New_York"))

        // Changing the zone moves business days with it: Tokyo's Saturday 05:00 counts from Monday.
        #expect(try owner.patch("/me", #"{"time_zone":"Asia/Tokyo"}"#).status == 200)
        #expect(try Self.items(owner, "2026-11-26").map(\.due) == ["2026-11-24T20:00:00.000Z"])
        #expect(try owner.patch("/me", #"{"time_zone":"America/New_York"}"#).status == 200)

        // Writing to Ben is the second contact: Ann's try_second_contact is done, Ben's thread starts.
        try Self.advance(clock, to: "2026-11-26T14:00:00Z")
        let second = try owner.create("/outreach", #"{"contact_id":\#(ben),"sent_at":"2026-11-26T14:00:00Z"}"#)
        let later = try Self.items(owner, "2026-12-10")
        // Ben's second contact is due Tuesday 09:00 there, before Ann's follow-up at 15:00.
        #expect(later.map(\.kind) == ["try_second_contact", "follow_up", "follow_up"])
        #expect(later.map(\.ref) == [second, sent, second])
        // A reply from anyone at Acme ends every pending follow-up there.
        try Self.advance(clock, to: "2026-11-27T14:00:00Z")
        _ = try owner.create("/outreach", #"{"contact_id":\#(ben),"direction":"inbound","sent_at":"2026-11-27T14:00:00Z"}"#)
        #expect(try Self.kinds(owner, "2026-12-10") == [])
        #expect(try live.count("SELECT count(*) FROM reminders") == 0)
        // Deleting the reply brings them back; deleting Ben's message gives Ann's second contact back.
        let replies = try owner.listIDs("/outreach?direction=inbound")
        #expect(try owner.delete("/outreach/\(replies[0])").status == 204)
        #expect(try Self.kinds(owner, "2026-12-10").count == 3)
        #expect(try owner.delete("/outreach/\(second)").status == 204)
        #expect(try Self.kinds(owner, "2026-12-10") == ["try_second_contact", "follow_up"])
    }

    @Test func businessDaysAcrossDSTAndWeekends() throws {
        let clock = ManualClock(try Self.at("2026-10-30T16:00:00Z"))
        let live = try LiveServer(clock: clock)
        let owner = try live.owner()
        #expect(try owner.patch("/me", #"{"time_zone":"America/New_York"}"#).status == 200)
        let solo = try owner.create("/contacts", #"{"name":"Solo"}"#)
        // Friday 12:00 EDT; New York falls back on Sunday 1 November, so Wednesday 12:00 EST is 17:00Z.
        try Self.advance(clock, to: "2026-10-30T16:00:00Z")
        let sent = try owner.create("/outreach", #"{"contact_id":\#(solo),"sent_at":"2026-10-30T16:00:00Z"}"#)
        // No organization: no second contact to try, only the follow-up, seven business days on.
        let items = try Self.items(owner, "2026-11-10")
        #expect(items.map(\.kind) == ["follow_up"])
        #expect(items.first?.due == "2026-11-10T17:00:00.000Z")
        #expect(items.first?.ref == sent)
        #expect(try Self.kinds(owner, "2026-11-09") == [])
        // Joining an organization brings the second-contact rule; leaving it takes it away.
        let acme = try owner.create("/organizations", #"{"name":"Acme"}"#)
        #expect(try owner.patch("/contacts/\(solo)", #"{"organization_id":\#(acme)}"#).status == 200)
        #expect(try Self.kinds(owner, "2026-11-10") == ["try_second_contact", "follow_up"])
        #expect(try owner.patch("/contacts/\(solo)", #"{"organization_id":null}"#).status == 200)
        #expect(try Self.kinds(owner, "2026-11-10") == ["follow_up"])
        // A message sent on a Saturday counts from Monday.
        let weekend = try owner.create("/contacts", #"{"name":"Weekend"}"#)
        try Self.advance(clock, to: "2026-11-21T15:00:00Z")
        _ = try owner.create("/outreach", #"{"contact_id":\#(weekend),"sent_at":"2026-11-21T15:00:00Z"}"#)
        #expect(try Self.items(owner, "2026-12-02").last?.due == "2026-12-01T15:00:00.000Z")
        #expect(try Self.items(owner, "2026-11-30").count == 1)

        // Following up once closes the thread: no further follow-ups for later messages.
        try Self.advance(clock, to: "2026-11-11T16:00:00Z")
        _ = try owner.create("/outreach", #"{"contact_id":\#(solo),"sent_at":"2026-11-11T16:00:00Z"}"#)
        try Self.advance(clock, to: "2026-11-25T16:00:00Z")
        _ = try owner.create("/outreach", #"{"contact_id":\#(solo),"sent_at":"2026-11-25T16:00:00Z"}"#)
        #expect(try Self.items(owner, "2027-01-01").map(\.item).allSatisfy { $0["contact_id"] != .int(solo) })
        // A reply from the contact ends it; the next message starts a new thread.
        try Self.advance(clock, to: "2026-11-26T16:00:00Z")
        _ = try owner.create("/outreach", #"{"contact_id":\#(solo),"direction":"inbound","sent_at":"2026-11-26T16:00:00Z"}"#)
        try Self.advance(clock, to: "2026-11-27T16:00:00Z")
        let fresh = try owner.create("/outreach", #"{"contact_id":\#(solo),"sent_at":"2026-11-27T16:00:00Z"}"#)
        #expect(try Self.items(owner, "2027-01-01").filter { $0.item["contact_id"] == .int(solo) }.map(\.ref) == [fresh])
    }

    @Test func keepInTouchFollowsTheLastTouch() throws {
        let clock = ManualClock(try Self.at("2026-11-02T09:00:00Z"))
        let live = try LiveServer(clock: clock)
        let owner = try live.owner()
        let maria = try owner.create("/contacts", #"{"name":"Maria","keep_in_touch_days":10}"#)
        _ = try owner.create("/contacts", #"{"name":"No cadence"}"#)
        #expect(try Self.kinds(owner, "2026-11-11") == [])
        let due = try Self.items(owner, "2026-11-12")
        #expect(due.map(\.kind) == ["keep_in_touch"])
        #expect(due.first?.due == "2026-11-12T09:00:00.000Z")
        #expect(due.first?.item["reason"]?.stringValue?.contains("every 10 days") == true)
        // A reply is a touch: the timer restarts from it.
        try Self.advance(clock, to: "2026-11-14T10:00:00Z")
        _ = try owner.create("/outreach", #"{"contact_id":\#(maria),"direction":"inbound","sent_at":"2026-11-14T10:00:00Z"}"#)
        #expect(try Self.kinds(owner, "2026-11-20") == [])
        #expect(try Self.items(owner, "2026-11-24").first?.due == "2026-11-24T10:00:00.000Z")
        // Dismissed: gone while that due time stands; the next touch brings the contact back.
        let dismissed = try owner.post("/agenda/dismissals", #"{"kind":"keep_in_touch","ref_id":\#(maria)}"#)
        #expect(dismissed.status == 201)
        #expect(dismissed.json?["until"] == .null)
        #expect(try Self.kinds(owner, "2026-12-30") == [])
        try Self.advance(clock, to: "2026-11-25T10:00:00Z")
        _ = try owner.create("/outreach", #"{"contact_id":\#(maria),"channel":"phone","sent_at":"2026-11-25T10:00:00Z"}"#)
        #expect(try Self.items(owner, "2026-12-30").filter { $0.kind == "keep_in_touch" }.map(\.due) == ["2026-12-05T10:00:00.000Z"])
        // A cadence set later runs from the last touch logged before it: here a completed meeting.
        let ola = try owner.create("/contacts", #"{"name":"Ola"}"#)
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(ola),"scheduled_at":"2026-11-02T08:00:00Z"}"#)
        // Logged afterwards: it happened on the 2nd.
        #expect(try owner.post("/meetings/\(meeting)/complete", #"{"none_offered":true,"completed_at":"2026-11-02T09:00:00Z"}"#).status == 200)
        #expect(try owner.patch("/contacts/\(ola)", #"{"keep_in_touch_days":3}"#).status == 200)
        #expect(try Self.items(owner, "2026-11-30").filter { $0.kind == "keep_in_touch" && $0.ref == ola }.map(\.due) == ["2026-11-05T09:00:00.000Z"])
        // Clearing the cadence ends it; a contact who asked not to be contacted is never due.
        #expect(try owner.patch("/contacts/\(maria)", #"{"stage":"do_not_contact"}"#).status == 200)
        #expect(try Self.items(owner, "2026-12-30").filter { $0.kind == "keep_in_touch" && $0.ref == maria }.isEmpty)
        #expect(try owner.patch("/contacts/\(maria)", #"{"stage":"contacted","keep_in_touch_days":null}"#).status == 200)
        #expect(try Self.items(owner, "2027-06-30").filter { $0.kind == "keep_in_touch" && $0.ref == maria }.isEmpty)
    }

    @Test func meetingsThankYousReferralsEventsAndPrep() throws {
        let clock = ManualClock(try Self.at("2026-12-01T08:00:00Z"))
        let live = try LiveServer(clock: clock)
        let owner = try live.owner()
        #expect(try owner.patch("/me", #"{"time_zone":"Europe/Oslo"}"#).status == 200)
        let maria = try owner.create("/contacts", #"{"name":"Maria Berg"}"#)
        // Thursday 3 December, 14:00 in Oslo.
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(maria),"scheduled_at":"2026-12-03T13:00:00Z"}"#)
        let event = try owner.create("/events", #"{"name":"Soil Summit","starts_at":"2026-12-02T17:00:00Z"}"#)

        // Prep is missing from two days before; the meeting itself is due on its day.
        #expect(try Self.kinds(owner, "2026-11-30") == [])
        let tuesday = try Self.items(owner, "2026-12-01")
        #expect(tuesday.map(\.kind) == ["prep_missing"])
        #expect(tuesday.first?.due == "2026-12-01T13:00:00.000Z")
        #expect(tuesday.first?.item["reason"]?.stringValue?.contains("question_count") == true)
        #expect(tuesday.first?.item["meeting_id"] == .int(meeting))
        #expect(try Self.kinds(owner, "2026-12-02") == ["prep_missing", "event"])
        let thursday = try Self.items(owner, "2026-12-03")
        #expect(thursday.map(\.kind) == ["prep_missing", "event", "meeting"])
        try #require(thursday.count == 3)
        #expect(thursday[1].item["reason"]?.stringValue?.contains("still interested") == true)
        #expect(thursday[2].item["reason"]?.stringValue?.contains("2026-12-03 14:00") == true)
        #expect(try owner.patch("/events/\(event)", #"{"status":"attended"}"#).status == 200)

        // Completing it: a thank-you is due at once, the referral to contact too.
        clock.set(try Self.at("2026-12-03T14:00:00Z"))
        let done = try owner.post("/meetings/\(meeting)/complete", #"{"referrals":[{"contact":{"name":"Jon Dahl"}}]}"#)
        #expect(done.status == 200)
        let referral = try #require(done.json?["referral_ids"]?.arrayValue?.first?.intValue)
        // Due at the same instant: ordered by kind.
        let after = try Self.items(owner, "2026-12-03")
        #expect(after.map(\.kind) == ["contact_referral", "thank_you"])
        try #require(after.count == 2)
        #expect(after[1].ref == meeting)
        #expect(after[0].ref == referral)
        #expect(after[0].item["reason"]?.stringValue?.contains("Maria Berg referred you to Jon Dahl") == true)
        #expect(after[1].item["reason"]?.stringValue?.contains("2026-12-04 15:00") == true)
        // Done when recorded.
        try Self.advance(clock, to: "2026-12-03T18:00:00Z")
        #expect(try owner.patch("/meetings/\(meeting)", #"{"thank_you_sent_at":"2026-12-03T18:00:00Z"}"#).status == 200)
        let jon = try #require(after[0].item["contact_id"]?.intValue)
        try Self.advance(clock, to: "2026-12-03T19:00:00Z")
        _ = try owner.create("/outreach", #"{"contact_id":\#(jon),"sent_at":"2026-12-03T19:00:00Z"}"#)
        #expect(try Self.kinds(owner, "2026-12-03") == [])
        // A referral was made: no reminder to ask again.
        #expect(try Self.kinds(owner, "2026-12-20").contains("ask_referral_again") == false)
    }

    @Test func askForAReferralAgainTwiceThenTheThreadCloses() throws {
        let clock = ManualClock(try Self.at("2026-11-02T10:00:00Z"))
        let live = try LiveServer(clock: clock)
        let owner = try live.owner()
        let maria = try owner.create("/contacts", #"{"name":"Maria"}"#)
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(maria),"scheduled_at":"2026-11-02T09:00:00Z"}"#)
        #expect(try owner.post("/meetings/\(meeting)/complete", #"{"none_offered":true}"#).status == 200)
        let asks = { try Self.items(owner, $0).filter { $0.kind == "ask_referral_again" } }
        #expect(try asks("2026-11-08").isEmpty)
        let first = try asks("2026-11-09")
        #expect(first.map(\.ref) == [meeting])
        #expect(first.first?.due == "2026-11-09T10:00:00.000Z")
        // The first ask: due again a week after it.
        try Self.advance(clock, to: "2026-11-10T12:00:00Z")
        _ = try owner.create("/outreach", #"{"contact_id":\#(maria),"sent_at":"2026-11-10T12:00:00Z"}"#)
        #expect(try asks("2026-11-16").isEmpty)
        #expect(try asks("2026-11-17").first?.due == "2026-11-17T12:00:00.000Z")
        #expect(try asks("2026-11-17").first?.item["reason"]?.stringValue?.contains("the last time") == true)
        // The second ask closes the thread.
        try Self.advance(clock, to: "2026-11-18T12:00:00Z")
        let second = try owner.create("/outreach", #"{"contact_id":\#(maria),"sent_at":"2026-11-18T12:00:00Z"}"#)
        #expect(try asks("2027-01-01").isEmpty)
        // Undoing the second ask reopens it; a referral from Maria closes it for good.
        #expect(try owner.delete("/outreach/\(second)").status == 204)
        #expect(try asks("2027-01-01").count == 1)
        let jon = try owner.create("/contacts", #"{"name":"Jon"}"#)
        let referral = try owner.create("/referrals", #"{"referrer_id":\#(maria),"contact_id":\#(jon)}"#)
        #expect(try asks("2027-01-01").isEmpty)
        #expect(try owner.delete("/referrals/\(referral)").status == 204)
        #expect(try asks("2027-01-01").count == 1)
        // Deleting the meeting takes its reminder along.
        #expect(try owner.delete("/meetings/\(meeting)").status == 204)
        #expect(try asks("2027-01-01").isEmpty)
        #expect(try live.count("SELECT count(*) FROM reminders WHERE kind = 'ask_referral_again'") == 0)
    }

    @Test func dismissAndSnooze() throws {
        let clock = ManualClock(try Self.at("2026-11-02T10:00:00Z"))
        let live = try LiveServer(clock: clock)
        let owner = try live.owner()
        let bob = try live.newUser("bob")
        let maria = try owner.create("/contacts", #"{"name":"Maria"}"#)
        let jon = try owner.create("/contacts", #"{"name":"Jon"}"#)
        let referral = try owner.create("/referrals", #"{"referrer_id":\#(maria),"contact_id":\#(jon)}"#)
        let theirs = try bob.create("/contacts", #"{"name":"B"}"#)
        #expect(try Self.kinds(owner, "2026-11-02") == ["contact_referral"])

        // Refused, and nothing stored.
        for (body, fields) in [
            (#"{}"#, ["kind", "ref_id"]),
            (#"{"kind":"nap","ref_id":1}"#, ["kind"]),
            (#"{"kind":"contact_referral","ref_id":null}"#, ["ref_id"]),
            (#"{"kind":"contact_referral","ref_id":"x"}"#, ["ref_id"]),
            (#"{"kind":"contact_referral","ref_id":\#(referral),"until":"tomorrow"}"#, ["until"]),
            (#"{"kind":"contact_referral","ref_id":\#(referral),"extra":1}"#, ["extra"]),
            (#"{"kind":"contact_referral","ref_id":99999}"#, ["ref_id"]),
            (#"{"kind":"keep_in_touch","ref_id":\#(theirs)}"#, ["ref_id"]),
            (#"{"kind":"meeting","ref_id":\#(maria)}"#, ["ref_id"]),
        ] {
            let response = try owner.post("/agenda/dismissals", body)
            #expect(response.status == 422 || response.status == 400, "\(body): \(response.text)")
            #expect(response.header("content-type") == "application/problem+json")
            #expect(response.problemFields == fields, "\(body): \(response.text)")
        }
        #expect(try live.count("SELECT count(*) FROM agenda_dismissals") == 0)

        // Snoozed until a date: its start in the user's zone; hidden before, back on the day.
        let snoozed = try owner.post("/agenda/dismissals", #"{"kind":"contact_referral","ref_id":\#(referral),"until":"2026-11-05"}"#)
        #expect(snoozed.status == 201, "\(snoozed.text)")
        #expect(snoozed.json?["until"] == .string("2026-11-05T00:00:00Z"))
        #expect(snoozed.json?["kind"] == .string("contact_referral"))
        #expect(snoozed.json?["ref_id"] == .int(referral))
        #expect(try Self.kinds(owner, "2026-11-04") == [])
        #expect(try Self.kinds(owner, "2026-11-05") == ["contact_referral"])
        // Again: replaced (200), now for good.
        let forGood = try owner.post("/agenda/dismissals", #"{"kind":"contact_referral","ref_id":\#(referral),"until":null}"#)
        #expect(forGood.status == 200)
        #expect(try Self.kinds(owner, "2027-11-05") == [])
        #expect(try live.count("SELECT count(*) FROM agenda_dismissals") == 1)
        // Brought back.
        #expect(try owner.delete("/agenda/dismissals/contact_referral/\(referral)").status == 204)
        #expect(try Self.kinds(owner, "2026-11-04") == ["contact_referral"])
        #expect(try owner.delete("/agenda/dismissals/contact_referral/\(referral)").isProblem(404, "not_found"))
        #expect(try owner.delete("/agenda/dismissals/nap/\(referral)").isProblem(404, "not_found"))

        // Another account neither sees nor dismisses these.
        #expect(try Self.kinds(bob, "2026-11-04") == [])
        #expect(try bob.post("/agenda/dismissals", #"{"kind":"contact_referral","ref_id":\#(referral)}"#).status == 422)
        #expect(try bob.delete("/agenda/dismissals/contact_referral/\(referral)").isProblem(404, "not_found"))
        #expect(try Self.kinds(owner, "2026-11-04") == ["contact_referral"])
    }

    @Test func pagesThroughThousandsOfOverdueItems() throws {
        let clock = ManualClock(try Self.at("2026-01-01T00:00:00Z"))
        let live = try LiveServer(clock: clock)
        let owner = try live.owner()
        let referrer = try owner.create("/contacts", #"{"name":"Hub"}"#)
        var expected: [Int64] = []
        for day in 1...60 {
            clock.set(try Self.at("2026-01-01T00:00:00Z").addingTimeInterval(Double(day) * 3600))
            let contact = try owner.create("/contacts", #"{"name":"Person \#(day)","keep_in_touch_days":\#(day % 3 + 1)}"#)
            expected.append(try owner.create("/referrals", #"{"referrer_id":\#(referrer),"contact_id":\#(contact)}"#))
        }
        let all = try Self.items(owner, "2026-06-01", limit: 7)
        #expect(all.count == 120)
        #expect(all.filter { $0.kind == "contact_referral" }.map(\.ref) == expected)
        // Ordered by due, then kind, then id, with nothing twice.
        let keys = all.map { "\($0.due)|\($0.kind)|\(String(format: "%012d", $0.ref))" }
        #expect(keys == keys.sorted())
        #expect(Set(keys).count == keys.count)
        #expect(try Self.items(owner, "2026-06-01", limit: 200).map(\.ref) == all.map(\.ref))
    }

    @Test func badAgendaQueries() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        for path in ["/agenda?date=2026-13-01", "/agenda?date=2026-02-30", "/agenda?date=tomorrow", "/agenda?when=today",
                     "/agenda?limit=0", "/agenda?cursor=nope", "/agenda?sort=kind", "/agenda?date=2026-01-01&date=2026-01-02"] {
            #expect(try owner.get(path).isProblem(400, "bad_query") || owner.get(path).isProblem(400, "bad_cursor"), "\(path)")
        }
        #expect(try APIClient(port: live.port, token: "nope").get("/agenda").status == 401)
    }
}
