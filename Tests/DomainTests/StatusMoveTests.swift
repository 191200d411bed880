import Foundation
import Primitives
import SQLiteCore
import Testing
import TestSupport
@testable import Domain

/// A move between two statuses, for the tables below.
struct Move: Sendable, CustomTestStringConvertible {
    let from: String
    let to: String
    let allowed: Bool
    var testDescription: String { "\(from) → \(to) \(allowed ? "allowed" : "refused")" }

    /// Every ordered pair of distinct statuses, allowed where `table` says so.
    static func all(_ table: [String: Set<String>]) -> [Move] {
        table.keys.sorted().flatMap { from in
            table.keys.sorted().filter { $0 != from }.map { Move(from: from, to: $0, allowed: table[from]?.contains($0) == true) }
        }
    }
}

/// Every state machine, each move tried: written out here from README's rules, not read from
/// the code's tables, so a table that allows one move too many fails a test.
@Suite("Domain: status moves", .timeLimit(.minutes(1)))
struct StatusMoveTests {
    /// Forward along suggested → contacted → met (contacted may be skipped), declined from
    /// suggested or contacted, back to any earlier status; met and declined never each other.
    static let referralMoves: [String: Set<String>] = [
        "suggested": ["contacted", "met", "declined"], "contacted": ["suggested", "met", "declined"], "met": ["suggested", "contacted"],
        "declined": ["suggested", "contacted"],
    ]
    /// found → applied → interviewing → offer (an offer may come straight after applying),
    /// rejected or closed from any open status, reopened to found.
    static let leadMoves: [String: Set<String>] = [
        "found": ["applied", "rejected", "closed"], "applied": ["interviewing", "offer", "rejected", "closed"],
        "interviewing": ["offer", "rejected", "closed"], "offer": ["rejected", "closed"], "rejected": ["found", "closed"], "closed": ["found"],
    ]

    static func contact(_ fixture: Fixture, _ name: String) throws -> Int64 {
        var draft = ContactDraft()
        draft.name = .value(name)
        return try fixture.services.contacts.create(userID: 1, draft: draft).value(within: 10).id
    }

    /// Puts a row in a status directly, as the moves before it would have.
    static func force(_ fixture: Fixture, _ table: String, _ id: Int64, _ assignments: String, _ values: [any DatabaseValueConvertible]) throws {
        _ = try fixture.database.withWriter { try $0.run("UPDATE \(table) SET \(assignments) WHERE id = ?", values + [id]) }
    }

    static func refusedAsIllegal(_ body: () throws -> Void) -> Bool {
        do {
            try body()
            return false
        } catch DomainError.illegalTransition {
            return true
        } catch {
            Issue.record("expected 409 illegal_transition, got \(error)")
            return false
        }
    }

