import Domain
import Foundation
import HTTPCore
import Primitives
import Testing
import TestSupport

/// Imports and exports: LinkedIn's Connections.csv, vCards from phones, vCard/CSV/JSON
/// exports, and the calendar feed.
@Suite("Interop", .timeLimit(.minutes(1)))
struct InteropTests {
    static func fixture(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
        return Array(try Data(contentsOf: url))
    }

    static func upload(_ client: APIClient, _ path: String, _ body: [UInt8], type: String) throws -> ClientResponse {
        try client.request("POST", path, body: body, headers: [("Content-Type", type)])
    }

    static func skipped(_ response: ClientResponse) -> [String] {
        (response.json?["skipped"]?.arrayValue ?? []).map { "\($0["row"]?.intValue ?? 0): \($0["reason"]?.stringValue ?? "")" }
    }

    static func counts(_ response: ClientResponse) -> [Int64] {
        ["created", "merged", "unchanged"].map { response.json?[$0]?.intValue ?? -1 }
    }

    @Test func linkedInConnectionsWithPreambleBOMAndQuirks() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let file = try Self.fixture("linkedin-connections.csv")

        // A dry run reports and writes nothing.
        let dry = try Self.upload(owner, "/imports/linkedin?dry_run=true", file, type: "text/csv")
        #expect(dry.status == 200, "\(dry.text)")
        #expect(dry.json?["dry_run"] == .bool(true))
        #expect(Self.counts(dry) == [6, 0, 1])
        #expect(try live.count("SELECT count(*) FROM contacts") == 0)
        #expect(try live.count("SELECT count(*) FROM organizations") == 0)

