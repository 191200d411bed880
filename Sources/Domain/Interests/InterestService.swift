#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// Interest areas: CRUD, coverage counts, and the list contract.
public final class InterestService: ResourceService<Interest, InterestDraft>, @unchecked Sendable {
    // @unchecked restated from ResourceService, as Swift requires; what this class adds are lets of
    // Sendable types.
    private let path: ResourcePath<InterestRules>

    public static let sorts: [String: ListOrder] = ListOrder.standard(alias: "i")
    public static let defaultSort = "created_at"

    public init(storage: Storage, clock: any Clock = SystemClock()) {
        path = ResourcePath(storage: storage, clock: clock, rules: InterestRules())
        super.init(path)
    }

    public func list(userID: Int64, filter: InterestFilter, page: PageRequest) throws -> Page<Interest> {
        try path.list(userID: userID, page: page) { query in
            query.contains(filter.text, in: ["i.name", "i.goal"])
            query.updatedSince(filter.updatedSince)
        }
    }
}

/// The rules of an interest area: a unique name, a real target date.
struct InterestRules: ResourceRules {
    typealias Store = InterestStore

    func blank(userID: Int64, now: Date) -> Interest {
        Interest(
            id: 0, userID: userID, name: "", goal: nil, targetDate: nil, targetMeetings: nil, priority: 3, createdAt: now, updatedAt: now, version: 1,
            coverage: Coverage(contacts: 0, organizations: 0, meetings: 0))
    }

    func apply(_ draft: InterestDraft, to interest: inout Interest) throws(DomainError) {
        var validator = Validator()
        interest.name = validator.required("name", draft.name.applied(to: interest.name), maxLength: 200)
        interest.goal = validator.optional("goal", draft.goal.applied(to: interest.goal), maxLength: 2000, multiline: true)
        interest.targetDate = validator.optional("target_date", draft.targetDate.applied(to: interest.targetDate), maxLength: 10)
        validator.date("target_date", interest.targetDate)
        interest.targetMeetings = draft.targetMeetings.applied(to: interest.targetMeetings)
        validator.range("target_meetings", interest.targetMeetings, 1...10_000)
        if case .null = draft.priority { validator.add("priority", "cannot be null; the default is 3") }
        interest.priority = draft.priority.applied(to: interest.priority) ?? interest.priority
        validator.range("priority", interest.priority, 1...5)
        try validator.finish()
    }

    func check(_ connection: SQLiteConnection, userID: Int64, _ interest: Interest, replacing current: Interest?, options: WriteOptions) throws {
        try UniqueName.check(connection, table: "interests", noun: "An interest", userID: userID, name: interest.name, except: current?.id)
    }

    /// Contacts, organizations and resumes linked to the interest lose the link: their `interest_ids`
    /// change, so they get a new version and `updated_at`, and sync clients see them again.
    func deleting(_ connection: SQLiteConnection, _ interest: Interest, at stamp: Date) throws {
        try Moved.rows(connection, in: "insights", where: "interest_id", is: interest.id, at: stamp)
        try Moved.rows(connection, in: "contacts", linkedThrough: "contact_interests", owner: "contact_id", where: "interest_id", is: interest.id, at: stamp)
        try Moved.rows(
            connection, in: "organizations", linkedThrough: "organization_interests", owner: "organization_id", where: "interest_id", is: interest.id, at: stamp)
        // Their interest_id becomes null (ON DELETE SET NULL) once the row goes.
        try Moved.rows(connection, in: "resumes", where: "interest_id", is: interest.id, at: stamp)
    }
}
