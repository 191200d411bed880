import Dispatch
import Foundation
import HTTPCore
import Synchronization
import Testing
import TestSupport

@Suite("Sync by updated_since and deletions", .timeLimit(.minutes(1)))
struct SyncTests {
    /// Writers create, patch and delete contacts on their own connections while a poller
    /// follows `updated_since` (the largest `updated_at` it saw) and `/deletions?since=`. When
    /// the writers stop and the poller has polled once more, what it holds is the table.
    @Test func aPollerNeverMissesAChange() throws {
        let live = try LiveServer()
        let token = live.ownerToken
        let port = live.port
        let stop = Atomic<Bool>(false)
        let writes = Atomic<Int>(0)
        let failures = Atomic<Int>(0)
        let writersDone = DispatchGroup()
        for writer in 0..<4 {
            writersDone.enter()
            Thread.detachNewThread {
                defer { writersDone.leave() }
                guard let client = try? APIClient(port: port, token: token) else {
                    failures.add(1, ordering: .relaxed)
                    return
                }
                var mine: [Int64] = []
                var step = 0
                while !stop.load(ordering: .relaxed) {
                    step += 1
                    do {
                        if step % 5 == 4, let victim = mine.popLast() {
                            guard try client.delete("/contacts/\(victim)").status == 204 else { throw ClientError("delete") }
                        } else if step % 3 == 2, let target = mine.randomElement() {
                            guard try client.patch("/contacts/\(target)", #"{"title":"step \#(step)"}"#).status == 200 else { throw ClientError("patch") }
                        } else {
                            mine.append(try client.create("/contacts", #"{"name":"W\#(writer)-\#(step)","tags":["w\#(writer)"]}"#))
                        }
                        writes.add(1, ordering: .relaxed)
                    } catch {
                        failures.add(1, ordering: .relaxed)
                        return
                    }
                }
            }
        }
        let poller = try live.owner()
        var versions: [Int64: Int64] = [:]
        var deleted = Set<Int64>()
        var mark: String?
        var deletionMark: String?
        var polls = 0
        func poll() throws {
            polls += 1
            let since = mark.map { "&updated_since=\($0)" } ?? ""
            for item in try poller.walk("/contacts?sort=updated_at&limit=200\(since)") {
                guard let id = item["id"]?.intValue, let version = item["version"]?.intValue,
                      let updated = item["updated_at"]?.stringValue else { throw ClientError("malformed item \(item)") }
                versions[id] = max(versions[id] ?? 0, version)
                if mark.map({ updated > $0 }) ?? true { mark = updated }
            }
            let deletionSince = deletionMark.map { "&since=\($0)" } ?? ""
            for item in try poller.walk("/deletions?limit=200\(deletionSince)") {
                guard item["type"]?.stringValue == "contact", let id = item["id"]?.intValue,
                      let at = item["deleted_at"]?.stringValue else { throw ClientError("malformed deletion \(item)") }
                deleted.insert(id)
                if deletionMark.map({ at > $0 }) ?? true { deletionMark = at }
            }
        }
        let deadline = Date().addingTimeInterval(2)
        while Date() < deadline { try poll() }
        stop.store(true, ordering: .relaxed)
        #expect(writersDone.wait(timeout: .now() + 20) == .success)
        try poll()
        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(writes.load(ordering: .relaxed) > 100, "too few writes to mean anything")
        #expect(polls > 5)

        let table = try #require(live.database).read { connection in
            try connection.query("SELECT id, version FROM contacts /* plan: a test's own check of what is stored */") { ($0.int64(0), $0.int64(1)) }
        }
        var expected: [Int64: Int64] = [:]
        for (id, version) in table { expected[id] = version }
        for id in deleted { versions[id] = nil }
        let missing = expected.filter { versions[$0.key] != $0.value }
        let extra = versions.filter { expected[$0.key] == nil }
        #expect(missing.isEmpty, "the poller missed or holds old versions of \(missing.count) contacts: \(missing.prefix(5)) (it has \(missing.prefix(5).map { versions[$0.key] }))")
        #expect(extra.isEmpty, "the poller holds \(extra.count) contacts that are gone: \(extra.prefix(5))")
        #expect(deleted.isDisjoint(with: expected.keys))
        let tombstones = try live.count("SELECT count(*) FROM deletions")
        #expect(tombstones == Int64(deleted.count), "tombstones \(tombstones), seen \(deleted.count)")
    }

    @Test func deletionsAreAListOfTheirOwn() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let other = try live.newUser("bob")
        let interest = try owner.create("/interests", #"{"name":"Robotics"}"#)
        let contact = try owner.create("/contacts", #"{"name":"Ada","interest_ids":[\#(interest)]}"#)
        let before = try owner.get("/contacts/\(contact)").json?["version"]
        #expect(try owner.delete("/interests/\(interest)").status == 204)
        // The contact lost a link: a new version, so a sync client sees it again.
        let after = try owner.get("/contacts/\(contact)")
        #expect(after.json?["interest_ids"] == .array([]))
        #expect(after.json?["version"] != before)
        #expect(try owner.delete("/contacts/\(contact)").status == 204)
        // The newest contact's id is never handed out again (a tombstone names it for good).
        let next = try owner.create("/contacts", #"{"name":"Bo"}"#)
        #expect(next > contact)
        #expect(try owner.delete("/contacts/\(next)").status == 204)
        let page = try owner.get("/deletions?limit=2")
        #expect(page.status == 200)
        let items = try #require(page.json?["items"]?.arrayValue)
        #expect(items.map { $0["type"] } == [.string("interest"), .string("contact")])
        #expect(items.map { $0["id"] } == [.int(interest), .int(contact)])
        #expect(try owner.walk("/deletions?limit=1").count == 3)
        let stamp = try #require(items.last?["deleted_at"]?.stringValue)
        #expect(try owner.walk("/deletions?since=\(stamp)").count >= 1)
        #expect(try owner.listIDs("/deletions?since=2999-01-01T00:00:00Z") == [])
        #expect(try other.listIDs("/deletions") == [])
        #expect(try owner.get("/deletions?since=yesterday").isProblem(400, "bad_query"))
        #expect(try owner.get("/deletions?sort=-deleted_at").isProblem(400, "bad_query"))
        #expect(try live.client().request("GET", "/deletions").isProblem(401, "unauthorized"))
    }
}
