import Foundation
import HTTPCore
import Testing
import TestSupport

@Suite("Resume versions", .timeLimit(.minutes(1)))
struct ResumeTests {
    @Test func resumeLifecycleAndContentTime() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let robotics = try owner.create("/interests", #"{"name":"Robotics"}"#)
        let created = try owner.post("/resumes", #"{"label":"Robotics, 2 pages","interest_id":\#(robotics),"content":"Ada Lovelace\nEngines"}"#)
        #expect(created.status == 201)
        let id = try #require(created.json?["id"]?.intValue)
        #expect(created.header("location") == "/resumes/\(id)")
        #expect(created.json?["interest_id"] == .int(robotics))
        #expect(created.json?["url"] == .null)
        let contentTime = try #require(created.json?["content_updated_at"]?.stringValue)
        #expect(created.json?["content_updated_at"] == created.json?["created_at"])
        #expect(try owner.get("/resumes/\(id)").json == created.json)

        // Moving the content stamps it again; renaming does not.
        try live.database?.write { try $0.run("UPDATE resumes SET content_updated_at = '2025-01-01T00:00:00.000Z' WHERE id = ?", [id]) }
        let renamed = try owner.patch("/resumes/\(id)", #"{"label":"Robotics, 1 page"}"#)
        #expect(renamed.status == 200)
        #expect(renamed.json?["content_updated_at"] == .string("2025-01-01T00:00:00Z"))
        let rewritten = try owner.patch("/resumes/\(id)", #"{"content":null,"url":"https://example.com/cv.pdf"}"#)
        #expect(rewritten.status == 200)
        #expect(rewritten.json?["content"] == .null)
        #expect(rewritten.json?["url"] == .string("https://example.com/cv.pdf"))
        let newTime = try #require(rewritten.json?["content_updated_at"]?.stringValue)
        #expect(newTime >= contentTime)
        #expect(newTime != "2025-01-01T00:00:00Z")

        // Deleting the interest leaves the resume, unlinked and with a new version.
        let before = try #require(rewritten.json?["version"]?.intValue)
        #expect(try owner.delete("/interests/\(robotics)").status == 204)
        let unlinked = try owner.get("/resumes/\(id)")
        #expect(unlinked.json?["interest_id"] == .null)
        #expect(unlinked.json?["version"] == .int(before + 1))

        #expect(try owner.delete("/resumes/\(id)").status == 204)
        #expect(try owner.get("/resumes/\(id)").isProblem(404, "not_found"))
        #expect(try owner.walk("/deletions").map { $0["type"] }.contains(.string("resume")))
    }

    @Test func badResumesChangeNothing() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let bob = try live.newUser("bob")
        let theirs = try bob.create("/interests", #"{"name":"Theirs"}"#)
        for (body, status, code, fields) in [
            (#"{"label":"Empty"}"#, 422, "validation_failed", ["content"]),
            (#"{"label":"Blank","content":"  ","url":""}"#, 422, "validation_failed", ["content"]),
            (#"{"label":"Bad url","url":"ftp://x"}"#, 422, "validation_failed", ["url"]),
            (#"{"label":"Foreign","content":"x","interest_id":\#(theirs)}"#, 422, "validation_failed", ["interest_id"]),
            (#"{"label":"Unknown","content":"x","interest_id":99999}"#, 422, "validation_failed", ["interest_id"]),
            (#"{"label":"Nul\u0000","content":"x"}"#, 422, "validation_failed", ["label"]),
            (#"{"content":"x"}"#, 422, "validation_failed", ["label"]),
            (#"{"label":"Stamp","content":"x","content_updated_at":"2026-01-01T00:00:00Z"}"#, 400, "read_only_fields", ["content_updated_at"]),
        ] {
            let response = try owner.post("/resumes", body)
            #expect(response.isProblem(status, code), "\(body)")
            #expect(response.problemFields == fields, "\(body)")
        }
        #expect(try live.count("SELECT count(*) FROM resumes") == 0)
        let mine = try owner.create("/resumes", #"{"label":"Mine","url":"https://example.com/cv"}"#)
        #expect(try owner.patch("/resumes/\(mine)", #"{"url":null}"#).problemFields == ["content"])
        #expect(try bob.get("/resumes/\(mine)").isProblem(404, "not_found"))
        #expect(try bob.listIDs("/resumes") == [])
    }

    @Test func listsFilterByInterestAndSortByLabel() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let robotics = try owner.create("/interests", #"{"name":"Robotics"}"#)
        let b = try owner.create("/resumes", #"{"label":"beta","content":"x","interest_id":\#(robotics)}"#)
        let a = try owner.create("/resumes", #"{"label":"Alpha","content":"engines"}"#)
        let c = try owner.create("/resumes", #"{"label":"Gamma","url":"https://example.com/g","interest_id":\#(robotics)}"#)
        #expect(try owner.walkIDs("/resumes?limit=1") == [b, a, c])
        #expect(try owner.walkIDs("/resumes?sort=label&limit=2") == [a, b, c])
        #expect(try owner.walkIDs("/resumes?sort=-label&limit=2") == [c, b, a])
        #expect(try owner.listIDs("/resumes?interest_id=\(robotics)") == [b, c])
        #expect(try owner.listIDs("/resumes?q=engines") == [a])
        #expect(try owner.get("/resumes?interest_id=x").isProblem(400, "bad_query"))
    }

    /// Long content fits: the route takes bodies beyond the server's 1 MiB.
    @Test func longContentFitsItsOwnBodyLimit() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let content = String(repeating: "\\ud83d\\ude00", count: 100_000)  // 100,000 code points, 1.2 MB escaped
        let created = try owner.post("/resumes", #"{"label":"Long","content":"\#(content)"}"#)
        #expect(created.status == 201)
        #expect(created.json?["content"]?.stringValue?.unicodeScalars.count == 100_000)
        let tooLong = try owner.post("/resumes", #"{"label":"Longer","content":"\#(content)x"}"#)
        #expect(tooLong.isProblem(422, "validation_failed"))
        #expect(tooLong.problemFields == ["content"])
    }
}
