import Domain
import Foundation
import HTTPCore
import SQLiteCore
import Testing
import TestSupport

/// A row that holds what its schema never allows (written around the API) is an error the
/// operator can find, never a plausible wrong answer.
@Suite("Corrupt rows", .timeLimit(.minutes(1)))
struct CorruptRowTests {
    @Test func aTimestampThatIsNotOneIsA500NamingTheRowAndOtherAccountsAreUntouched() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let other = try live.newUser("other")
        let id = try owner.create("/contacts", #"{"name":"Ann"}"#)
        _ = try other.create("/contacts", #"{"name":"Bo"}"#)
        let database = try #require(live.database)
        // Before: a timestamp that cannot be read was shown as 0001-01-01 and sorted first.
        try database.write { _ = try $0.run("UPDATE contacts SET created_at = 'last spring' WHERE id = ?", [id]) }
        for path in ["/contacts/\(id)", "/contacts"] {
            let response = try owner.get(path)
            #expect(response.isProblem(500, "corrupt_row"), "\(path): \(response.text)")
            #expect(response.json?["detail"]?.stringValue?.contains("Row \(id) of contacts holds a created_at") == true)
        }
        #expect(try other.get("/contacts").itemIDs?.count == 1)
        // identified_at: empty reads as created_at in both reads; text that is no date is corrupt in both.
        let found = try owner.create("/contacts", #"{"name":"Cy"}"#)
        try database.write { _ = try $0.run("UPDATE contacts SET identified_at = '' WHERE id = ?", [found]) }
        let single = try owner.get("/contacts/\(found)")
        #expect(single.status == 200)
        #expect(single.json?["identified_at"] == single.json?["created_at"])
        try database.write { _ = try $0.run("UPDATE contacts SET identified_at = 'soon' WHERE id = ?", [found]) }
        #expect(try owner.get("/contacts/\(found)").isProblem(500, "corrupt_row"))
    }

    @Test func aStatusNoEnumKnowsIsA500NamingTheRow() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let contact = try owner.create("/contacts", #"{"name":"Ann"}"#)
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(contact)}"#)
        let item = try owner.create("/meetings/\(meeting)/questions", #"{"text":"What changed?"}"#)
        let database = try #require(live.database)
        try database.write { _ = try $0.run("UPDATE meeting_questions SET updated_at = 'soon' WHERE id = ?", [item]) }
        let read = try owner.get("/meetings/\(meeting)/questions/\(item)")
        #expect(read.isProblem(500, "corrupt_row"))
        #expect(read.json?["detail"]?.stringValue?.contains("Row \(item) of meeting_questions holds a updated_at") == true)
        let feed = try owner.post("/feeds", #"{"name":"phone"}"#)
        let feedID = try #require(feed.json?["id"]?.intValue)
        try database.write { _ = try $0.run("UPDATE feeds SET created_at = 'then' WHERE id = ?", [feedID]) }
        let feeds = try owner.get("/feeds")
        #expect(feeds.isProblem(500, "corrupt_row"))
        #expect(feeds.json?["detail"]?.stringValue?.contains("Row \(feedID) of feeds") == true)
    }

    @Test func aMeetingsResourcesComeBackWhateverTheyHoldAndAnUnknownMediumIsCorrupt() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let contact = try owner.create("/contacts", #"{"name":"Ann"}"#)
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(contact),"scheduled_at":"2026-01-05T10:00:00Z"}"#)
        let done = try owner.post("/meetings/\(meeting)/complete", #"{"resources":[{"title":"Book","note":"chapter 2"},{"title":"Site","url":"https://soil.example/x"}]}"#)
        #expect(done.status == 200, "\(done.text)")
        let database = try #require(live.database)
        // Written around the API: text with the characters the old joined read split on.
        try database.write {
            _ = try $0.run("UPDATE meeting_resources SET title = 'Soil' || char(30) || 'Carbon;1,2' || char(29) WHERE meeting_id = ? AND title = 'Book'", [meeting])
        }
        let read = try owner.get("/meetings/\(meeting)")
        #expect(read.status == 200)
        let resources = read.json?["resources"]?.arrayValue ?? []
        #expect(resources.count == 2)
        #expect(resources.first?["title"]?.stringValue == "Soil\u{1E}Carbon;1,2\u{1D}")
        #expect(resources.first?["note"]?.stringValue == "chapter 2")
        #expect(resources.last?["url"]?.stringValue == "https://soil.example/x")
        #expect(resources.last?["note"] == .null)
        // As a tool that ignores the schema's CHECKs could leave it.
        try database.write { connection in
            try connection.execute("PRAGMA ignore_check_constraints = ON")
            defer { try? connection.execute("PRAGMA ignore_check_constraints = OFF") }
            _ = try connection.run("UPDATE meetings SET medium = 'carrier pigeon' WHERE id = ?", [meeting])
        }
        let corrupt = try owner.get("/meetings/\(meeting)")
        #expect(corrupt.isProblem(500, "corrupt_row"))
        #expect(corrupt.json?["detail"]?.stringValue?.contains("Row \(meeting) of meetings holds a medium") == true)
    }
}
