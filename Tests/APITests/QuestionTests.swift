import Foundation
import HTTPCore
import Testing
import TestSupport

@Suite("Question bank", .timeLimit(.minutes(1)))
struct QuestionTests {
    @Test func questionLifecycle() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let created = try owner.post("/questions", #"{"text":"  What trend worries you most?  ","category":"trends","tags":["Robotics","robotics","first call"]}"#)
        #expect(created.status == 201)
        let id = try #require(created.json?["id"]?.intValue)
        #expect(created.header("location") == "/questions/\(id)")
        #expect(created.header("etag") == "\"1\"")
        #expect(created.json?["text"] == .string("What trend worries you most?"))
        #expect(created.json?["category"] == .string("trends"))
        #expect(created.json?["tags"] == .array([.string("first call"), .string("Robotics")]))
        #expect(try owner.get("/questions/\(id)").json == created.json)
        #expect(try live.count("SELECT count(*) FROM question_tags WHERE question_id = ?", [id]) == 2)

        let plain = try owner.post("/questions", #"{"text":"How did you get into this field?"}"#)
        #expect(plain.json?["category"] == .string("other"))
        #expect(plain.json?["tags"] == .array([]))

        let patched = try owner.patch("/questions/\(id)", #"{"category":"advice","tags":[]}"#, headers: [("If-Match", "\"1\"")])
        #expect(patched.status == 200)
        #expect(patched.json?["version"] == .int(2))
        #expect(patched.json?["tags"] == .array([]))
        #expect(patched.json?["text"] == .string("What trend worries you most?"))
        #expect(try live.count("SELECT count(*) FROM question_tags WHERE question_id = ?", [id]) == 0)
        #expect(try owner.patch("/questions/\(id)", #"{"text":"x"}"#, headers: [("If-Match", "\"1\"")]).isProblem(412, "precondition_failed"))

        #expect(try owner.delete("/questions/\(id)").status == 204)
        #expect(try owner.get("/questions/\(id)").isProblem(404, "not_found"))
        let deletions = try owner.walk("/deletions")
        #expect(deletions.map { $0["type"] } == [.string("question")])
        #expect(deletions.map { $0["id"] } == [.int(id)])
    }

    @Test func badQuestionsChangeNothing() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        for (body, code, fields) in [
            (#"{}"#, "validation_failed", ["text"]), (#"{"text":"  "}"#, "validation_failed", ["text"]),
            (#"{"text":"Why?","category":"gossip"}"#, "validation_failed", ["category"]),
            (#"{"text":"Why?","tags":[""]}"#, "validation_failed", ["tags"]),
            // 51 tags, duplicates and all: counted as sent, as the spec's maxItems counts.
            (#"{"text":"Why?","tags":[\#(Array(repeating: "\"a\"", count: 51).joined(separator: ","))]}"#, "validation_failed", ["tags"]),
            (#"{"text":"Why\u0000?"}"#, "validation_failed", ["text"]),
            (#"{"text":"\#(String(repeating: "a", count: 2001))"}"#, "validation_failed", ["text"]),
            (#"{"text":"Why?","asked":true}"#, "unknown_fields", ["asked"]),
            (#"{"text":"Why?","version":3}"#, "read_only_fields", ["version"]),
        ] {
            let response = try owner.post("/questions", body)
            #expect(response.isProblem(code == "validation_failed" ? 422 : 400, code), "\(body)")
            #expect(response.problemFields == fields, "\(body)")
        }
        #expect(try live.count("SELECT count(*) FROM questions") == 0)
    }

    @Test func listsFilterAndPageInOrder() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let bob = try live.newUser("bob")
        var ids: [Int64] = []
        for (index, category) in ["trends", "advice", "trends", "resources", "other"].enumerated() {
            let tags = index % 2 == 0 ? #"["robotics"]"# : "[]"
            ids.append(try owner.create("/questions", #"{"text":"Question \#(index) about robots","category":"\#(category)","tags":\#(tags)}"#))
        }
        _ = try bob.create("/questions", #"{"text":"Bob's question about robots","category":"trends","tags":["robotics"]}"#)
        #expect(try owner.walkIDs("/questions?limit=2") == ids)
        #expect(try owner.walkIDs("/questions?sort=-created_at&limit=3") == ids.reversed())
        #expect(try owner.listIDs("/questions?category=trends") == [ids[0], ids[2]])
        #expect(try owner.listIDs("/questions?tag=ROBOTICS") == [ids[0], ids[2], ids[4]])
        #expect(try owner.listIDs("/questions?q=Question%203") == [ids[3]])
        #expect(try owner.listIDs("/questions?category=trends&tag=robotics") == [ids[0], ids[2]])
        _ = try owner.patch("/questions/\(ids[1])", #"{"text":"Question 1, reworded"}"#)
        #expect(try owner.walkIDs("/questions?sort=updated_at&limit=2").last == ids[1])
        #expect(try owner.get("/questions?category=gossip").isProblem(400, "bad_query"))
        #expect(try owner.get("/questions?sort=name").isProblem(400, "bad_query"))
        // Another account's questions are neither listed nor reachable.
        #expect(try bob.listIDs("/questions").count == 1)
        #expect(try bob.get("/questions/\(ids[0])").isProblem(404, "not_found"))
        #expect(try bob.delete("/questions/\(ids[0])").isProblem(404, "not_found"))
        #expect(try owner.get("/questions/\(ids[0])").status == 200)
    }
}
