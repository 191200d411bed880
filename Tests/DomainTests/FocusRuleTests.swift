import Foundation
import Primitives
import Testing
@testable import Domain

/// The focus report's rules on their own: facts in, score, rank, reasons and steps out.
@Suite("Domain: where to focus", .timeLimit(.minutes(1)))
struct FocusRuleTests {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)

    static func facts(_ id: Int64, _ name: String, met: Int, priority: Int = 3, _ change: (inout FocusFacts) -> Void = { _ in }) -> FocusFacts {
        let interest = Interest(
            id: id, userID: 1, name: name, goal: nil, targetDate: nil, targetMeetings: nil, priority: priority, createdAt: now, updatedAt: now,
            version: 1, coverage: Coverage(contacts: 0, organizations: 0, meetings: 0))
        var facts = FocusFacts(interest: interest)
        facts.peopleMet = met
        facts.meetingsCompleted = met
        change(&facts)
        return facts
    }

    static func named(_ name: String, people: Int, level: Int? = nil) -> (kind: String, item: KnowledgeReport.Named) {
        ("skill", KnowledgeReport.Named(name: name, contacts: people, lastNamedAt: now, have: level != nil, level: level))
    }

    @Test func theScoreIsItsDocumentedParts() {
        let area = FocusRules.report(
            [
                Self.facts(1, "A", met: 4) { facts in
                    facts.named = [Self.named("SQL", people: 3, level: 5), Self.named("R", people: 2), Self.named("Once", people: 1)]
                    facts.writtenTo = 4
                    facts.replied = 3
                    facts.referrals = 10
                    facts.eventsAttended = 1
                    facts.leads = [.applied: 2, .rejected: 1]
                }
            ], now: Self.now, zone: .utc)[0]
        // 20 × 4/5, 30 × (5/5 + 0)/2, 15 × 3/4, 15 × min(10/4, 2)/2, 10 × 0.4, 5 × 1/2, 5 × 1/2 (no target).
        #expect(area.parts == FocusArea.Parts(evidence: 16, fit: 15, replies: 11.3, referrals: 15, leads: 4, events: 2.5, pace: 2.5))
        #expect(area.score == 66.3)
        #expect(area.fit.named == 2)
        #expect(area.fit.gaps.map(\.name) == ["R"])

        // Nothing measured: each measured part earns half its points, the rest nothing.
        let bare = FocusRules.report([Self.facts(2, "B", met: 0)], now: Self.now, zone: .utc)[0]
        #expect(bare.parts == FocusArea.Parts(evidence: 0, fit: 15, replies: 7.5, referrals: 7.5, leads: 0, events: 0, pace: 2.5))
        #expect(bare.evidence.enough == false)
        #expect(bare.evidence.meetingsNeeded == 3)
    }

    @Test func ranksShareTiesAndEnoughEvidenceComesFirst() {
        let areas = FocusRules.report(
            [
                Self.facts(1, "Early but bright", met: 2) { $0.named = [Self.named("SQL", people: 2, level: 5)] },
                Self.facts(2, "Beta", met: 3, priority: 2),
                Self.facts(3, "Alpha", met: 3, priority: 2),
                Self.facts(4, "Gamma", met: 3, priority: 5),
                Self.facts(5, "Delta", met: 5),
            ], now: Self.now, zone: .utc)
        #expect(areas.map(\.name) == ["Delta", "Gamma", "Alpha", "Beta", "Early but bright"])
        #expect(areas.map(\.rank) == [1, 2, 2, 2, 5])
        #expect(areas[4].score > areas[1].score)
    }

    @Test func stepsTakeEachKindInTurnUpToFive() {
        let facts = Self.facts(1, "A", met: 3) { facts in
            facts.thankYous = (1...3).map { FocusFacts.ThankYou(meetingID: $0, contactID: $0, contactName: "T\($0)", completedAt: Self.now) }
            facts.suggested = (1...3).map { FocusFacts.Suggested(referralID: $0, contactID: 10 + $0, contactName: "S\($0)", referrerID: $0, referrerName: "T\($0)") }
            facts.organizations = [
                FocusFacts.Organization(id: 1, name: "Full", advocacy: true, motivation: 3, posting: 3, contacts: 2),
                FocusFacts.Organization(id: 2, name: "Thin", advocacy: false, motivation: 2, posting: 1, contacts: 1),
                FocusFacts.Organization(id: 3, name: "Unknown", advocacy: false, motivation: 0, posting: 1, contacts: 0),
            ]
        }
        let steps = FocusRules.report([facts], now: Self.now, zone: .utc)[0].nextSteps
        #expect(steps.map(\.kind) == [.sendThankYou, .contactReferral, .reachOrganization, .researchOrganization, .sendThankYou])
        #expect(steps.map { $0.objects.last?.name ?? "" } == ["T1", "S1", "Thin", "Unknown", "T2"])
    }

    @Test func bestIsStrictlyAboveEveryOtherMeasuredArea() {
        #expect(FocusRules.best(2, [1, nil]))
        #expect(!FocusRules.best(2, [2, 1]))
        #expect(!FocusRules.best(2, [nil]))
        #expect(!FocusRules.best(nil, [1]))
        #expect(FocusRules.number(2) == "2")
        #expect(FocusRules.number(0.25) == "0.3")
    }
}
