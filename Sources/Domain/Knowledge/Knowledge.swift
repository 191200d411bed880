#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// What an insight is about (docs/product.md: what meetings teach, under all six steps).
public enum InsightKind: String, Sendable, CaseIterable {
    case skill
    case competency
    case path
    case advice
    case trend
    case resource

    /// Kinds counted by name across contacts.
    var isNamed: Bool { self == .skill || self == .competency }
}

/// Something a meeting or a contact taught about a field.
public struct Insight: Sendable, Equatable, StoredRecord {
    public var id: Int64
    public var userID: Int64
    public var meetingID: Int64?
    public var contactID: Int64?
    public var interestID: Int64?
    public var kind: InsightKind
    /// Skills and competencies: the name, tidied (`NameKey.display`).
    public var name: String?
    public var text: String
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int64
}

/// A create or merge-patch of an insight.
public struct InsightDraft: Sendable {
    public var meetingID: Patch<Int64> = .absent
    public var contactID: Patch<Int64> = .absent
    public var interestID: Patch<Int64> = .absent
    public var kind: Patch<InsightKind> = .absent
    public var name: Patch<String> = .absent
    public var text: Patch<String> = .absent

    public init() {}
}

/// Filters of `GET /insights`.
public struct InsightFilter: Sendable {
    public var meetingID: Int64?
    public var contactID: Int64?
    public var interestID: Int64?
    public var kind: InsightKind?
    public var text: String?
    public var updatedSince: Date?

    public init() {}
}

/// The SQL of `insights`.
enum InsightStore: RecordStore {
    /// Tombstones for the contact's insights, before the delete cascades to them.
    static func recordCascade(_ connection: SQLiteConnection, userID: Int64, contactID: Int64, at stamp: Date) throws {
        try DeletionStore.recordCascade(connection, userID: userID, kind: kind, select: "SELECT id FROM insights WHERE contact_id = ?", [contactID], at: stamp)
    }

    enum Column: Int32, ColumnSet {
        case id, owner, meetingID, contactID, interestID, kind, name, nameKey, text, createdAt, updatedAt, version

        var role: ColumnRole {
            switch self {
            case .id: .id
            case .owner: .owner
            case .meetingID: .field("meeting_id")
            case .contactID: .field("contact_id")
            case .interestID: .field("interest_id")
            case .kind: .field("kind")
            case .name: .field("name")
            case .nameKey: .field("name_key")
            case .text: .field("text")
            case .createdAt: .createdAt
            case .updatedAt: .updatedAt
            case .version: .version
            }
        }
    }

    static let sql = TableSQL<Column>(table: "insights", alias: "n")
    static let noun = "insight"
    static let kind = "insight"

    static func record(_ row: Row) throws -> Insight {
        Insight(
            id: row.int64(Column.id), userID: row.int64(Column.owner), meetingID: row.optionalInt64(Column.meetingID),
            contactID: row.optionalInt64(Column.contactID), interestID: row.optionalInt64(Column.interestID),
            kind: try row.member(Column.kind, of: sql.table), name: row.optionalString(Column.name), text: row.string(Column.text),
            createdAt: try row.stamp(Column.createdAt, of: sql.table), updatedAt: try row.stamp(Column.updatedAt, of: sql.table),
            version: row.int64(Column.version))
    }

    static func value(_ column: Column, of insight: Insight) -> (any DatabaseValueConvertible)? {
        switch column {
        case .meetingID: insight.meetingID
        case .contactID: insight.contactID
        case .interestID: insight.interestID
        case .kind: insight.kind.rawValue
        case .name: insight.name
        case .nameKey: insight.name.map(NameKey.key)
        case .text: insight.text
        case .id, .owner, .createdAt, .updatedAt, .version: nil
        }
    }
}

/// Insights (`/insights`).
public final class InsightService: ResourceService<Insight, InsightDraft>, @unchecked Sendable {
    // @unchecked restated from ResourceService, as Swift requires; what this class adds are lets of
    // Sendable types.
    private let path: ResourcePath<InsightRules>

    public static let sorts: [String: ListOrder] = ListOrder.standard(alias: "n", nameColumn: nil)
    public static let defaultSort = "created_at"

    public init(storage: Storage, clock: any Clock = SystemClock()) {
        path = ResourcePath(storage: storage, clock: clock, rules: InsightRules())
        super.init(path)
    }

