import Foundation
import HTTPCore
import Primitives
import Testing
import TestSupport

@Suite("Contacts", .timeLimit(.minutes(1)))
struct ContactTests {
    /// Control characters are refused in text fields (a NUL breaks every export); notes may hold
    /// tabs and line breaks. Nothing is stored.
    @Test func controlCharactersAreRefusedInText() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        for (body, field) in [
            (#"{"name":"Ada\u0000"}"#, "name"), (#"{"name":"Ada","title":"a\tb"}"#, "title"), (#"{"name":"Ada","hook":"line\nbreak"}"#, "hook"),
            (#"{"name":"Ada","tags":["ok","bad\u0007"]}"#, "tags"), (#"{"name":"Ada","notes":"nul \u0000 here"}"#, "notes"),
            (#"{"name":"Ada","notes":"lone \r here"}"#, "notes"), (#"{"name":"Ada\u007f"}"#, "name"),
        ] {
            let refused = try owner.post("/contacts", body)
            #expect(refused.isProblem(422, "validation_failed"), "\(body)")
            #expect(refused.problemFields == [field], "\(body)")
        }
        #expect(try owner.post("/organizations", #"{"name":"Acme","industry":"x\u001fy"}"#).problemFields == ["industry"])
        #expect(try owner.post("/interests", #"{"name":"Robotics","goal":"two\r\nlines\tand a tab"}"#).status == 201)
        #expect(try live.count("SELECT count(*) FROM contacts") == 0)
        let notes = try owner.post("/contacts", #"{"name":"Ada","notes":"one\ntwo\r\nthree\tfour"}"#)
        #expect(notes.status == 201)
        // Line breaks are kept as LF, however they were sent.
        #expect(notes.json?["notes"] == .string("one\ntwo\nthree\tfour"))
    }

    /// Lengths are counted in code points, as JSON Schema counts them: a skin-tone emoji is two.
    @Test func lengthsCountCodePoints() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let thumbs = "👍🏻"  // one grapheme, two code points
        let long = String(repeating: thumbs, count: 100) + "x"  // 201 code points, 101 graphemes
        let refused = try owner.post("/interests", #"{"name":"\#(long)"}"#)
        #expect(refused.isProblem(422, "validation_failed"))
        #expect(refused.problemFields == ["name"])
        let fits = String(repeating: thumbs, count: 100)  // exactly 200 code points
        #expect(try owner.post("/interests", #"{"name":"\#(fits)"}"#).status == 201)
        let tag = String(repeating: thumbs, count: 25) + "x"  // 51 code points
        #expect(try owner.post("/contacts", #"{"name":"Ada","tags":["\#(tag)"]}"#).problemFields == ["tags"])
        // Counted as sent, before trimming, as the spec's maxLength counts.
        let padded = "  " + String(repeating: "a", count: 199)  // 201 code points, 199 after trimming
        let refusedPadded = try owner.post("/interests", #"{"name":"\#(padded)"}"#)
        #expect(refusedPadded.problemFields == ["name"])
        #expect(refusedPadded.json?["errors"]?.arrayValue?.first?["message"] == .string("must be at most 200 characters"))
    }

    /// JSON Schema counts 2.0 and 1e2 as integers; 2.5 is not one.
    @Test func integralNumbersAreIntegers() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let interest = try owner.create("/interests", #"{"name":"Robotics"}"#)
        let created = try owner.post("/organizations", #"{"name":"Acme","motivation":2.0,"posting":3e0,"interest_ids":[\#(interest).0]}"#)
        #expect(created.status == 201)
        #expect(created.json?["motivation"] == .int(2))
        #expect(created.json?["posting"] == .int(3))
        #expect(created.json?["interest_ids"] == .array([.int(interest)]))
        let contact = try owner.post("/contacts", #"{"name":"Ada","keep_in_touch_days":1e2}"#)
        #expect(contact.json?["keep_in_touch_days"] == .int(100))
        let fraction = try owner.post("/organizations", #"{"name":"Beta","motivation":2.5}"#)
        #expect(fraction.isProblem(422, "validation_failed"))
        #expect(fraction.problemFields == ["motivation"])
        #expect(try owner.post("/contacts", #"{"name":"Bo","organization_id":1.5}"#).problemFields == ["organization_id"])
        #expect(try owner.post("/contacts", #"{"name":"Bo","keep_in_touch_days":1e300}"#).problemFields == ["keep_in_touch_days"])
    }

    @Test func createReturnsTheObjectWithLocationAndETag() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let interest = try owner.create("/interests", #"{"name":"Robotics"}"#)
        let org = try owner.create("/organizations", #"{"name":"Acme"}"#)
        let response = try owner.post("/contacts", #"""
            {"name":" Ada Lovelace ","title":"CTO","organization_id":\#(org),"email":"ada@example.com","phone":"+44 1",
             "linkedin_url":"https://www.linkedin.com/in/ada/","location":"London","source":"conference","hook":"I heard your talk on engines",
             "tags":["alumni","Alumni","mentor"],"interest_ids":[\#(interest)],"stage":"contacted","keep_in_touch_days":30,"notes":"n"}
            """#)
        #expect(response.status == 201)
        let json = try #require(response.json)
        let id = try #require(json["id"]?.intValue)
        #expect(response.header("location") == "/contacts/\(id)")
        #expect(response.header("etag") == "\"1\"")
        #expect(response.header("content-type") == "application/json")
        #expect(json["name"] == .string("Ada Lovelace"))
        #expect(json["tags"] == .array([.string("alumni"), .string("mentor")]))
        #expect(json["interest_ids"] == .array([.int(interest)]))
        #expect(json["stage"] == .string("contacted"))
        #expect(json["keep_in_touch_days"] == .int(30))
        #expect(json["version"] == .int(1))
        let created = try #require(json["created_at"]?.stringValue)
        #expect(created.count == 20 && created.hasSuffix("Z"))
        #expect(try owner.get("/contacts/\(id)").json == json)
        #expect(try live.count("SELECT count(*) FROM contacts WHERE name = 'Ada Lovelace' AND organization_id = ?", [org]) == 1)
        #expect(try live.count("SELECT count(*) FROM contact_tags WHERE contact_id = ?", [id]) == 2)

        // The answer is built from what was written; tags come in the order they are read back.
        let other = try owner.post("/contacts", #"{"name":"Zoë","tags":["été","Ü","b","A","ß"],"interest_ids":[\#(interest)]}"#)
        #expect(other.status == 201)
        let otherID = try #require(other.json?["id"]?.intValue)
        #expect(try owner.get("/contacts/\(otherID)").json == other.json)
        #expect(other.json?["tags"] == .array([.string("A"), .string("b"), .string("Ü"), .string("ß"), .string("été")]))
    }

    @Test func duplicateEmailOrLinkedInIsAConflictUnlessAllowed() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let ada = try owner.create("/contacts", #"{"name":"Ada","email":"ada@example.com","linkedin_url":"https://www.linkedin.com/in/ada/"}"#)
        let byEmail = try owner.post("/contacts", #"{"name":"Ada again","email":"ADA@example.com"}"#)
        #expect(byEmail.status == 409)
        #expect(byEmail.code == "duplicate_contact")
        #expect(byEmail.json?["existing_id"] == .int(ada))
        let byLinkedIn = try owner.post("/contacts", #"{"name":"Ada again","linkedin_url":"http://linkedin.com/in/ADA?trk=x"}"#)
        #expect(byLinkedIn.status == 409)
        #expect(byLinkedIn.json?["existing_id"] == .int(ada))
        // Percent-escapes name the same profile as the characters they encode, in either case.
        let jose = try owner.create("/contacts", #"{"name":"José","linkedin_url":"https://www.linkedin.com/in/jos%C3%A9-r/"}"#)
        let escaped = try owner.post("/contacts", #"{"name":"José again","linkedin_url":"https://linkedin.com/in/JOS%c3%a9-R"}"#)
        #expect(escaped.status == 409)
        #expect(escaped.json?["existing_id"] == .int(jose))
        // A malformed escape is compared as written rather than refused.
        #expect(try owner.post("/contacts", #"{"name":"Odd","linkedin_url":"https://linkedin.com/in/odd%zz"}"#).status == 201)
        #expect(try owner.post("/contacts", #"{"name":"Odd again","linkedin_url":"https://linkedin.com/in/ODD%ZZ/"}"#).isProblem(409, "duplicate_contact"))
        #expect(try live.count("SELECT count(*) FROM contacts") == 3)

        let allowed = try owner.post("/contacts?allow_duplicate=true", #"{"name":"Ada again","email":"ada@example.com"}"#)
        #expect(allowed.status == 201)
        let bob = try owner.create("/contacts", #"{"name":"Bob","email":"bob@example.com"}"#)
        let patched = try owner.patch("/contacts/\(bob)", #"{"email":"ada@example.com"}"#)
        #expect(patched.status == 409)
        #expect(try owner.get("/contacts/\(bob)").json?["email"] == .string("bob@example.com"))
        #expect(try owner.post("/contacts?allow_duplicate=yes", #"{"name":"C"}"#).isProblem(400, "bad_query"))
        #expect(try owner.post("/contacts?other=true", #"{"name":"C"}"#).isProblem(400, "bad_query"))
    }

    @Test func badBodiesAreRefusedAndChangeNothing() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let cases: [(String, [(String, String)], Int, String?)] = [
            (#"{"name":"A","id":5}"#, [], 400, "read_only_fields"),
            (#"{"name":"A","version":2,"created_at":"x"}"#, [], 400, "read_only_fields"),
            (#"{"name":"A","nickname":"x"}"#, [], 400, "unknown_fields"),
            (#"{"name":"A",}"#, [], 400, "malformed_json"),
            (#"{"name":"A","name":"B"}"#, [], 400, "malformed_json"),
            (#"["name"]"#, [], 400, "body_not_object"),
            (#"{"name":"A"}"#, [("Content-Type", "text/plain")], 415, "unsupported_media_type"),
            (#"{}"#, [], 422, "validation_failed"),
            (#"{"name":"   "}"#, [], 422, "validation_failed"),
            (#"{"name":null}"#, [], 422, "validation_failed"),
            (#"{"name":"A","email":"not-an-email"}"#, [], 422, "validation_failed"),
            (#"{"name":"A","stage":"friend"}"#, [], 422, "validation_failed"),
            (#"{"name":"A","keep_in_touch_days":0}"#, [], 422, "validation_failed"),
            (#"{"name":"A","tags":["ok",""]}"#, [], 422, "validation_failed"),
            (#"{"name":"A","tags":"x"}"#, [], 422, "validation_failed"),
            (#"{"name":"A","organization_id":"1"}"#, [], 422, "validation_failed"),
            (#"{"name":"A","organization_id":42}"#, [], 422, "validation_failed"),
            (#"{"name":"A","interest_ids":[7]}"#, [], 422, "validation_failed"),
            (#"{"name":"A","linkedin_url":"linkedin.com/in/a"}"#, [], 422, "validation_failed"),
        ]
        for (body, headers, status, code) in cases {
            var response: ClientResponse
            if headers.isEmpty {
                response = try owner.post("/contacts", body)
            } else {
                response = try owner.raw.request(
                    "POST", "/contacts", headers: [("Authorization", "Bearer \(owner.token)")] + headers, body: Array(body.utf8))
            }
            #expect(response.status == status, "\(body)")
            #expect(response.code == code, "\(body)")
            #expect(response.header("content-type") == "application/problem+json", "\(body)")
        }
        let many = try owner.post("/contacts", #"{"name":5,"email":4,"stage":"x","tags":[1]}"#)
        #expect(Set(many.problemFields) == ["name", "email", "stage", "tags"])
        let empty = try owner.raw.request("POST", "/contacts", headers: [("Authorization", "Bearer \(owner.token)"), ("Content-Type", "application/json")], body: [])
        #expect(empty.code == "empty_body")
        #expect(try live.count("SELECT count(*) FROM contacts") == 0)
        // Media types compare without case and parameters.
        let charset = try owner.raw.request(
            "POST", "/contacts", headers: [("Authorization", "Bearer \(owner.token)"), ("Content-Type", "Application/JSON; charset=utf-8")],
            body: Array(#"{"name":"A"}"#.utf8))
        #expect(charset.status == 201)
        #expect(try live.count("SELECT count(*) FROM contacts") == 1)
    }

    @Test func mergePatchSemanticsAndVersions() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let id = try owner.create("/contacts", #"{"name":"Ada","title":"CTO","tags":["a"],"notes":"keep"}"#)
        let patched = try owner.patch("/contacts/\(id)", #"{"title":null,"hook":"Your talk","tags":["b","c"]}"#, headers: [("Content-Type", "application/merge-patch+json")])
        #expect(patched.status == 200)
        #expect(patched.json?["title"] == .null)
        #expect(patched.json?["hook"] == .string("Your talk"))
        #expect(patched.json?["notes"] == .string("keep"))
        #expect(patched.json?["tags"] == .array([.string("b"), .string("c")]))
        #expect(patched.json?["version"] == .int(2))
        #expect(patched.header("etag") == "\"2\"")
        // A patch that changes nothing keeps the version.
        #expect(try owner.patch("/contacts/\(id)", #"{"hook":"Your talk"}"#).json?["version"] == .int(2))
        #expect(try owner.patch("/contacts/\(id)", #"{}"#).json?["version"] == .int(2))
        #expect(try owner.patch("/contacts/\(id)", #"{"tags":null}"#).isProblem(422, "validation_failed"))
        #expect(try owner.patch("/contacts/\(id)", #"{"version":9}"#).isProblem(400, "read_only_fields"))
        #expect(try owner.patch("/contacts/999", #"{"hook":"x"}"#).isProblem(404, "not_found"))
        #expect(try live.count("SELECT version FROM contacts WHERE id = ?", [id]) == 2)
    }

    /// Racing updates that name the same version: the writer thread checks each against what is
    /// stored, so exactly one wins and the others get 412 with nothing lost or merged.
    @Test func racingConditionalUpdatesLetExactlyOneWin() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let id = try owner.create("/contacts", #"{"name":"Ada"}"#)
        let port = live.port
        let token = live.ownerToken
        let outcomes = Lock<[(Int, String)]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            let status = (try? APIClient(port: port, token: token).patch(
                "/contacts/\(id)", #"{"title":"T\#(index)"}"#, headers: [("If-Match", "\"1\"")]).status) ?? -1
            outcomes.withLock { $0.append((status, "T\(index)")) }
        }
        let all = outcomes.withLock { $0 }
        let winners = all.filter { $0.0 == 200 }
        #expect(winners.count == 1)
        #expect(all.filter { $0.0 == 412 }.count == 7)
        let stored = try owner.get("/contacts/\(id)")
        #expect(stored.json?["version"] == .int(2))
        #expect(stored.json?["title"] == winners.first.map { .string($0.1) })
        // Deletes race the same way: one 204, the rest 412 or 404.
        let deletes = Lock<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            let status = (try? APIClient(port: port, token: token).delete("/contacts/\(id)", headers: [("If-Match", "\"2\"")]).status) ?? -1
            deletes.withLock { $0.append(status) }
        }
        #expect(deletes.withLock { $0 }.filter { $0 == 204 }.count == 1)
        #expect(deletes.withLock { $0 }.allSatisfy { [204, 404, 412].contains($0) })
        #expect(try live.count("SELECT count(*) FROM contacts") == 0)
    }

    @Test func conditionalRequests() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let id = try owner.create("/contacts", #"{"name":"Ada","notes":"\#(String(repeating: "long notes ", count: 200))"}"#)
        let stale = try owner.patch("/contacts/\(id)", #"{"title":"CEO"}"#, headers: [("If-Match", "\"7\"")])
        #expect(stale.status == 412)
        #expect(stale.code == "precondition_failed")
        #expect(stale.header("etag") == "\"1\"")
        #expect(try owner.get("/contacts/\(id)").json?["title"] == .null)
        #expect(try owner.patch("/contacts/\(id)", #"{"title":"CEO"}"#, headers: [("If-Match", "W/\"1\"")]).isProblem(412, "precondition_failed"))
        #expect(try owner.patch("/contacts/\(id)", #"{"title":"CEO"}"#, headers: [("If-Match", "\"0\", \"1\"")]).status == 200)
        #expect(try owner.patch("/contacts/\(id)", #"{"title":"CTO"}"#, headers: [("If-Match", "*")]).status == 200)

        let current = try owner.get("/contacts/\(id)")
        #expect(current.header("etag") == "\"3\"")
        let notModified = try owner.get("/contacts/\(id)", headers: [("If-None-Match", "\"3\"")])
        #expect(notModified.status == 304)
        #expect(notModified.body.isEmpty)
        #expect(notModified.header("etag") == "\"3\"")
        #expect(try owner.get("/contacts/\(id)", headers: [("If-None-Match", "\"2\"")]).status == 200)
        // The gzip representation has its own strong tag that still names version 3.
        let zipped = try owner.get("/contacts/\(id)", headers: [("Accept-Encoding", "gzip")])
        #expect(zipped.header("content-encoding") == "gzip")
        #expect(zipped.header("etag") == "\"3-gzip\"")
        #expect(try owner.get("/contacts/\(id)", headers: [("If-None-Match", "\"3-gzip\"")]).status == 304)
        #expect(try owner.patch("/contacts/\(id)", #"{"title":"X"}"#, headers: [("If-Match", "\"3-gzip\"")]).status == 200)

        #expect(try owner.delete("/contacts/\(id)", headers: [("If-Match", "\"1\"")]).isProblem(412, "precondition_failed"))
        #expect(try live.count("SELECT count(*) FROM contacts") == 1)
        #expect(try owner.delete("/contacts/\(id)", headers: [("If-Match", "\"4\"")]).status == 204)
        #expect(try owner.get("/contacts/\(id)").status == 404)
        #expect(try live.count("SELECT count(*) FROM contact_tags") + live.count("SELECT count(*) FROM contacts") == 0)
    }
}
