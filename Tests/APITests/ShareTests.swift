@_spi(Composition) import Domain
import Foundation
import HTTPCore
import Primitives
import SQLiteCore
import Testing
import TestSupport
@testable import API

@Suite("Shares: a coach who can read along", .timeLimit(.minutes(2)))
struct ShareTests {
    /// A member with some search data, a coach and a stranger.
    func setUp() throws -> (LiveServer, member: APIClient, memberID: Int64, coach: APIClient, stranger: APIClient) {
        let live = try LiveServer()
        let member = try live.newUser("mia")
        let coach = try live.newUser("cole")
        let stranger = try live.newUser("sam")
        let interest = try member.create("/interests", #"{"name":"Urban planning"}"#)
        let organization = try member.create("/organizations", #"{"name":"City Lab","interest_ids":[\#(interest)]}"#)
        let contact = try member.create("/contacts", #"{"name":"Ann Alvarez","organization_id":\#(organization),"interest_ids":[\#(interest)]}"#)
        _ = try member.create("/meetings", #"{"contact_id":\#(contact),"scheduled_at":"2030-01-02T10:00:00Z"}"#)
        _ = try member.create("/pitches", #"{"name":"Short","body":"Hello {{contact.name}}, may we talk?","channel":"email"}"#)
        let memberID = try #require(try member.get("/me").json?["id"]?.intValue)
        return (live, member, memberID, coach, stranger)
    }

    @Test func aShareAnswersExactlyWhatTheSharersOwnGETAnswers() throws {
        let (live, member, memberID, coach, stranger) = try setUp()
        defer { withExtendedLifetime(live) {} }
        let paths = [
            "/me", "/contacts", "/contacts/1", "/contacts?sort=-updated_at&limit=1", "/organizations", "/organizations/1", "/interests",
            "/interests/1", "/interests/1/knowledge", "/meetings", "/meetings/1", "/meetings/1/prep", "/meetings/1/questions", "/pitches",
            "/agenda", "/stats", "/skills/gaps", "/deletions", "/contacts/1/network", "/contacts.csv", "/coach-notes",
        ]
        // Before any share: every such route is 404, as for an account that does not exist.
        for path in paths {
            #expect(try coach.get("/accounts/\(memberID)" + path).isProblem(404, "not_found"), "\(path)")
        }
        let shared = try member.post("/shares", #"{"grantee":"COLE","scope":"read"}"#)
        #expect(shared.status == 201)
        #expect(shared.json?["direction"] == .string("granted"))
        #expect(shared.json?["grantee_name"] == .string("cole"))
        for path in paths {
            let own = try member.get(path)
            let read = try coach.get("/accounts/\(memberID)" + path)
            #expect(own.status == 200, "\(path)")
            #expect(read.status == own.status, "\(path)")
            #expect(read.header("content-type") == own.header("content-type"), "\(path)")
            #expect(read.header("etag") == own.header("etag"), "\(path)")
            #expect(read.text == own.text, "\(path)")
        }
        // The export (stamped with its own time) is there too.
        #expect(try coach.get("/accounts/\(memberID)/export").json?["contacts"]?.arrayValue?.count == 1)
        // HEAD and If-None-Match work there as on the sharer's own routes.
        let head = try coach.raw.request("HEAD", "/accounts/\(memberID)/contacts/1", headers: [("Authorization", "Bearer \(coach.token)")])
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        let etag = try #require(try member.get("/contacts/1").header("etag"))
        #expect(try coach.get("/accounts/\(memberID)/contacts/1", headers: [("If-None-Match", etag)]).status == 304)
        // Another account's objects stay 404 through the share, and the stranger sees nothing.
        #expect(try coach.get("/accounts/\(memberID)/contacts/999").isProblem(404, "not_found"))
        #expect(try stranger.get("/accounts/\(memberID)/contacts").isProblem(404, "not_found"))
        // Credentials and account management are never shared.
        for path in ["/tokens", "/feeds", "/shares", "/users", "/invites"] {
            #expect(try coach.get("/accounts/\(memberID)" + path).isProblem(404, "not_found"), "\(path)")
        }
    }

    @Test func everyWriteThroughAShareIsRefusedAndChangesNothing() throws {
        let (live, member, memberID, coach, stranger) = try setUp()
        _ = try member.post("/shares", #"{"grantee":"cole","scope":"coach"}"#)
        let before = try live.count("SELECT count(*) FROM contacts") + live.count("SELECT sum(version) FROM contacts")
        for (method, path, body) in [
            ("POST", "/contacts", #"{"name":"Injected"}"#), ("PATCH", "/contacts/1", #"{"name":"Changed"}"#), ("DELETE", "/contacts/1", ""),
            ("POST", "/meetings/1/cancel", "{}"), ("PATCH", "/me", #"{"headline":"hacked"}"#), ("POST", "/agenda/dismissals", #"{"kind":"meeting","ref_id":1}"#),
            ("POST", "/imports/json", "{}"), ("DELETE", "/me", #"{"confirm":"mia"}"#),
        ] {
            let headers = body.isEmpty ? [] : [("Content-Type", "application/json")]
            let response = try coach.request(method, "/accounts/\(memberID)" + path, body: Array(body.utf8), headers: headers)
            #expect(response.isProblem(403, "read_only_share"), "\(method) \(path): \(response.status)")
            let unshared = try stranger.request(method, "/accounts/\(memberID)" + path, body: Array(body.utf8), headers: headers)
            #expect(unshared.isProblem(404, "not_found"), "\(method) \(path)")
        }
        #expect(try live.count("SELECT count(*) FROM contacts") + live.count("SELECT sum(version) FROM contacts") == before)
        #expect(try member.get("/me").json?["headline"] == .null)
        #expect(try live.count("SELECT count(*) FROM users WHERE name = 'mia'") == 1)
    }

    @Test func aRevokedShareAndADisabledGranteeStopAtOnce() throws {
        let (live, member, memberID, coach, _) = try setUp()
        let shareID = try #require(try member.post("/shares", #"{"grantee":"cole","scope":"read"}"#).json?["id"]?.intValue)
        #expect(try coach.get("/accounts/\(memberID)/contacts").status == 200)
        // The grantee sees it as received.
        let received = try coach.walk("/shares?direction=received")
        #expect(received.count == 1)
        #expect(received.first?["direction"] == .string("received"))
        #expect(received.first?["user_name"] == .string("mia"))
        #expect(try coach.walk("/shares?direction=granted").isEmpty)
        #expect(try member.delete("/shares/\(shareID)").status == 204)
        #expect(try coach.get("/accounts/\(memberID)/contacts").isProblem(404, "not_found"))
        #expect(try member.walk("/shares").isEmpty)

        let again = try #require(try member.post("/shares", #"{"grantee":"cole"}"#).json?["id"]?.intValue)
        #expect(try coach.get("/accounts/\(memberID)/contacts").status == 200)
        _ = try live.owner().patch("/users/\(try #require(try coach.get("/me").json?["id"]?.intValue))", #"{"disabled":true}"#)
        #expect(try coach.get("/accounts/\(memberID)/contacts").status == 401)
        // The grantee may also end a share given to them.
        _ = try live.owner().patch("/users/\(try #require(try live.count("SELECT id FROM users WHERE name = 'cole'")))", #"{"disabled":false}"#)
        #expect(try coach.delete("/shares/\(again)").status == 204)
        #expect(try coach.get("/accounts/\(memberID)/contacts").isProblem(404, "not_found"))
    }

    @Test func sharingRulesAndBadInput() throws {
        let (live, member, _, coach, stranger) = try setUp()
        #expect(try member.post("/shares", #"{"grantee":"nobody"}"#).problemFields == ["grantee"])
        #expect(try member.post("/shares", #"{"grantee":"mia"}"#).problemFields == ["grantee"])
        #expect(try member.post("/shares", #"{"grantee":"cole","scope":"write"}"#).problemFields == ["scope"])
        #expect(try member.post("/shares", #"{"scope":"read"}"#).problemFields == ["grantee"])
        #expect(try member.post("/shares", #"{"grantee":"cole","user_id":1}"#).status == 400)
        let first = try member.post("/shares", #"{"grantee":"cole"}"#)
        #expect(first.json?["scope"] == .string("read"))
        let duplicate = try member.post("/shares", #"{"grantee":"Cole","scope":"coach"}"#)
        #expect(duplicate.isProblem(409, "duplicate_share"))
        #expect(duplicate.json?["existing_id"] == first.json?["id"])
        #expect(try live.count("SELECT count(*) FROM shares") == 1)
        // A share is visible to its two sides only.
        let id = try #require(first.json?["id"]?.intValue)
        let fromGrantee = try coach.get("/shares/\(id)")
        #expect(fromGrantee.status == 200)
        #expect(fromGrantee.json?["direction"] == .string("received"))
        #expect(fromGrantee.header("etag") == "\"1\"")
        #expect(try member.delete("/shares/\(id)", headers: [("If-Match", "\"7\"")]).isProblem(412, "precondition_failed"))
        #expect(try stranger.get("/shares/\(id)").isProblem(404, "not_found"))
        #expect(try stranger.delete("/shares/\(id)").isProblem(404, "not_found"))
        #expect(try live.count("SELECT count(*) FROM shares") == 1)
    }

    @Test func theSharerSeesWhoReadWhat() throws {
        let (live, member, memberID, coach, _) = try setUp()
        defer { withExtendedLifetime(live) {} }
        let id = try #require(try member.post("/shares", #"{"grantee":"cole"}"#).json?["id"]?.intValue)
        for path in ["/contacts", "/contacts/1", "/contacts/1", "/agenda"] {
            #expect(try coach.get("/accounts/\(memberID)" + path).status == 200)
        }
        _ = try coach.patch("/accounts/\(memberID)/contacts/1", #"{"name":"x"}"#)
        var reads: [JSONValue] = []
        #expect(waitUntil { reads = (try? member.walk("/shares/\(id)/reads")) ?? []; return reads.count == 4 })
        let byRoute = Dictionary(reads.map { ("\($0["method"]?.stringValue ?? "") \($0["route"]?.stringValue ?? "")", $0["count"]?.intValue ?? 0) }) { $0 + $1 }
        #expect(byRoute == ["GET /contacts": 1, "GET /contacts/{id}": 2, "GET /agenda": 1, "PATCH /contacts/{id}": 1])
        let today = String(RFC3339.format(Date()).prefix(10))
        #expect(reads.allSatisfy { $0["day"] == .string(today) && $0["last_at"]?.stringValue != nil })
        // The grantee cannot see the log.
        #expect(try coach.get("/shares/\(id)/reads").isProblem(404, "not_found"))
    }

    @Test func aCoachLeavesNotesThatTheMemberSeesOnTheAgendaUntilDismissed() throws {
        let (live, member, memberID, coach, _) = try setUp()
        _ = try member.post("/shares", #"{"grantee":"cole","scope":"read"}"#)
        let readOnly = try coach.post("/accounts/\(memberID)/coach-notes", #"{"text":"Ask Ann for a second referral"}"#)
        #expect(readOnly.isProblem(403, "read_only_share"))
        #expect(try live.count("SELECT count(*) FROM coach_notes") == 0)
        let shareID = try #require(try member.walk("/shares").first?["id"]?.intValue)
        _ = try member.delete("/shares/\(shareID)")
        _ = try member.post("/shares", #"{"grantee":"cole","scope":"coach"}"#)

        #expect(try coach.post("/accounts/\(memberID)/coach-notes", #"{}"#).problemFields == ["text"])
        #expect(try coach.post("/accounts/\(memberID)/coach-notes", #"{"text":"x","contact_id":999}"#).problemFields == ["contact_id"])
        #expect(try coach.post("/accounts/\(memberID)/coach-notes", #"{"text":"x","author_name":"me"}"#).status == 400)
        let note = try coach.post("/accounts/\(memberID)/coach-notes", #"{"text":"Ask Ann for a second referral","contact_id":1,"pitch_id":1}"#)
        #expect(note.status == 201)
        #expect(note.json?["author_name"] == .string("cole"))
        #expect(note.json?["contact_id"] == .int(1))
        let noteID = try #require(note.json?["id"]?.intValue)
        // A coach note is the member's; another account cannot add one to itself through the route.
        #expect(try member.post("/accounts/\(memberID)/coach-notes", #"{"text":"self"}"#).isProblem(404, "not_found"))

        let notes = try member.walk("/coach-notes")
        #expect(notes.map { $0["id"]?.intValue } == [noteID])
        #expect(notes.first?["dismissed"] == .bool(false))
        #expect(try member.get("/coach-notes/\(noteID)").json?["text"] == .string("Ask Ann for a second referral"))
        #expect(try coach.get("/accounts/\(memberID)/coach-notes/\(noteID)").status == 200)
        let agenda = try member.get("/agenda")
        let item = try #require(agenda.json?["items"]?.arrayValue?.first { $0["kind"] == .string("coach_note") })
        #expect(item["ref_id"] == .int(noteID))
        #expect(item["coach_note_id"] == .int(noteID))
        #expect(item["contact_id"] == .int(1))
        #expect(item["reason"]?.stringValue?.contains("Ask Ann for a second referral") == true)

        #expect(try member.post("/agenda/dismissals", #"{"kind":"coach_note","ref_id":\#(noteID)}"#).status == 201)
        #expect(try member.get("/agenda").json?["items"]?.arrayValue?.contains { $0["kind"] == .string("coach_note") } == false)
        #expect(try member.get("/coach-notes/\(noteID)").json?["dismissed"] == .bool(true))
        // Another account's note id cannot be dismissed.
        #expect(try coach.post("/agenda/dismissals", #"{"kind":"coach_note","ref_id":\#(noteID)}"#).problemFields == ["ref_id"])
    }

    /// Every route a share may read is mirrored, and nothing private is.
    @Test func theMirrorCoversEveryShareableRoute() throws {
        let live = try LiveServer()
        let app = FootholdApp.makeResponder(context: .init(services: Services(database: try #require(live.database))), cors: CORSPolicy(allowedOrigins: []))
        let routes = Set(app.router.registered.map { "\($0.method) \($0.template)" })
        for (method, template) in app.router.registered where !template.hasPrefix("/accounts") {
            let mirrored = routes.contains("\(method) /accounts/{user_id:int}\(template)")
            #expect(mirrored == ShareRoutes.isShareable(template), "\(method) \(template)")
        }
        for private_ in ["/tokens", "/feeds/{id:int}", "/users", "/invites/accept", "/sessions", "/shares/{id:int}/reads", "/me/password", "/calendar/{file}", "/metrics"] {
            #expect(!ShareRoutes.isShareable(private_), "\(private_)")
        }
        #expect(routes.contains("GET /accounts/{user_id:int}/contacts/{id:int}"))
        #expect(routes.contains("POST /accounts/{user_id:int}/coach-notes"))
    }
}
