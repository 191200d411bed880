import Foundation
import HTTPCore
import Testing
import TestSupport

@Suite("Lists: pagination, sorting, filters")
struct ListTests {
    /// Follows next_cursor to the end and returns every id in order.
    func walk(_ client: APIClient, _ base: String) throws -> [Int64] {
        var ids: [Int64] = []
        var path = base
        for _ in 0..<100 {
            let page = try client.get(path)
            #expect(page.status == 200, "\(path): \(page.text)")
            ids += page.itemIDs
            guard let cursor = page.nextCursor else { return ids }
            path = base + (base.contains("?") ? "&" : "?") + "cursor=\(cursor)"
        }
        Issue.record("pagination did not end")
        return ids
    }

    @Test func keysetPagesCoverEverythingOnceInOrder() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let names = ["delta", "Alpha", "charlie", "bravo", "Echo", "alpha", "foxtrot"]
        var ids: [Int64] = []
        for name in names { ids.append(try owner.create("/contacts", #"{"name":"\#(name)"}"#)) }
        #expect(try walk(owner, "/contacts?limit=3") == ids)
        let first = try owner.get("/contacts?limit=3")
        #expect(first.itemIDs.count == 3)
        #expect(first.nextCursor != nil)
        #expect(try owner.get("/contacts?limit=7").nextCursor == nil)

        let byName = try walk(owner, "/contacts?sort=name&limit=2")
        let expected = zip(names, ids).sorted { ($0.0.lowercased(), $0.1) < ($1.0.lowercased(), $1.1) }.map(\.1)
        #expect(byName == expected)
        #expect(try walk(owner, "/contacts?sort=-name&limit=4") == expected.reversed())
        #expect(try walk(owner, "/contacts?sort=-created_at&limit=5") == ids.reversed())

        // Touch one: it moves to the end of updated_at order.
        _ = try owner.patch("/contacts/\(ids[0])", #"{"title":"x"}"#)
        #expect(try walk(owner, "/contacts?sort=updated_at&limit=3").last == ids[0])
    }

    @Test func badListQueriesAre400() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        _ = try owner.create("/contacts", #"{"name":"A"}"#)
        _ = try owner.create("/contacts", #"{"name":"B"}"#)
        let cursor = try #require(try owner.get("/contacts?limit=1").nextCursor)
        let bad = [
            "/contacts?limit=0", "/contacts?limit=201", "/contacts?limit=x", "/contacts?sort=email", "/contacts?colour=red",
            "/contacts?stage=friend", "/contacts?organization_id=0", "/contacts?updated_since=yesterday", "/contacts?cursor=garbage",
            "/contacts?limit=1&limit=2", "/contacts?q=", "/contacts?sort=name&cursor=\(cursor)", "/contacts?q=%zz",
        ]
        for path in bad {
            let response = try owner.get(path)
            #expect(response.status == 400, "\(path)")
            #expect(response.header("content-type") == "application/problem+json", "\(path)")
        }
        let unknown = try owner.get("/contacts?colour=red")
        #expect(unknown.problemFields == ["colour"])
        #expect(try owner.get("/contacts?limit=1&cursor=\(cursor)").itemIDs.count == 1)
    }

    @Test func contactFilters() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let interest = try owner.create("/interests", #"{"name":"Robotics"}"#)
        let org = try owner.create("/organizations", #"{"name":"Acme"}"#)
        let ada = try owner.create("/contacts", #"{"name":"Ada","stage":"met","tags":["Alumni"],"organization_id":\#(org),"notes":"loves 100% engines"}"#)
        let bob = try owner.create("/contacts", #"{"name":"Bob","interest_ids":[\#(interest)],"hook":"Your robots talk"}"#)
        let cy = try owner.create("/contacts", #"{"name":"Cy","tags":["mentor"]}"#)
        #expect(try owner.get("/contacts?stage=met").itemIDs == [ada])
        #expect(try owner.get("/contacts?stage=identified").itemIDs == [bob, cy])
        #expect(try owner.get("/contacts?tag=alumni").itemIDs == [ada])
        #expect(try owner.get("/contacts?organization_id=\(org)").itemIDs == [ada])
        #expect(try owner.get("/contacts?interest_id=\(interest)").itemIDs == [bob])
        #expect(try owner.get("/contacts?q=robots").itemIDs == [bob])
        #expect(try owner.get("/contacts?q=100%25").itemIDs == [ada])
        #expect(try owner.get("/contacts?q=_").itemIDs == [])
        #expect(try owner.get("/contacts?tag=mentor&stage=met").itemIDs == [])
        #expect(try owner.get("/contacts?updated_since=2000-01-01T00:00:00Z").itemIDs == [ada, bob, cy])
        #expect(try owner.get("/contacts?updated_since=2999-01-01T00:00:00Z").itemIDs == [])
        #expect(try owner.get("/interests?q=robot").itemIDs == [interest])
        #expect(try owner.get("/organizations?interest_id=\(interest)").itemIDs == [])
    }

    @Test func listedContactsCarryTheSameLinksAsTheirOwnRepresentation() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let robotics = try owner.create("/interests", #"{"name":"Robotics"}"#)
        let climate = try owner.create("/interests", #"{"name":"Climate"}"#)
        var ids: [Int64] = []
        for index in 0..<7 {
            let tags = index % 3 == 0 ? #"["zeta","Alpha","mid"]"# : index % 3 == 1 ? #"["solo"]"# : "[]"
            let interests = index % 2 == 0 ? "[\(climate),\(robotics)]" : "[]"
            ids.append(try owner.create("/contacts", #"{"name":"P\#(index)","tags":\#(tags),"interest_ids":\#(interests)}"#))
        }
        // Text that needs escaping or is not ASCII, and a timestamp stored without milliseconds.
        ids.append(try owner.create(
            "/contacts",
            #"{"name":"Zoë \"Z\" Ångström","title":"C:\\path\ttab","notes":"line\nbreak \u0001 😀","tags":["été","Ü"],"interest_ids":[\#(robotics)]}"#))
        try live.database?.write { try $0.run("UPDATE contacts SET updated_at = '2026-11-27T14:05:00+01:00' WHERE id = ?", [ids[7]]) }
        // Pages of three: links are gathered per page and must land on the right contact.
        var listed: [JSONValue] = []
        var path = "/contacts?limit=3"
        while true {
            let page = try owner.get(path)
            #expect(page.status == 200)
            listed += page.json?["items"]?.arrayValue ?? []
            guard case .string(let cursor)? = page.json?["next_cursor"] else { break }
            path = "/contacts?limit=3&cursor=\(cursor)"
        }
        #expect(listed.count == 8)
        #expect(listed[7]["name"] == .string("Zoë \"Z\" Ångström"))
        #expect(listed[7]["notes"] == .string("line\nbreak \u{01} 😀"))
        #expect(listed[7]["updated_at"] == .string("2026-11-27T13:05:00Z"))
        for (id, item) in zip(ids, listed) {
            #expect(item["id"] == .int(id))
            #expect(item == (try owner.get("/contacts/\(id)").json))
        }
        #expect(listed[0]["tags"] == .array([.string("Alpha"), .string("mid"), .string("zeta")]))
        #expect(listed[0]["interest_ids"] == .array([.int(min(robotics, climate)), .int(max(robotics, climate))]))
        #expect(listed[1]["tags"] == .array([.string("solo")]))
        #expect(listed[1]["interest_ids"] == .array([]))
    }

    /// Links are read beside the page in id order: another user's tagged contacts between
    /// ours (more than the reader steps over before it seeks), every sort order and a filter
    /// must still give each contact exactly its own links.
    @Test func listedLinksStayWithTheirContactsInEveryOrder() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let other = try live.newUser("bob")
        let interest = try owner.create("/interests", #"{"name":"Robotics"}"#)
        let theirs = try other.create("/interests", #"{"name":"Theirs"}"#)
        var ids: [Int64] = []
        for index in 0..<9 {
            let tags = index % 2 == 0 ? #"["own \#(index)","b"]"# : "[]"
            let links = index % 3 == 0 ? "[\(interest)]" : "[]"
            let stage = index % 2 == 0 ? "met" : "identified"
            ids.append(try owner.create("/contacts", #"{"name":"N\#(8 - index)","stage":"\#(stage)","tags":\#(tags),"interest_ids":\#(links)}"#))
            // Between ours: other contacts with links, some runs longer than the reader skips.
            for extra in 0..<(index == 4 ? 40 : 2) {
                _ = try other.create("/contacts", #"{"name":"X\#(index)-\#(extra)","tags":["t1","t2"],"interest_ids":[\#(theirs)]}"#)
            }
        }
        var expected: [Int64: JSONValue] = [:]
        for id in ids { expected[id] = try owner.get("/contacts/\(id)").json }
        for query in ["limit=2", "sort=-created_at&limit=4", "sort=name&limit=3", "sort=-updated_at&limit=5", "stage=met&limit=2", "limit=100"] {
            var seen: [Int64] = []
            var path = "/contacts?\(query)"
            while true {
                let page = try owner.get(path)
                #expect(page.status == 200, "\(query)")
                for item in page.json?["items"]?.arrayValue ?? [] {
                    guard case .int(let id)? = item["id"] else { continue }
                    seen.append(id)
                    #expect(item == expected[id], "\(query): contact \(id)")
                }
                guard case .string(let cursor)? = page.json?["next_cursor"] else { break }
                path = "/contacts?\(query)&cursor=\(cursor)"
            }
            #expect(Set(seen) == Set(query.hasPrefix("stage") ? ids.enumerated().filter { $0.offset % 2 == 0 }.map(\.element) : ids), "\(query)")
        }
        #expect(expected[ids[0]]?["tags"] == .array([.string("b"), .string("own 0")]))
        #expect(expected[ids[0]]?["interest_ids"] == .array([.int(interest)]))
        #expect(expected[ids[1]]?["tags"] == .array([]))
    }
}

@Suite("Isolation between users")
struct IsolationTests {
    @Test func usersCannotSeeOrTouchEachOthersData() throws {
        let live = try LiveServer()
        let alice = try live.owner()
        let bob = try live.newUser("bob")
        let interest = try alice.create("/interests", #"{"name":"Robotics"}"#)
        let org = try alice.create("/organizations", #"{"name":"Acme","interest_ids":[\#(interest)]}"#)
        let contact = try alice.create("/contacts", #"{"name":"Ada","email":"ada@example.com","organization_id":\#(org),"interest_ids":[\#(interest)],"tags":["x"]}"#)
        let aliceToken = try #require(try alice.get("/tokens").itemIDs.first)

        for path in ["/contacts/\(contact)", "/organizations/\(org)", "/interests/\(interest)", "/tokens/\(aliceToken)"] {
            #expect(try bob.get(path).status == 404, "\(path)")
            #expect(try bob.delete(path).status == 404, "\(path)")
            if !path.hasPrefix("/tokens") {
                let patch = try bob.patch(path, #"{"name":"Mallory"}"#)
                #expect(patch.status == 404, "\(path)")
                #expect(patch.code == "not_found", "\(path)")
            }
        }
        for path in ["/contacts", "/organizations", "/interests", "/contacts?organization_id=\(org)", "/contacts?interest_id=\(interest)",
                     "/contacts?tag=x", "/contacts?q=Ada", "/organizations?interest_id=\(interest)", "/organizations?sort=lamp"] {
            #expect(try bob.get(path).itemIDs == [], "\(path)")
        }
        #expect(try bob.get("/tokens").itemIDs.count == 1)
        #expect(try bob.get("/me").json?["name"] == .string("bob"))

        // Another user's ids in a body are 422, exactly like unknown ids.
        let foreignOrg = try bob.post("/contacts", #"{"name":"Eve","organization_id":\#(org)}"#)
        let unknownOrg = try bob.post("/contacts", #"{"name":"Eve","organization_id":99999}"#)
        #expect(foreignOrg.status == 422)
        #expect(foreignOrg.problemFields == ["organization_id"])
        #expect(unknownOrg.status == 422)
        #expect(unknownOrg.problemFields == ["organization_id"])
        let foreignMessage = foreignOrg.json?["errors"]?.arrayValue?.first?["message"]?.stringValue
        let unknownMessage = unknownOrg.json?["errors"]?.arrayValue?.first?["message"]?.stringValue
        #expect(foreignMessage == "no such organization: \(org)")
        #expect(unknownMessage == "no such organization: 99999")
        #expect(try bob.post("/organizations", #"{"name":"Bobco","interest_ids":[\#(interest)]}"#).status == 422)
        // Duplicates and unique names are per user.
        #expect(try bob.post("/contacts", #"{"name":"Ada too","email":"ada@example.com"}"#).status == 201)
        #expect(try bob.post("/organizations", #"{"name":"Acme"}"#).status == 201)
        #expect(try bob.post("/interests", #"{"name":"Robotics"}"#).status == 201)
        // Alice's data is untouched.
        #expect(try alice.get("/contacts/\(contact)").json?["name"] == .string("Ada"))
        #expect(try live.count("SELECT count(*) FROM contacts WHERE user_id = 1") == 1)
    }
}
