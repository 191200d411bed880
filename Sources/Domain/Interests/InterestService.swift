#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SQLiteCore
import Primitives

/// Interest areas: CRUD, coverage counts, and the list contract.
public final class InterestService: Sendable {
    private let database: Database
    private let clock: any Clock

    public static let sorts: [String: ListOrder] = ListOrder.standard(alias: "i")
    public static let defaultSort = "created_at"

    public init(database: Database, clock: any Clock = SystemClock()) {
        self.database = database
        self.clock = clock
    }

    private static let columns = """
        i.id, i.user_id, i.name, i.goal, i.target_date, i.created_at, i.updated_at, i.version,
        (SELECT count(*) FROM contact_interests ci WHERE ci.interest_id = i.id),
        (SELECT count(*) FROM organization_interests oi WHERE oi.interest_id = i.id)
        """
    private static let columnCount: Int32 = 10

    static func interest(_ row: Row) -> Interest {
        Interest(
            id: row.int64(0), userID: row.int64(1), name: row.string(2), goal: row.optionalString(3), targetDate: row.optionalString(4),
            createdAt: row.date(5) ?? .distantPast, updatedAt: row.date(6) ?? .distantPast, version: row.int64(7),
            coverage: Coverage(contacts: row.int(8), organizations: row.int(9), meetings: 0))
    }

    public func list(userID: Int64, filter: InterestFilter, page: PageRequest) throws -> Page<Interest> {
        var query = KeysetQuery(select: Self.columns, from: "interests i", alias: "i", conditions: ["i.user_id = ?"], arguments: [userID])
        query.contains(filter.text, in: ["i.name", "i.goal"])
        query.updatedSince(filter.updatedSince)
        return try database.read { try query.run($0, page: page, columnCount: Self.columnCount, map: Self.interest) }
    }

    public func get(userID: Int64, id: Int64) throws -> Interest {
        try database.read { try load($0, userID: userID, id: id) }
    }

    private func load(_ connection: SQLiteConnection, userID: Int64, id: Int64) throws -> Interest {
        guard let found = try connection.queryOne("SELECT \(Self.columns) FROM interests i WHERE i.user_id = ? AND i.id = ?", [userID, id], Self.interest) else {
            throw DomainError.notFound("No interest \(id).")
        }
        return found
    }

    /// Validates now; the insert runs on the writer thread (see `ContactService.create`).
    public func create(userID: Int64, draft: InterestDraft) throws -> Future<Interest> {
        let now = clock.now()
        var interest = Interest(
            id: 0, userID: userID, name: "", goal: nil, targetDate: nil, createdAt: now, updatedAt: now, version: 1,
            coverage: Coverage(contacts: 0, organizations: 0, meetings: 0))
        try apply(draft, to: &interest)
        let validated = interest
        return database.submit { [self] connection in
            let interest = validated
            try UniqueName.check(connection, table: "interests", noun: "An interest", userID: userID, name: interest.name, except: nil)
            try connection.run(
                "INSERT INTO interests (user_id, name, goal, target_date, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                [userID, interest.name, interest.goal, interest.targetDate, now, now])
            return try load(connection, userID: userID, id: connection.lastInsertRowID)
        }
    }

    public func update(userID: Int64, id: Int64, draft: InterestDraft, precondition: VersionPrecondition) -> Future<Interest> {
        database.submit { [self] connection in
            let current = try load(connection, userID: userID, id: id)
            try precondition.check(current.version)
            var updated = current
            try apply(draft, to: &updated)
            guard updated != current else { return current }
            try UniqueName.check(connection, table: "interests", noun: "An interest", userID: userID, name: updated.name, except: id)
            try connection.run(
                "UPDATE interests SET name = ?, goal = ?, target_date = ?, updated_at = ?, version = version + 1 WHERE id = ?",
                [updated.name, updated.goal, updated.targetDate, clock.now(), id])
            return try load(connection, userID: userID, id: id)
        }
    }

    /// Deletes an interest; contacts and organizations simply lose the link to it.
    public func delete(userID: Int64, id: Int64, precondition: VersionPrecondition) -> Future<Void> {
        database.submit { [self] connection in
            let current = try load(connection, userID: userID, id: id)
            try precondition.check(current.version)
            try connection.run("DELETE FROM interests WHERE id = ?", [id])
        }
    }

    private func apply(_ draft: InterestDraft, to interest: inout Interest) throws(DomainError) {
        var validator = Validator()
        interest.name = validator.required("name", draft.name.applied(to: interest.name), maxLength: 200)
        interest.goal = validator.optional("goal", draft.goal.applied(to: interest.goal), maxLength: 2000)
        interest.targetDate = validator.optional("target_date", draft.targetDate.applied(to: interest.targetDate), maxLength: 10)
        validator.date("target_date", interest.targetDate)
        try validator.finish()
    }

}
