#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// Pitch templates: CRUD, placeholders checked on save, and rendering with lint.
public final class PitchService: ResourceService<Pitch, PitchDraft>, @unchecked Sendable {
    // @unchecked restated from ResourceService, as Swift requires; what this class adds are lets of
    // Sendable types.
    private let path: ResourcePath<PitchRules>
    private let storage: Storage

    public static let sorts: [String: ListOrder] = ListOrder.standard(alias: "p")
    public static let defaultSort = "created_at"

    public init(storage: Storage, clock: any Clock = SystemClock()) {
        self.storage = storage
        path = ResourcePath(storage: storage, clock: clock, rules: PitchRules())
        super.init(path)
    }

    public func list(userID: Int64, filter: PitchFilter, page: PageRequest) throws -> Page<Pitch> {
        try path.list(userID: userID, page: page) { query in
            query.equals("p.channel", filter.channel?.rawValue)
            query.contains(filter.text, in: ["p.name", "p.body"])
            query.updatedSince(filter.updatedSince)
        }
    }

    /// Renders the pitch for a contact (and an interest area: the one given, else the contact's
    /// first), lints it, and records the render for meeting prep.
    public func render(userID: Int64, pitchID: Int64, contactID: Int64?, interestID: Int64?) throws -> Future<PitchRender> {
        guard let contactID else { throw DomainError.validation([FieldIssue("contact_id", "is required")]) }
        let storage = storage
        return storage.submit { connection in
            let pitch = try PitchStore.load(connection, userID: userID, id: pitchID)
            var issues: [FieldIssue] = []
            let contact = try ContactStore.find(connection, userID: userID, id: contactID)
            if contact == nil { issues.append(FieldIssue("contact_id", "no such contact: \(contactID)")) }
            var interest: Interest?
            if let interestID {
                interest = try InterestStore.find(connection, userID: userID, id: interestID)
                if interest == nil { issues.append(FieldIssue("interest_id", "no such interest: \(interestID)")) }
            }
            guard let contact, issues.isEmpty else { throw DomainError.validation(issues) }
            if interest == nil, let first = contact.interestIDs.first {
                interest = try InterestStore.find(connection, userID: userID, id: first)
            }
            let organization = try contact.organizationID.flatMap { try OrganizationStore.find(connection, userID: userID, id: $0) }
            guard let user = try UserStore.find(connection, id: userID) else { throw DomainError.notFound("No such user.") }
            let values = PitchValues(contact: contact, organization: organization?.name, interest: interest?.name, user: user)
            var render = PitchLint.render(pitch, values: values)
            render.contactID = contactID
            render.interestID = interest?.id
            try PitchStore.recordRender(connection, pitchID: pitchID, contactID: contactID, at: storage.stamp())
            return render
        }
    }
}

/// What a pitch's placeholders stand for, for one contact.
struct PitchValues {
    var values: [String: String] = [:]
    /// The placeholders whose words are about the contact (their name, title, hook, organization).
    static let aboutContact: Set<String> = ["contact.name", "contact.first_name", "contact.title", "contact.hook", "organization.name"]
    static let aboutUser: Set<String> = ["me.name", "me.headline"]
    var hook: String?

    init(contact: Contact, organization: String?, interest: String?, user: User) {
        values["contact.name"] = contact.name
        values["contact.first_name"] = contact.name.split(whereSeparator: { $0 == " " }).first.map(String.init)
        values["contact.title"] = contact.title
        values["contact.hook"] = contact.hook
        values["organization.name"] = organization
        values["interest.name"] = interest
        values["me.name"] = user.displayName ?? user.name
        values["me.headline"] = user.headline
        hook = contact.hook
    }
}

