#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// The question bank: CRUD, categories and tags, and the list contract.
public final class QuestionService: ResourceService<Question, QuestionDraft>, @unchecked Sendable {
    // @unchecked restated from ResourceService, as Swift requires; what this class adds are lets of
    // Sendable types.
    private let path: ResourcePath<QuestionRules>

    /// Questions have no name: creation and update order, both ways.
    public static let sorts: [String: ListOrder] = ListOrder.standard(alias: "q", nameColumn: nil)
    public static let defaultSort = "created_at"

    public init(storage: Storage, clock: any Clock = SystemClock()) {
        path = ResourcePath(storage: storage, clock: clock, rules: QuestionRules())
        super.init(path)
    }

    public func list(userID: Int64, filter: QuestionFilter, page: PageRequest) throws -> Page<Question> {
        try path.list(userID: userID, page: page) { query in
            query.equals("q.category", filter.category?.rawValue)
            query.linked(through: "question_tags", owner: "question_id", "tag", filter.tag)
            query.contains(filter.text, in: ["q.text"])
            query.updatedSince(filter.updatedSince)
        }
    }
}

/// The rules of a question: some text, a category, tags.
struct QuestionRules: ResourceRules {
    typealias Store = QuestionStore

    func blank(userID: Int64, now: Date) -> Question {
        Question(id: 0, userID: userID, text: "", category: .other, tags: [], createdAt: now, updatedAt: now, version: 1)
    }

    func apply(_ draft: QuestionDraft, to question: inout Question) throws(DomainError) {
        var validator = Validator()
        question.text = validator.required("text", draft.text.applied(to: question.text), maxLength: 2000)
        question.category = draft.category.applied(to: question.category) ?? .other
        question.tags = Tags.normalized(draft.tags.applied(to: question.tags), &validator)
        try validator.finish()
    }

    func check(_ connection: SQLiteConnection, userID: Int64, _ question: Question, replacing current: Question?, options: WriteOptions) throws {}

    /// Agenda items keep their copied text and lose the link (ON DELETE SET NULL).
    func deleting(_ connection: SQLiteConnection, _ question: Question, at stamp: Date) throws {
        try Moved.rows(connection, in: "meeting_questions", where: "question_id", is: question.id, at: stamp)
    }
}
