#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// `GET /meetings/{id}/prep`: whether the user is ready for a meeting, item by item.
public struct PrepReport: Sendable, Equatable {
    /// One check: a stable `code`, pass or warn, and a sentence saying why.
    public struct Item: Sendable, Equatable {
        public var code: String
        public var passed: Bool
        public var detail: String
    }

    public var items: [Item]
    /// Every check passes.
    public var ready: Bool { items.allSatisfy(\.passed) }
}

/// Splits questions into tailored and generic (docs/product.md step 3): a question is tailored when
/// it names something specific about the contact — their name, organization, hook or tags —
/// as whole words, ignoring case. An organization counts by its whole name (legal suffix
/// aside), never by a word inside it: "Acme Robotics" does not make "Why robotics?" tailored.
struct Tailoring {
    private var phrases: [[String]] = []
    static let legalSuffixes: Set<String> = [
        "inc", "incorporated", "ltd", "limited", "llc", "llp", "lp", "plc", "corp", "corporation", "co", "company", "gmbh", "ag", "sa", "sas", "srl",
        "bv", "nv", "ab", "as", "asa", "oy", "pty", "kk",
    ]

    init(contact: Contact, organizationName: String?) {
        let name = Words.of(contact.name)
        phrases.append(name)
        // Either half of a name is specific enough, short particles ("de", "li") are not.
        phrases += name.filter { $0.count >= 3 }.map { [$0] }
        if let organizationName {
            var words = Words.of(organizationName)
            while words.count > 1, let last = words.last, Self.legalSuffixes.contains(last) { words.removeLast() }
            phrases.append(words)
        }
        // The hook is a sentence ("I heard your talk on soil carbon"): its distinctive words count.
        if let hook = contact.hook {
            phrases += Words.of(hook).filter { $0.count >= 5 && !Words.common.contains($0) }.map { [$0] }
        }
        phrases += contact.tags.map(Words.of)
    }

    func isTailored(_ question: String) -> Bool {
        let words = Words.of(question)
        return phrases.contains { Words.contains(words, phrase: $0) }
    }
}

extension MeetingService {
    /// How old an attached resume may be before prep warns.
    static let resumeFreshness: TimeInterval = 90 * 24 * 3600

    public func prep(userID: Int64, id: Int64) throws -> PrepReport {
        let now = clock.now()
        return try storage.read { connection in
            try Self.prep(connection, userID: userID, meeting: try MeetingStore.load(connection, userID: userID, id: id), now: now)
        }
    }

    /// The report for a loaded meeting (the agenda asks it for each meeting coming up).
    static func prep(_ connection: SQLiteConnection, userID: Int64, meeting: Meeting, now: Date) throws -> PrepReport {
        let id = meeting.id
        let contact = try ContactStore.load(connection, userID: userID, id: meeting.contactID)
        let organization = try contact.organizationID.flatMap { try OrganizationStore.find(connection, userID: userID, id: $0) }
        let questions = try MeetingQuestionStore.texts(connection, meetingID: id)
        var items: [PrepReport.Item] = []

        items.append(
            questions.count >= 3
                ? .init(code: "question_count", passed: true, detail: "\(questions.count) questions on the agenda.")
                : .init(code: "question_count", passed: false, detail: "\(questions.count) question(s) on the agenda; prepare at least three."))

        let tailoring = Tailoring(contact: contact, organizationName: organization?.name)
        let generic = questions.filter { !tailoring.isTailored($0) }
        let tailored = questions.count - generic.count
        let quoted = generic.map { "\"\($0)\"" }.joined(separator: ", ")
        let tally = "\(tailored) tailored, \(generic.count) generic"
        if questions.isEmpty {
            items.append(.init(code: "tailored_questions", passed: false, detail: "No questions yet; tailor them to \(contact.name)'s work."))
        } else if tailored >= generic.count {
            items.append(.init(code: "tailored_questions", passed: true, detail: generic.isEmpty ? "\(tally)." : "\(tally). Generic: \(quoted)."))
        } else {
            items.append(
                .init(
                    code: "tailored_questions", passed: false,
                    detail: "\(tally): name something specific about \(contact.name) — their work, organization or hook. Generic: \(quoted)."))
        }

        if let resumeID = meeting.resumeID, let resume = try ResumeStore.find(connection, userID: userID, id: resumeID) {
            let fresh = now.timeIntervalSince(resume.contentUpdatedAt) <= Self.resumeFreshness
            let updated = RFC3339.format(resume.contentUpdatedAt)
            items.append(
                fresh
                    ? .init(code: "resume", passed: true, detail: "Resume \"\(resume.label)\" attached, updated \(updated).")
                    : .init(code: "resume", passed: false, detail: "Resume \"\(resume.label)\" was last updated \(updated), more than 90 days ago."))
        } else {
            items.append(.init(code: "resume", passed: false, detail: "No resume attached; set resume_id to the version you will bring."))
        }

        items.append(
            contact.hook != nil
                ? .init(code: "hook", passed: true, detail: "You know how you know of \(contact.name).")
                : .init(code: "hook", passed: false, detail: "\(contact.name) has no hook: note how you know of them."))

        let rendered = try connection.scalarInt("SELECT 1 FROM pitch_renders WHERE contact_id = ? LIMIT 1", [contact.id]) != nil
        let reached = try connection.scalarInt("SELECT 1 FROM outreach WHERE contact_id = ? AND direction = 'outbound' LIMIT 1", [contact.id]) != nil
        items.append(
            rendered || reached
                ? .init(code: "pitch", passed: true, detail: reached ? "You reached out to \(contact.name)." : "A pitch was rendered for \(contact.name).")
                : .init(
                    code: "pitch", passed: false,
                    detail: "No pitch rendered for \(contact.name) and no outreach sent yet: POST /pitches/{id}/render, or log it at /outreach."))

        items.append(
            organization.map { .init(code: "organization", passed: true, detail: "Works at \($0.name).") }
                ?? .init(code: "organization", passed: false, detail: "\(contact.name) has no organization: research where they work."))

        items.append(
            contact.notes != nil
                ? .init(code: "contact_notes", passed: true, detail: "Notes on \(contact.name) are present.")
                : .init(code: "contact_notes", passed: false, detail: "No notes on \(contact.name): write down what you learned about them."))
        return PrepReport(items: items)
    }
}
