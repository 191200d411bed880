import Foundation
import HTTPCore
import Testing
import TestSupport

/// A contact and a meeting with them, for the tests below.
private struct Fixture {
    let owner: APIClient
    let contact: Int64

    init(_ live: LiveServer, contactBody: String = #"{"name":"Maria Lopez"}"#) throws {
        owner = try live.owner()
        contact = try owner.create("/contacts", contactBody)
    }

    /// A meeting brought to `status` through the actions.
    func meeting(_ status: String) throws -> Int64 {
        let scheduled = status != "proposed"
        let id = try owner.create("/meetings", scheduled ? #"{"contact_id":\#(contact),"scheduled_at":"2026-12-03T15:00:00Z"}"# : #"{"contact_id":\#(contact)}"#)
        switch status {
        case "completed": _ = try owner.post("/meetings/\(id)/complete", #"{"none_offered":true}"#)
        case "cancelled": _ = try owner.post("/meetings/\(id)/cancel", "")
        case "no_show": _ = try owner.post("/meetings/\(id)/no-show", "")
        default: break
        }
        let current = try owner.get("/meetings/\(id)").json?["status"]?.stringValue
        guard current == status else { throw ClientError("meeting \(id) is \(current ?? "?"), not \(status)") }
        return id
    }
}

@Suite("Meetings", .timeLimit(.minutes(1)))
struct MeetingTests {
    @Test func lifecycleFromProposedToCompleted() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let climate = try owner.create("/interests", #"{"name":"Climate"}"#)
        let maria = try owner.create("/contacts", #"{"name":"Maria Lopez","interest_ids":[\#(climate)]}"#)
        let resume = try owner.create("/resumes", #"{"label":"Climate","content":"Ada"}"#)

        let proposed = try owner.post("/meetings", #"{"contact_id":\#(maria),"medium":"video","resume_id":\#(resume),"location":"Zoom"}"#)
        #expect(proposed.status == 201)
        let id = try #require(proposed.json?["id"]?.intValue)
        #expect(proposed.header("location") == "/meetings/\(id)")
        #expect(proposed.header("etag") == "\"1\"")
        #expect(proposed.json?["status"] == .string("proposed"))
        #expect(proposed.json?["scheduled_at"] == .null)
        #expect(proposed.json?["duration_minutes"] == .int(30))
        #expect(proposed.json?["thank_you_due_at"] == .null)
        #expect(try owner.get("/meetings/\(id)").json == proposed.json)
        #expect(try owner.get("/contacts/\(maria)").json?["stage"] == .string("identified"))

        // No time yet: scheduling needs one.
        let noTime = try owner.post("/meetings/\(id)/schedule", "")
        #expect(noTime.isProblem(422, "validation_failed"))
        #expect(noTime.problemFields == ["scheduled_at"])
        let scheduled = try owner.post("/meetings/\(id)/schedule", #"{"scheduled_at":"2026-12-03T15:00:00Z","duration_minutes":45}"#)
        #expect(scheduled.status == 200)
        #expect(scheduled.header("etag") == "\"2\"")
        #expect(scheduled.json?["status"] == .string("scheduled"))
        #expect(scheduled.json?["scheduled_at"] == .string("2026-12-03T15:00:00Z"))
        #expect(scheduled.json?["duration_minutes"] == .int(45))
        #expect(try owner.get("/contacts/\(maria)").json?["stage"] == .string("scheduled"))
        // Rescheduling keeps it scheduled.
        let moved = try owner.post("/meetings/\(id)/schedule", #"{"scheduled_at":"2026-12-04T09:30:00Z"}"#)
        #expect(moved.json?["scheduled_at"] == .string("2026-12-04T09:30:00Z"))
        #expect(moved.json?["version"] == .int(3))

        let completed = try owner.post(
            "/meetings/\(id)/complete",
            #"{"impression":4,"outcome":"Offered two names","notes":"Talked soil carbon","referrals":[{"contact":{"name":"Jon Ode","email":"jon@example.com"},"note":"runs the soil lab"}],"events":[{"name":"Soil meetup","starts_at":"2026-12-10T18:00:00Z"}],"resources":[{"title":"Dirt, the book","url":"https://example.com/dirt"}]}"#)
        #expect(completed.status == 200)
        let body = try #require(completed.json)
        #expect(body["status"] == .string("completed"))
        #expect(body["impression"] == .int(4))
        #expect(body["outcome"] == .string("Offered two names"))
        #expect(body["notes"] == .string("Talked soil carbon"))
        let created = try #require(body["created"])
        let newContact = try #require(created["contact_ids"]?.arrayValue?.first?.intValue)
        let referral = try #require(created["referral_ids"]?.arrayValue?.first?.intValue)
        let event = try #require(created["event_ids"]?.arrayValue?.first?.intValue)
        #expect(body["referral_ids"] == .array([.int(referral)]))
        #expect(body["event_ids"] == .array([.int(event)]))
        #expect(body["resources"]?.arrayValue?.first?["title"] == .string("Dirt, the book"))
        let completedAt = try #require(body["completed_at"]?.stringValue)
        let due = try #require(body["thank_you_due_at"]?.stringValue)
        let completedDate = try #require(ISO8601DateFormatter().date(from: completedAt))
        #expect(ISO8601DateFormatter().date(from: due) == completedDate.addingTimeInterval(86400))
        // The stored meeting reads the same, less what was just created.
        let stored = try #require(try owner.get("/meetings/\(id)").json)
        #expect(stored["created"] == nil)
        guard case .object(let members) = body else { throw ClientError("not an object") }
        #expect(stored == .object(members.filter { $0.0 != "created" }))

        // What it left behind.
        #expect(try owner.get("/contacts/\(maria)").json?["stage"] == .string("met"))
        let jon = try owner.get("/contacts/\(newContact)")
        #expect(jon.json?["name"] == .string("Jon Ode"))
        #expect(jon.json?["source"] == .string("referral"))
        #expect(jon.json?["stage"] == .string("identified"))
        let referralBody = try owner.get("/referrals/\(referral)")
        #expect(referralBody.json?["referrer_id"] == .int(maria))
        #expect(referralBody.json?["contact_id"] == .int(newContact))
        #expect(referralBody.json?["meeting_id"] == .int(id))
        #expect(referralBody.json?["status"] == .string("suggested"))
        #expect(referralBody.json?["note"] == .string("runs the soil lab"))
        #expect(try owner.listIDs("/referrals?meeting_id=\(id)") == [referral])
        #expect(try owner.listIDs("/referrals?referrer_id=\(maria)") == [referral])
        #expect(try owner.listIDs("/referrals?referrer_id=\(newContact)") == [])
        let eventBody = try owner.get("/events/\(event)")
        #expect(eventBody.json?["recommended_by_id"] == .int(maria))
        #expect(eventBody.json?["starts_at"] == .string("2026-12-10T18:00:00Z"))
        #expect(eventBody.json?["status"] == .string("interested"))
        #expect(try owner.listIDs("/events?meeting_id=\(id)") == [event])
        #expect(try owner.get("/interests/\(climate)").json?["coverage"]?["meetings"] == .int(1))

        // The thank-you, once sent, is no longer due.
        let thanked = try owner.patch("/meetings/\(id)", #"{"thank_you_sent_at":"2026-12-04T12:00:00Z"}"#)
        #expect(thanked.status == 200)
        #expect(thanked.json?["thank_you_due_at"] == .null)
        #expect(thanked.json?["thank_you_sent_at"] == .string("2026-12-04T12:00:00Z"))

        // Contacts with meetings stay; the meeting can go, and then the contact.
        #expect(try owner.delete("/contacts/\(maria)").isProblem(409, "has_dependants"))
        #expect(try owner.delete("/meetings/\(id)").status == 204)
        #expect(try owner.get("/referrals/\(referral)").json?["meeting_id"] == .null)
        #expect(try owner.delete("/contacts/\(maria)").status == 204)
        #expect(try owner.get("/referrals/\(referral)").isProblem(404, "not_found"))
        let tombstones = try owner.walk("/deletions").map { ($0["type"]?.stringValue ?? "", $0["id"]?.intValue ?? 0) }
        #expect(tombstones.contains { $0 == ("meeting", id) })
        #expect(tombstones.contains { $0 == ("referral", referral) })
        #expect(try owner.get("/events/\(event)").json?["recommended_by_id"] == .null)
    }

    /// Every action from every status it is not allowed from: 409 naming the status, nothing changed.
    @Test func everyIllegalTransitionIsRefused() throws {
        let live = try LiveServer()
        let fixture = try Fixture(live)
        let owner = fixture.owner
        let allowed: [String: Set<String>] = [
            "schedule": ["proposed", "scheduled"], "complete": ["scheduled"], "cancel": ["proposed", "scheduled"], "no-show": ["scheduled"],
        ]
        var refused = 0
        for status in ["proposed", "scheduled", "completed", "cancelled", "no_show"] {
            for (action, from) in allowed.sorted(by: { $0.key < $1.key }) where !from.contains(status) {
                let id = try fixture.meeting(status)
                let before = try owner.get("/meetings/\(id)").json
                let body = action == "complete" ? #"{"none_offered":true}"# : action == "schedule" ? #"{"scheduled_at":"2027-01-01T10:00:00Z"}"# : ""
                let response = try owner.post("/meetings/\(id)/\(action)", body)
                #expect(response.isProblem(409, "illegal_transition"), "\(action) from \(status)")
                #expect(response.json?["current_status"] == .string(status), "\(action) from \(status)")
                #expect(response.json?["detail"]?.stringValue?.contains(status) == true)
                #expect(try owner.get("/meetings/\(id)").json == before, "\(action) from \(status)")
                refused += 1
            }
        }
        #expect(refused == 14)
        // And the allowed ones move it.
        #expect(try owner.post("/meetings/\(try fixture.meeting("proposed"))/cancel", "").json?["status"] == .string("cancelled"))
        #expect(try owner.post("/meetings/\(try fixture.meeting("scheduled"))/no-show", "").json?["status"] == .string("no_show"))
        // Actions take If-Match; cancel's body has only a reason ({} is no body).
        let id = try fixture.meeting("scheduled")
        #expect(try owner.post("/meetings/\(id)/cancel", "", headers: [("If-Match", "\"7\"")]).isProblem(412, "precondition_failed"))
        #expect(try owner.post("/meetings/\(id)/cancel", #"{"x":1}"#).isProblem(400, "unknown_fields"))
        #expect(try owner.post("/meetings/\(id)/cancel", " { } ", headers: [("If-Match", "\"7\"")]).isProblem(412, "precondition_failed"))
        #expect(try owner.post("/meetings/\(id)/cancel", "", headers: [("If-Match", "\"1\"")]).status == 200)
    }

    /// Completing writes everything in one transaction or nothing: a duplicate inline contact
    /// in the third referral leaves no meeting change, no contacts and no referrals behind.
    @Test func completionIsOneTransaction() throws {
        let live = try LiveServer()
        let fixture = try Fixture(live)
        let owner = fixture.owner
        let existing = try owner.create("/contacts", #"{"name":"Existing","email":"taken@example.com"}"#)
        let other = try owner.create("/contacts", #"{"name":"Someone"}"#)
        let id = try fixture.meeting("scheduled")
        let before = try owner.get("/meetings/\(id)").json
        let contactsBefore = try live.count("SELECT count(*) FROM contacts")
        let body = #"""
            {"referrals":[{"contact":{"name":"First New","email":"first@example.com"}},{"contact_id":\#(other)},
            {"contact":{"name":"Dup","email":"TAKEN@example.com"}}],"events":[{"name":"Meetup"}],"resources":[{"title":"Book"}]}
            """#
        let response = try owner.post("/meetings/\(id)/complete", body)
        #expect(response.isProblem(409, "duplicate_contact"))
        #expect(response.json?["existing_id"] == .int(existing))
        #expect(response.json?["detail"]?.stringValue?.hasPrefix("referrals[2].contact") == true)
        #expect(try owner.get("/meetings/\(id)").json == before)
        #expect(try live.count("SELECT count(*) FROM contacts") == contactsBefore)
        #expect(try live.count("SELECT count(*) FROM referrals") == 0)
        #expect(try live.count("SELECT count(*) FROM events") == 0)
        #expect(try live.count("SELECT count(*) FROM meeting_resources") == 0)
        #expect(try owner.get("/contacts/\(fixture.contact)").json?["stage"] == .string("scheduled"))

        // Two new contacts with one email in the same body: the second is the duplicate.
        let twice = try owner.post(
            "/meetings/\(id)/complete", #"{"referrals":[{"contact":{"name":"A","email":"same@example.com"}},{"contact":{"name":"B","email":"same@example.com"}}]}"#)
        #expect(twice.isProblem(409, "duplicate_contact"))
        #expect(twice.json?["detail"]?.stringValue?.hasPrefix("referrals[1].contact") == true)
        #expect(try live.count("SELECT count(*) FROM contacts") == contactsBefore)

        // Then the same body without the duplicate goes through whole.
        let fixed = try owner.post(
            "/meetings/\(id)/complete",
            #"{"referrals":[{"contact":{"name":"First New","email":"first@example.com"}},{"contact_id":\#(other)}],"events":[{"name":"Meetup"}],"resources":[{"title":"Book"}]}"#)
        #expect(fixed.status == 200)
        #expect(fixed.json?["created"]?["contact_ids"]?.arrayValue?.count == 1)
        #expect(fixed.json?["created"]?["referral_ids"]?.arrayValue?.count == 2)
        #expect(try live.count("SELECT count(*) FROM referrals WHERE meeting_id = ?", [id]) == 2)
        #expect(try live.count("SELECT count(*) FROM contacts") == contactsBefore + 1)
    }

    @Test func completingNeedsSomethingToLeaveWith() throws {
        let live = try LiveServer()
        let fixture = try Fixture(live)
        let owner = fixture.owner
        let id = try fixture.meeting("scheduled")
        let before = try owner.get("/meetings/\(id)").json
        for body in ["", "{}", #"{"none_offered":false}"#, #"{"referrals":[],"events":[],"resources":[]}"#, #"{"notes":"Went well","impression":5}"#] {
            let response = try owner.post("/meetings/\(id)/complete", body)
            #expect(response.isProblem(422, "nothing_to_leave_with"), "\(body)")
            #expect(response.problemFields == ["referrals"], "\(body)")
        }
        // Bad nested fields are named by their path, and nothing is written.
        for (body, fields) in [
            (#"{"none_offered":true,"referrals":[{"contact_id":\#(fixture.contact)}]}"#, ["none_offered"]),
            (#"{"referrals":[{"contact":{"name":"X","email":"nope"}}]}"#, ["referrals[0].contact.email"]),
            (#"{"referrals":[{"contact":{"name":""}},{"contact_id":1}]}"#, ["referrals[0].contact.name"]),
            (#"{"referrals":[{"contact":{"name":"Fine"}},{"note":"who?"}]}"#, ["referrals[1].contact_id"]),
            (#"{"referrals":[{"contact_id":1,"contact":{"name":"Both"}}]}"#, ["referrals[0].contact_id"]),
            (#"{"referrals":[{"contact_id":null}]}"#, ["referrals[0].contact_id"]),
            (#"{"referrals":[{"contact_id":99999}]}"#, ["referrals[0].contact_id"]),
            (#"{"referrals":[{"contact_id":\#(fixture.contact)}]}"#, ["referrals[0].contact_id"]),
            (#"{"events":[{"starts_at":"2026-12-10T18:00:00Z","ends_at":"2026-12-10T17:00:00Z"}]}"#, ["events[0].name", "events[0].ends_at"]),
            (#"{"events":[{"name":"E","url":"ftp://x"}]}"#, ["events[0].url"]),
            (#"{"resources":[{"title":" "}]}"#, ["resources[0].title"]),
            (#"{"resources":"book"}"#, ["resources"]),
            (#"{"none_offered":true,"impression":9}"#, ["impression"]),
        ] {
            let response = try owner.post("/meetings/\(id)/complete", body)
            #expect(response.isProblem(422, "validation_failed"), "\(body)")
            #expect(Set(response.problemFields) == Set(fields), "\(body): \(response.problemFields)")
        }
        #expect(try owner.post("/meetings/\(id)/complete", #"{"none_offered":true,"status":"x"}"#).isProblem(400, "unknown_fields"))
        #expect(try owner.post("/meetings/\(id)/complete", #"{"referrals":[{"contact":{"name":"X","stage":"met","id":3}}]}"#).status == 400)
        #expect(try owner.get("/meetings/\(id)").json == before)
        #expect(try live.count("SELECT count(*) FROM contacts") == 1)
        // Said explicitly, nothing offered completes it.
        let done = try owner.post("/meetings/\(id)/complete", #"{"none_offered":true}"#)
        #expect(done.status == 200)
        #expect(done.json?["none_offered"] == .bool(true))
        #expect(done.json?["created"]?["referral_ids"] == .array([]))
    }

    @Test func badMeetingsChangeNothing() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let bob = try live.newUser("bob")
        let mine = try owner.create("/contacts", #"{"name":"Mine"}"#)
        let theirs = try bob.create("/contacts", #"{"name":"Theirs"}"#)
        let theirResume = try bob.create("/resumes", #"{"label":"B","content":"x"}"#)
        for (body, status, code, fields) in [
            (#"{}"#, 422, "validation_failed", ["contact_id"]),
            (#"{"contact_id":null}"#, 422, "validation_failed", ["contact_id"]),
            (#"{"contact_id":\#(theirs)}"#, 422, "validation_failed", ["contact_id"]),
            (#"{"contact_id":99999}"#, 422, "validation_failed", ["contact_id"]),
            (#"{"contact_id":\#(mine),"resume_id":\#(theirResume)}"#, 422, "validation_failed", ["resume_id"]),
            (#"{"contact_id":\#(mine),"duration_minutes":4}"#, 422, "validation_failed", ["duration_minutes"]),
            (#"{"contact_id":\#(mine),"duration_minutes":241}"#, 422, "validation_failed", ["duration_minutes"]),
            (#"{"contact_id":\#(mine),"duration_minutes":null}"#, 422, "validation_failed", ["duration_minutes"]),
            (#"{"contact_id":\#(mine),"impression":0}"#, 422, "validation_failed", ["impression"]),
            (#"{"contact_id":\#(mine),"impression":6}"#, 422, "validation_failed", ["impression"]),
            (#"{"contact_id":\#(mine),"medium":"carrier pigeon"}"#, 422, "validation_failed", ["medium"]),
            (#"{"contact_id":\#(mine),"scheduled_at":"tomorrow"}"#, 422, "validation_failed", ["scheduled_at"]),
            (#"{"contact_id":\#(mine),"thank_you_sent_at":"2026-12-01T00:00:00Z"}"#, 422, "validation_failed", ["thank_you_sent_at"]),
            (#"{"contact_id":\#(mine),"location":"a\u0000b"}"#, 422, "validation_failed", ["location"]),
            (#"{"contact_id":"7"}"#, 422, "validation_failed", ["contact_id"]),
            (#"{"contact_id":\#(mine),"status":"completed"}"#, 400, "read_only_fields", ["status"]),
            (#"{"contact_id":\#(mine),"completed_at":"2026-12-01T00:00:00Z"}"#, 400, "read_only_fields", ["completed_at"]),
            (#"{"contact_id":\#(mine),"id":5}"#, 400, "read_only_fields", ["id"]),
            (#"{"contact_id":\#(mine),"colour":"red"}"#, 400, "unknown_fields", ["colour"]),
        ] {
            let response = try owner.post("/meetings", body)
            #expect(response.isProblem(status, code), "\(body): \(response.text)")
            #expect(response.problemFields == fields, "\(body)")
        }
        #expect(try live.count("SELECT count(*) FROM meetings") == 0)
        #expect(try owner.get("/contacts/\(mine)").json?["version"] == .int(1))

        let id = try owner.create("/meetings", #"{"contact_id":\#(mine),"scheduled_at":"2026-12-03T15:00:00Z"}"#)
        let before = try owner.get("/meetings/\(id)").json
        for (body, status, fields) in [
            (#"{"contact_id":\#(theirs)}"#, 422, ["contact_id"]),
            (#"{"scheduled_at":null}"#, 422, ["scheduled_at"]),
            (#"{"status":"completed"}"#, 400, ["status"]),
            (#"{"referral_ids":[1]}"#, 400, ["referral_ids"]),
            (#"{"thank_you_due_at":null}"#, 400, ["thank_you_due_at"]),
        ] {
            let response = try owner.patch("/meetings/\(id)", body)
            #expect(response.status == status, "\(body)")
            #expect(response.problemFields == fields, "\(body)")
        }
        #expect(try owner.get("/meetings/\(id)").json == before)
        // A proposed meeting may hold a tentative time and lose it again.
        let proposed = try owner.create("/meetings", #"{"contact_id":\#(mine)}"#)
        #expect(try owner.patch("/meetings/\(proposed)", #"{"scheduled_at":"2026-12-05T10:00:00Z"}"#).json?["status"] == .string("proposed"))
        #expect(try owner.patch("/meetings/\(proposed)", #"{"scheduled_at":null,"medium":"phone"}"#).json?["medium"] == .string("phone"))
        #expect(try owner.patch("/meetings/\(proposed)", #"{"medium":null}"#).json?["medium"] == .null)
        #expect(try owner.post("/meetings/\(proposed)/schedule", "").problemFields == ["scheduled_at"])
    }

    /// Another account's meetings are 404 on every route, and its ids 422 in bodies.
    @Test func accountsAreIsolated() throws {
        let live = try LiveServer()
        let fixture = try Fixture(live)
        let owner = fixture.owner
        let bob = try live.newUser("bob")
        let id = try fixture.meeting("scheduled")
        let item = try owner.create("/meetings/\(id)/questions", #"{"text":"How did you start?"}"#)
        let bank = try owner.create("/questions", #"{"text":"Trends?"}"#)
        let before = try owner.get("/meetings/\(id)").json
        for response in [
            try bob.get("/meetings/\(id)"), try bob.patch("/meetings/\(id)", #"{"notes":"mine now"}"#), try bob.delete("/meetings/\(id)"),
            try bob.post("/meetings/\(id)/complete", #"{"none_offered":true}"#), try bob.post("/meetings/\(id)/cancel", ""),
            try bob.post("/meetings/\(id)/no-show", ""), try bob.post("/meetings/\(id)/schedule", #"{"scheduled_at":"2027-01-01T00:00:00Z"}"#),
            try bob.get("/meetings/\(id)/prep"), try bob.get("/meetings/\(id)/questions"),
            try bob.post("/meetings/\(id)/questions", #"{"text":"Mine?"}"#), try bob.get("/meetings/\(id)/questions/\(item)"),
            try bob.patch("/meetings/\(id)/questions/\(item)", #"{"asked":true}"#), try bob.delete("/meetings/\(id)/questions/\(item)"),
        ] {
            #expect(response.isProblem(404, "not_found"), "\(response.text)")
        }
        #expect(try bob.listIDs("/meetings") == [])
        #expect(try bob.listIDs("/meetings?contact_id=\(fixture.contact)") == [])
        #expect(try owner.get("/meetings/\(id)").json == before)
        #expect(try owner.get("/meetings/\(id)/questions/\(item)").json?["version"] == .int(1))
        // Bob's meeting cannot take the owner's bank question or name the owner's contacts.
        let bobContact = try bob.create("/contacts", #"{"name":"Bob's"}"#)
        let bobMeeting = try bob.create("/meetings", #"{"contact_id":\#(bobContact),"scheduled_at":"2026-12-03T15:00:00Z"}"#)
        #expect(try bob.post("/meetings/\(bobMeeting)/questions", #"{"question_id":\#(bank)}"#).problemFields == ["question_id"])
        let referral = try bob.post("/meetings/\(bobMeeting)/complete", #"{"referrals":[{"contact_id":\#(fixture.contact)}]}"#)
        #expect(referral.isProblem(422, "validation_failed"))
        #expect(referral.problemFields == ["referrals[0].contact_id"])
        let ownerOrganization = try owner.create("/organizations", #"{"name":"Owner's Org"}"#)
        let foreignOrganization = try bob.post(
            "/meetings/\(bobMeeting)/complete", #"{"referrals":[{"contact":{"name":"X","organization_id":\#(ownerOrganization)}}]}"#)
        #expect(foreignOrganization.problemFields == ["referrals[0].contact.organization_id"])
        let completed = try bob.post("/meetings/\(bobMeeting)/complete", #"{"referrals":[{"contact":{"name":"New for Bob"}}]}"#)
        let bobReferral = try #require(completed.json?["referral_ids"]?.arrayValue?.first?.intValue)
        #expect(try owner.get("/referrals/\(bobReferral)").isProblem(404, "not_found"))
        #expect(try owner.listIDs("/referrals") == [])
        #expect(try owner.listIDs("/events") == [])
    }

    /// Stages move forward only, and never out of do_not_contact; a dormant contact comes back.
    @Test func stageAutomationMovesForwardOnly() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        func stage(_ id: Int64) throws -> String? { try owner.get("/contacts/\(id)").json?["stage"]?.stringValue }
        func meet(_ contact: Int64) throws {
            let id = try owner.create("/meetings", #"{"contact_id":\#(contact),"scheduled_at":"2026-12-03T15:00:00Z"}"#)
            #expect(try owner.post("/meetings/\(id)/complete", #"{"none_offered":true}"#).status == 200)
        }
        let met = try owner.create("/contacts", #"{"name":"Met","stage":"met"}"#)
        _ = try owner.create("/meetings", #"{"contact_id":\#(met),"scheduled_at":"2026-12-03T15:00:00Z"}"#)
        #expect(try stage(met) == "met")
        #expect(try owner.get("/contacts/\(met)").json?["version"] == .int(1))

        let blocked = try owner.create("/contacts", #"{"name":"Blocked","stage":"do_not_contact"}"#)
        try meet(blocked)
        #expect(try stage(blocked) == "do_not_contact")

        let dormant = try owner.create("/contacts", #"{"name":"Dormant","stage":"dormant"}"#)
        _ = try owner.create("/meetings", #"{"contact_id":\#(dormant),"scheduled_at":"2026-12-03T15:00:00Z"}"#)
        #expect(try stage(dormant) == "scheduled")

        let contacted = try owner.create("/contacts", #"{"name":"Contacted","stage":"contacted"}"#)
        try meet(contacted)
        #expect(try stage(contacted) == "met")
        // A proposed meeting does not move the stage; cancelling puts it back where it was.
        let fresh = try owner.create("/contacts", #"{"name":"Fresh"}"#)
        let proposed = try owner.create("/meetings", #"{"contact_id":\#(fresh)}"#)
        #expect(try stage(fresh) == "identified")
        _ = try owner.post("/meetings/\(proposed)/schedule", #"{"scheduled_at":"2026-12-03T15:00:00Z"}"#)
        #expect(try stage(fresh) == "scheduled")
        _ = try owner.post("/meetings/\(proposed)/cancel", "")
        #expect(try stage(fresh) == "identified")
        // Meeting a referred person closes their referral as met.
        let source = try owner.create("/contacts", #"{"name":"Source"}"#)
        let sourceMeeting = try owner.create("/meetings", #"{"contact_id":\#(source),"scheduled_at":"2026-12-03T15:00:00Z"}"#)
        let done = try owner.post("/meetings/\(sourceMeeting)/complete", #"{"referrals":[{"contact_id":\#(fresh)}]}"#)
        let referral = try #require(done.json?["referral_ids"]?.arrayValue?.first?.intValue)
        try meet(fresh)
        #expect(try owner.get("/referrals/\(referral)").json?["status"] == .string("met"))
        #expect(try owner.listIDs("/referrals?status=met") == [referral])
    }

    @Test func listsFilterAndSortBySchedule() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let a = try owner.create("/contacts", #"{"name":"A"}"#)
        let b = try owner.create("/contacts", #"{"name":"B"}"#)
        let late = try owner.create("/meetings", #"{"contact_id":\#(a),"scheduled_at":"2026-12-20T10:00:00Z","notes":"about grants"}"#)
        let proposed = try owner.create("/meetings", #"{"contact_id":\#(b)}"#)
        let early = try owner.create("/meetings", #"{"contact_id":\#(b),"scheduled_at":"2026-12-02T10:00:00Z"}"#)
        let middle = try owner.create("/meetings", #"{"contact_id":\#(a),"scheduled_at":"2026-12-10T10:00:00Z"}"#)
        _ = try owner.post("/meetings/\(middle)/cancel", "")
        #expect(try owner.walkIDs("/meetings?limit=1") == [late, proposed, early, middle])
        #expect(try owner.walkIDs("/meetings?sort=scheduled_at&limit=1") == [proposed, early, middle, late])
        #expect(try owner.walkIDs("/meetings?sort=-scheduled_at&limit=2") == [late, middle, early, proposed])
        #expect(try owner.listIDs("/meetings?contact_id=\(a)") == [late, middle])
        #expect(try owner.listIDs("/meetings?status=scheduled") == [late, early])
        #expect(try owner.listIDs("/meetings?status=cancelled") == [middle])
        #expect(try owner.listIDs("/meetings?from=2026-12-05T00:00:00Z") == [late, middle])
        #expect(try owner.listIDs("/meetings?from=2026-12-05T00:00:00Z&to=2026-12-15T00:00:00Z") == [middle])
        #expect(try owner.listIDs("/meetings?q=grants") == [late])
        #expect(try owner.get("/meetings?status=done").isProblem(400, "bad_query"))
        #expect(try owner.get("/meetings?from=yesterday").isProblem(400, "bad_query"))
        #expect(try owner.get("/meetings?sort=location").isProblem(400, "bad_query"))
        #expect(try owner.get("/referrals?status=maybe").isProblem(400, "bad_query"))
        #expect(try owner.get("/events?sort=-starts_at").status == 200)
    }

    /// The past keeps the resume a meeting brought: deleting it is refused while one did.
    @Test func deletingAResumeAMeetingUsedIsRefused() throws {
        let live = try LiveServer()
        let fixture = try Fixture(live)
        let owner = fixture.owner
        let resume = try owner.create("/resumes", #"{"label":"R","content":"x"}"#)
        let id = try owner.create("/meetings", #"{"contact_id":\#(fixture.contact),"resume_id":\#(resume)}"#)
        let refused = try owner.delete("/resumes/\(resume)")
        #expect(refused.isProblem(409, "has_dependants"))
        #expect(refused.json?["detail"]?.stringValue?.contains("1 meeting(s) used it") == true)
        let after = try owner.get("/meetings/\(id)")
        #expect(after.json?["resume_id"] == .int(resume))
        #expect(after.json?["version"] == .int(1))
        #expect(try owner.delete("/meetings/\(id)").status == 204)
        #expect(try owner.delete("/resumes/\(resume)").status == 204)
    }
}
