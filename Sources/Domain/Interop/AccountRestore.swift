#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// Restores an export into an empty account, in one write: everything or nothing. Every row
/// answers to the rules its resource's API answers to (docs/api.md, "Restoring an export"):
/// a file that `POST /contacts` would refuse a row of is refused whole, with each bad field
/// named by its place in the file (`contacts[3].name`).
public final class AccountImportService: Sendable {
    let storage: Storage
    let clock: any Clock

    /// One row as the export wrote it.
    public typealias Row = [(column: String, value: StoredValue)]

    /// What was restored, per collection.
    public struct Report: Sendable, Equatable {
        public var counts: [(table: String, rows: Int)]

        public static func == (a: Report, b: Report) -> Bool {
            a.counts.map(\.table) == b.counts.map(\.table) && a.counts.map(\.rows) == b.counts.map(\.rows)
        }
    }

    public init(storage: Storage, clock: any Clock = SystemClock()) {
        self.storage = storage
        self.clock = clock
    }

    /// The collections an export holds, in the order they are restored.
    public static var collections: [String] { AccountExport.tables.map(\.name) }

    /// At most this many issues are named: a file wrong in every row needs no ten-thousand-line answer.
    static let maxIssues = 50

    public func restore(userID: Int64, account: [String: String?], tables: [String: [Row]]) throws -> Report {
        let now = clock.now()
        return try storage.submit { connection in
            try Self.restore(connection, userID: userID, account: account, tables: tables, now: now, rules: RestoreRules.all)
        }.wait()
    }