/// Rendering and the lint rules of docs/product.md step 2, each with a stable code.
enum PitchLint {
    /// How people ask for a job, the one list the lint reads (README lists it too). Single
    /// words match whole and with their plurals; phrases match as consecutive whole words.
    /// "Refer me" is not here: asking whom else to talk to is the method's own referral ask.
    static let jobAsks: [String] = [
        "job", "position", "opening", "hiring", "hire", "vacancy", "employment", "internship", "recruiter", "recruiting", "headhunter",
        "applying to", "applying for", "apply to", "apply for", "my application", "my candidacy",
        "open role", "open roles", "any roles", "a role at", "a role with", "a role on",
        "consider me for", "put in a good word", "pass along my resume", "pass on my resume", "forward my resume", "share my resume with",
        "looking for work", "looking for a new role", "work for you", "join your team", "get hired", "get a foot in the door",
    ]
    static let jobWords: Set<String> = {
        let words = jobAsks.filter { !$0.contains(" ") }
        return Set(words + words.map { $0.hasSuffix("y") ? $0.dropLast() + "ies" : $0 + "s" })
    }()
    static let jobPhrases: [(text: String, words: [String])] = jobAsks.filter { $0.contains(" ") }.map { ($0, Words.of($0)) }

    /// The job asks in `text`, each once, in the order they first appear.
    static func jobAsks(in text: String) -> [String] {
        let words = Words.of(text)
        var found: [(Int, String)] = []
        for (index, word) in words.enumerated() where jobWords.contains(word) && !found.contains(where: { $0.1 == word }) { found.append((index, word)) }
        for phrase in jobPhrases {
            guard phrase.words.count <= words.count else { continue }
            for start in 0...(words.count - phrase.words.count) where Array(words[start..<(start + phrase.words.count)]) == phrase.words {
                found.append((start, phrase.text))
                break
            }
        }
        return found.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// What to fill in for a placeholder with no value.
    static let filledBy: [String: String] = [
        "contact.name": "the contact's name", "contact.first_name": "the contact's name", "contact.title": "the contact's title",
        "contact.hook": "the contact's hook (how you know of them)", "organization.name": "the contact's organization_id",
        "interest.name": "an interest_id to render with", "me.name": "display_name on /me", "me.headline": "headline on /me",
    ]
    static let secondPerson: Set<String> = ["you", "your", "yours", "yourself", "you're", "you've", "you'd", "you'll"]
    static let firstPerson: Set<String> = ["i", "me", "my", "mine", "myself"]
    /// 150 words a minute.
    static let wordsPerMinute = 150.0
    static let emailWordLimit = 75
    static let spokenSecondLimit = 30.0

    static func render(_ pitch: Pitch, values: PitchValues) -> PitchRender {
        let template = PitchTemplate(pitch.body)
        var text = ""
        var missing: [String] = []
        var contactWords = 0
        var userWords = 0
        var literal = ""
        var afterMissing = false
        for part in template.parts {
            switch part {
            case .text(var chunk):
                // A sentence without its missing value reads without the punctuation and space
                // that stood beside it: "Hi Ben, {{contact.hook}}. I am" → "Hi Ben, I am".
                if afterMissing && (text.isEmpty || text.last?.isWhitespace == true || text.last.map { ",;:(".contains($0) } == true) {
                    while let first = chunk.first, ",;:.".contains(first) { chunk.removeFirst() }
                    if text.isEmpty || text.last?.isWhitespace == true {
                        while let first = chunk.first, first == " " || first == "\t" { chunk.removeFirst() }
                    }
                }
                afterMissing = false
                text += chunk
                literal += chunk + " "
                let words = Words.of(chunk)
                contactWords += words.filter { secondPerson.contains($0) }.count
                userWords += words.filter { firstPerson.contains($0) }.count
            case .placeholder(let name):
                guard let value = values.values[name], !value.isEmpty else {
                    if !missing.contains(name) { missing.append(name) }
                    afterMissing = true
                    continue
                }
                text += value
                let count = Words.of(value).count
                if PitchValues.aboutContact.contains(name) { contactWords += count }
                if PitchValues.aboutUser.contains(name) { userWords += count }
            }
        }
        let wordCount = text.split(whereSeparator: { $0.isWhitespace }).filter { $0.contains(where: { $0.isLetter || $0.isNumber }) }.count
        let seconds = (Double(wordCount) * 60 / wordsPerMinute * 10).rounded() / 10
        var warnings: [PitchWarning] = []

        let seen = jobAsks(in: literal)
        if !seen.isEmpty {
            warnings.append(
                PitchWarning(
                    code: "asks_for_job",
                    message: "Mentions " + seen.map { "\"\($0)\"" }.joined(separator: ", ")
                        + ": ask to learn about their work, never for a job."))
        }
        switch pitch.channel {
        case .email where wordCount > emailWordLimit:
            warnings.append(PitchWarning(code: "too_long", message: "\(wordCount) words; an email pitch stays within \(emailWordLimit)."))
        case .spoken where seconds > spokenSecondLimit:
            warnings.append(
                PitchWarning(code: "too_long", message: "\(seconds) seconds to say; a spoken pitch stays within \(Int(spokenSecondLimit))."))
        default: break
        }
        if !text.contains("?") {
            warnings.append(PitchWarning(code: "not_a_question", message: "The request is not a question; ask whether they would meet, with a question mark."))
        }
        if let hook = values.hook {
            if !opensWith(hook, text) {
                warnings.append(PitchWarning(code: "hook_not_first", message: "Open with the connection: the contact's hook is not in the first sentence."))
            }
        } else {
            warnings.append(PitchWarning(code: "hook_not_first", message: "The contact has no hook to open with; note how you know of them."))
        }
        if contactWords < userWords || contactWords == 0 {
            warnings.append(
                PitchWarning(
                    code: "not_about_contact",
                    message: "\(contactWords) word(s) about the contact against \(userWords) about you; make at least half of it about them."))
        }
        for name in missing {
            warnings.append(
                PitchWarning(
                    code: "missing_value",
                    message: "{{\(name)}} has no value for this contact and was left out with the punctuation beside it; set \(filledBy[name] ?? "it") to fill it in."))
        }
        return PitchRender(
            pitchID: pitch.id, contactID: 0, interestID: nil, channel: pitch.channel, text: text, wordCount: wordCount, speakingSeconds: seconds,
            warnings: warnings)
    }

    /// Whether `hook` starts within the first sentence of `text` (a sentence ends at `.`, `!`
    /// or `?` before a space or the end; a salutation line ending in a comma is part of it).
    static func opensWith(_ hook: String, _ text: String) -> Bool {
        let lowered = text.lowercased()
        guard let found = lowered.firstRange(of: hook.lowercased()) else { return false }
        var index = lowered.startIndex
        while index < found.lowerBound {
            let character = lowered[index]
            let next = lowered.index(after: index)
            if ".!?".contains(character), next == lowered.endIndex || lowered[next].isWhitespace { return false }
            index = next
        }
        return true
    }
}

/// The rules of a pitch: a name, a body whose placeholders are all known, a channel.
struct PitchRules: ResourceRules {
    typealias Store = PitchStore

