#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// One of the questions planned for a meeting (`/meetings/{id}/questions`), not the day's agenda.
public struct MeetingQuestion: Sendable, Equatable {
    public var id: Int64
    public var meetingID: Int64
    /// The bank question it came from; nil when asked ad hoc (or the bank question was deleted).
    public var questionID: Int64?
    public var text: String
    /// 1-based and dense within the meeting.
    public var position: Int64
    public var asked: Bool
    public var answerNotes: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int64
}

/// A new agenda item or a merge-patch of one.
public struct MeetingQuestionDraft: Sendable {
    public var questionID: Patch<Int64> = .absent
    public var text: Patch<String> = .absent
    public var position: Patch<Int> = .absent
    public var asked: Patch<Bool> = .absent
    public var answerNotes: Patch<String> = .absent

    public init() {}
}

/// The SQL of `meeting_questions`; every read goes through the meeting's owner.
enum MeetingQuestionStore {
    enum Column: Int32, SelectList {
        case id, meetingID, questionID, text, position, asked, answerNotes, createdAt, updatedAt, version
        var sql: String {
            switch self {
            case .id: "mq.id"
            case .meetingID: "mq.meeting_id"
            case .questionID: "mq.question_id"
            case .text: "mq.text"
            case .position: "mq.position"
            case .asked: "mq.asked"
            case .answerNotes: "mq.answer_notes"
            case .createdAt: "mq.created_at"
            case .updatedAt: "mq.updated_at"
            case .version: "mq.version"
            }
        }
    }

    static let columns = Column.select
    static let from = "meeting_questions mq JOIN meetings m ON m.id = mq.meeting_id"
    static let positions = PositionedList(table: "meeting_questions", parentColumn: "meeting_id", versioned: true)
    static let byPosition = ListOrder(name: "position", columns: ["mq.position"], descending: false)

    static func record(_ row: Row) throws -> MeetingQuestion {
        typealias C = Column
        let id = row.int64(C.id)
        return MeetingQuestion(
            id: id, meetingID: row.int64(C.meetingID), questionID: row.optionalInt64(C.questionID), text: row.string(C.text), position: row.int64(C.position),
            asked: row.bool(C.asked), answerNotes: row.optionalString(C.answerNotes), createdAt: try row.stamp(C.createdAt, of: "meeting_questions", id: id),
            updatedAt: try row.stamp(C.updatedAt, of: "meeting_questions", id: id), version: row.int64(C.version))
    }

    static func load(_ connection: SQLiteConnection, userID: Int64, meetingID: Int64, id: Int64) throws -> MeetingQuestion {
        let found = try connection.queryOne(
            "SELECT \(columns) FROM \(from) WHERE m.user_id = ? AND mq.meeting_id = ? AND mq.id = ?", [userID, meetingID, id], record)
        guard let found else { throw DomainError.notFound("No question \(id) on meeting \(meetingID).") }
        return found
    }

    /// Throws not found unless the meeting is the user's.
    static func requireMeeting(_ connection: SQLiteConnection, userID: Int64, meetingID: Int64) throws {
        guard try connection.scalarInt("SELECT 1 FROM meetings WHERE id = ? AND user_id = ?", [meetingID, userID]) != nil else {
            throw DomainError.notFound("No meeting \(meetingID).")
        }
    }

    /// The agenda's texts in order (prep reads them).
    static func texts(_ connection: SQLiteConnection, meetingID: Int64) throws -> [String] {
        try connection.texts("SELECT text FROM meeting_questions WHERE meeting_id = ? ORDER BY position", [meetingID])
    }
}

/// The questions planned for one meeting: from the bank or ad hoc, in an order the user sets.
public final class MeetingQuestionService: Sendable {
    private let storage: Storage

    public static let sorts: [String: ListOrder] = ["position": MeetingQuestionStore.byPosition]
    public static let defaultSort = "position"
    /// Positions past the end are taken as the end; this bounds what a client may send.
    public static let maxPosition = 10_000

    public init(storage: Storage) {
        self.storage = storage
    }

    public func list(userID: Int64, meetingID: Int64, page: PageRequest) throws -> Page<MeetingQuestion> {
        let query = KeysetQuery(
            select: MeetingQuestionStore.columns, from: MeetingQuestionStore.from, alias: "mq", conditions: ["m.user_id = ?", "mq.meeting_id = ?"],
            arguments: [userID, meetingID], columnCount: 10)
        return try storage.read { connection in
            try MeetingQuestionStore.requireMeeting(connection, userID: userID, meetingID: meetingID)
            return try query.run(connection, page: page, map: MeetingQuestionStore.record)
        }
    }

    public func get(userID: Int64, meetingID: Int64, id: Int64) throws -> MeetingQuestion {
        try storage.read { try MeetingQuestionStore.load($0, userID: userID, meetingID: meetingID, id: id) }
    }

