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
}