    public func list(userID: Int64, filter: InsightFilter, page: PageRequest) throws -> Page<Insight> {
        try path.list(userID: userID, page: page) { query in
            query.equals("n.meeting_id", filter.meetingID)
            query.equals("n.contact_id", filter.contactID)
            query.equals("n.interest_id", filter.interestID)
            query.equals("n.kind", filter.kind?.rawValue)
            query.contains(filter.text, in: ["n.name", "n.text"])
            query.updatedSince(filter.updatedSince)
        }
    }
}

/// The rules of an insight: about a meeting or a contact (a meeting's insight names its
/// contact too), in an interest area of the caller's, a kind, a text, and for skills and
/// competencies a name.
struct InsightRules: ResourceRules {
    typealias Store = InsightStore

    func blank(userID: Int64, now: Date) -> Insight {
        Insight(
            id: 0, userID: userID, meetingID: nil, contactID: nil, interestID: nil, kind: .advice, name: nil, text: "", createdAt: now,
            updatedAt: now, version: 1)
    }

    func apply(_ draft: InsightDraft, to insight: inout Insight) throws(DomainError) {
        var validator = Validator()
        insight.meetingID = draft.meetingID.applied(to: insight.meetingID)
        insight.contactID = draft.contactID.applied(to: insight.contactID)
        insight.interestID = draft.interestID.applied(to: insight.interestID)
        if case .null = draft.kind { validator.add("kind", "cannot be null") }
        if insight.id == 0, draft.kind.isAbsent { validator.add("kind", "is required: one of " + InsightKind.allCases.map(\.rawValue).joined(separator: ", ")) }
        insight.kind = draft.kind.applied(to: insight.kind) ?? insight.kind
        insight.text = validator.required("text", draft.text.applied(to: insight.text), maxLength: 5000, multiline: true)
        let name = validator.optional("name", draft.name.applied(to: insight.name), maxLength: 200).map(NameKey.display)
        insight.name = name.flatMap { $0.isEmpty ? nil : $0 }
        if insight.kind.isNamed && insight.name == nil { validator.add("name", "is required for a \(insight.kind.rawValue)") }
        if !insight.kind.isNamed && insight.name != nil { validator.add("name", "is for skills and competencies only") }
        if insight.meetingID == nil && insight.contactID == nil { validator.add("meeting_id", "give meeting_id or contact_id (or both)") }
        try validator.finish()
    }

    /// The area an insight without one takes: its contact's (or its meeting's contact's),
    /// when that contact has exactly one. Otherwise it stays unassigned.
    static func soleInterest(_ connection: SQLiteConnection, contactID: Int64) throws -> Int64? {
        let areas = try connection.integers("SELECT interest_id FROM contact_interests WHERE contact_id = ? LIMIT 2", [contactID])
        return areas.count == 1 ? areas[0] : nil
    }

    func fill(_ insight: inout Insight, replacing current: Insight?, checked: Int64?) {
        if insight.interestID == nil, let checked { insight.interestID = checked }
    }

    /// Checks the ids; returns the area a new insight without one takes (see `soleInterest`).
    func check(_ connection: SQLiteConnection, userID: Int64, _ insight: Insight, replacing current: Insight?, options: WriteOptions) throws -> Int64? {
        var issues: [FieldIssue] = []
        if let id = insight.interestID, id != current?.interestID,
           let issue = try OwnedIDs.issue([id], in: "interests", noun: "interest", field: "interest_id", userID: userID, connection) {
            issues.append(issue)
        }
        if let id = insight.contactID, id != current?.contactID,
           let issue = try OwnedIDs.issue([id], in: "contacts", noun: "contact", field: "contact_id", userID: userID, connection) {
            issues.append(issue)
        }
        if let id = insight.meetingID, id != current?.meetingID {
            let with = try connection.scalarInt("SELECT contact_id FROM meetings WHERE id = ? AND user_id = ?", [id, userID])
            if with == nil {
                issues.append(FieldIssue("meeting_id", "no such meeting: \(id)"))
            } else if let contact = insight.contactID, contact != with {
                issues.append(FieldIssue("contact_id", "is not the contact of meeting \(id)"))
            }
        }
        if !issues.isEmpty { throw DomainError.validation(issues) }
        guard current == nil, insight.interestID == nil else { return nil }
        let speaker = try insight.contactID
            ?? insight.meetingID.flatMap { try connection.scalarInt("SELECT contact_id FROM meetings WHERE id = ?", [$0]) }
        return try speaker.flatMap { try Self.soleInterest(connection, contactID: $0) }
    }
}

