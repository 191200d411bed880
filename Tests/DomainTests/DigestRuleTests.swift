import Foundation
import Primitives
import SQLiteCore
import Testing
import TestSupport
@_spi(Composition) @testable import Domain

/// The digest's schedule, queue and at-most-once sending, with a pinned clock and a fake relay.
@Suite("Domain: the morning digest", .timeLimit(.minutes(1)))
struct DigestRuleTests {
    let directory = TemporaryDirectory()
    let database: Database
    let clock = ManualClock(Date(timeIntervalSince1970: 1_795_788_300))  // 2026-11-27T14:05:00Z, a Friday
    let mail = FakeMail()
    let services: Services

    init() throws {
        database = try Database(.init(path: directory.path("digest.sqlite"), readerCount: 2))
        try Migrations.migrator.migrate(database)
        try database.withWriter {
            try $0.execute(
                "INSERT INTO users (id, name, time_zone, created_at, updated_at) VALUES (1, 'oslo', 'Europe/Oslo', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'), "
                    + "(2, 'york', 'America/New_York', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')")
        }
        services = Services(database: database, clock: clock, mail: mail, publicURL: "https://foothold.example.org")
    }

    static func at(_ text: String) throws -> Date { try #require(RFC3339.parse(text)) }

    func setDigest(_ user: Int64, _ email: String, at: String = "07:30", days: [String]? = nil, whenEmpty: Bool? = nil) throws {
        var draft = UserDraft()
        var digest = DigestDraft()
        digest.email = .value(email)
        digest.at = .value(at)
        if let days { digest.days = .value(days) }
        if let whenEmpty { digest.sendWhenEmpty = .value(whenEmpty) }
        draft.digest = .value(digest)
        _ = try services.accounts.updateUser(id: user, draft: draft, precondition: .none).value(within: 10)
    }

    /// Sets and confirms a digest through the code the confirmation mail carried.
    func confirmed(_ user: Int64, _ email: String, at: String = "07:30", whenEmpty: Bool = true) throws {
        try setDigest(user, email, at: at, whenEmpty: whenEmpty)
        let before = mail.sent.count
        try services.digests.sendReady()
        #expect(mail.sent.count == before + 1)
        let text = mail.part(before)
        let code = try #require(text.split(separator: "\n").first { $0.hasPrefix("dc_") }.map(String.init))
        #expect(text.contains("https://foothold.example.org/#/settings?digest_code=\(code)"))
        _ = try services.digests.confirm(userID: user, code: code).value(within: 10)
    }

    func statuses(_ user: Int64) throws -> [String] {
        try services.digests.deliveries(userID: user, before: nil, limit: 50).map { "\($0.kind.rawValue) \($0.status.rawValue)" }
    }

    @Test func nextTimeIsTheLocalTimeOnAChosenDayInEachZone() throws {
        let oslo = ZoneCache.rules(named: "Europe/Oslo")
        let york = ZoneCache.rules(named: "America/New_York")
        // Friday 2026-11-27 14:05Z: Oslo's 07:30 has passed; the next weekday is Monday.
        #expect(DigestRules.next(after: clock.now(), at: "07:30", days: DigestRules.defaultDays, zone: oslo) == (try Self.at("2026-11-30T06:30:00Z")))
        #expect(DigestRules.next(after: clock.now(), at: "07:30", days: [.sat], zone: oslo) == (try Self.at("2026-11-28T06:30:00Z")))
        #expect(DigestRules.next(after: clock.now(), at: "09:15", days: [.fri], zone: york) == (try Self.at("2026-11-27T14:15:00Z")))
        // Across the change to summer time, the same wall-clock time.
        let spring = try Self.at("2026-03-27T12:00:00Z")
        #expect(DigestRules.next(after: spring, at: "07:30", days: [.mon], zone: oslo) == (try Self.at("2026-03-30T05:30:00Z")))
        #expect(DigestRules.minutes("7:30") == nil)
        #expect(DigestRules.minutes("24:00") == nil)
    }

    @Test func nothingIsSentToAnAddressUntilItIsConfirmed() throws {
        try setDigest(1, "ann@example.org")
        #expect(try services.digests.settings(userID: 1)?.confirmed == false)
        #expect(try services.digests.settings(userID: 1)?.nextAt == nil)
        clock.set(try Self.at("2026-11-30T06:30:00Z"))
        #expect(try services.digests.queueDue() == 0)
        try services.digests.sendReady()
        try #require(mail.sent.count == 1)
        #expect(mail.sent[0].to == "ann@example.org")
        #expect(try statuses(1) == ["confirmation sent"])
        // The code left the queue with the mail.
        #expect(try database.read { try $0.scalarInt("SELECT count(*) FROM deliveries WHERE payload IS NOT NULL " + QueryPlanAudit.testMarker) } == 0)
        #expect(throws: DomainError.self) { try services.digests.confirm(userID: 1, code: "dc_wrong").value(within: 10) }
        let code = try #require(mail.part(0).split(separator: "\n").first { $0.hasPrefix("dc_") }.map(String.init))
        // Confirmed a minute after today's time: the first digest is tomorrow's.
        clock.set(try Self.at("2026-11-30T06:31:00Z"))
        let settings = try services.digests.confirm(userID: 1, code: code).value(within: 10)
        #expect(settings.confirmed)
        #expect(settings.nextAt == (try Self.at("2026-12-01T06:30:00Z")))
        // A new address starts over.
        try setDigest(1, "ann@other.example")
        #expect(try services.digests.settings(userID: 1)?.confirmed == false)
        #expect(throws: DomainError.self) { try services.digests.confirm(userID: 1, code: code).value(within: 10) }
    }

    @Test func eachZoneGetsItsDigestAtItsOwnMorningOnceADay() throws {
        try confirmed(1, "ann@example.org")
        try confirmed(2, "bob@example.org")
        let before = mail.sent.count
        clock.set(try Self.at("2026-11-30T06:29:00Z"))
        #expect(try services.digests.queueDue() == 0)
        clock.set(try Self.at("2026-11-30T06:30:00Z"))
        #expect(try services.digests.queueDue() == 1)
        #expect(try services.digests.queueDue() == 0)
        try services.digests.sendReady()
        #expect(mail.sent.count == before + 1)
        #expect(mail.sent.last?.to == "ann@example.org")
        #expect(mail.part(before).contains("Your day, 2026-11-30."))
        // New York's 07:30 is 12:30 UTC.
        clock.set(try Self.at("2026-11-30T12:29:59Z"))
        #expect(try services.digests.queueDue() == 0)
        clock.set(try Self.at("2026-11-30T12:30:00Z"))
        #expect(try services.digests.queueDue() == 1)
        try services.digests.sendReady()
        #expect(mail.sent.last?.to == "bob@example.org")
        #expect(try statuses(1) == ["digest sent", "confirmation sent"])
        #expect(try services.digests.settings(userID: 1)?.nextAt == (try Self.at("2026-12-01T06:30:00Z")))
    }

    @Test func aTemporaryFailureIsRetriedWithBackoffAndAPermanentOneIsNot() throws {
        try confirmed(1, "ann@example.org")
        clock.set(try Self.at("2026-11-30T06:30:00Z"))
        try services.digests.queueDue()
        mail.failNext(.temporary("451 try again later"))
        try services.digests.sendReady()
        var delivery = try #require(try services.digests.deliveries(userID: 1, before: nil, limit: 1).first)
        #expect(delivery.status == .queued)
        #expect(delivery.attempts == 1)
        #expect(delivery.lastError == "451 try again later")
        #expect(delivery.nextAttemptAt == (try Self.at("2026-11-30T06:31:00Z")))
        // Not before its time.
        try services.digests.sendReady()
        #expect(try services.digests.deliveries(userID: 1, before: nil, limit: 1).first?.attempts == 1)
        clock.set(try Self.at("2026-11-30T06:31:00Z"))
        try services.digests.sendReady()
        delivery = try #require(try services.digests.deliveries(userID: 1, before: nil, limit: 1).first)
        #expect(delivery.status == .sent)
        #expect(delivery.attempts == 2)

        clock.set(try Self.at("2026-12-01T06:30:00Z"))
        try services.digests.queueDue()
        mail.failNext(.permanent("550 no such mailbox"))
        try services.digests.sendReady()
        clock.set(try Self.at("2026-12-01T09:30:00Z"))
        try services.digests.sendReady()
        delivery = try #require(try services.digests.deliveries(userID: 1, before: nil, limit: 1).first)
        #expect(delivery.status == .failed)
        #expect(delivery.attempts == 1)
        // A temporary failure past a day is failed too.
        clock.set(try Self.at("2026-12-02T06:30:00Z"))
        try services.digests.queueDue()
        for minutes in [0, 1, 6, 21, 81, 141, 201, 261, 321, 381, 441, 501, 561, 621, 681, 741, 801, 861, 921, 981, 1041, 1101, 1161, 1221, 1281, 1341, 1401, 1461] {
            clock.set(try Self.at("2026-12-02T06:30:00Z").addingTimeInterval(Double(minutes * 60)))
            mail.failNext(.temporary("421 busy"))
            try services.digests.sendReady()
        }
        delivery = try #require(try services.digests.deliveries(userID: 1, before: nil, limit: 1).first)
        #expect(delivery.status == .failed)
        #expect(delivery.lastError == "421 busy")
    }

    @Test func aCrashBetweenHandingOverAndMarkingNeverSendsTwice() throws {
        try confirmed(1, "ann@example.org")
        clock.set(try Self.at("2026-11-30T06:30:00Z"))
        try services.digests.queueDue()
        // The server stops after marking it `sending`, before marking it sent.
        let id = try #require(try services.digests.deliveries(userID: 1, before: nil, limit: 1).first?.id)
        #expect(try services.storage.submit { try DigestStore.claim($0, id: id, at: Date()) }.value(within: 10))
        let restarted = Services(database: database, clock: clock, mail: mail, publicURL: nil)
        #expect(try restarted.digests.recoverInterrupted() == 1)
        let before = mail.sent.count
        try restarted.digests.queueDue()
        try restarted.digests.sendReady()
        clock.set(try Self.at("2026-11-30T18:00:00Z"))
        try restarted.digests.queueDue()
        try restarted.digests.sendReady()
        #expect(mail.sent.count == before)
        #expect(try statuses(1).first == "digest unknown")
    }

    @Test func aDigestMissedWhileDownGoesOutTheSameDayOnly() throws {
        try confirmed(1, "ann@example.org")
        // Down from Sunday to Monday 09:00 Oslo: Friday's next (Monday 07:30) is late but today's.
        clock.set(try Self.at("2026-11-30T08:00:00Z"))
        #expect(try services.digests.queueDue() == 1)
        #expect(try services.digests.deliveries(userID: 1, before: nil, limit: 1).first?.day == "2026-11-30")
        // Down from Monday 07:00 to Wednesday 08:00 (07:00Z): Tuesday's is lost, Wednesday's goes.
        try services.storage.submit { try DigestStore.setNext($0, userID: 1, try Self.at("2026-12-01T06:30:00Z")) }.value(within: 10)
        clock.set(try Self.at("2026-12-02T07:00:00Z"))
        #expect(try services.digests.queueDue() == 1)
        #expect(try services.digests.deliveries(userID: 1, before: nil, limit: 1).first?.day == "2026-12-02")
        // Down over all of Thursday, back Friday before 07:30: nothing yet.
        try services.storage.submit { try DigestStore.setNext($0, userID: 1, try Self.at("2026-12-03T06:30:00Z")) }.value(within: 10)
        clock.set(try Self.at("2026-12-04T05:00:00Z"))
        #expect(try services.digests.queueDue() == 0)
        #expect(try services.digests.settings(userID: 1)?.nextAt == (try Self.at("2026-12-04T06:30:00Z")))
    }

    @Test func aDayWithNothingDueSendsNothingUnlessAskedFor() throws {
        try confirmed(1, "ann@example.org", whenEmpty: false)
        try confirmed(2, "bob@example.org", at: "01:30", whenEmpty: true)
        let before = mail.sent.count
        clock.set(try Self.at("2026-11-30T06:30:00Z"))
        #expect(try services.digests.queueDue() == 2)
        try services.digests.sendReady()
        #expect(mail.sent.count == before + 1)
        #expect(mail.sent.last?.to == "bob@example.org")
        #expect(mail.part(before).contains("Nothing is due today."))
        #expect(try statuses(1).first == "digest skipped")
        // The preview says so, and what it would say.
        let preview = try services.digests.preview(userID: 1)
        #expect(preview.wouldSend == false)
        #expect(preview.subject == "Foothold, 2026-11-30: nothing due")
    }
}