    static func restore(
        _ connection: SQLiteConnection, userID: Int64, account: [String: String?], tables: [String: [Row]], now: Date, rules: [String: RestoreRules]
    ) throws -> Report {
        for table in AccountExport.tables where table.owned == "t.user_id = ?" {
            if try connection.scalarInt("SELECT 1 FROM \(table.name) WHERE user_id = ? LIMIT 1", [userID]) != nil {
                throw DomainError.conflict(
                    code: "account_not_empty", detail: "This account already holds \(table.name); an export is restored into an empty account.",
                    existingID: nil)
            }
        }
        var issues: [FieldIssue] = []
        var ids: [String: [Int64: Int64]] = [:]
        var counts: [(String, Int)] = []
        var restored: [String: [(index: Int, id: Int64)]] = [:]
        var unstored: [String: Set<Int64>] = [:]
        for table in AccountExport.tables {
            let rows = tables[table.name] ?? []
            let stored = try AccountExport.columns(connection, table.name)
            let owned = try connection.scalarInt("SELECT 1 FROM pragma_table_info(?) WHERE name = 'user_id'", [table.name]) != nil
            let rowRules = rules[table.name]?.row
            var map: [Int64: Int64] = [:]
            for (index, row) in rows.enumerated() {
                let path = "\(table.name)[\(index)]"
                var names: [String] = []
                var values: [any DatabaseValueConvertible] = []
                var oldID: Int64?
                var parentRefused = false
                for (column, value) in row {
                    guard stored.contains(column) else {
                        issues.append(FieldIssue("\(path).\(column)", "is not a column of \(table.name)"))
                        continue
                    }
                    if column == "id" && table.hasID {
                        guard case .integer(let id) = value else {
                            issues.append(FieldIssue("\(path).id", "must be an integer"))
                            continue
                        }
                        oldID = id
                        continue
                    }
                    var bound = value
                    if column == "ref_id", !table.refByKind.isEmpty, case .integer(let old) = value {
                        let kind = row.first { $0.column == "kind" }.flatMap { if case .text(let text) = $0.value { text } else { nil } }
                        guard let target = kind.flatMap({ table.refByKind[$0] }) else {
                            issues.append(FieldIssue("\(path).kind", "is not a kind of agenda item an export carries"))
                            continue
                        }
                        guard let new = ids[target]?[old] else {
                            issues.append(FieldIssue("\(path).ref_id", "names \(target) \(old), which the export does not hold"))
                            continue
                        }
                        bound = .integer(new)
                    } else if let target = table.references[column], case .integer(let old) = value {
                        // Its row was refused and named already: this one goes unstored and unnamed.
                        if unstored[target]?.contains(old) == true {
                            parentRefused = true
                            continue
                        }
                        guard let new = ids[target]?[old] else {
                            issues.append(FieldIssue("\(path).\(column)", "names \(target) \(old), which the export does not hold"))
                            continue
                        }
                        bound = .integer(new)
                    }
                    names.append(column)
                    values.append(bound.databaseValue)
                }
                if table.hasID && oldID == nil && !row.contains(where: { $0.column == "id" }) { issues.append(FieldIssue("\(path).id", "is required")) }
                if let rowRules {
                    var validator = Validator()
                    rowRules(Dictionary(row.map { ($0.column, $0.value) }, uniquingKeysWith: { first, _ in first }), &validator)
                    issues += validator.issues.map { FieldIssue("\(path).\($0.field)", $0.message) }
                }
                guard issues.isEmpty, !parentRefused else {
                    if let oldID { unstored[table.name, default: []].insert(oldID) }
                    continue
                }
                if owned {
                    names.insert("user_id", at: 0)
                    values.insert(userID, at: 0)
                }
                let placeholders = Array(repeating: "?", count: names.count).joined(separator: ", ")
                if let refusal = Self.insert(connection, "INSERT INTO \(table.name) (\(names.joined(separator: ", "))) VALUES (\(placeholders))", values) {
                    // The row as a whole: SQLite's reason names the column it refused.
                    issues.append(FieldIssue(path, "cannot be stored: \(refusal)"))
                    if let oldID { unstored[table.name, default: []].insert(oldID) }
                    continue
                }
                if let oldID {
                    if map[oldID] != nil { issues.append(FieldIssue("\(path).id", "repeats id \(oldID)")) }
                    map[oldID] = connection.lastInsertRowID
                    restored[table.name, default: []].append((index, connection.lastInsertRowID))
                }
            }
            ids[table.name] = map
            counts.append((table.name, rows.count))
            if issues.count > maxIssues { break }
        }
        // The names are folded before the records are read back: a resource's rules read them.
        if issues.isEmpty { try NameKeys.fill(connection, userID: userID) }
        for table in AccountExport.tables where issues.count <= maxIssues {
            guard let check = rules[table.name]?.record, let rows = restored[table.name] else { continue }
            for (index, id) in rows {
                issues += try check(connection, userID, id, now).map { FieldIssue("\(table.name)[\(index)].\($0.field)", $0.message) }
                if issues.count > maxIssues { break }
            }
        }
        guard let user = try UserStore.find(connection, id: userID) else { throw DomainError.notFound("No such user.") }
        let change: UserSettings.Change?
        do {
            change = try UserSettings.Change(Self.settings(account, &issues))
        } catch {
            change = nil
            if case .validation(let found) = error { issues += found.map { FieldIssue("account.\($0.field)", $0.message) } }
        }
        guard issues.isEmpty, let change else { throw DomainError.validation(Array(issues.prefix(maxIssues))) }
        let updated = change.applied(to: user)
        if updated != user { try UserStore.update(connection, updated, at: now) }
        // An export from before identified_at: found when added.
        try ContactStore.identifiedWhenAdded(connection, userID: userID)
        _ = try Reminders.rebuildAll(connection, userID: userID)
        return Report(counts: counts)
    }

    /// The account's settings as `PATCH /me` would take them, from the stored text an export carries.
    static func settings(_ account: [String: String?], _ issues: inout [FieldIssue]) -> UserDraft {
        var draft = UserDraft()
        for (column, value) in account {
            switch column {
            case "display_name": draft.displayName = Patch(value)
            case "headline": draft.headline = Patch(value)
            case "time_zone": draft.timeZone = Patch(value)
            case "follow_up_days":
                let days = (value ?? "").split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
                if days.contains(nil) {
                    issues.append(FieldIssue("account.follow_up_days", "must be two numbers of business days, like 3,7"))
                } else {
                    draft.followUpDays = .value(days.compactMap { $0 })
                }
            case "holidays": draft.holidays = value.map { .value($0.split(separator: ",").map(String.init)) } ?? .null
            default: issues.append(FieldIssue("account.\(column)", "is not carried by an export"))
            }
        }
        return draft
    }

