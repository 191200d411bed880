import Domain
import Foundation
import HTTPCore
import Primitives
import Testing
import TestSupport

/// What a six-week job search found (issue 24): each test failed before its fix.
@Suite("Findings of a six-week search", .timeLimit(.minutes(1)))
struct FindingsTests {
    static func at(_ text: String) throws -> Date { try #require(RFC3339.parse(text)) }

    @Test func lineBreaksSurviveEveryExport() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let ann = try owner.create("/contacts", #"{"name":"Ann","notes":"line one\r\nline two\r\nline three"}"#)
        #expect(try owner.get("/contacts/\(ann)").json?["notes"] == .string("line one\nline two\nline three"))
        #expect(try live.count("SELECT count(*) FROM contacts WHERE instr(notes, char(13)) > 0") == 0)

        // CSV: one contact is one record, its notes quoted.
        let csv = try owner.get("/contacts.csv")
        let records = try CSV.records(Array(csv.body))
        try #require(records.count == 2)
        #expect(records[1].fields[13] == "line one\nline two\nline three")
        #expect(csv.text.contains("\"line one\nline two\nline three\""))
        // A CR LF that reaches the writer some other way is quoted too.
        #expect(CSV.field("a\r\nb") == "\"a\r\nb\"")
        #expect(CSV.line(["x", "a\r\nb"]) == "x,\"a\r\nb\"\r\n")

        // vCard out and in again: the same notes, the same identified_at.
        let vcf = try owner.get("/contacts.vcf")
        let bob = try live.newUser("bob")
        #expect(try bob.request("POST", "/imports/vcard", body: Array(vcf.body), headers: [("Content-Type", "text/vcard")]).status == 200)
        let theirs = try #require(bob.walk("/contacts").first)
        let mine = try #require(owner.get("/contacts/\(ann)").json)
        #expect(theirs["notes"] == mine["notes"])
        #expect(theirs["identified_at"] == mine["identified_at"])
        #expect(theirs["source"] == .null)
    }

    @Test func oneReferralPerReferrerAndPerson() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let ann = try owner.create("/contacts", #"{"name":"Ann"}"#)
        let ben = try owner.create("/contacts", #"{"name":"Ben"}"#)
        let cat = try owner.create("/contacts", #"{"name":"Cat"}"#)
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(ann),"scheduled_at":"2026-01-05T10:00:00Z"}"#)

        // Twice inside one completion: 422 naming the repeat, nothing written.
        let twice = try owner.post("/meetings/\(meeting)/complete", #"{"referrals":[{"contact_id":\#(ben)},{"contact_id":\#(ben)}]}"#)
        #expect(twice.isProblem(422, "validation_failed"))
        #expect(twice.problemFields == ["referrals[1].contact_id"])
        #expect(try live.count("SELECT count(*) FROM referrals") == 0)
        #expect(try owner.get("/meetings/\(meeting)").json?["status"] == .string("scheduled"))

        let done = try owner.post("/meetings/\(meeting)/complete", #"{"referrals":[{"contact_id":\#(ben)}]}"#)
        #expect(done.status == 200)
        let first = try #require(done.json?["referral_ids"]?.arrayValue?.first?.intValue)

        // The same referrer and person again: 409 with the one that stands.
        let again = try owner.post("/referrals", #"{"referrer_id":\#(ann),"contact_id":\#(ben),"meeting_id":\#(meeting)}"#)
        #expect(again.isProblem(409, "duplicate_referral"))
        #expect(again.json?["existing_id"] == .int(first))
        let second = try owner.create("/meetings", #"{"contact_id":\#(ann),"scheduled_at":"2026-01-06T10:00:00Z"}"#)
        let repeated = try owner.post("/meetings/\(second)/complete", #"{"referrals":[{"contact_id":\#(cat)},{"contact_id":\#(ben)}]}"#)
        #expect(repeated.isProblem(409, "duplicate_referral"))
        #expect(repeated.json?["existing_id"] == .int(first))
        #expect(try live.count("SELECT count(*) FROM referrals") == 1)
        // Someone else may refer the same person, and the same referrer someone else.
        #expect(try owner.post("/referrals", #"{"referrer_id":\#(cat),"contact_id":\#(ben)}"#).status == 201)
        #expect(try owner.post("/referrals", #"{"referrer_id":\#(ann),"contact_id":\#(cat)}"#).status == 201)
        // The funnel counts each once.
        #expect(try owner.get("/stats").json?["funnel"]?["referred"] == .int(3))
    }

    @Test func aRecordThatCanTellThePast() throws {
        let clock = ManualClock(try Self.at("2026-11-20T12:00:00Z"))
        let live = try LiveServer(clock: clock)
        let owner = try live.owner()
        let ann = try owner.create("/contacts", #"{"name":"Ann","identified_at":"2024-05-01T09:00:00Z"}"#)
        #expect(try owner.get("/contacts/\(ann)").json?["identified_at"] == .string("2024-05-01T09:00:00Z"))
        let future = try owner.post("/contacts", #"{"name":"Later","identified_at":"2026-11-21T12:00:00Z"}"#)
        #expect(future.isProblem(422, "validation_failed"))
        #expect(future.problemFields == ["identified_at"])
        #expect(try owner.patch("/contacts/\(ann)", #"{"identified_at":null}"#).problemFields == ["identified_at"])
        // Five minutes of clock skew are allowed.
        #expect(try owner.post("/contacts", #"{"name":"Skewed","identified_at":"2026-11-20T12:04:00Z"}"#).status == 201)

        // A row written outside the API without a date reads as found when added, in lists too.
        let handMade = try owner.create("/contacts", #"{"name":"Hand made"}"#)
        _ = try #require(live.database).write { try $0.run("UPDATE contacts SET identified_at = '' WHERE id = ?", [handMade]) }
        let single = try owner.get("/contacts/\(handMade)").json
        let listed = try owner.get("/contacts?q=hand").json?["items"]?.arrayValue?.first
        #expect(single?["identified_at"] == single?["created_at"])
        #expect(listed?["identified_at"] == single?["created_at"])
        #expect(listed?["identified_at"] != JSONValue.null)
        // And stats count it as found when added, in the week the clock says.
        let week = try #require(owner.get("/stats?from=2026-11-16&to=2026-11-23").json?["new_contacts_per_week"]?.arrayValue)
        #expect(week.first?["week"] == .string("2026-W47"))
        #expect(week.first?["count"] == .int(2))

        // Outreach and thank-yous are things that happened.
        let outreach = try owner.post("/outreach", #"{"contact_id":\#(ann),"sent_at":"2026-11-20T12:10:00Z"}"#)
        #expect(outreach.problemFields == ["sent_at"])
        #expect(try live.count("SELECT count(*) FROM outreach") == 0)

        // A meeting logged afterwards keeps when it happened.
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(ann),"scheduled_at":"2026-11-18T15:00:00Z"}"#)
        let ahead = try owner.post("/meetings/\(meeting)/complete", #"{"none_offered":true,"completed_at":"2026-11-21T00:00:00Z"}"#)
        #expect(ahead.problemFields == ["completed_at"])
        let done = try owner.post("/meetings/\(meeting)/complete", #"{"none_offered":true,"completed_at":"2026-11-18T16:00:00Z"}"#)
        #expect(done.status == 200, "\(done.text)")
        #expect(done.json?["completed_at"] == .string("2026-11-18T16:00:00Z"))
        #expect(done.json?["thank_you_due_at"] == .string("2026-11-19T16:00:00Z"))
        #expect(try owner.patch("/meetings/\(meeting)", #"{"thank_you_sent_at":"2026-11-20T13:00:00Z"}"#).problemFields == ["thank_you_sent_at"])
        #expect(try owner.patch("/meetings/\(meeting)", #"{"thank_you_sent_at":"2026-11-19T09:00:00Z"}"#).status == 200)

        // Not before its time, unless completed_at says when it really happened.
        let tomorrow = try owner.create("/meetings", #"{"contact_id":\#(ann),"scheduled_at":"2026-11-21T15:00:00Z"}"#)
        let early = try owner.post("/meetings/\(tomorrow)/complete", #"{"none_offered":true}"#)
        #expect(early.isProblem(422, "not_yet_held"))
        #expect(early.problemFields == ["completed_at"])
        #expect(try owner.post("/meetings/\(tomorrow)/complete", #"{"none_offered":true,"completed_at":null}"#).problemFields == ["completed_at"])
        let moved = try owner.post("/meetings/\(tomorrow)/complete", #"{"none_offered":true,"completed_at":"2026-11-20T09:00:00Z"}"#)
        #expect(moved.status == 200)
        #expect(try live.count("SELECT count(*) FROM meetings WHERE status = 'completed'") == 2)
    }

    @Test func aCancelledMeetingGivesTheStageBack() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let stage = { (id: Int64) throws -> String? in try owner.get("/contacts/\(id)").json?["stage"]?.stringValue }
        let ann = try owner.create("/contacts", #"{"name":"Ann","stage":"contacted"}"#)
        let first = try owner.create("/meetings", #"{"contact_id":\#(ann),"scheduled_at":"2030-01-05T10:00:00Z"}"#)
        let second = try owner.create("/meetings", #"{"contact_id":\#(ann),"scheduled_at":"2030-01-06T10:00:00Z"}"#)
        #expect(try stage(ann) == "scheduled")
        // `{}` is no body; a reason is kept.
        let cancelled = try owner.post("/meetings/\(first)/cancel", "{}")
        #expect(cancelled.status == 200, "\(cancelled.text)")
        #expect(cancelled.json?["status_reason"] == .null)
        // Another meeting with her is still scheduled: the stage stays.
        #expect(try stage(ann) == "scheduled")
        let missed = try owner.post("/meetings/\(second)/no-show", #"{"reason":"She was ill"}"#)
        #expect(missed.json?["status_reason"] == .string("She was ill"))
        #expect(try stage(ann) == "contacted")
        #expect(try owner.post("/meetings/\(second)/cancel", "{}").isProblem(409, "illegal_transition"))
        #expect(try owner.post("/meetings/\(first)/no-show", #"{"reason":null}"#).problemFields == ["reason"])

        // A proposed meeting scheduled later remembers the stage from then.
        let ben = try owner.create("/contacts", #"{"name":"Ben"}"#)
        let proposed = try owner.create("/meetings", #"{"contact_id":\#(ben)}"#)
        #expect(try owner.post("/meetings/\(proposed)/schedule", #"{"scheduled_at":"2030-02-01T10:00:00Z"}"#).status == 200)
        #expect(try stage(ben) == "scheduled")
        #expect(try owner.post("/meetings/\(proposed)/cancel", #"{"reason":"Rescheduling"}"#).json?["status_reason"] == .string("Rescheduling"))
        #expect(try stage(ben) == "identified")
        let tooLong = try owner.post("/meetings/\(first)/cancel", "{\"reason\":\"\(String(repeating: "x", count: 2001))\"}")
        #expect(tooLong.status == 409 || tooLong.status == 422)
        // Moved on by hand: a cancellation does not pull them back.
        let cat = try owner.create("/contacts", #"{"name":"Cat"}"#)
        let third = try owner.create("/meetings", #"{"contact_id":\#(cat),"scheduled_at":"2030-01-05T10:00:00Z"}"#)
        #expect(try owner.patch("/contacts/\(cat)", #"{"stage":"dormant"}"#).status == 200)
        #expect(try owner.post("/meetings/\(third)/cancel", "").status == 200)
        #expect(try stage(cat) == "dormant")
    }

    @Test func followUpsSkipTheUsersHolidaysAndUseTheirIntervals() throws {
        // Wednesday 25 November 2026; Thursday is Thanksgiving.
        let clock = ManualClock(try Self.at("2026-11-25T15:00:00Z"))
        let live = try LiveServer(clock: clock)
        let owner = try live.owner()
        let me = try #require(owner.get("/me").json)
        #expect(me["follow_up_days"] == .array([.int(3), .int(7)]))
        #expect(me["holidays"] == .array([]))
        let acme = try owner.create("/organizations", #"{"name":"Acme"}"#)
        let ann = try owner.create("/contacts", #"{"name":"Ann","organization_id":\#(acme)}"#)
        let sent = try owner.create("/outreach", #"{"contact_id":\#(ann),"sent_at":"2026-11-25T15:00:00Z"}"#)
        let due = { (kind: String) throws -> String? in
            try live.database?.read { try $0.queryOne("SELECT due_at FROM reminders WHERE kind = ? AND ref_id = ?", [kind, sent]) { $0.string(0) } } ?? nil
        }
        #expect(try due("try_second_contact") == "2026-11-30T15:00:00.000Z")
        #expect(try due("follow_up") == "2026-12-04T15:00:00.000Z")

        let set = try owner.patch("/me", #"{"holidays":["2026-11-27","2026-11-26","2026-11-26"],"follow_up_days":[2,5]}"#)
        #expect(set.status == 200, "\(set.text)")
        #expect(set.json?["holidays"] == .array([.string("2026-11-26"), .string("2026-11-27")]))
        #expect(set.json?["follow_up_days"] == .array([.int(2), .int(5)]))
        // Thursday and Friday skipped: two business days are Monday and Tuesday, five the Friday after.
        #expect(try due("try_second_contact") == "2026-12-01T15:00:00.000Z")
        #expect(try due("follow_up") == "2026-12-04T15:00:00.000Z")
        #expect(try Self.agendaKinds(owner, "2026-12-01").contains("try_second_contact"))
        #expect(try !Self.agendaKinds(owner, "2026-11-30").contains("try_second_contact"))

        for (body, field) in [
            (#"{"follow_up_days":[7,3]}"#, "follow_up_days"), (#"{"follow_up_days":[3]}"#, "follow_up_days"),
            (#"{"follow_up_days":[0,7]}"#, "follow_up_days"), (#"{"follow_up_days":null}"#, "follow_up_days"),
            (#"{"holidays":["26/11/2026"]}"#, "holidays"), (#"{"holidays":null}"#, "holidays"),
        ] {
            let refused = try owner.patch("/me", body)
            #expect(refused.status == 422, "\(body)")
            #expect(refused.problemFields == [field], "\(body)")
        }
        #expect(try owner.get("/me").json?["follow_up_days"] == .array([.int(2), .int(5)]))
        // The export carries the settings into a restore.
        let export = try owner.get("/export")
        #expect(export.json?["account"]?["holidays"] == .string("2026-11-26,2026-11-27"))
    }

    static func agendaKinds(_ client: APIClient, _ date: String) throws -> [String] {
        try (client.get("/agenda?date=\(date)").json?["items"]?.arrayValue ?? []).compactMap { $0["kind"]?.stringValue }
    }

    @Test func importsTakeAreasTagsAndWindowsCSV() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let area = try owner.create("/interests", #"{"name":"Logistics"}"#)
        let csv = Array("First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\nAna,Ruiz,https://www.linkedin.com/in/anaruiz,,Acme,,3/12/2024\r\nBo,Li,https://www.linkedin.com/in/boli,,,,2024-01-31\r\nCy,Do,https://www.linkedin.com/in/cydo,,,,someday\r\n".utf8)
        let bad = try owner.request("POST", "/imports/linkedin?interest_ids=999", body: csv, headers: [("Content-Type", "text/csv")])
        #expect(bad.isProblem(422, "validation_failed"))
        #expect(bad.problemFields == ["interest_ids"])
        #expect(try owner.request("POST", "/imports/linkedin?interest_ids=x", body: csv, headers: [("Content-Type", "text/csv")]).isProblem(400, "bad_query"))
        #expect(try live.count("SELECT count(*) FROM contacts") == 0)

        let report = try owner.request(
            "POST", "/imports/linkedin?interest_ids=\(area)&tags=chicago,fall", body: csv, headers: [("Content-Type", "application/vnd.ms-excel")])
        #expect(report.status == 200, "\(report.text)")
        #expect(report.json?["created"] == .int(3))
        #expect(report.json?["warnings"]?.arrayValue?.count == 1)
        let contacts = try owner.walk("/contacts?sort=name")
        #expect(contacts.map { $0["identified_at"]?.stringValue ?? "-" } == ["2024-03-12T00:00:00Z", "2024-01-31T00:00:00Z", contacts[2]["created_at"]?.stringValue ?? "?"])
        for contact in contacts {
            #expect(contact["interest_ids"] == .array([.int(area)]))
            #expect(contact["tags"] == .array([.string("chicago"), .string("fall")]))
        }
        #expect(try owner.walk("/contacts?interest_id=\(area)").count == 3)
    }

    @Test func namesMatchAndSortWithoutCaseDiacriticsOrNormalization() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let nfd = "A\u{301}lvarez"
        _ = try owner.create("/contacts", #"{"name":"Zack Young"}"#)
        _ = try owner.create("/contacts", #"{"name":"Élise Martin"}"#)
        let alvarez = try owner.create("/contacts", "{\"name\":\"Maria \(nfd)\"}")
        _ = try owner.create("/contacts", #"{"name":"adam Ng"}"#)
        #expect(try owner.walk("/contacts?sort=name").map { $0["name"]?.stringValue ?? "" } == ["adam Ng", "Élise Martin", "Maria \(nfd)", "Zack Young"])
        #expect(try owner.walk("/contacts?sort=-name").map { $0["name"]?.stringValue ?? "" }.first == "Zack Young")
        #expect(try owner.listIDs("/contacts?q=alvarez") == [alvarez])
        #expect(try owner.listIDs("/contacts?q=%C3%81LVAREZ") == [alvarez])
        #expect(try owner.walk("/contacts?q=elise").count == 1)
        // Paging by name walks every contact once.
        #expect(try owner.walk("/contacts?sort=name&limit=1").count == 4)
        _ = try owner.create("/organizations", #"{"name":"Öresund Logistics"}"#)
        _ = try owner.create("/organizations", #"{"name":"Pacific Freight"}"#)
        #expect(try owner.walk("/organizations?sort=name").map { $0["name"]?.stringValue ?? "" } == ["Öresund Logistics", "Pacific Freight"])
        #expect(try owner.walk("/organizations?q=oresund").count == 1)
    }
}

extension FindingsTests {
    @Test func funnelStagesNest() throws {
        let clock = ManualClock(try Self.at("2026-11-20T12:00:00Z"))
        let live = try LiveServer(clock: clock)
        let owner = try live.owner()
        // Found years ago on LinkedIn, met this month without a message first.
        let old = try owner.create("/contacts", #"{"name":"Old Friend","identified_at":"2023-04-03T10:00:00Z","source":"linkedin"}"#)
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(old),"scheduled_at":"2026-11-10T10:00:00Z"}"#)
        #expect(try owner.post("/meetings/\(meeting)/complete", #"{"none_offered":true,"completed_at":"2026-11-10T11:00:00Z"}"#).status == 200)
        let new = try owner.create("/contacts", #"{"name":"New","identified_at":"2026-11-16T09:00:00Z"}"#)
        _ = try owner.create("/outreach", #"{"contact_id":\#(new),"sent_at":"2026-11-17T09:00:00Z"}"#)
        _ = try owner.create("/contacts", #"{"name":"Just added"}"#)

        let november = try #require(owner.get("/stats?from=2026-11-01&to=2026-12-01").json)
        let funnel = try #require(november["funnel"])
        #expect(funnel["identified"] == .int(3))
        #expect(funnel["contacted"] == .int(2))
        #expect(funnel["met"] == .int(1))
        #expect(funnel["conversion"]?["met_per_contacted"] == .double(0.5))
        #expect(funnel["conversion"]?["contacted_per_identified"] == .double(0.667))
        // New contacts by when they were found, not when they were typed in.
        let weeks = november["new_contacts_per_week"]?.arrayValue ?? []
        #expect(weeks.map { $0["week"]?.stringValue ?? "" } == ["2026-W47"])
        #expect(weeks.first?["count"] == .int(2))
        let all = try #require(owner.get("/stats").json)
        #expect(all["new_contacts_per_week"]?.arrayValue?.first?["week"] == .string("2023-W14"))
        #expect(all["contacts_by_source"]?.arrayValue?.count == 2)
        // 2023: found then, nothing else.
        let then = try #require(owner.get("/stats?from=2023-01-01&to=2024-01-01").json?["funnel"])
        #expect(then["identified"] == .int(1))
        #expect(then["contacted"] == .int(0))
    }
}

extension FindingsTests {
    @Test func feedURLsAreHTTPSBehindATrustedTLSProxy() throws {
        let proxied = try LiveServer { $0.trustedProxies = TrustedProxies([AddressBlock("127.0.0.1/32")].compactMap { $0 }) }
        let owner = try proxied.owner()
        let url = { (headers: [(String, String)]) throws -> String in
            try owner.request("POST", "/feeds", body: [], headers: headers).json?["url"]?.stringValue ?? ""
        }
        let https = try url([("X-Forwarded-Proto", "https")])
        #expect(https.hasPrefix("https://") && https.contains("/calendar/fc_"), "\(https)")
        #expect(try url([("Forwarded", "for=192.0.2.1;proto=https;host=x")]).hasPrefix("https://"))
        #expect(try url([("X-Forwarded-Proto", "https, http")]).hasPrefix("https://"))
        #expect(try url([("X-Forwarded-Proto", "http")]).hasPrefix("http://"))
        #expect(try url([]).hasPrefix("http://"))

        // From anyone else the header is not believed.
        let direct = try LiveServer()
        let other = try direct.owner()
        #expect(try other.request("POST", "/feeds", body: [], headers: [("X-Forwarded-Proto", "https")]).json?["url"]?.stringValue?.hasPrefix("http://") == true)

        // A stated public URL wins.
        let stated = try LiveServer(publicURL: "https://foothold.example.org/")
        let third = try stated.owner()
        let feed = try third.request("POST", "/feeds", body: [], headers: [])
        let token = try #require(feed.json?["token"]?.stringValue)
        #expect(feed.json?["url"] == .string("https://foothold.example.org/calendar/\(token).ics"))
    }
}

extension FindingsTests {
    @Test func dismissalsReachTheFeedAndSurviveARestore() throws {
        let clock = ManualClock(try Self.at("2026-11-20T12:00:00Z"))
        let live = try LiveServer(clock: clock)
        let owner = try live.owner()
        let acme = try owner.create("/organizations", #"{"name":"Acme"}"#)
        let ann = try owner.create("/contacts", #"{"name":"Ann","organization_id":\#(acme),"keep_in_touch_days":30}"#)
        let ben = try owner.create("/contacts", #"{"name":"Ben"}"#)
        let sent = try owner.create("/outreach", #"{"contact_id":\#(ann),"sent_at":"2026-11-20T09:00:00Z"}"#)
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(ben),"scheduled_at":"2026-11-19T10:00:00Z"}"#)
        #expect(try owner.post("/meetings/\(meeting)/complete", #"{"none_offered":true}"#).status == 200)
        let later = try owner.create("/meetings", #"{"contact_id":\#(ben),"scheduled_at":"2026-12-19T10:00:00Z"}"#)

        // Only items the agenda has can be put away.
        for body in [
            #"{"kind":"thank_you","ref_id":\#(later)}"#, #"{"kind":"meeting","ref_id":\#(meeting)}"#,
            #"{"kind":"ask_referral_again","ref_id":\#(later)}"#, #"{"kind":"keep_in_touch","ref_id":\#(ben)}"#,
        ] {
            let refused = try owner.post("/agenda/dismissals", body)
            #expect(refused.isProblem(422, "validation_failed"), "\(body)")
            #expect(refused.problemFields == ["ref_id"], "\(body)")
        }
        #expect(try live.count("SELECT count(*) FROM agenda_dismissals") == 0)

        let feedToken = try #require(owner.post("/feeds", "").json?["token"]?.stringValue)
        let anonymous = try APIClient(port: live.port, token: "")
        let before = try anonymous.get("/calendar/\(feedToken).ics").text
        #expect(before.contains("UID:follow_up-\(sent)@foothold"))
        #expect(before.contains("UID:thank_you-\(meeting)@foothold"))

        #expect(try owner.post("/agenda/dismissals", #"{"kind":"follow_up","ref_id":\#(sent)}"#).status == 201)
        #expect(try owner.post("/agenda/dismissals", #"{"kind":"thank_you","ref_id":\#(meeting),"until":"2026-12-01T08:00:00Z"}"#).status == 201)
        #expect(try owner.post("/agenda/dismissals", #"{"kind":"meeting","ref_id":\#(later)}"#).status == 201)
        #expect(try owner.post("/agenda/dismissals", #"{"kind":"keep_in_touch","ref_id":\#(ann)}"#).status == 201)
        let after = try anonymous.get("/calendar/\(feedToken).ics").text
        // Put away for good: gone; snoozed: due when the snooze ends; a meeting keeps its place, without the alarm.
        #expect(!after.contains("UID:follow_up-\(sent)@foothold"))
        #expect(after.contains("UID:try_second_contact-\(sent)@foothold"))
        let thankYou = try #require(after.components(separatedBy: "BEGIN:VTODO").first { $0.contains("UID:thank_you-\(meeting)@") })
        #expect(thankYou.contains("DUE:20261201T080000Z\r\n"))
        let event = try #require(after.components(separatedBy: "BEGIN:VEVENT").first { $0.contains("UID:meeting-\(later)@") }?.components(separatedBy: "END:VEVENT").first)
        #expect(!event.contains("VALARM"))

        // Export and restore keep them, pointing at the restored rows.
        let export = try owner.get("/export")
        let dismissals = export.json?["collections"]?["agenda_dismissals"]?.arrayValue ?? export.json?["agenda_dismissals"]?.arrayValue ?? []
        #expect(dismissals.count == 4, "\(export.text.suffix(600))")
        let bob = try live.newUser("bob")
        let restored = try bob.request("POST", "/imports/json", body: Array(export.body), headers: [("Content-Type", "application/json")])
        #expect(restored.status == 201, "\(restored.text)")
        #expect(restored.json?["restored"]?["agenda_dismissals"] == .int(4))
        // Folded names are rebuilt, not carried: the restored contacts are found and sorted.
        #expect(try bob.walk("/contacts?q=ANN").map { $0["name"] } == [.string("Ann")])
        #expect(try live.count("SELECT count(*) FROM contacts WHERE name_key = ''") == 0)
        let bobID = try #require(bob.get("/me").json?["id"]?.intValue)
        #expect(try live.count(
            "SELECT count(*) FROM agenda_dismissals d JOIN outreach o ON o.id = d.ref_id AND o.user_id = d.user_id WHERE d.user_id = ? AND d.kind = 'follow_up'", [bobID]) == 1)
        #expect(try live.count(
            "SELECT count(*) FROM agenda_dismissals d JOIN meetings m ON m.id = d.ref_id AND m.user_id = d.user_id WHERE d.user_id = ? AND d.kind IN ('thank_you', 'meeting')", [bobID]) == 2)
        let rows = try live.database?.read { try $0.query("SELECT kind, ref_id FROM agenda_dismissals WHERE user_id = ? ORDER BY kind", [bobID]) { "\($0.string(0)):\($0.int64(1))" } }
        let bobMeetings = try bob.walkIDs("/meetings")
        #expect(rows?.count == 4, "\(rows ?? []) \(bobMeetings)")
        let bobFeed = try #require(bob.post("/feeds", "").json?["token"]?.stringValue)
        let bobText = try anonymous.get("/calendar/\(bobFeed).ics").text
        #expect(!bobText.contains("UID:follow_up-"))
        #expect(bobText.contains("DUE:20261201T080000Z\r\n"))
    }
}

extension FindingsTests {
    @Test func insightsFindTheirAreaAndThePeopleCountsAgree() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let freight = try owner.create("/interests", #"{"name":"Freight"}"#)
        let ports = try owner.create("/interests", #"{"name":"Ports"}"#)
        let ann = try owner.create("/contacts", #"{"name":"Ann","interest_ids":[\#(freight)]}"#)
        let ben = try owner.create("/contacts", #"{"name":"Ben","interest_ids":[\#(freight),\#(ports)]}"#)
        let cat = try owner.create("/contacts", #"{"name":"Cat"}"#)

        // Ann has one area: her insight takes it, by hand or from a completion.
        let own = try owner.post("/insights", #"{"contact_id":\#(ann),"kind":"skill","name":"SQL","text":"Every analyst writes SQL"}"#)
        #expect(own.json?["interest_id"] == .int(freight))
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(ann),"scheduled_at":"2026-01-05T10:00:00Z"}"#)
        let done = try owner.post("/meetings/\(meeting)/complete", #"{"none_offered":true,"insights":[{"kind":"skill","name":"Excel","text":"Pivot tables"}]}"#)
        #expect(done.status == 200, "\(done.text)")
        #expect(try live.count("SELECT count(*) FROM insights WHERE name = 'Excel' AND interest_id = ?", [freight]) == 1)
        // Ben has two: unassigned, and listed so under /skills/gaps rather than dropped.
        let two = try owner.post("/insights", #"{"contact_id":\#(ben),"kind":"skill","name":"Customs law","text":"Know the tariffs"}"#)
        #expect(two.json?["interest_id"] == .null)
        let gaps = try #require(owner.get("/skills/gaps").json?["items"]?.arrayValue)
        let customs = try #require(gaps.first { $0["name"] == .string("Customs law") })
        #expect(customs["areas"]?.arrayValue?.first?["interest_id"] == .null)
        #expect(customs["areas"]?.arrayValue?.first?["name"] == .string("unassigned"))
        #expect(customs["contacts"] == .int(1))
        // Cat, in no area and never met, told us something about Freight: she is among its people.
        _ = try owner.post("/insights", #"{"contact_id":\#(cat),"interest_id":\#(freight),"kind":"skill","name":"SQL","text":"SQL again"}"#)
        let report = try #require(owner.get("/interests/\(freight)/knowledge").json)
        let people = report["people"]?.arrayValue ?? []
        #expect(people.map { $0["name"]?.stringValue ?? "" } == ["Ann", "Cat"])
        #expect(people.map { $0["meetings"]?.intValue ?? -1 } == [1, 0])
        let sql = try #require(report["skills"]?.arrayValue?.first { $0["name"] == .string("SQL") })
        #expect(sql["contacts"] == .int(2))
        #expect(sql["contacts"]?.intValue ?? 0 <= people.count)
    }
}

extension FindingsTests {
    @Test func aNameMatchRanksFirstAndShowsTheName() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let zoe = try owner.create("/contacts", #"{"name":"Zoë Bergström","email":"zoe.berg@freight.example","notes":"Zoe Berg runs the Berg lanes"}"#)
        _ = try owner.create("/outreach", #"{"contact_id":\#(zoe),"sent_at":"2026-01-05T10:00:00Z","summary":"Asked Zoe"}"#)
        _ = try owner.create("/outreach", #"{"contact_id":\#(zoe),"sent_at":"2026-01-06T10:00:00Z"}"#)
        _ = try owner.create("/meetings", #"{"contact_id":\#(zoe),"scheduled_at":"2026-01-09T10:00:00Z"}"#)
        _ = try owner.create("/contacts", #"{"name":"Other Person","notes":"met zoe berg at the expo"}"#)
        let hits = try #require(owner.get("/search?q=zoe%20berg").json?["items"]?.arrayValue)
        #expect(hits.count == 5)
        #expect(hits.first?["type"] == .string("contact"))
        #expect(hits.first?["id"] == .int(zoe))
        #expect(hits.first?["snippet"] == .string("<b>Zoë</b> <b>Bergström</b>"))
        // Syntax is taken as written, ranked by bm25 alone.
        #expect(try owner.get("/search?q=%22zoe%22%20AND%20berg*").status == 200)
    }
}

extension FindingsTests {
    @Test func listsCarryTheNamesOfWhatTheyPointTo() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let acme = try owner.create("/organizations", #"{"name":"Acme"}"#)
        let ann = try owner.create("/contacts", #"{"name":"Ann","organization_id":\#(acme)}"#)
        let ben = try owner.create("/contacts", #"{"name":"Ben"}"#)
        let resume = try owner.create("/resumes", #"{"label":"Freight CV","content":"x"}"#)
        let pitch = try owner.create("/pitches", #"{"name":"Warm intro","body":"Could we talk?"}"#)
        let created = try owner.post("/meetings", #"{"contact_id":\#(ann),"resume_id":\#(resume),"scheduled_at":"2026-01-05T10:00:00Z"}"#)
        #expect(created.json?["contact"] == .object([("id", .int(ann)), ("name", .string("Ann"))]))
        _ = try owner.post("/referrals", #"{"referrer_id":\#(ann),"contact_id":\#(ben)}"#)
        _ = try owner.post("/outreach", #"{"contact_id":\#(ben),"pitch_id":\#(pitch),"resume_id":\#(resume),"sent_at":"2026-01-02T10:00:00Z"}"#)
        _ = try owner.post("/leads", #"{"title":"Analyst","organization_id":\#(acme),"contact_id":\#(ann)}"#)
        _ = try owner.post("/events", #"{"name":"Freight Expo","recommended_by_id":\#(ann)}"#)
        func pair(_ id: Int64, _ name: String) -> JSONValue { .object([("id", .int(id)), ("name", .string(name))]) }

        let contacts = try owner.walk("/contacts?sort=name")
        #expect(contacts.map { $0["organization"] } == [pair(acme, "Acme"), .null])
        #expect(try owner.get("/contacts/\(ann)").json?["organization"] == pair(acme, "Acme"))
        let meeting = try #require(owner.walk("/meetings").first)
        #expect(meeting["contact"] == pair(ann, "Ann"))
        #expect(meeting["resume"] == pair(resume, "Freight CV"))
        let referral = try #require(owner.walk("/referrals").first)
        #expect(referral["referrer"] == pair(ann, "Ann"))
        #expect(referral["contact"] == pair(ben, "Ben"))
        let outreach = try #require(owner.walk("/outreach").first)
        #expect(outreach["contact"] == pair(ben, "Ben"))
        #expect(outreach["pitch"] == pair(pitch, "Warm intro"))
        #expect(outreach["resume"] == pair(resume, "Freight CV"))
        let lead = try #require(owner.walk("/leads").first)
        #expect(lead["organization"] == pair(acme, "Acme"))
        #expect(lead["contact"] == pair(ann, "Ann"))
        #expect(try owner.walk("/events").first?["recommended_by"] == pair(ann, "Ann"))
        // A rename shows at once.
        #expect(try owner.patch("/organizations/\(acme)", #"{"name":"Acme Freight"}"#).status == 200)
        #expect(try owner.walk("/leads").first?["organization"] == pair(acme, "Acme Freight"))
    }
}
