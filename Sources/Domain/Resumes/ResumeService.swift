#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// Resume versions: CRUD, the interest each targets, and when its content last changed.
public final class ResumeService: ResourceService<Resume, ResumeDraft>, @unchecked Sendable {
    // @unchecked restated from ResourceService, as Swift requires; what this class adds are lets of
    // Sendable types.
    private let path: ResourcePath<ResumeRules>

    public static let sorts: [String: ListOrder] = ListOrder.standard(alias: "r", nameColumn: "label")
    public static let defaultSort = "created_at"

    public init(storage: Storage, clock: any Clock = SystemClock()) {
        path = ResourcePath(storage: storage, clock: clock, rules: ResumeRules())
        super.init(path)
    }

    public func list(userID: Int64, filter: ResumeFilter, page: PageRequest) throws -> Page<Resume> {
        try path.list(userID: userID, page: page) { query in
            if let interestID = filter.interestID {
                query.conditions.append("r.interest_id = ?")
                query.arguments.append(interestID)
            }
            query.contains(filter.text, in: ["r.label", "r.content"])
            query.updatedSince(filter.updatedSince)
        }
    }
}

/// The rules of a resume: a label, the text or a URL (at least one), an interest that exists.
struct ResumeRules: ResourceRules {
    typealias Store = ResumeStore

    func blank(userID: Int64, now: Date) -> Resume {
        Resume(
            id: 0, userID: userID, label: "", interestID: nil, content: nil, url: nil, contentUpdatedAt: now, createdAt: now,
            updatedAt: now, version: 1)
    }

    func apply(_ draft: ResumeDraft, to resume: inout Resume) throws(DomainError) {
        var validator = Validator()
        resume.label = validator.required("label", draft.label.applied(to: resume.label), maxLength: 200)
        resume.interestID = draft.interestID.applied(to: resume.interestID)
        resume.content = validator.optional("content", draft.content.applied(to: resume.content), maxLength: 100_000, multiline: true)
        resume.url = validator.optional("url", draft.url.applied(to: resume.url), maxLength: 2000)
        validator.url("url", resume.url)
        if resume.content == nil && resume.url == nil { validator.add("content", "a resume needs its content or a url") }
        try validator.finish()
    }

    func check(_ connection: SQLiteConnection, userID: Int64, _ resume: Resume, replacing current: Resume?, options: WriteOptions) throws {
        if let interestID = resume.interestID, interestID != current?.interestID,
           let issue = try OwnedIDs.issue([interestID], in: "interests", noun: "interest", field: "interest_id", userID: userID, connection)
        {
            throw DomainError.validation([issue])
        }
    }

    /// Meetings and outreach that used it keep their row and lose the link (ON DELETE SET NULL); they move, for sync.
    /// The past keeps the resume it used (README, "Deleting").
    func checkDelete(_ connection: SQLiteConnection, _ resume: Resume) throws {
        try Dependants.refuse(connection, "resume", [
            ("meeting(s) used it", "meetings", "resume_id"),
            ("outreach entr(ies) sent it", "outreach", "resume_id"),
        ], id: resume.id)
    }

    /// `content_updated_at` moves with the text or URL only.
    func stamp(_ resume: inout Resume, replacing current: Resume?, at stamp: Date) {
        if current == nil || resume.content != current?.content || resume.url != current?.url { resume.contentUpdatedAt = stamp }
    }
}
