import Foundation
import HTTPCore
import Testing
import TestSupport

@Suite("Organizations and interests", .timeLimit(.minutes(1)))
struct OrganizationTests {
    @Test func interestLifecycleAndCoverage() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let created = try owner.post("/interests", #"{"name":"Robotics","goal":"Meet 10 people","target_date":"2027-03-01"}"#)
        #expect(created.status == 201)
        let id = try #require(created.json?["id"]?.intValue)
        #expect(created.header("location") == "/interests/\(id)")
        #expect(created.json?["coverage"] == .object([("contacts", .int(0)), ("organizations", .int(0)), ("meetings", .int(0))]))

        #expect(try owner.post("/interests", #"{"name":"ROBOTICS"}"#).code == "name_taken")
        let badDate = try owner.post("/interests", #"{"name":"Bio","target_date":"2027-02-30"}"#)
        #expect(badDate.status == 422)
        #expect(badDate.problemFields == ["target_date"])

        let org = try owner.create("/organizations", #"{"name":"Acme","interest_ids":[\#(id)]}"#)
        _ = try owner.create("/contacts", #"{"name":"Ada","organization_id":\#(org),"interest_ids":[\#(id)]}"#)
        _ = try owner.create("/contacts", #"{"name":"Bob","interest_ids":[\#(id)]}"#)
        let coverage = try owner.get("/interests/\(id)").json?["coverage"]
        #expect(coverage?["contacts"] == .int(2))
        #expect(coverage?["organizations"] == .int(1))

        let patched = try owner.patch("/interests/\(id)", #"{"goal":null}"#)
        #expect(patched.status == 200)
        #expect(patched.json?["goal"] == .null)
        #expect(patched.json?["target_date"] == .string("2027-03-01"))
        #expect(patched.json?["version"] == .int(2))

        // Deleting an interest removes only the links.
        #expect(try owner.delete("/interests/\(id)").status == 204)
        #expect(try live.count("SELECT count(*) FROM contacts") == 2)
        #expect(try live.count("SELECT count(*) FROM contact_interests") == 0)
        #expect(try live.count("SELECT count(*) FROM organization_interests") == 0)
        #expect(try owner.get("/interests/\(id)").status == 404)
    }

    @Test func organizationFieldsAndValidation() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let created = try owner.post("/organizations", #"{"name":"Acme","industry":"Robots","website":"https://acme.example","advocacy":true,"motivation":3,"posting":2}"#)
        #expect(created.status == 201)
        #expect(created.json?["advocacy"] == .bool(true))
        #expect(created.json?["motivation"] == .int(3))
        #expect(created.json?["contact_count"] == .int(0))
        let defaults = try owner.post("/organizations", #"{"name":"Plain"}"#)
        #expect(defaults.json?["advocacy"] == .bool(false))
        #expect(defaults.json?["motivation"] == .int(0))
        #expect(defaults.json?["posting"] == .int(1))

        let taken = try owner.post("/organizations", #"{"name":"  acme "}"#)
        #expect(taken.status == 409)
        #expect(taken.code == "name_taken")
        #expect(taken.json?["existing_id"] == created.json?["id"])

        let invalid = try owner.post("/organizations", #"{"name":"X","motivation":4,"posting":0,"website":"ftp://x","interest_ids":[999]}"#)
        #expect(invalid.status == 422)
        #expect(Set(invalid.problemFields) == ["motivation", "posting", "website"])
        let unknownInterest = try owner.post("/organizations", #"{"name":"X","interest_ids":[999]}"#)
        #expect(unknownInterest.status == 422)
        #expect(unknownInterest.problemFields == ["interest_ids"])
        let types = try owner.post("/organizations", #"{"name":"X","advocacy":"yes","motivation":null}"#)
        #expect(Set(types.problemFields) == ["advocacy", "motivation"])
        #expect(try owner.post("/organizations", #"{"name":"X","contact_count":3}"#).code == "read_only_fields")
        #expect(try live.count("SELECT count(*) FROM organizations") == 2)
    }

    @Test func lampSortRanksMotivationPostingAdvocacy() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let rows: [(String, Int, Int, Bool)] = [
            ("Unknown", 0, 3, true), ("Keen", 3, 1, false), ("KeenPosting", 3, 3, false), ("KeenPostingFriend", 3, 3, true), ("Mild", 1, 2, true),
        ]
        var ids: [String: Int64] = [:]
        for (name, motivation, posting, advocacy) in rows {
            ids[name] = try owner.create("/organizations", #"{"name":"\#(name)","motivation":\#(motivation),"posting":\#(posting),"advocacy":\#(advocacy)}"#)
        }
        let expected = ["KeenPostingFriend", "KeenPosting", "Keen", "Mild", "Unknown"].compactMap { ids[$0] }
        #expect(try owner.get("/organizations?sort=lamp").itemIDs == expected)
        // Paged two at a time, the same order.
        #expect(try owner.walkIDs("/organizations?sort=lamp&limit=2") == expected)
        #expect(try owner.get("/organizations?motivation=3&advocacy=false").itemIDs == ["Keen", "KeenPosting"].compactMap { ids[$0] })
        let badFilter = try owner.get("/organizations?posting=4")
        #expect(badFilter.status == 400)
        #expect(badFilter.code == "bad_query")
        #expect(badFilter.problemFields == ["posting"])
    }

    @Test func organizationPatchIsAMergePatch() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let robotics = try owner.create("/interests", #"{"name":"Robotics"}"#)
        let id = try owner.create("/organizations", #"{"name":"Acme","industry":"Robots","website":"https://acme.example","motivation":1,"interest_ids":[\#(robotics)]}"#)
        let patched = try owner.patch("/organizations/\(id)", #"{"name":"Acme Robotics","industry":null,"motivation":3,"advocacy":true}"#)
        #expect(patched.status == 200)
        #expect(patched.header("etag") == "\"2\"")
        #expect(patched.json?["name"] == .string("Acme Robotics"))
        #expect(patched.json?["industry"] == .null)
        #expect(patched.json?["website"] == .string("https://acme.example"))
        #expect(patched.json?["motivation"] == .int(3))
        #expect(patched.json?["advocacy"] == .bool(true))
        #expect(patched.json?["posting"] == .int(1))
        #expect(patched.json?["interest_ids"] == .array([.int(robotics)]))
        #expect(patched.json?["version"] == .int(2))
        #expect(try owner.get("/organizations/\(id)").json == patched.json)
        #expect(try live.count("SELECT count(*) FROM organizations WHERE id = ? AND name = 'Acme Robotics' AND industry IS NULL AND motivation = 3 AND version = 2", [id]) == 1)

        // merge-patch+json is accepted too; links are replaced whole.
        let merge = try owner.raw.request(
            "PATCH", "/organizations/\(id)",
            headers: [("Authorization", "Bearer \(owner.token)"), ("Content-Type", "application/merge-patch+json")],
            body: Array(#"{"interest_ids":[]}"#.utf8))
        #expect(merge.status == 200)
        #expect(merge.json?["interest_ids"] == .array([]))
        #expect(try live.count("SELECT count(*) FROM organization_interests WHERE organization_id = ?", [id]) == 0)

        // Refused patches change nothing.
        let other = try owner.create("/organizations", #"{"name":"Other"}"#)
        let taken = try owner.patch("/organizations/\(other)", #"{"name":"ACME robotics"}"#)
        #expect(taken.status == 409)
        #expect(taken.code == "name_taken")
        #expect(taken.json?["existing_id"] == .int(id))
        let invalid = try owner.patch("/organizations/\(id)", #"{"motivation":9,"website":"nope"}"#)
        #expect(invalid.status == 422)
        #expect(invalid.code == "validation_failed")
        #expect(Set(invalid.problemFields) == ["motivation", "website"])
        let readOnly = try owner.patch("/organizations/\(id)", #"{"version":7}"#)
        #expect(readOnly.status == 400)
        #expect(readOnly.code == "read_only_fields")
        let unknown = try owner.patch("/organizations/\(id)", #"{"colour":"red"}"#)
        #expect(unknown.status == 400)
        #expect(unknown.problemFields == ["colour"])
        let after = try owner.get("/organizations/\(id)")
        #expect(after.json?["version"] == .int(3))
        #expect(after.json?["motivation"] == .int(3))
        #expect(after.json?["website"] == .string("https://acme.example"))
    }

    /// ETags, If-None-Match and If-Match behave on organizations, interests, tokens and /me as on contacts.
    @Test(arguments: [
        ("/organizations", #"{"name":"Acme"}"#, #"{"industry":"Robots"}"#),
        ("/interests", #"{"name":"Robotics"}"#, #"{"goal":"Meet five people"}"#),
    ])
    func conditionalRequests(_ collection: String, _ body: String, _ patch: String) throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let id = try owner.create(collection, body)
        let path = "\(collection)/\(id)"
        let fetched = try owner.get(path)
        #expect(fetched.header("etag") == "\"1\"")
        let notModified = try owner.get(path, headers: [("If-None-Match", "\"1\"")])
        #expect(notModified.status == 304)
        #expect(notModified.body.isEmpty)
        #expect(notModified.header("etag") == "\"1\"")
        #expect(try owner.get(path, headers: [("If-None-Match", "\"9\"")]).status == 200)
        #expect(try owner.get(path, headers: [("If-None-Match", "*")]).status == 304)

        let stale = try owner.patch(path, patch, headers: [("If-Match", "\"2\"")])
        #expect(stale.status == 412)
        #expect(stale.code == "precondition_failed")
        #expect(stale.header("etag") == "\"1\"")
        #expect(try owner.get(path).json == fetched.json)
        let fresh = try owner.patch(path, patch, headers: [("If-Match", "\"1\"")])
        #expect(fresh.status == 200)
        #expect(fresh.header("etag") == "\"2\"")
        #expect(try owner.get(path, headers: [("If-None-Match", "\"1\"")]).status == 200)

        // A field that is not * or entity-tags is refused, not read as "no condition".
        for (name, value) in [("If-Match", "2"), ("If-Match", ""), ("If-Match", "\"2\", *"), ("If-None-Match", "W/2"), ("If-None-Match", "\"2")] {
            let request = name == "If-Match" ? try owner.patch(path, patch, headers: [(name, value)]) : try owner.get(path, headers: [(name, value)])
            #expect(request.isProblem(400, "bad_precondition"), "\(name): \(value)")
            #expect(request.problemFields == [name], "\(name): \(value)")
        }
        #expect(try owner.get(path).json?["version"] == .int(2))
        // A weak tag is well-formed but never matches If-Match (strong comparison).
        #expect(try owner.patch(path, patch, headers: [("If-Match", "W/\"2\"")]).isProblem(412, "precondition_failed"))
        let staleDelete = try owner.delete(path, headers: [("If-Match", "\"1\"")])
        #expect(staleDelete.status == 412)
        #expect(staleDelete.code == "precondition_failed")
        #expect(try owner.get(path).status == 200)
        #expect(try owner.delete(path, headers: [("If-Match", "\"2\"")]).status == 204)
        #expect(try owner.get(path).status == 404)
    }

    @Test func conditionalReadsOfTokensAndMe() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let id = try owner.create("/tokens", #"{"name":"laptop"}"#)
        let token = try owner.get("/tokens/\(id)")
        let etag = try #require(token.header("etag"))
        #expect(etag == "\"1\"")
        #expect(try owner.get("/tokens/\(id)", headers: [("If-None-Match", etag)]).status == 304)
        let staleRevoke = try owner.delete("/tokens/\(id)", headers: [("If-Match", "\"5\"")])
        #expect(staleRevoke.status == 412)
        #expect(staleRevoke.code == "precondition_failed")
        #expect(try owner.get("/tokens/\(id)").status == 200)
        let me = try owner.get("/me")
        let meTag = try #require(me.header("etag"))
        #expect(try owner.get("/me", headers: [("If-None-Match", meTag)]).status == 304)
        #expect(try owner.get("/me", headers: [("If-None-Match", "\"99\"")]).status == 200)
    }

    @Test func organizationWithContactsCannotBeDeleted() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let org = try owner.create("/organizations", #"{"name":"Acme"}"#)
        let contact = try owner.create("/contacts", #"{"name":"Ada","organization_id":\#(org)}"#)
        let refused = try owner.delete("/organizations/\(org)")
        #expect(refused.status == 409)
        #expect(refused.code == "has_dependants")
        #expect(try live.count("SELECT count(*) FROM organizations") == 1)
        #expect(try owner.get("/organizations/\(org)").json?["contact_count"] == .int(1))
        #expect(try owner.patch("/contacts/\(contact)", #"{"organization_id":null}"#).json?["organization_id"] == .null)
        #expect(try owner.delete("/organizations/\(org)").status == 204)
        #expect(try live.count("SELECT count(*) FROM organizations") == 0)
    }
}
