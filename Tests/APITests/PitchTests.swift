import Foundation
import HTTPCore
import Testing
import TestSupport

@Suite("Pitches", .timeLimit(.minutes(1)))
struct PitchTests {
    @Test func pitchLifecycleAndPlaceholders() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let created = try owner.post("/pitches", #"{"name":"Cold email","body":"Hi {{ contact.first_name }},\n{{contact.hook}}. Could we talk?"}"#)
        #expect(created.status == 201)
        let id = try #require(created.json?["id"]?.intValue)
        #expect(created.header("location") == "/pitches/\(id)")
        #expect(created.json?["channel"] == .string("email"))
        #expect(try owner.get("/pitches/\(id)").json == created.json)
        let spoken = try owner.patch("/pitches/\(id)", #"{"channel":"spoken","name":"Phone"}"#)
        #expect(spoken.json?["channel"] == .string("spoken"))
        #expect(spoken.json?["version"] == .int(2))
        let other = try owner.create("/pitches", #"{"name":"Another","body":"Could we meet?","channel":"email"}"#)
        #expect(try owner.listIDs("/pitches?channel=spoken") == [id])
        #expect(try owner.walkIDs("/pitches?sort=name&limit=1") == [other, id])
        #expect(try owner.listIDs("/pitches?q=meet") == [other])

        for (body, fields) in [
            (#"{"name":"Bad","body":"Hi {{contact.age}} and {{ me.salary }}"}"#, ["body"]),
            (#"{"name":"Open","body":"Hi {{contact.name"}"#, ["body"]),
            (#"{"name":"Empty","body":"  "}"#, ["body"]),
            (#"{"body":"Hi"}"#, ["name"]),
            (#"{"name":"Chan","body":"Hi","channel":"fax"}"#, ["channel"]),
            (#"{"name":"Chan","body":"Hi","channel":null}"#, ["channel"]),
        ] {
            let response = try owner.post("/pitches", body)
            #expect(response.isProblem(422, "validation_failed"), "\(body)")
            #expect(response.problemFields == fields, "\(body)")
        }
        let unknown = try owner.post("/pitches", #"{"name":"Bad","body":"Hi {{contact.age}}"}"#)
        #expect(unknown.json?["errors"]?.arrayValue?.first?["message"]?.stringValue?.contains("{{contact.age}}") == true)
        #expect(try owner.patch("/pitches/\(id)", #"{"body":"{{interest.title}}"}"#).problemFields == ["body"])
        #expect(try live.count("SELECT count(*) FROM pitches") == 2)

        let bob = try live.newUser("bob")
        #expect(try bob.get("/pitches/\(id)").isProblem(404, "not_found"))
        #expect(try bob.post("/pitches/\(id)/render", #"{"contact_id":1}"#).isProblem(404, "not_found"))
        #expect(try bob.listIDs("/pitches") == [])
        #expect(try owner.delete("/pitches/\(id)").status == 204)
        #expect(try owner.walk("/deletions").contains { $0["type"] == .string("pitch") && $0["id"] == .int(id) })
    }

    @Test func meCarriesTheNameAndHeadline() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let patched = try owner.patch("/me", #"{"display_name":"Ada Park","headline":"a data engineer moving into climate tech"}"#)
        #expect(patched.status == 200)
        #expect(patched.json?["display_name"] == .string("Ada Park"))
        #expect(patched.json?["headline"] == .string("a data engineer moving into climate tech"))
        #expect(patched.json?["version"] == .int(2))
        #expect(try owner.get("/me").json == patched.json)
        #expect(try owner.patch("/me", #"{"name":"root"}"#).isProblem(400, "read_only_fields"))
        let zoned = try owner.patch("/me", #"{"time_zone":"America/St_Johns"}"#)
        #expect(zoned.json?["time_zone"] == .string("America/St_Johns"))
        #expect(zoned.json?["version"] == .int(3))
        for bad in [#""Mars/Olympus""#, #""../../etc/passwd""#, "null", #""""#, #""Europe/Oslo ""#] {
            let response = try owner.patch("/me", #"{"time_zone":\#(bad)}"#)
            #expect(response.isProblem(422, "validation_failed"), "\(bad)")
            #expect(response.problemFields == ["time_zone"], "\(bad)")
        }
        #expect(try owner.get("/me").json?["time_zone"] == .string("America/St_Johns"))
        #expect(try owner.patch("/me", #"{"headline":"\#(String(repeating: "x", count: 501))"}"#).problemFields == ["headline"])
        #expect(try owner.patch("/me", #"{"headline":null}"#, headers: [("If-Match", "\"2\"")]).isProblem(412, "precondition_failed"))
        #expect(try owner.patch("/me", #"{"headline":""}"#).json?["headline"] == .null)
    }

    @Test func renderFillsPlaceholdersAndLints() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        _ = try owner.patch("/me", #"{"display_name":"Ada Park","headline":"a data engineer"}"#)
        let acme = try owner.create("/organizations", #"{"name":"Acme Soil"}"#)
        let climate = try owner.create("/interests", #"{"name":"climate tech"}"#)
        let soil = try owner.create("/interests", #"{"name":"soil science"}"#)
        let maria = try owner.create(
            "/contacts",
            #"{"name":"Maria Lopez","title":"Head of Data","organization_id":\#(acme),"hook":"I heard your talk on soil carbon","interest_ids":[\#(climate)]}"#)
        let good = try owner.create(
            "/pitches",
            #"{"name":"Good","channel":"spoken","body":"Hi {{contact.first_name}}, {{contact.hook}}. I am {{me.name}}, {{me.headline}} curious about {{interest.name}}. Could you tell me about your work as {{contact.title}} at {{organization.name}}?"}"#)
        let rendered = try owner.post("/pitches/\(good)/render", #"{"contact_id":\#(maria)}"#)
        #expect(rendered.status == 200)
        #expect(rendered.header("etag") == nil)
        let text = "Hi Maria, I heard your talk on soil carbon. I am Ada Park, a data engineer curious about climate tech. Could you tell me about your work as Head of Data at Acme Soil?"
        #expect(rendered.json?["text"] == .string(text))
        #expect(rendered.json?["word_count"] == .int(34))
        #expect(rendered.json?["speaking_seconds"] == .double(13.6))
        #expect(rendered.json?["interest_id"] == .int(climate))
        #expect(rendered.json?["warnings"] == .array([]))
        // An interest named in the body wins over the contact's first.
        let other = try owner.post("/pitches/\(good)/render", #"{"contact_id":\#(maria),"interest_id":\#(soil)}"#)
        #expect(other.json?["text"]?.stringValue?.contains("curious about soil science") == true)

        func codes(_ body: String, channel: String = "email", contact: Int64? = nil) throws -> [String] {
            let pitch = try owner.create("/pitches", #"{"name":"P","channel":"\#(channel)","body":"\#(body)"}"#)
            let response = try owner.post("/pitches/\(pitch)/render", #"{"contact_id":\#(contact ?? maria)}"#)
            return response.json?["warnings"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? ["<\(response.status)>"]
        }
        let opener = "{{contact.hook}}. Could you tell me about your work?"
        #expect(try codes(opener) == [])
        #expect(try codes("{{contact.hook}}. Is there a job opening for me? Could you tell me about your work?") == ["asks_for_job"])
        #expect(try codes("{{contact.hook}}. Could you tell me about your team, and the Jobs board you run?") == ["asks_for_job"])
        #expect(try codes("{{contact.hook}}. Could you tell me about your Hiring and your vacancies?") == ["asks_for_job"])
        #expect(try codes("{{contact.hook}}. Could you tell me about your projects, and your jobsite?") == [])
        // Placeholder values never count as asking: a title may say "Hiring".
        let recruiter = try owner.create("/contacts", #"{"name":"Rae","title":"Hiring Lead","hook":"I read your post"}"#)
        #expect(try codes("{{contact.hook}}. As {{contact.title}}, what do you see in your field?", contact: recruiter) == [])
        #expect(try codes("{{contact.hook}}. Tell me about your work.") == ["not_a_question"])
        #expect(try codes("Could you tell me about your work? {{contact.hook}}.") == ["hook_not_first"])
        #expect(try codes("Dear {{contact.first_name}},\\n{{contact.hook}}. Could you tell me about your work?") == [])
        #expect(try codes("{{contact.hook}}. I am Ada, I studied data and I worked in my lab for my whole career, and I think I want my next step to be mine. Could you help me?") == ["not_about_contact"])
        let long = "{{contact.hook}}. Could you tell me about your work?" + String(repeating: " your", count: 70)
        #expect(try codes(long) == ["too_long"])
        #expect(try codes(long, channel: "spoken") == ["too_long"])
        let bare = try owner.create("/contacts", #"{"name":"Bare"}"#)
        #expect(try codes("Hi {{contact.first_name}} at {{organization.name}}, could you tell me about your work?", contact: bare)
            == ["hook_not_first", "missing_value"])
        let missing = try owner.create("/pitches", #"{"name":"M","body":"{{contact.title}}: could you tell me about your work?"}"#)
        let missingRender = try owner.post("/pitches/\(missing)/render", #"{"contact_id":\#(bare)}"#)
        // The missing value goes with the punctuation that stood beside it.
        #expect(missingRender.json?["text"] == .string("could you tell me about your work?"))
        let greeting = try owner.create("/pitches", #"{"name":"G","body":"Hi {{contact.first_name}}, {{contact.hook}}. I am Ada. Could you tell me about your work?"}"#)
        let greeted = try owner.post("/pitches/\(greeting)/render", #"{"contact_id":\#(bare)}"#)
        #expect(greeted.json?["text"] == .string("Hi Bare, I am Ada. Could you tell me about your work?"))
        #expect(greeted.json?["warnings"]?.arrayValue?.last?["message"]?.stringValue?.contains("set the contact's hook") == true)
        #expect(missingRender.json?["warnings"]?.arrayValue?.last?["message"]?.stringValue?.contains("{{contact.title}}") == true)

        // Ids that are not the caller's are 422; the pitch itself is 404.
        let bob = try live.newUser("bob")
        let bobContact = try bob.create("/contacts", #"{"name":"Bob's"}"#)
        let bobInterest = try bob.create("/interests", #"{"name":"Bob's"}"#)
        #expect(try owner.post("/pitches/\(good)/render", #"{"contact_id":\#(bobContact)}"#).problemFields == ["contact_id"])
        #expect(try owner.post("/pitches/\(good)/render", #"{"contact_id":\#(maria),"interest_id":\#(bobInterest)}"#).problemFields == ["interest_id"])
        #expect(try owner.post("/pitches/\(good)/render", #"{}"#).problemFields == ["contact_id"])
        #expect(try owner.post("/pitches/\(good)/render", #"{"contact_id":\#(maria),"extra":1}"#).isProblem(400, "unknown_fields"))
        #expect(try owner.post("/pitches/99999/render", #"{"contact_id":\#(maria)}"#).isProblem(404, "not_found"))
        #expect(try live.count("SELECT count(*) FROM pitch_renders WHERE contact_id = ?", [bobContact]) == 0)
    }
}