/// One of the user's own skills.
public struct Skill: Sendable, Equatable, StoredRecord {
    public var id: Int64
    public var userID: Int64
    public var name: String
    /// 1 (beginner) to 5 (expert).
    public var level: Int
    public var evidence: String?
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int64
}

public struct SkillDraft: Sendable {
    public var name: Patch<String> = .absent
    public var level: Patch<Int> = .absent
    public var evidence: Patch<String> = .absent

    public init() {}
}

/// Filters of `GET /skills`.
public struct SkillFilter: Sendable {
    public var text: String?
    public var updatedSince: Date?

    public init() {}
}

enum SkillStore: RecordStore {
    enum Column: Int32, ColumnSet {
        case id, owner, name, nameKey, level, evidence, createdAt, updatedAt, version

        var role: ColumnRole {
            switch self {
            case .id: .id
            case .owner: .owner
            case .name: .field("name")
            case .nameKey: .field("name_key")
            case .level: .field("level")
            case .evidence: .field("evidence")
            case .createdAt: .createdAt
            case .updatedAt: .updatedAt
            case .version: .version
            }
        }
    }

    static let sql = TableSQL<Column>(table: "skills", alias: "s")
    static let noun = "skill"
    static let kind = "skill"

    static func record(_ row: Row) throws -> Skill {
        Skill(
            id: row.int64(Column.id), userID: row.int64(Column.owner), name: row.string(Column.name), level: row.int(Column.level),
            evidence: row.optionalString(Column.evidence), createdAt: try row.stamp(Column.createdAt, of: sql.table),
            updatedAt: try row.stamp(Column.updatedAt, of: sql.table), version: row.int64(Column.version))
    }

    static func value(_ column: Column, of skill: Skill) -> (any DatabaseValueConvertible)? {
        switch column {
        case .name: skill.name
        case .nameKey: NameKey.key(skill.name)
        case .level: skill.level
        case .evidence: skill.evidence
        case .id, .owner, .createdAt, .updatedAt, .version: nil
        }
    }
}

/// The user's skills (`/skills`).
public final class SkillService: ResourceService<Skill, SkillDraft>, @unchecked Sendable {
    // @unchecked restated from ResourceService, as Swift requires; what this class adds are lets of
    // Sendable types.
    private let path: ResourcePath<SkillRules>

    public static let sorts: [String: ListOrder] = ListOrder.standard(alias: "s")
    public static let defaultSort = "name"

    public init(storage: Storage, clock: any Clock = SystemClock()) {
        path = ResourcePath(storage: storage, clock: clock, rules: SkillRules())
        super.init(path)
    }

    public func list(userID: Int64, filter: SkillFilter, page: PageRequest) throws -> Page<Skill> {
        try path.list(userID: userID, page: page) { query in
            query.contains(filter.text, in: ["s.name", "s.evidence"])
            query.updatedSince(filter.updatedSince)
        }
    }
}

/// The rules of a skill: a name (one per account, as NameKey compares names) and a level.
struct SkillRules: ResourceRules {
    typealias Store = SkillStore

    func blank(userID: Int64, now: Date) -> Skill {
        Skill(id: 0, userID: userID, name: "", level: 1, evidence: nil, createdAt: now, updatedAt: now, version: 1)
    }

    func apply(_ draft: SkillDraft, to skill: inout Skill) throws(DomainError) {
        var validator = Validator()
        let name = validator.required("name", draft.name.applied(to: skill.name), maxLength: 200)
        skill.name = NameKey.display(name)
        // A name of only spaces and control characters tidies to nothing (`required` took it).
        if skill.name.isEmpty && !name.isEmpty { validator.add("name", "is required") }
        if case .null = draft.level { validator.add("level", "cannot be null") }
        skill.level = draft.level.applied(to: skill.level) ?? skill.level
        validator.range("level", skill.level, 1...5)
        skill.evidence = validator.optional("evidence", draft.evidence.applied(to: skill.evidence), maxLength: 5000, multiline: true)
        try validator.finish()
    }

    func check(_ connection: SQLiteConnection, userID: Int64, _ skill: Skill, replacing current: Skill?, options: WriteOptions) throws {
        if let existing = try connection.scalarInt(
            "SELECT id FROM skills WHERE user_id = ? AND name_key = ? AND id != ?", [userID, NameKey.key(skill.name), current?.id ?? 0])
        {
            throw DomainError.conflict(code: "duplicate_skill", detail: "Skill \(existing) already has this name.", existingID: existing)
        }
    }
}