    @Test(arguments: Move.all(referralMoves))
    func referral(_ move: Move) throws {
        let fixture = try Fixture()
        var draft = ReferralDraft()
        draft.referrerID = .value(try Self.contact(fixture, "Ann"))
        draft.contactID = .value(try Self.contact(fixture, "Ben"))
        let referral = try fixture.services.referrals.create(userID: 1, draft: draft).value(within: 10)
        try Self.force(fixture, "referrals", referral.id, "status = ?", [move.from])
        var patch = ReferralDraft()
        patch.status = .value(try #require(ReferralStatus(rawValue: move.to)))
        let refused = Self.refusedAsIllegal {
            _ = try fixture.services.referrals.update(userID: 1, id: referral.id, draft: patch, precondition: .none).value(within: 10)
        }
        #expect(refused == !move.allowed)
        let stored = try fixture.database.read { try $0.queryOne("SELECT status FROM referrals WHERE id = ?", [referral.id]) { $0.string(0) } }
        #expect(stored == (move.allowed ? move.to : move.from))
    }

    @Test(arguments: Move.all(leadMoves))
    func lead(_ move: Move) throws {
        let fixture = try Fixture()
        var draft = LeadDraft()
        draft.title = .value("Field technician")
        let lead = try fixture.services.leads.create(userID: 1, draft: draft).value(within: 10)
        try Self.force(fixture, "leads", lead.id, "status = ?", [move.from])
        var patch = LeadDraft()
        patch.status = .value(try #require(LeadStatus(rawValue: move.to)))
        let refused = Self.refusedAsIllegal {
            _ = try fixture.services.leads.update(userID: 1, id: lead.id, draft: patch, precondition: .none).value(within: 10)
        }
        #expect(refused == !move.allowed)
        let stored = try fixture.database.read { try $0.queryOne("SELECT status FROM leads WHERE id = ?", [lead.id]) { $0.string(0) } }
        #expect(stored == (move.allowed ? move.to : move.from))
    }

    /// A meeting's actions from each status: schedule from proposed or scheduled, complete and
    /// no-show from scheduled, cancel from proposed or scheduled; nothing from the ends.
    static let meetingActions: [(action: String, from: Set<String>)] = [
        ("schedule", ["proposed", "scheduled"]), ("complete", ["scheduled"]), ("cancel", ["proposed", "scheduled"]), ("no-show", ["scheduled"]),
    ]

    @Test(arguments: ["proposed", "scheduled", "completed", "cancelled", "no_show"])
    func meetingActions(from status: String) throws {
        for (action, allowedFrom) in Self.meetingActions {
            let fixture = try Fixture()
            var draft = MeetingDraft()
            draft.contactID = .value(try Self.contact(fixture, "Ann"))
            let meeting = try fixture.services.meetings.create(userID: 1, draft: draft).value(within: 10)
            let before = Fixture.now.addingTimeInterval(-86400)
            switch status {
            case "proposed": break
            case "completed": try Self.force(fixture, "meetings", meeting.id, "status = ?, scheduled_at = ?, completed_at = ?", [status, before, before])
            default: try Self.force(fixture, "meetings", meeting.id, "status = ?, scheduled_at = ?", [status, before])
            }
            let meetings = fixture.services.meetings
            let refused = Self.refusedAsIllegal {
                switch action {
                case "schedule":
                    var request = ScheduleRequest()
                    request.scheduledAt = Fixture.now.addingTimeInterval(86400)
                    _ = try meetings.schedule(userID: 1, id: meeting.id, request: request, precondition: .none).value(within: 10)
                case "complete":
                    var request = CompletionRequest()
                    request.noneOffered = true
                    _ = try meetings.complete(userID: 1, id: meeting.id, request: request, precondition: .none).value(within: 10)
                case "cancel":
                    _ = try meetings.cancel(userID: 1, id: meeting.id, precondition: .none).value(within: 10)
                default:
                    _ = try meetings.noShow(userID: 1, id: meeting.id, precondition: .none).value(within: 10)
                }
            }
            #expect(refused == !allowedFrom.contains(status), "\(action) from \(status)")
        }
    }
}

@Suite("Domain: the knowledge report's ranking", .timeLimit(.minutes(1)))
struct KnowledgeRankingTests {
    /// People, not mentions: one person naming a skill three times counts once, and ranks
    /// below a skill two people named.
    @Test func skillsRankByDistinctPeopleNotByInsights() throws {
        let fixture = try Fixture()
        var area = InterestDraft()
        area.name = .value("Soil carbon")
        let interest = try fixture.services.interests.create(userID: 1, draft: area).value(within: 10).id
        func person(_ name: String) throws -> Int64 {
            var draft = ContactDraft()
            draft.name = .value(name)
            draft.interestIDs = .value([interest])
            return try fixture.services.contacts.create(userID: 1, draft: draft).value(within: 10).id
        }
        func named(_ skill: String, by contact: Int64) throws {
            var draft = InsightDraft()
            draft.contactID = .value(contact)
            draft.interestID = .value(interest)
            draft.kind = .value(.skill)
            draft.name = .value(skill)
            draft.text = .value("\(skill) matters")
            _ = try fixture.services.insights.create(userID: 1, draft: draft).value(within: 10)
        }
        let ann = try person("Ann"), ben = try person("Ben"), cat = try person("Cat")
        for _ in 0..<3 { try named("SQL", by: ann) }
        try named("Statistics in R", by: ben)
        try named("Statistics in R", by: cat)
        let report = try fixture.services.knowledge.report(userID: 1, interestID: interest)
        #expect(report.skills.map(\.name) == ["Statistics in R", "SQL"])
        #expect(report.skills.map(\.contacts) == [2, 1])
    }
}

@Suite("Domain: a restore meets the resources' rules", .timeLimit(.minutes(1)))
struct RestoreRuleTests {
    /// Text rules live in the Validator, so every path that writes text meets them: the API,
    /// imports, a completion's inline objects and a restore.
    @Test func controlCharactersAreRefusedOutsideMultilineFields() {
        var validator = Validator()
        #expect(validator.optional("notes", "one\r\n\ttwo", maxLength: 100, multiline: true) == "one\n\ttwo")
        #expect(validator.issues.isEmpty)
        _ = validator.optional("name", "Ann\tLee", maxLength: 100)
        _ = validator.required("title", "A\u{1}B", maxLength: 100)
        _ = validator.optional("notes", "bell\u{7}", maxLength: 100, multiline: true)
        _ = validator.optional("notes", "lone\rcr", maxLength: 100, multiline: true)
        #expect(validator.issues.map(\.field) == ["name", "title", "notes", "notes"])
        var tags = Validator()
        _ = Tags.normalized(["ok", "split\u{1F}here"], &tags)
        #expect(tags.issues.map(\.field) == ["tags"])
    }

    /// A restored file's rows go through each resource's own rules, named by place in the file.
    @Test func aRestoredRowTheAPIWouldRefuseRefusesTheFile() throws {
        let fixture = try Fixture()
        func row(_ name: String, email: String?) -> AccountImportService.Row {
            [
                ("id", .integer(Int64(name.count))), ("name", .text(name)), ("email", email.map { .text($0) } ?? .null), ("stage", .text("identified")),
                ("created_at", .text("2026-01-01T00:00:00.000Z")), ("updated_at", .text("2026-01-01T00:00:00.000Z")), ("version", .integer(1)),
            ]
        }
        let bad = String(repeating: "\u{1}", count: 6_000)
        let rows = [row("A", email: nil), row("Bb", email: "b@example.com"), row("Ccc", email: nil), row(bad, email: "not an email")]
        let tables = ["contacts": rows]
        #expect {
            try fixture.services.accountImport.restore(userID: 1, account: [:], tables: tables)
        } throws: { error in
            guard case DomainError.validation(let issues) = error else { return false }
            return Set(issues.map(\.field)) == ["contacts[3].name", "contacts[3].email"]
        }
        #expect(try fixture.count("contacts") == 0)
        // Without the bad row, the same file restores.
        let good = try fixture.services.accountImport.restore(userID: 1, account: [:], tables: ["contacts": Array(rows.prefix(3))])
        #expect(good.counts.first { $0.table == "contacts" }?.rows == 3)
    }
}
