import Foundation
import HTTPCore
import Testing
import TestSupport

@Suite("Organizations and interests")
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
        var seen: [Int64] = []
        var path = "/organizations?sort=lamp&limit=2"
        while true {
            let page = try owner.get(path)
            seen += page.itemIDs
            guard let cursor = page.nextCursor else { break }
            path = "/organizations?sort=lamp&limit=2&cursor=\(cursor)"
        }
        #expect(seen == expected)
        #expect(try owner.get("/organizations?motivation=3&advocacy=false").itemIDs == ["Keen", "KeenPosting"].compactMap { ids[$0] })
        #expect(try owner.get("/organizations?posting=4").status == 400)
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