        let first = try Self.upload(owner, "/imports/linkedin", file, type: "text/csv; charset=utf-8")
        #expect(first.status == 200, "\(first.text)")
        #expect(first.json?["dry_run"] == .bool(false))
        #expect(Self.counts(first) == [6, 0, 1])
        #expect(first.json?["organizations_created"] == .int(4))
        #expect(Self.skipped(first) == [
            "6: has 3 fields where the header has 7",
            "7: has no first or last name",
            "9: email: must be an email address like name@example.com",
        ])
        // A date that cannot be read costs the date, never the person.
        let warnings = first.json?["warnings"]?.arrayValue ?? []
        #expect(warnings.count == 1)
        #expect(warnings.first?["row"] == .int(5))
        #expect(warnings.first?["reason"] == .string("Connected On: \"31 Feb 2024\" is not a date; the contact was imported without it"))
        #expect(Self.skipped(dry) == Self.skipped(first))
        let contacts = try owner.walk("/contacts?sort=name")
        #expect(contacts.map { $0["name"]?.stringValue ?? "" } == ["Åsa Lindqvist", "Broken Date", "José Núñez", "Last Row", "Mei Chen", "Tom O'Brien"])
        try #require(contacts.count == 6)
        let jose = contacts[2]
        #expect(jose["title"] == .string("Agronomist, \"field\" trials"))
        #expect(jose["email"] == .null)
        #expect(jose["source"] == .string("linkedin"))
        #expect(jose["notes"] == .string("Connected on LinkedIn on 2023-01-03."))
        // Connected On is when the person was found (midnight in the account's zone, UTC here).
        #expect(jose["identified_at"] == .string("2023-01-03T00:00:00Z"))
        #expect(contacts[1]["identified_at"] == contacts[1]["created_at"])
        #expect(contacts[4]["title"] == .string("Lab Manager and Safety Officer"))
        // "nordic soil lab" is the organization Åsa's row created, matched ignoring case.
        #expect(contacts[4]["organization_id"] == contacts[0]["organization_id"])
        let organizations = try owner.walk("/organizations?sort=name").map { $0["name"]?.stringValue ?? "" }
        #expect(organizations == ["Agro Coop, S.L.", "Nordic Soil Lab", "Nowhere Inc", "Peat Partners"])

        // The same file again changes nothing.
        let versions = contacts.map { $0["version"] }
        let again = try Self.upload(owner, "/imports/linkedin", file, type: "text/csv")
        #expect(Self.counts(again) == [0, 0, 7])
        #expect(again.json?["organizations_created"] == .int(0))
        #expect(try owner.walk("/contacts?sort=name").map { $0["version"] } == versions)
    }

    @Test func duplicatesMergeByEmailAndProfileFillingOnlyWhatIsEmpty() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let known = try owner.create("/contacts", #"{"name":"L. Row","email":"LAST@row.example","title":"Keeps this title"}"#)
        let mei = try owner.create("/contacts", #"{"name":"Mei","linkedin_url":"https://linkedin.com/in/mei-chen-42/","notes":"Mine"}"#)
        let report = try Self.upload(owner, "/imports/linkedin", try Self.fixture("linkedin-connections.csv"), type: "text/csv")
        #expect(Self.counts(report) == [4, 2, 1], "\(report.text)")
        let row = try #require(owner.get("/contacts/\(known)").json)
        #expect(row["name"] == .string("L. Row"))
        #expect(row["title"] == .string("Keeps this title"))
        #expect(row["linkedin_url"] == .string("https://www.linkedin.com/in/lastrow"))
        #expect(row["version"] == .int(2))
        let merged = try #require(owner.get("/contacts/\(mei)").json)
        #expect(merged["notes"] == .string("Mine"))
        #expect(merged["title"] == .string("Lab Manager and Safety Officer"))
        // LinkedIn knew her before she was added here.
        #expect(merged["identified_at"] == .string("2024-02-28T00:00:00Z"))
        #expect(try live.count("SELECT count(*) FROM contacts") == 6)
        // The phone's cards merge into what LinkedIn brought: Mei gains an email, phone, place and tags.
        let android = try Self.upload(owner, "/imports/vcard", try Self.fixture("android.vcf"), type: "text/vcard")
        #expect(Self.counts(android) == [1, 1, 0], "\(android.text)")
        let phoned = try #require(owner.get("/contacts/\(mei)").json)
        #expect(phoned["email"] == .string("mei.chen@nordicsoil.example"))
        #expect(phoned["location"] == .string("Lund, Skåne, Sweden"))
        #expect(phoned["tags"] == .array([.string("myContacts"), .string("Soil, peat")]))
        #expect(phoned["notes"] == .string("Mine"))
    }

    @Test func vCardsFromTwoPhones() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let iphone = try Self.upload(owner, "/imports/vcard", try Self.fixture("iphone.vcf"), type: "text/vcard")
        #expect(iphone.status == 200, "\(iphone.text)")
        #expect(Self.counts(iphone) == [2, 0, 0])
        #expect(Self.skipped(iphone) == ["3: has no FN or N"])
        // Sorted by name with diacritics folded: Å among the A's.
        let contacts = try owner.walk("/contacts?sort=name")
        let asa = try #require(contacts.first)
        #expect(asa["name"] == .string("Åsa Lindqvist"))
        #expect(asa["email"] == .string("asa@soil.example"))
        #expect(asa["phone"] == .string("+46 70 123 45 67"))
        #expect(asa["linkedin_url"] == .string("http://www.linkedin.com/in/asalindqvist"))
        #expect(asa["location"] == .string("Kungsgatan 1, Uppsala, 753 21, Sweden"))
        #expect(asa["notes"] == .string("Met at the soil carbon workshop, 2024.\nPrefers long emails; no calls."))
        #expect(asa["title"] == .string("Senior Scientist"))
        let chidi = try #require(contacts.last)
        #expect(chidi["name"] == .string("Dr. Chidi Okafor"))
        #expect(chidi["title"] == .string("Professor of Soil Science and Director of the Centre for Sustainable Agriculture Research"))
        #expect(chidi["email"] == .string("chidi.okafor@ui.example"))
        #expect(try owner.walk("/organizations?sort=name").map { $0["name"]?.stringValue ?? "" } == ["Nordic Soil Lab", "University of Ibadan"])

        let android = try Self.upload(owner, "/imports/vcard", try Self.fixture("android.vcf"), type: "text/x-vcard")
        #expect(Self.counts(android) == [2, 0, 0], "\(android.text)")
        #expect(Self.skipped(android).count == 1)
        #expect(Self.skipped(android).first?.contains("has no END:VCARD") == true)
        let jose = try #require(owner.walk("/contacts?q=agro").first)
        #expect(jose["name"] == .string("José Núñez"))
        // Quoted-printable =0D=0A is a line break, kept as LF.
        #expect(jose["notes"] == .string("Field trials in Valencia.\nAsk about the co-op's soil sensors."))
        #expect(jose["source"] == .string("vcard"))
        #expect(jose["phone"] == .string("+34600000000"))
    }

    @Test func malformedImportsAre4xxAndWriteNothing() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        for (path, body, type, status, code) in [
            ("/imports/linkedin", "name,email\r\nA,a@b.c\r\n", "text/csv", 422, "not_linkedin_csv"),
            ("/imports/linkedin", "First Name,Last Name,URL\r\n\"unclosed,x,y\r\n", "text/csv", 422, "not_linkedin_csv"),
            ("/imports/linkedin", "First Name,Last Name,URL\r\nA,B,C\r\n", "application/json", 415, "unsupported_media_type"),
            ("/imports/vcard", "hello", "text/vcard", 422, "not_vcard"),
            ("/imports/vcard", "BEGIN:VCARD\r\nFN:x\r\nEND:VCARD\r\n", "text/csv", 415, "unsupported_media_type"),
            ("/imports/linkedin?dry_run=maybe", "First Name,Last Name,URL\r\n", "text/csv", 400, "bad_query"),
            ("/imports/linkedin?force=true", "First Name,Last Name,URL\r\n", "text/csv", 400, "bad_query"),
        ] {
            let response = try Self.upload(owner, path, Array(body.utf8), type: type)
            #expect(response.isProblem(status, code), "\(path) \(type): \(response.status) \(response.text)")
        }
        var invalidUTF8 = Array("First Name,Last Name,URL\r\nA,".utf8)
        invalidUTF8 += [0xFF, 0xFE]
        #expect(try Self.upload(owner, "/imports/linkedin", invalidUTF8, type: "text/csv").isProblem(422, "not_linkedin_csv"))
        #expect(try live.count("SELECT count(*) FROM contacts") == 0)
    }

    @Test func aFailingBatchLeavesEarlierBatchesAndNothingOfItsOwn() throws {
        // This server's own fault point: the record named here fails as storage would.
        let failing = Lock<String?>("Batched 1500")
        let live = try LiveServer(faults: FaultPoints(importFails: { name in failing.withLock { $0 } == name }))
        let owner = try live.owner()
        var csv = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
        for index in 1...2500 { csv += "Batched,\(index),https://www.linkedin.com/in/p\(index),,Org \(index % 7),,1 Jan 2024\r\n" }
        let failed = try Self.upload(owner, "/imports/linkedin", Array(csv.utf8), type: "text/csv")
        #expect(failed.status == 500)
        // The first batch (rows 1–1000) is kept; nothing of the second (1001–2000) or after.
        #expect(try live.count("SELECT count(*) FROM contacts") == 1000)
        #expect(try live.count("SELECT count(*) FROM contacts WHERE name = 'Batched 1001'") == 0)
        failing.withLock { $0 = nil }
        // Sending it again completes it: the kept batch is unchanged, the rest created.
        let retried = try Self.upload(owner, "/imports/linkedin", Array(csv.utf8), type: "text/csv")
        #expect(Self.counts(retried) == [1500, 0, 1000])
        #expect(try live.count("SELECT count(*) FROM contacts") == 2500)
        #expect(try live.count("SELECT count(*) FROM organizations") == 7)
    }

    @Test func importsHaveTheirOwnBodyLimit() throws {
        let live = try LiveServer(importBodyLimit: 3 * 1024 * 1024)
        let owner = try live.owner()
        // Past the server's 1 MiB for other routes, within the imports' own limit.
        var csv = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"
        var index = 0
        while csv.utf8.count < 1_500_000 {
            index += 1
            csv += "Person,\(index),https://www.linkedin.com/in/p\(index),,Org,\(String(repeating: "x", count: 100)),1 Jan 2024\r\n"
        }
        let big = try Self.upload(owner, "/imports/linkedin?dry_run=true", Array(csv.utf8), type: "text/csv")
        #expect(big.status == 200, "\(big.status)")
        #expect(big.json?["created"] == .int(Int64(index)))
        #expect(try owner.post("/contacts", "{\"name\":\"\(String(repeating: "x", count: 1_500_000))\"}").status == 413)
        // (A refused body closes its connection: a new one.)
        let tooBig = try Self.upload(try APIClient(port: live.port, token: owner.token), "/imports/vcard", Array(repeating: 0x41, count: 3 * 1024 * 1024 + 1), type: "text/vcard")
        #expect(tooBig.status == 413)
    }

    @Test func streamedBodiesForHEADHTTP10AndClientsThatLeave() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        for index in 1...3000 { _ = try owner.create("/contacts", #"{"name":"Person \#(index)","notes":"\#(String(repeating: "n", count: 300))"}"#) }
        let head = try owner.raw.request("HEAD", "/contacts.csv", headers: [("Authorization", "Bearer \(owner.token)")])
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
        #expect(head.header("content-type")?.hasPrefix("text/csv") == true)
        // HTTP/1.0 has no chunks: the body runs to the close.
        let old = try live.client()
        try old.send("GET /contacts.csv HTTP/1.0\r\nAuthorization: Bearer \(owner.token)\r\n\r\n")
        let response = try old.readResponse()
        #expect(response.status == 200)
        #expect(response.header("transfer-encoding") == nil)
        #expect(response.header("connection") == "close")
        #expect(try CSV.records(response.body).count == 3001)
        // A client that leaves mid-export: the server goes on serving.
        for _ in 0..<5 {
            let leaver = try live.client()
            try leaver.send("GET /export HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(owner.token)\r\n\r\n")
            _ = try leaver.readSome()
        }
        #expect(try owner.get("/contacts.csv").status == 200)
        #expect(try owner.get("/health").status == 200)
    }

    @Test func vCardExportRoundTrips() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let acme = try owner.create("/organizations", #"{"name":"Acme; Sons, Ltd"}"#)
        _ = try owner.create(
            "/contacts",
            #"{"name":"Zoë Ångström-Lindqvist","title":"Head of \"Soil\", Carbon; and Peat","organization_id":\#(acme),"email":"zoe@acme.example","phone":"+47 22 00 00 00","linkedin_url":"https://www.linkedin.com/in/zoe","location":"Oslo, Norway","hook":"Her talk on peat","source":"conference","tags":["mentor","soil, peat"],"keep_in_touch_days":30,"stage":"contacted","notes":"Line one\nLine two with a long sentence that goes past seventy-five octets for sure, with åäö too.\\backslash"}"#)
        _ = try owner.create("/contacts", #"{"name":"Plain Person"}"#)
        let export = try owner.get("/contacts.vcf")
        #expect(export.status == 200)
        #expect(export.header("content-type") == "text/vcard; charset=utf-8")
        #expect(export.header("transfer-encoding") == "chunked")
        let text = export.text
        #expect(text.hasPrefix("BEGIN:VCARD\r\nVERSION:4.0\r\n"))
        #expect(text.components(separatedBy: "BEGIN:VCARD").count == 3)
        for line in text.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 75, "\(line)") }
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(text.contains("ORG:Acme\\; Sons\\, Ltd\r\n"))

        let bob = try live.newUser("bob")
        let imported = try Self.upload(bob, "/imports/vcard", Array(export.body), type: "text/vcard")
        #expect(Self.counts(imported) == [2, 0, 0], "\(imported.text)")
        let strip: (JSONValue) -> [String: JSONValue] = { contact in
            var fields: [String: JSONValue] = [:]
            for key in ["name", "title", "email", "phone", "linkedin_url", "location", "hook", "source", "tags", "keep_in_touch_days", "stage", "notes"] {
                fields[key] = contact[key]
            }
            return fields
        }
        let mine = try owner.walk("/contacts?sort=name").map(strip)
        let theirs = try bob.walk("/contacts?sort=name").map(strip)
        #expect(mine == theirs)
        #expect(try bob.walk("/organizations").map { $0["name"] } == [.string("Acme; Sons, Ltd")])
        // The export honours the list's filters.
        let filtered = try owner.get("/contacts.vcf?q=plain").text
        #expect(filtered.components(separatedBy: "BEGIN:VCARD").count == 2)
        #expect(try owner.get("/contacts.vcf?limit=5").isProblem(400, "bad_query"))
    }

    @Test func csvExport() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        _ = try owner.create("/contacts", #"{"name":"Quote \"Q\" Person","notes":"multi\nline, with comma","tags":["a","b"],"stage":"met"}"#)
        _ = try owner.create("/contacts", #"{"name":"Other"}"#)
        let export = try owner.get("/contacts.csv?stage=met")
        #expect(export.status == 200)
        #expect(export.header("content-type")?.hasPrefix("text/csv") == true)
        let records = try CSV.records(Array(export.body))
        try #require(records.count == 2 && records[1].fields.count == 16)
        #expect(records[0].fields.first == "id")
        #expect(records[1].fields[1] == "Quote \"Q\" Person")
        #expect(records[1].fields[13] == "multi\nline, with comma")
        #expect(records[1].fields[12] == "a;b")
        #expect(export.text.hasSuffix("\r\n"))
        #expect(try owner.get("/contacts.csv?stage=nope").isProblem(400, "bad_query"))
        #expect(try APIClient(port: live.port, token: "x").get("/contacts.csv").status == 401)
    }

    @Test func jsonExportRestoresLosslesslyIntoAnEmptyAccount() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        #expect(try owner.patch("/me", #"{"display_name":"Kim","headline":"Soil scientist","time_zone":"Europe/Oslo"}"#).status == 200)
        let interest = try owner.create("/interests", #"{"name":"Soil carbon","goal":"Find a lab"}"#)
        let acme = try owner.create("/organizations", #"{"name":"Acme","interest_ids":[\#(interest)]}"#)
        let ann = try owner.create("/contacts", #"{"name":"Ann","organization_id":\#(acme),"tags":["mentor"],"interest_ids":[\#(interest)]}"#)
        let ben = try owner.create("/contacts", #"{"name":"Ben"}"#)
        let question = try owner.create("/questions", #"{"text":"How did you start?","tags":["tiara"]}"#)
        let resume = try owner.create("/resumes", #"{"label":"v1","content":"Soil scientist, five years of field work.","interest_id":\#(interest)}"#)
        let pitch = try owner.create("/pitches", #"{"name":"P","body":"Hi {{contact.name}}, could we talk?"}"#)
        #expect(try owner.post("/pitches/\(pitch)/render", #"{"contact_id":\#(ann)}"#).status == 200)
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(ann),"scheduled_at":"2026-12-01T10:00:00Z","resume_id":\#(resume)}"#)
        _ = try owner.create("/meetings/\(meeting)/questions", #"{"question_id":\#(question)}"#)
        #expect(try owner.post("/meetings/\(meeting)/complete", #"{"referrals":[{"contact_id":\#(ben)}],"resources":[{"title":"Soil book"}],"events":[{"name":"Summit"}]}"#).status == 200)
        _ = try owner.create("/outreach", #"{"contact_id":\#(ben),"pitch_id":\#(pitch),"resume_id":\#(resume),"summary":"Hello"}"#)
        _ = try owner.create("/leads", #"{"title":"Analyst","organization_id":\#(acme),"contact_id":\#(ann)}"#)
        _ = try owner.create("/insights", #"{"meeting_id":\#(meeting),"interest_id":\#(interest),"kind":"skill","name":"Soil sampling","text":"Every season"}"#)
        _ = try owner.create("/skills", #"{"name":"GIS","level":4,"evidence":"Thesis"}"#)

        let export = try owner.get("/export")
        #expect(export.status == 200)
        #expect(export.header("transfer-encoding") == "chunked")
        let dump = try #require(export.json)
        #expect(dump["version"] == .int(1))
        #expect(dump["contacts"]?.arrayValue?.count == 2)

        let bob = try live.newUser("bob")
        let restored = try bob.request("POST", "/imports/json", body: Array(export.body), headers: [("Content-Type", "application/json")])
        #expect(restored.status == 201, "\(restored.text)")
        #expect(restored.json?["restored"]?["meetings"] == .int(1))
        // Restoring twice is refused: the account is no longer empty.
        #expect(try bob.request("POST", "/imports/json", body: Array(export.body), headers: [("Content-Type", "application/json")]).isProblem(409, "account_not_empty"))

        // Everything is there, with new ids: compare the two exports with ids mapped by position.
        let again = try #require(bob.get("/export").json)
        #expect(try bob.get("/me").json?["time_zone"] == .string("Europe/Oslo"))
        for collection in AccountImportService.collections {
            let before = dump[collection]?.arrayValue ?? []
            let after = again[collection]?.arrayValue ?? []
            #expect(before.count == after.count, "\(collection)")
            for (a, b) in zip(before, after) {
                guard case .object(let fieldsA) = a, case .object(let fieldsB) = b else { continue }
                #expect(fieldsA.map(\.0) == fieldsB.map(\.0), "\(collection)")
                for ((key, valueA), (_, valueB)) in zip(fieldsA, fieldsB) where !key.hasSuffix("id") {
                    #expect(valueA == valueB, "\(collection).\(key)")
                }
            }
        }
        // References point at the restored rows.
        let bobMeetings = try bob.walk("/meetings")
        let bobAnn = try #require(try bob.walk("/contacts?q=Ann").first?["id"]?.intValue)
        #expect(bobMeetings.first?["contact_id"] == .int(bobAnn))
        #expect(bobMeetings.first?["status"] == .string("completed"))
        #expect(try bob.walk("/referrals").count == 1)
        #expect(try bob.get("/meetings/\(bobMeetings.first?["id"]?.intValue ?? 0)/questions").itemIDs?.count == 1)
        #expect(again["insights"]?.arrayValue?.first?["name_key"] == .string("soil sampling"))
        #expect(try bob.walk("/insights").first?["meeting_id"] == bobMeetings.first?["id"])
        #expect(try bob.walk("/skills").map { $0["name"] } == [.string("GIS")])

        // Bad exports change nothing.
        let carol = try live.newUser("carol")
        for (body, field) in [
            (#"{"version":2}"#, "version"),
            (#"{"version":1,"contacts":[{"id":1,"name":"X","organization_id":99,"stage":"identified","created_at":"t","updated_at":"t","version":1}]}"#, "contacts[0].organization_id"),
            (#"{"version":1,"contacts":[{"id":1,"nickname":"X"}]}"#, "contacts[0].nickname"),
            (#"{"version":1,"gadgets":[]}"#, "gadgets"),
            (#"{"version":1,"contacts":[{"id":1,"name":"X","stage":"bogus","created_at":"t","updated_at":"t"}]}"#, "contacts[0]"),
        ] {
            let response = try carol.request("POST", "/imports/json", body: Array(body.utf8), headers: [("Content-Type", "application/json")])
            #expect(response.status == 422, "\(body): \(response.text)")
            #expect(response.problemFields.contains(field), "\(body): \(response.text)")
        }
        #expect(try live.count("SELECT count(*) FROM contacts WHERE user_id = (SELECT id FROM users WHERE name = 'carol')") == 0)
    }

    @Test func calendarFeed() throws {
        let clock = ManualClock(try #require(RFC3339.parse("2026-11-20T09:00:00Z")))
        let live = try LiveServer(clock: clock)
        let owner = try live.owner()
        let ann = try owner.create("/contacts", #"{"name":"Ann; Lee, PhD"}"#)
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(ann),"scheduled_at":"2026-12-01T10:00:00Z","location":"Café Nord","duration_minutes":45}"#)
        let cancelled = try owner.create("/meetings", #"{"contact_id":\#(ann),"scheduled_at":"2026-12-02T10:00:00Z"}"#)
        #expect(try owner.post("/meetings/\(cancelled)/cancel", "").status == 200)
        _ = try owner.create("/events", #"{"name":"Soil Summit","starts_at":"2026-12-05T09:00:00Z"}"#)
        _ = try owner.create("/outreach", #"{"contact_id":\#(ann),"sent_at":"2026-11-20T09:00:00Z"}"#)

        let created = try owner.post("/feeds", #"{"name":"Phone"}"#)
        #expect(created.status == 201, "\(created.text)")
        let token = try #require(created.json?["token"]?.stringValue)
        let url = try #require(created.json?["url"]?.stringValue)
        #expect(url.hasSuffix("/calendar/\(token).ics"))
        #expect(try owner.get("/feeds").json?["items"]?.arrayValue?.first?["token"] == nil)
        #expect(try live.count("SELECT count(*) FROM feeds WHERE lookup = ?", [String(token.prefix(12))]) == 1)
        #expect(try live.count("SELECT count(*) FROM feeds WHERE instr(secret_hash, ?) > 0", [token]) == 0)

        let anonymous = try APIClient(port: live.port, token: "")
        let feed = try anonymous.get("/calendar/\(token).ics")
        #expect(feed.status == 200)
        #expect(feed.header("content-type") == "text/calendar; charset=utf-8")
        let text = feed.text
        for line in text.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 75, "\(line)") }
        #expect(text.contains("UID:meeting-\(meeting)@foothold\r\n"))
        #expect(text.contains("DTSTART:20261201T100000Z\r\nDTEND:20261201T104500Z\r\n"))
        #expect(text.contains("SUMMARY:Informational interview with Ann\\; Lee\\, PhD\r\n"))
        #expect(text.contains("UID:meeting-\(cancelled)@foothold\r\n"))
        #expect(text.contains("STATUS:CANCELLED\r\n"))
        #expect(text.contains("BEGIN:VTODO\r\nUID:follow_up-"))
        #expect(text.contains("DUE:20261201T090000Z\r\n"))
        #expect(text.components(separatedBy: "BEGIN:VALARM").count == 5)
        // Polling: 304 until something changes; a change bumps the meeting's SEQUENCE.
        let etag = try #require(feed.header("etag"))
        #expect(try anonymous.get("/calendar/\(token).ics", headers: [("If-None-Match", etag)]).status == 304)
        #expect(text.contains("SEQUENCE:0\r\n"))
        #expect(try owner.patch("/meetings/\(meeting)", #"{"location":"Room 2"}"#).status == 200)
        let changed = try anonymous.get("/calendar/\(token).ics", headers: [("If-None-Match", etag)])
        #expect(changed.status == 200)
        #expect(changed.text.contains("SEQUENCE:1\r\n"))

        // A wrong token is a 404; a revoked one too; another account's feed shows its own data.
        #expect(try anonymous.get("/calendar/fc_nope.ics").isProblem(404, "not_found"))
        #expect(try anonymous.get("/calendar/\(token).ics?format=old").isProblem(400, "bad_query"))
        #expect(try anonymous.get("/calendar/\(token)").isProblem(404, "not_found"))
        let bob = try live.newUser("bob")
        let bobFeed = try bob.raw.request("POST", "/feeds", headers: [("Authorization", "Bearer \(bob.token)")])
        #expect(bobFeed.status == 201)
        let bobToken = try #require(bobFeed.json?["token"]?.stringValue)
        #expect(!(try anonymous.get("/calendar/\(bobToken).ics").text.contains("Ann")))
        let id = try #require(created.json?["id"]?.intValue)
        #expect(try bob.delete("/feeds/\(id)").isProblem(404, "not_found"))
        #expect(try owner.delete("/feeds/\(id)").status == 204)
        #expect(try anonymous.get("/calendar/\(token).ics").isProblem(404, "not_found"))
    }
}