    /// Adds a bank question (`question_id`, its text copied) or an ad hoc one (`text`), at the
    /// end or at `position`, shifting the others back.
    public func add(userID: Int64, meetingID: Int64, draft: MeetingQuestionDraft) throws -> Future<MeetingQuestion> {
        var validator = Validator()
        let adHoc = MeetingQuestionRules.text(draft.text.applied(to: nil), required: false, &validator)
        let questionID = draft.questionID.applied(to: nil)
        if (adHoc == nil) == (questionID == nil), validator.issues.isEmpty {
            validator.add("question_id", "send exactly one of question_id (from the bank) or text (ad hoc)")
        }
        let position = draft.position.applied(to: nil)
        validator.range("position", position, 1...MeetingQuestionService.maxPosition)
        let answerNotes = MeetingQuestionRules.answerNotes(draft.answerNotes.applied(to: nil), &validator)
        let asked = draft.asked.applied(to: nil) ?? false
        try validator.finish()
        let storage = storage
        return storage.submit { connection in
            try MeetingQuestionStore.requireMeeting(connection, userID: userID, meetingID: meetingID)
            var text = adHoc ?? ""
            if let questionID {
                let question = try QuestionStore.find(connection, userID: userID, id: questionID)
                guard let question else { throw DomainError.validation([FieldIssue("question_id", "no such question: \(questionID)")]) }
                text = question.text
            }
            let at = try MeetingQuestionStore.positions.makeRoom(connection, parentID: meetingID, at: position.map(Int64.init))
            let stamp = storage.stamp()
            try connection.run(
                """
                INSERT INTO meeting_questions (meeting_id, question_id, text, position, asked, answer_notes, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, [meetingID, questionID, text, at, asked, answerNotes, stamp, stamp])
            return MeetingQuestion(
                id: connection.lastInsertRowID, meetingID: meetingID, questionID: questionID, text: text, position: at, asked: asked,
                answerNotes: answerNotes, createdAt: stamp, updatedAt: stamp, version: 1)
        }
    }

    /// Marks a question asked, records the answer, edits the text, or moves it (the others shift).
    public func update(userID: Int64, meetingID: Int64, id: Int64, draft: MeetingQuestionDraft, precondition: VersionPrecondition) throws -> Future<MeetingQuestion> {
        var validator = Validator()
        if !draft.questionID.isAbsent { validator.add("question_id", "cannot change; add another question instead") }
        // Null or blank text is refused as required.
        let text = draft.text.isAbsent ? nil : MeetingQuestionRules.text(draft.text.applied(to: nil), required: true, &validator)
        if case .null = draft.position { validator.add("position", "cannot be null") }
        let position = draft.position.applied(to: nil)
        validator.range("position", position, 1...MeetingQuestionService.maxPosition)
        if case .null = draft.asked { validator.add("asked", "cannot be null") }
        let answerNotes = draft.answerNotes.isAbsent
            ? Patch<String>.absent : Patch(MeetingQuestionRules.answerNotes(draft.answerNotes.applied(to: nil), &validator))
        let asked = draft.asked.applied(to: nil)
        try validator.finish()
        let storage = storage
        return storage.submit { connection in
            let current = try MeetingQuestionStore.load(connection, userID: userID, meetingID: meetingID, id: id)
            try precondition.check(current.version)
            var updated = current
            if let text { updated.text = text }
            if let asked { updated.asked = asked }
            updated.answerNotes = answerNotes.applied(to: current.answerNotes)
            if let position {
                updated.position = try MeetingQuestionStore.positions.move(connection, parentID: meetingID, id: id, to: Int64(position))
            }
            guard updated != current else { return current }
            try connection.run(
                "UPDATE meeting_questions SET text = ?, asked = ?, answer_notes = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                [updated.text, updated.asked, updated.answerNotes, storage.stamp(), id])
            return try MeetingQuestionStore.load(connection, userID: userID, meetingID: meetingID, id: id)
        }
    }

    /// Removes the question; those behind it move up.
    public func remove(userID: Int64, meetingID: Int64, id: Int64, precondition: VersionPrecondition) -> Future<Void> {
        let storage = storage
        return storage.submit { connection in
            let current = try MeetingQuestionStore.load(connection, userID: userID, meetingID: meetingID, id: id)
            try precondition.check(current.version)
            try connection.run("DELETE FROM meeting_questions WHERE id = ?", [id])
            try MeetingQuestionStore.positions.close(connection, parentID: meetingID, after: current.position)
        }
    }
}

/// A meeting question's own fields, for its routes and a restore alike.
enum MeetingQuestionRules {
    static func text(_ text: String?, required: Bool, _ validator: inout Validator) -> String? {
        required ? validator.required("text", text, maxLength: 2000) : validator.optional("text", text, maxLength: 2000)
    }

    static func answerNotes(_ notes: String?, _ validator: inout Validator) -> String? {
        validator.optional("answer_notes", notes, maxLength: 20_000, multiline: true)
    }

    /// A stored question: its text is required (a bank question's was copied in).
    static func check(text: String?, answerNotes: String?, _ validator: inout Validator) {
        _ = Self.text(text, required: true, &validator)
        _ = Self.answerNotes(answerNotes, &validator)
    }
}
