import Foundation
import HTTPCore
import Testing
import TestSupport

@Suite("Meeting agenda and prep", .timeLimit(.minutes(1)))
struct AgendaTests {
    @Test func agendaKeepsDensePositions() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let contact = try owner.create("/contacts", #"{"name":"Maria Lopez"}"#)
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(contact)}"#)
        let bank = try owner.create("/questions", #"{"text":"What trends do you see?","category":"trends"}"#)
        let path = "/meetings/\(meeting)/questions"

        let first = try owner.post(path, #"{"question_id":\#(bank)}"#)
        #expect(first.status == 201)
        let q1 = try #require(first.json?["id"]?.intValue)
        #expect(first.header("location") == "\(path)/\(q1)")
        #expect(first.json?["text"] == .string("What trends do you see?"))
        #expect(first.json?["question_id"] == .int(bank))
        #expect(first.json?["position"] == .int(1))
        #expect(first.json?["asked"] == .bool(false))
        let q2 = try owner.create(path, #"{"text":"How did you start at the lab?"}"#)
        let q3 = try owner.create(path, #"{"text":"Who else should I talk to?","position":1}"#)
        func order() throws -> [Int64] { try owner.walkIDs("\(path)?limit=2") }
        func position(_ id: Int64) throws -> Int64? { try owner.get("\(path)/\(id)").json?["position"]?.intValue }
        #expect(try order() == [q3, q1, q2])
        #expect(try owner.get("\(path)/\(q1)").json?["version"] == .int(2))  // shifted, so changed

        // Editing the bank later leaves the agenda's copy.
        _ = try owner.patch("/questions/\(bank)", #"{"text":"Changed"}"#)
        #expect(try owner.get("\(path)/\(q1)").json?["text"] == .string("What trends do you see?"))

        // Moving one shifts the others; past the end means the end.
        let moved = try owner.patch("\(path)/\(q3)", #"{"position":3}"#)
        #expect(moved.status == 200)
        #expect(moved.json?["position"] == .int(3))
        #expect(try order() == [q1, q2, q3])
        #expect(try owner.patch("\(path)/\(q1)", #"{"position":99}"#).json?["position"] == .int(3))
        #expect(try order() == [q2, q3, q1])
        #expect(try [position(q2), position(q3), position(q1)] == [1, 2, 3])

        let answered = try owner.patch("\(path)/\(q2)", #"{"asked":true,"answer_notes":"Started as a technician.\nThen a PhD."}"#)
        #expect(answered.json?["asked"] == .bool(true))
        #expect(answered.json?["answer_notes"] == .string("Started as a technician.\nThen a PhD."))
        #expect(try owner.patch("\(path)/\(q2)", #"{"asked":false}"#, headers: [("If-Match", "\"1\"")]).isProblem(412, "precondition_failed"))

        // Removing one closes the gap.
        #expect(try owner.delete("\(path)/\(q3)").status == 204)
        #expect(try order() == [q2, q1])
        #expect(try [position(q2), position(q1)] == [1, 2])
        #expect(try owner.get("\(path)/\(q3)").isProblem(404, "not_found"))
        // Deleting the bank question keeps the item, unlinked.
        #expect(try owner.delete("/questions/\(bank)").status == 204)
        #expect(try owner.get("\(path)/\(q1)").json?["question_id"] == .null)
        // Deleting the meeting takes its agenda.
        #expect(try owner.delete("/meetings/\(meeting)").status == 204)
        #expect(try live.count("SELECT count(*) FROM meeting_questions") == 0)
        #expect(try owner.get(path).isProblem(404, "not_found"))
    }

    @Test func badAgendaItemsChangeNothing() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let contact = try owner.create("/contacts", #"{"name":"Maria"}"#)
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(contact)}"#)
        let bank = try owner.create("/questions", #"{"text":"Trends?"}"#)
        let path = "/meetings/\(meeting)/questions"
        for (body, status, fields) in [
            (#"{}"#, 422, ["question_id"]),
            (#"{"question_id":\#(bank),"text":"Both?"}"#, 422, ["question_id"]),
            (#"{"text":"  "}"#, 422, ["question_id"]),
            (#"{"question_id":99999}"#, 422, ["question_id"]),
            (#"{"text":"Q","position":0}"#, 422, ["position"]),
            (#"{"text":"Q","position":10001}"#, 422, ["position"]),
            (#"{"text":"Q","asked":"yes"}"#, 422, ["asked"]),
            (#"{"text":"Line\nbreak"}"#, 422, ["text"]),
            (#"{"text":"Q","meeting_id":3}"#, 400, ["meeting_id"]),
        ] {
            let response = try owner.post(path, body)
            #expect(response.status == status, "\(body)")
            #expect(response.problemFields == fields, "\(body)")
        }
        #expect(try owner.post("/meetings/99999/questions", #"{"text":"Q"}"#).isProblem(404, "not_found"))
        #expect(try live.count("SELECT count(*) FROM meeting_questions") == 0)
        let item = try owner.create(path, #"{"text":"Q"}"#)
        for (body, fields) in [
            (#"{"question_id":\#(bank)}"#, ["question_id"]), (#"{"text":null}"#, ["text"]), (#"{"position":null}"#, ["position"]),
            (#"{"asked":null}"#, ["asked"]), (#"{"text":""}"#, ["text"]),
        ] {
            let response = try owner.patch("\(path)/\(item)", body)
            #expect(response.isProblem(422, "validation_failed"), "\(body)")
            #expect(response.problemFields == fields, "\(body): \(response.text)")
        }
        #expect(try owner.get("\(path)/\(item)").json?["version"] == .int(1))
        // An item of another meeting is not found under this one.
        let other = try owner.create("/meetings", #"{"contact_id":\#(contact)}"#)
        #expect(try owner.get("/meetings/\(other)/questions/\(item)").isProblem(404, "not_found"))
        #expect(try owner.get("\(path)?sort=text").isProblem(400, "bad_query"))
    }

    @Test func prepReportsEachCheck() throws {
        let live = try LiveServer()
        let owner = try live.owner()
        let contact = try owner.create("/contacts", #"{"name":"Maria Lopez"}"#)
        let meeting = try owner.create("/meetings", #"{"contact_id":\#(contact),"scheduled_at":"2026-12-03T15:00:00Z"}"#)
        func prep() throws -> (ready: Bool?, status: [String: String], detail: [String: String]) {
            let json = try #require(try owner.get("/meetings/\(meeting)/prep").json)
            var status: [String: String] = [:]
            var detail: [String: String] = [:]
            for item in json["items"]?.arrayValue ?? [] {
                let code = item["code"]?.stringValue ?? ""
                status[code] = item["status"]?.stringValue
                detail[code] = item["detail"]?.stringValue
            }
            let ready: Bool? = if case .bool(let flag)? = json["ready"] { flag } else { nil }
            return (ready, status, detail)
        }
        let empty = try prep()
        #expect(empty.ready == false)
        #expect(empty.status == [
            "question_count": "warn", "tailored_questions": "warn", "resume": "warn", "hook": "warn", "pitch": "warn",
            "organization": "warn", "contact_notes": "warn",
        ])

        let acme = try owner.create("/organizations", #"{"name":"Acme Soil Labs"}"#)
        _ = try owner.patch(
            "/contacts/\(contact)",
            #"{"organization_id":\#(acme),"hook":"I heard your talk on regenerative farming","notes":"PhD in soil science","tags":["carbon markets"]}"#)
        let path = "/meetings/\(meeting)/questions"
        _ = try owner.create(path, #"{"text":"What is it you do?"}"#)
        _ = try owner.create(path, #"{"text":"What do you like about your job?"}"#)
        _ = try owner.create(path, #"{"text":"How did Acme Soil Labs decide to measure soil?"}"#)
        let generic = try prep()
        #expect(generic.status["question_count"] == "pass")
        #expect(generic.status["tailored_questions"] == "warn")
        #expect(generic.detail["tailored_questions"]?.contains("1 tailored, 2 generic") == true)
        #expect(generic.detail["tailored_questions"]?.contains("\"What is it you do?\"") == true)
        #expect(generic.status["hook"] == "pass")
        #expect(generic.status["organization"] == "pass")
        #expect(generic.status["contact_notes"] == "pass")
        // Tailored by the hook, the tags and the name.
        _ = try owner.create(path, #"{"text":"What drew you to regenerative practices?"}"#)
        _ = try owner.create(path, #"{"text":"Where are carbon markets heading?"}"#)
        #expect(try prep().status["tailored_questions"] == "pass")

        // A resume, fresh then stale.
        let resume = try owner.create("/resumes", #"{"label":"Soil","content":"x"}"#)
        _ = try owner.patch("/meetings/\(meeting)", #"{"resume_id":\#(resume)}"#)
        #expect(try prep().status["resume"] == "pass")
        try live.database?.write { try $0.run("UPDATE resumes SET content_updated_at = '2026-01-01T00:00:00.000Z' WHERE id = ?", [resume]) }
        let stale = try prep()
        #expect(stale.status["resume"] == "warn")
        #expect(stale.detail["resume"]?.contains("90 days") == true)
        _ = try owner.patch("/resumes/\(resume)", #"{"content":"rewritten"}"#)

        // Rendering a pitch for the contact completes it.
        let pitch = try owner.create("/pitches", #"{"name":"P","body":"Hi {{contact.first_name}}, could we talk?"}"#)
        #expect(try owner.post("/pitches/\(pitch)/render", #"{"contact_id":\#(contact)}"#).status == 200)
        let ready = try prep()
        #expect(ready.status.values.allSatisfy { $0 == "pass" }, "\(ready.status)")
        #expect(ready.ready == true)
        #expect(try owner.get("/meetings/99999/prep").isProblem(404, "not_found"))
        #expect(try owner.get("/meetings/\(meeting)/prep?verbose=1").isProblem(400, "bad_query"))
    }
}
