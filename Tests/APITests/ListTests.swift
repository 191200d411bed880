import Foundation
import HTTPCore
import Testing
import TestSupport

extension Array where Element == Int {
    /// A single comparable number for a short list of small non-negative keys (each < 1000).
    fileprivate var lexicographicKey: Int { reduce(0) { $0 * 1000 + $1 } }
}

@Suite("Lists: pagination, sorting, filters", .timeLimit(.minutes(1)))
struct ListTests {
    @Test func keysetPagesCoverEverythingOnceInOrder() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let names = ["delta", "Alpha", "charlie", "bravo", "Echo", "alpha", "foxtrot"]
        var ids: [Int64] = []
        for name in names { ids.append(try owner.create("/contacts", #"{"name":"\#(name)"}"#)) }
        #expect(try owner.walkIDs("/contacts?limit=3") == ids)
        let first = try owner.get("/contacts?limit=3")
        #expect(first.itemIDs == Array(ids.prefix(3)))
        #expect(first.nextCursor != nil)
        let whole = try owner.get("/contacts?limit=7")
        #expect(whole.itemIDs == ids)
        #expect(whole.json?["next_cursor"] == .null)

        let byName = try owner.walkIDs("/contacts?sort=name&limit=2")
        let expected = zip(names, ids).sorted { ($0.0.lowercased(), $0.1) < ($1.0.lowercased(), $1.1) }.map(\.1)
        #expect(byName == expected)
        #expect(try owner.walkIDs("/contacts?sort=-name&limit=4") == expected.reversed())
        #expect(try owner.walkIDs("/contacts?sort=-created_at&limit=5") == ids.reversed())

        // Touch one: it moves to the end of updated_at order.
        _ = try owner.patch("/contacts/\(ids[0])", #"{"title":"x"}"#)
        #expect(try owner.walkIDs("/contacts?sort=updated_at&limit=3").last == ids[0])
    }

    /// Every sort of every resource, walked at several page sizes, gives exactly the expected
    /// sequence: key order, ties broken by id in the same direction, each item once.
    @Test func everySortOfEveryResourcePagesInExactOrder() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        // Names with mixed case (sorted without case), timestamps with ties.
        let names = ["delta", "Alpha", "charlie", "Bravo", "echo", "golf", "Foxtrot"]
        let stamps = ["2026-01-03", "2026-01-01", "2026-01-03", "2026-01-02", "2026-01-01", "2026-01-05", "2026-01-04"]
        let lamp: [(Int, Int, Bool)] = [(3, 1, false), (3, 3, true), (0, 3, true), (3, 3, false), (1, 2, true), (3, 3, true), (1, 2, true)]
        for table in ["contacts", "organizations", "interests"] {
            var ids: [Int64] = []
            for (index, name) in names.enumerated() {
                let extra = table == "organizations" ? #","motivation":\#(lamp[index].0),"posting":\#(lamp[index].1),"advocacy":\#(lamp[index].2)"# : ""
                ids.append(try owner.create("/\(table)", #"{"name":"\#(name)"\#(extra)}"#))
            }
            for (id, day) in zip(ids, stamps) {
                try live.database?.write { try $0.run("UPDATE \(table) SET updated_at = ? WHERE id = ?", ["\(day)T10:00:00.000Z", id]) }
            }
            func ordered<Key: Comparable>(_ key: (Int) -> Key, descending: Bool) -> [Int64] {
                let sorted = ids.indices.sorted { (key($0), ids[$0]) < (key($1), ids[$1]) }.map { ids[$0] }
                return descending ? sorted.reversed() : sorted
            }
            var expected: [String: [Int64]] = [
                "created_at": ids, "-created_at": ids.reversed(),
                "name": ordered({ names[$0].lowercased() }, descending: false), "-name": ordered({ names[$0].lowercased() }, descending: true),
                "updated_at": ordered({ stamps[$0] }, descending: false), "-updated_at": ordered({ stamps[$0] }, descending: true),
            ]
            if table == "organizations" {
                expected["lamp"] = ordered({ [lamp[$0].0, lamp[$0].1, lamp[$0].2 ? 1 : 0].lexicographicKey }, descending: true)
            }
            for (sort, order) in expected {
                for limit in [1, 2, 3, 7, 50] {
                    #expect(try owner.walkIDs("/\(table)?sort=\(sort)&limit=\(limit)") == order, "\(table) sort=\(sort) limit=\(limit)")
                }
            }
            // The default order is created_at.
            #expect(try owner.walkIDs("/\(table)?limit=2") == ids, "\(table)")
        }
        // Tokens: creation order either way.
        var tokens = try owner.listIDs("/tokens")
        for index in 0..<4 { tokens.append(try owner.create("/tokens", #"{"name":"t\#(index)"}"#)) }
        for limit in [1, 2, 5] {
            #expect(try owner.walkIDs("/tokens?limit=\(limit)") == tokens)
            #expect(try owner.walkIDs("/tokens?sort=-created_at&limit=\(limit)") == tokens.reversed())
        }
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
        #expect(unknown.code == "bad_query")
        // A malformed cursor is told apart from a malformed query.
        for path in ["/contacts?cursor=garbage", "/contacts?sort=name&cursor=\(cursor)"] {
            let response = try owner.get(path)
            #expect(response.code == "bad_cursor", "\(path)")
            #expect(response.problemFields == ["cursor"], "\(path)")
        }
        for path in ["/contacts?limit=0", "/contacts?sort=email", "/contacts?limit=1&limit=2", "/contacts?stage=friend", "/contacts?q=%zz"] {
            #expect(try owner.get(path).code == "bad_query", "\(path)")
        }
        #expect(try owner.get("/contacts?limit=1&cursor=\(cursor)").itemIDs?.count == 1)
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
            #"{"name":"Zoë \"Z\" Ångström","title":"C:\\path \"quoted\"","notes":"line\r\nbreak\ttab \u00e9 😀","tags":["été","Ü"],"interest_ids":[\#(robotics)]}"#))
        try live.database?.write { try $0.run("UPDATE contacts SET updated_at = '2026-11-27T14:05:00+01:00' WHERE id = ?", [ids[7]]) }
        // Pages of three: links are gathered per page and must land on the right contact.
        let listed = try owner.walk("/contacts?limit=3")
        try #require(listed.count == 8)
        #expect(listed[7]["name"] == .string("Zoë \"Z\" Ångström"))
        #expect(listed[7]["notes"] == .string("line\nbreak\ttab é 😀"))
        #expect(listed[7]["updated_at"] == .string("2026-11-27T13:05:00Z"))
        #expect(listed.map { $0["id"]?.intValue } == ids)
        for (id, item) in zip(ids, listed) {
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
        // Contact index i is named "N(8-i)", so by name the order is the reverse of creation.
        let met = ids.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        let orders: [(String, [Int64])] = [
            ("limit=2", ids), ("sort=-created_at&limit=4", ids.reversed()), ("sort=name&limit=3", ids.reversed()),
            ("sort=-updated_at&limit=5", ids.reversed()), ("stage=met&limit=2", met), ("limit=100", ids),
        ]
        for (query, order) in orders {
            let items = try owner.walk("/contacts?\(query)")
            // The exact sequence: a page repeated or skipped, or a wrong order, fails here.
            #expect(items.map { $0["id"]?.intValue } == order, "\(query)")
            for item in items {
                guard let id = item["id"]?.intValue else { continue }
                #expect(item == expected[id], "\(query): contact \(id)")
            }
        }
        #expect(expected[ids[0]]?["tags"] == .array([.string("b"), .string("own 0")]))
        #expect(expected[ids[0]]?["interest_ids"] == .array([.int(interest)]))
        #expect(expected[ids[1]]?["tags"] == .array([]))
    }
}

@Suite("Isolation between users", .timeLimit(.minutes(1)))
struct IsolationTests {
    @Test func usersCannotSeeOrTouchEachOthersData() throws {
        let live = try LiveServer()
        let alice = try live.owner()
        let bob = try live.newUser("bob")
        let interest = try alice.create("/interests", #"{"name":"Robotics"}"#)
        let org = try alice.create("/organizations", #"{"name":"Acme","interest_ids":[\#(interest)]}"#)
        let contact = try alice.create("/contacts", #"{"name":"Ada","email":"ada@example.com","organization_id":\#(org),"interest_ids":[\#(interest)],"tags":["x"]}"#)
        let aliceToken = try #require(try alice.listIDs("/tokens").first)
        let paths = ["/contacts/\(contact)", "/organizations/\(org)", "/interests/\(interest)", "/tokens/\(aliceToken)"]
        var before: [String: JSONValue] = [:]
        for path in paths {
            let json = try #require(try alice.get(path).json)
            before[path] = json
        }

        for path in paths {
            let read = try bob.get(path)
            #expect(read.status == 404, "\(path)")
            #expect(read.code == "not_found", "\(path)")
            let deleted = try bob.delete(path)
            #expect(deleted.status == 404, "\(path)")
            #expect(deleted.code == "not_found", "\(path)")
            if !path.hasPrefix("/tokens") {
                let patch = try bob.patch(path, #"{"name":"Mallory"}"#)
                #expect(patch.status == 404, "\(path)")
                #expect(patch.code == "not_found", "\(path)")
            }
            // Alice's object is exactly as it was: same fields, same version.
            let after = try alice.get(path)
            #expect(after.status == 200, "\(path)")
            #expect(after.json == before[path], "\(path)")
        }
        // Alice's token still works after Bob's attempt to revoke it.
        #expect(try alice.get("/me").status == 200)
        for path in ["/contacts", "/organizations", "/interests", "/contacts?organization_id=\(org)", "/contacts?interest_id=\(interest)",
                     "/contacts?tag=x", "/contacts?q=Ada", "/organizations?interest_id=\(interest)", "/organizations?sort=lamp"] {
            // A well-formed, empty page: an error body is not "sees nothing".
            #expect(try bob.listIDs(path) == [], "\(path)")
            #expect(try alice.listIDs(path).count == 1, "\(path)")
        }
        let bobTokens = try bob.listIDs("/tokens")
        #expect(bobTokens.count == 1)
        #expect(!bobTokens.contains(aliceToken))
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
        let foreignInterest = try bob.post("/organizations", #"{"name":"Bobco","interest_ids":[\#(interest)]}"#)
        #expect(foreignInterest.status == 422)
        #expect(foreignInterest.code == "validation_failed")
        #expect(foreignInterest.problemFields == ["interest_ids"])
        // Duplicates and unique names are per user.
        #expect(try bob.post("/contacts", #"{"name":"Ada too","email":"ada@example.com"}"#).status == 201)
        #expect(try bob.post("/organizations", #"{"name":"Acme"}"#).status == 201)
        #expect(try bob.post("/interests", #"{"name":"Robotics"}"#).status == 201)
        // Alice's data is untouched.
        for path in paths { #expect(try alice.get(path).json == before[path], "\(path)") }
        #expect(try live.count("SELECT count(*) FROM contacts WHERE user_id = 1") == 1)
        #expect(try live.count("SELECT count(*) FROM organizations WHERE user_id = 1") == 1)
        #expect(try live.count("SELECT count(*) FROM interests WHERE user_id = 1") == 1)
    }
}
