import Foundation
import Primitives
import SQLiteCore
import Testing
import TestSupport
@_spi(Composition) @testable import Domain

/// The rules that the HTTP tests cover end to end, here on their own layer: services on a real
/// SQLite file with a pinned clock (`Fixture.now`, 2026-11-27T14:05Z), no sockets.
@Suite("Domain: the method's rules", .timeLimit(.minutes(1)))
struct MethodRuleTests {
    let fixture: Fixture
    let services: Services

    init() throws {
        fixture = try Fixture()
        services = fixture.services
    }

    func contact(_ name: String, organizationID: Int64? = nil, keepInTouchDays: Int? = nil) throws -> Int64 {
        var draft = ContactDraft()
        draft.name = .value(name)
        if let organizationID { draft.organizationID = .value(organizationID) }
        if let keepInTouchDays { draft.keepInTouchDays = .value(keepInTouchDays) }
        return try services.contacts.create(userID: 1, draft: draft).value(within: 10).id
    }

    func stage(_ id: Int64) throws -> ContactStage { try services.contacts.get(userID: 1, id: id).stage }

    /// Every reminder as "kind due_at", sorted: two of one kind show as two entries.
    func reminders() throws -> [String] {
        try fixture.database.read { connection in
            try connection.query("SELECT kind, due_at FROM reminders " + QueryPlanAudit.testMarker) { $0.string(0) + " " + $0.string(1) }.sorted()
        }
    }

    /// 3B7 counts business days in the user's zone, skipping weekends and the user's holidays:
    /// a message on Friday 18:00 in Los Angeles (Saturday 02:00 UTC) with Wednesday off.
    @Test func threeBSevenCountsBusinessDaysInTheUsersZone() throws {
        var settings = UserDraft()
        settings.timeZone = .value("America/Los_Angeles")
        settings.holidays = .value(["2026-11-25"])
        _ = try services.accounts.updateUser(id: 1, draft: settings, precondition: .none).value(within: 10)
        var organization = OrganizationDraft()
        organization.name = .value("Acme")
        let acme = try services.organizations.create(userID: 1, draft: organization).value(within: 10).id
        let ann = try contact("Ann", organizationID: acme)
        var message = OutreachDraft()
        message.contactID = .value(ann)
        message.sentAt = .value(try #require(RFC3339.parse("2026-11-21T02:00:00Z")))
        _ = try services.outreach.create(userID: 1, draft: message).value(within: 10)
        // Mon 23, Tue 24, (Wed 25 off), Thu 26 at 18:00 PST; seven: … Wed 2 December.
        #expect(try reminders() == ["follow_up 2026-12-03T02:00:00.000Z", "try_second_contact 2026-11-27T02:00:00.000Z"])

        // Moving the user's zone moves every due date with it.
        settings = UserDraft()
        settings.timeZone = .value("Europe/Oslo")
        _ = try services.accounts.updateUser(id: 1, draft: settings, precondition: .none).value(within: 10)
        // In Oslo the message left on Saturday 03:00: the count starts Monday, at 03:00 local.
        #expect(try reminders() == ["follow_up 2026-12-02T02:00:00.000Z", "try_second_contact 2026-11-26T02:00:00.000Z"])
    }

    /// A completed meeting leaves something behind, or says nothing was offered; the contact
    /// moves scheduled → met with it, and back to where it stood when a meeting is cancelled.
    @Test func completionLeavesSomethingAndMovesTheStage() throws {
        let ann = try contact("Ann")
        var draft = MeetingDraft()
        draft.contactID = .value(ann)
        draft.scheduledAt = .value(try #require(RFC3339.parse("2026-11-26T10:00:00Z")))
        let meeting = try services.meetings.create(userID: 1, draft: draft).value(within: 10)
        #expect(try stage(ann) == .scheduled)

        #expect {
            try services.meetings.complete(userID: 1, id: meeting.id, request: CompletionRequest(), precondition: .none).value(within: 10)
        } throws: { error in
            if case DomainError.unprocessable(let code, _, _) = error { return code == "nothing_to_leave_with" }
            return false
        }
        #expect(try services.meetings.get(userID: 1, id: meeting.id).status == .scheduled)

        var request = CompletionRequest()
        request.resources = [MeetingResource(title: "Soil book", url: nil, note: nil)]
        let done = try services.meetings.complete(userID: 1, id: meeting.id, request: request, precondition: .none).value(within: 10)
        #expect(done.meeting.status == .completed)
        #expect(done.meeting.completedAt == Fixture.now)
        #expect(try stage(ann) == .met)

        // A second meeting with someone else, cancelled: they go back to where they were.
        let ben = try contact("Ben")
        draft.contactID = .value(ben)
        let second = try services.meetings.create(userID: 1, draft: draft).value(within: 10)
        #expect(try stage(ben) == .scheduled)
        _ = try services.meetings.cancel(userID: 1, id: second.id, precondition: .none).value(within: 10)
        #expect(try stage(ben) == .identified)
    }

    /// Keep in touch: due a cadence after the last touch (a completed meeting or a message
    /// either way), and moved on by each new touch.
    @Test func keepInTouchIsDueACadenceAfterTheLastTouch() throws {
        let ann = try contact("Ann", keepInTouchDays: 30)
        func due() throws -> String? {
            try fixture.database.read { try $0.scalarText("SELECT keep_in_touch_due_at FROM contacts WHERE id = ? " + QueryPlanAudit.testMarker, [ann]) }
        }
        var message = OutreachDraft()
        message.contactID = .value(ann)
        message.direction = .value(.inbound)
        message.sentAt = .value(try #require(RFC3339.parse("2026-10-01T09:00:00Z")))
        _ = try services.outreach.create(userID: 1, draft: message).value(within: 10)
        #expect(try due()?.hasPrefix("2026-10-31T09:00:00") == true)
        // An older touch logged later does not move it back.
        message.sentAt = .value(try #require(RFC3339.parse("2026-09-01T09:00:00Z")))
        _ = try services.outreach.create(userID: 1, draft: message).value(within: 10)
        #expect(try due()?.hasPrefix("2026-10-31T09:00:00") == true)
        message.sentAt = .value(try #require(RFC3339.parse("2026-11-20T09:00:00Z")))
        _ = try services.outreach.create(userID: 1, draft: message).value(within: 10)
        #expect(try due()?.hasPrefix("2026-12-20T09:00:00") == true)
    }
}
