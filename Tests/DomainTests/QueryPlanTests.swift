import Foundation
import Primitives
import SQLiteCore
import Testing
import TestSupport
@testable import Domain

/// Every statement the stores, services and reports prepare is checked where it is prepared:
/// `QueryPlanAudit` (installed by every test that opens a database) explains it once per
/// process on a database shaped like a centre, and a plan that spans every account fails the
/// prepare, so the test that ran it fails and names it. These tests check the audit itself,
/// and the plans issue 25 found.
@Suite("Query plans: each account pays for its own data", .timeLimit(.minutes(1)))
struct QueryPlanTests {
    @Test func aFullScanOfEveryAccountsRowsIsRefused() throws {
        let problem = try #require(QueryPlanAudit.problem(in: "SELECT id FROM contacts WHERE name = ?"))
        #expect(problem.contains("scans every account's contacts"))
        #expect(QueryPlanAudit.problem(in: "SELECT id FROM contacts WHERE user_id = ? AND name = ?") == nil)
        #expect(QueryPlanAudit.problem(in: "SELECT c.name FROM contacts c WHERE c.id = ?") == nil)
    }

    @Test func anIndexSearchThatDoesNotNameAnAccountOrParentIsRefused() throws {
        // A tag is shared by many accounts: a search by it alone reads them all.
        let problem = try #require(QueryPlanAudit.problem(in: "SELECT contact_id FROM contact_tags WHERE tag = ?"))
        #expect(problem.contains("contact_tags_tag"))
        #expect(problem.contains("tag=?"))
        #expect(QueryPlanAudit.problem(in: "SELECT tag FROM contact_tags WHERE contact_id = ?") == nil)
        // A unique key names one row.
        #expect(QueryPlanAudit.problem(in: "SELECT id FROM reminders WHERE kind = ? AND ref_id = ?") == nil)
        #expect(QueryPlanAudit.problem(in: "SELECT id FROM users WHERE name = ?") == nil)
    }

    /// The statement issue 25 measured: it searched `reminders_ref (kind=?)`, every account's
    /// follow-ups, where one contact's were wanted.
    @Test func aContactsFollowUpsAreFoundThroughTheContact() throws {
        let delete = "DELETE FROM reminders WHERE contact_id IN (SELECT id FROM contacts WHERE organization_id = ?) "
            + "AND (kind = 'follow_up' OR kind = 'try_second_contact')"
        #expect(QueryPlanAudit.problem(in: delete) == nil)
        #expect(QueryPlanAudit.plan(of: delete).contains { $0.contains("reminders_contact") })
        // And without statistics, as the server runs: there the old index won by default.
        #expect(QueryPlanAudit.plan(of: delete, statistics: false).contains { $0.contains("reminders_contact") })
        #expect(QueryPlanAudit.problem(in: "SELECT id FROM reminders WHERE kind = 'follow_up'") != nil)
    }

    @Test func anExceptionSaysWhy() {
        #expect(QueryPlanAudit.problem(in: "SELECT id FROM users /* plan: walks every account for the admin list */") == nil)
        #expect(QueryPlanAudit.problem(in: "SELECT id FROM users /* plan: */")?.contains("reason") == true)
    }

    /// The audit runs where statements are prepared: a product connection refuses the statement.
    @Test func preparingARefusedStatementFails() throws {
        let fixture = try Fixture()
        do {
            _ = try fixture.database.read { try $0.query("SELECT id FROM contacts WHERE name = 'Ada'") { $0.int64(0) } }
            Issue.record("a statement that scans every account's contacts was prepared")
        } catch let error as SQLiteError {
            #expect(error.message.contains("query plan: scans every account's contacts"))
            #expect(error.sql == "SELECT id FROM contacts WHERE name = 'Ada'")
        }
    }
}

/// `foothold reindex` after rows were loaded behind the API: account by account, with progress.
@Suite("Reindex", .timeLimit(.minutes(1)))
struct ReindexTests {
    @Test func rebuildsEachAccountsRemindersAndSearch() throws {
        let fixture = try Fixture()
        let sent = "2026-11-20T10:00:00.000Z"
        try fixture.database.write { connection in
            try connection.run("INSERT INTO users (id, name, created_at, updated_at) VALUES (3, 'third', 't', 't')")
            for user: Int64 in [1, 2, 3] {
                let organization = try connection.scalarInt(
                    "INSERT INTO organizations (user_id, name, created_at, updated_at) VALUES (?, 'Acme', 't', 't') RETURNING id", [user]) ?? 0
                for (index, name) in ["Ada", "Ben"].enumerated() {
                    let contact = try connection.scalarInt(
                        "INSERT INTO contacts (user_id, name, organization_id, created_at, updated_at, identified_at) VALUES (?, ?, ?, 't', 't', 't') RETURNING id",
                        [user, "\(name) \(user)", index == 0 ? organization : nil]) ?? 0
                    try connection.run(
                        "INSERT INTO outreach (user_id, contact_id, channel, direction, sent_at, created_at, updated_at) VALUES (?, ?, 'email', 'outbound', ?, 't', 't')",
                        [user, contact, sent])
                    if index == 1 {
                        try connection.run(
                            "INSERT INTO meetings (user_id, contact_id, status, completed_at, created_at, updated_at) VALUES (?, ?, 'completed', ?, 't', 't')",
                            [user, contact, "2026-11-10T10:00:00.000Z"])
                    }
                }
            }
        }
        var reports: [AgendaService.ReindexProgress] = []
        let done = try fixture.services.agenda.rebuildDerived { reports.append($0) }
        #expect(done.accounts == 3)
        #expect(done.accountsTotal == 3)
        // Per account: Ada (at Acme) gets try_second_contact and follow_up; Ben (no organization)
        // a follow_up, and after his meeting with no referral, ask_referral_again.
        #expect(done.reminders == 12)
        #expect(done.indexed == 18)
        #expect(reports.last?.accounts == 3)
        let kinds = try fixture.database.read { connection in
            try connection.query("SELECT kind FROM reminders WHERE user_id = ? ORDER BY kind", [2]) { $0.string(0) }
        }
        #expect(kinds == ["ask_referral_again", "follow_up", "follow_up", "try_second_contact"])
        let found = try fixture.services.search.search(userID: 3, query: "Ben", limit: 10, offset: 0)
        // Account 3's Ben, his outreach and his meeting; nobody else's.
        #expect(Set(found.items.map(\.title)) == ["Ben 3", "Outreach: Ben 3", "Meeting with Ben 3"])
        // Run again: the same result, nothing twice.
        let again = try fixture.services.agenda.rebuildDerived()
        #expect(again.reminders == 12)
        #expect(again.indexed == 0)
        #expect(try fixture.count("reminders") == 12)
    }
}