    func blank(userID: Int64, now: Date) -> Pitch {
        Pitch(id: 0, userID: userID, name: "", body: "", channel: .email, createdAt: now, updatedAt: now, version: 1)
    }

    func apply(_ draft: PitchDraft, to pitch: inout Pitch) throws(DomainError) {
        var validator = Validator()
        pitch.name = validator.required("name", draft.name.applied(to: pitch.name), maxLength: 200)
        pitch.body = validator.required("body", draft.body.applied(to: pitch.body), maxLength: 10_000, multiline: true)
        if let problem = PitchTemplate(pitch.body).problem { validator.add("body", problem) }
        if case .null = draft.channel { validator.add("channel", "cannot be null") }
        pitch.channel = draft.channel.applied(to: pitch.channel) ?? .email
        try validator.finish()
    }

    func check(_ connection: SQLiteConnection, userID: Int64, _ pitch: Pitch, replacing current: Pitch?, options: WriteOptions) throws {}

    /// Outreach that used it keeps its row and loses the link (ON DELETE SET NULL); it moves, for sync.
    /// The past keeps the pitch it used (README, "Deleting"); its renders (a prep record) go with it.
    func checkDelete(_ connection: SQLiteConnection, _ pitch: Pitch) throws {
        try Dependants.refuse(connection, "pitch", [("outreach entr(ies) used it", "outreach", "pitch_id")], id: pitch.id)
    }
}