    /// Runs an insert; SQLite's reason when it refuses (a CHECK, NOT NULL or UNIQUE rule).
    static func insert(_ connection: SQLiteConnection, _ sql: String, _ values: [any DatabaseValueConvertible]) -> String? {
        let result = Result { () throws(SQLiteError) -> Int in try connection.run(sql, values) }
        if case .failure(let error) = result { return error.message }
        return nil
    }
}

/// The rules a restored collection answers to: the resource's own, not a copy of them.
struct RestoreRules: Sendable {
    /// Checks a stored record, read back as the API reads it: issues named by field.
    typealias RecordCheck = @Sendable (SQLiteConnection, _ userID: Int64, _ id: Int64, _ now: Date) throws -> [FieldIssue]
    /// Checks a row as the file holds it, for the collections that are not resources of their own.
    typealias RowCheck = @Sendable ([String: StoredValue], inout Validator) -> Void

    var record: RecordCheck?
    var row: RowCheck?

    /// A resource's rules run as `PATCH` with an empty body runs them: every stored field is
    /// checked as if it had just been sent, and so are the times a client may set.
    static func resource<R: ResourceRules>(_ rules: R) -> RestoreRules where R.Draft: BlankDraft {
        RestoreRules(record: { connection, userID, id, now in
            do {
                var record = try R.Store.load(connection, userID: userID, id: id)
                try rules.apply(R.Draft(), to: &record)
                try rules.checkTimes(record, replacing: nil, now: now)
                return []
            } catch DomainError.validation(let issues) {
                return issues
            } catch DomainError.corruptRow(_, _, let column) {
                return [FieldIssue(column, "is not a value this field takes")]
            }
        })
    }

    static let all: [String: RestoreRules] = [
        "interests": .resource(InterestRules()),
        "organizations": .resource(OrganizationRules()),
        "contacts": .resource(ContactRules()),
        "questions": .resource(QuestionRules()),
        "resumes": .resource(ResumeRules()),
        "pitches": .resource(PitchRules()),
        "meetings": .resource(MeetingRules()),
        "referrals": .resource(ReferralRules()),
        "events": .resource(EventRules()),
        "outreach": .resource(OutreachRules()),
        "leads": .resource(LeadRules()),
        "insights": .resource(InsightRules()),
        "skills": .resource(SkillRules()),
        "meeting_questions": RestoreRules(row: { row, validator in
            MeetingQuestionRules.check(text: row["text"]?.text, answerNotes: row["answer_notes"]?.text, &validator)
        }),
        "meeting_resources": RestoreRules(row: { row, validator in
            _ = MeetingResource.checked(title: row["title"]?.text, url: row["url"]?.text, note: row["note"]?.text, prefix: nil, &validator)
        }),
    ]
}

/// A draft with nothing in it: applied, it changes nothing and checks everything.
protocol BlankDraft { init() }

extension InterestDraft: BlankDraft {}
extension OrganizationDraft: BlankDraft {}
extension ContactDraft: BlankDraft {}
extension QuestionDraft: BlankDraft {}
extension ResumeDraft: BlankDraft {}
extension PitchDraft: BlankDraft {}
extension MeetingDraft: BlankDraft {}
extension ReferralDraft: BlankDraft {}
extension EventDraft: BlankDraft {}
extension OutreachDraft: BlankDraft {}
extension LeadDraft: BlankDraft {}
extension InsightDraft: BlankDraft {}
extension SkillDraft: BlankDraft {}

extension StoredValue {
    /// The text a TEXT column holds; nil for NULL or another type.
    var text: String? {
        if case .text(let text) = self { text } else { nil }
    }
}
