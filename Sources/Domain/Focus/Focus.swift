#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives

/// `GET /focus`: the interest areas side by side on what the search has found so far, each
/// with a rank, the reasons for it in words, and what to do next there (docs/product.md,
/// "Where to focus"; the score is README's "Where to focus").
public struct FocusReport: Sendable, Equatable {
    public var asOf: Date
    /// Best first: areas with enough evidence before those where it is too early, then by score.
    public var areas: [FocusArea]
}

public struct FocusArea: Sendable, Equatable {
    public struct Evidence: Sendable, Equatable {
        /// Contacts in the area.
        public var contacts: Int
        /// Distinct contacts in the area with a completed meeting.
        public var peopleMet: Int
        public var meetingsCompleted: Int
        /// Fewer than `FocusRules.enoughPeople` people met: too early to say.
        public var enough: Bool
        /// Meetings with new people that would make it enough (0 when it is).
        public var meetingsNeeded: Int
    }

    public struct Gap: Sendable, Equatable {
        public var name: String
        public var kind: String
        public var people: Int
    }

    public struct Fit: Sendable, Equatable {
        /// Skills and competencies named by at least two people in the area.
        public var named: Int
        /// Of those, how many are in the user's skills.
        public var have: Int
        /// Σ(level / 5) over the named ones the user has, over `named`; nil when nothing is named.
        public var share: Double?
        /// What people named that the user lacks, most people first (at most five).
        public var gaps: [Gap]
    }

    public struct Traction: Sendable, Equatable {
        /// Contacts in the area written to (an outbound message).
        public var writtenTo: Int
        /// Of those, how many wrote back after the first message.
        public var replied: Int
        public var replyRate: Double? { writtenTo == 0 ? nil : FocusRules.rounded(Double(replied) / Double(writtenTo), places: 2) }
        /// Referrals made by contacts in the area.
        public var referrals: Int
        public var referralsPerMeeting: Double?
        /// Events attended that someone in the area recommended, or that came from a meeting with them.
        public var eventsAttended: Int
        /// Leads at an organization or through a contact in the area, by status.
        public var leads: [LeadStatus: Int]
        /// The latest message either way, or completed meeting, with someone in the area.
        public var lastTouchAt: Date?
        public var daysSinceLastTouch: Int?
    }

    /// One thing an area's next step names.
    public struct Ref: Sendable, Equatable {
        /// `meeting`, `contact`, `referral`, `organization`, `event` or `skill` (a gap: no id).
        public var type: String
        public var id: Int64?
        public var name: String
    }

    public enum StepKind: String, Sendable, CaseIterable {
        case sendThankYou = "send_thank_you"
        case contactReferral = "contact_referral"
        case reachOrganization = "reach_organization"
        case researchOrganization = "research_organization"
        case workOnSkill = "work_on_skill"
        case attendEvent = "attend_event"
    }

    public struct NextStep: Sendable, Equatable {
        public var kind: StepKind
        public var text: String
        public var objects: [Ref]
    }

    /// The score's parts, each out of its weight in `FocusRules.weights`.
    public struct Parts: Sendable, Equatable {
        public var evidence: Double
        public var fit: Double
        public var replies: Double
        public var referrals: Double
        public var leads: Double
        public var events: Double
        public var pace: Double

        var total: Double { FocusRules.rounded(evidence + fit + replies + referrals + leads + events + pace, places: 1) }
    }

    public var interestID: Int64
    public var name: String
    public var goal: String?
    public var priority: Int
    public var rank: Int
    public var score: Double
    public var parts: Parts
    public var evidence: Evidence
    public var fit: Fit
    public var traction: Traction
    public var pace: KnowledgeReport.Progress
    public var reasons: [String]
    public var nextSteps: [NextStep]
}

/// What the reader found for one area, before any rule reads it.
struct FocusFacts: Sendable {
    struct ThankYou: Sendable {
        var meetingID: Int64
        var contactID: Int64
        var contactName: String
        var completedAt: Date?
    }

    struct Suggested: Sendable {
        var referralID: Int64
        var contactID: Int64
        var contactName: String
        var referrerID: Int64
        var referrerName: String
    }

    struct Organization: Sendable {
        var id: Int64
        var name: String
        var advocacy: Bool
        var motivation: Int
        var posting: Int
        /// Contacts there, counted up to two (all the rule asks).
        var contacts: Int
    }

    struct Event: Sendable {
        var id: Int64
        var name: String
        var startsAt: Date?
        var status: EventStatus
    }

    var interest: Interest
    var contacts = 0
    var peopleMet = 0
    var meetingsCompleted = 0
    var writtenTo = 0
    var replied = 0
    var referrals = 0
    var eventsAttended = 0
    var leads: [LeadStatus: Int] = [:]
    var lastTouchAt: Date?
    var named: [(kind: String, item: KnowledgeReport.Named)] = []
    var thankYous: [ThankYou] = []
    var suggested: [Suggested] = []
    /// In LAMP order: motivation, then posting, then advocacy, each highest first.
    var organizations: [Organization] = []
    /// Interested or registered, not yet begun, soonest first (undated last).
    var upcoming: [Event] = []

    init(interest: Interest) {
        self.interest = interest
    }
}

/// The rules of the focus report: the score, the rank, the reasons and the next steps. Pure:
/// everything it reads is in the facts, so equal evidence gives an equal score and rank.
enum FocusRules {
    /// People met before an area's evidence counts as enough.
    static let enoughPeople = 3
    /// Each part's points; they sum to 100.
    static let weights = (evidence: 20.0, fit: 30.0, replies: 15.0, referrals: 15.0, leads: 10.0, events: 5.0, pace: 5.0)
    /// People met at which evidence earns its full points.
    static let fullEvidence = 5
    /// Referrals per meeting at which referrals earn their full points.
    static let fullReferralsPerMeeting = 2.0
    /// Events attended at which events earn their full points.
    static let fullEvents = 2
    /// The furthest a lead got, as a share of the leads part.
    static func leadShare(_ status: LeadStatus) -> Double {
        switch status {
        case .offer: 1
        case .interviewing: 0.75
        case .applied: 0.4
        case .found: 0.2
        case .rejected, .closed: 0
        }
    }

    static let maxSteps = 5
    static let maxGaps = 5

    static func rounded(_ value: Double, places: Int) -> Double {
        let scale = places == 1 ? 10.0 : places == 2 ? 100.0 : 1000.0
        return (value * scale).rounded() / scale
    }

    static func evidence(_ facts: FocusFacts) -> FocusArea.Evidence {
        let enough = facts.peopleMet >= enoughPeople
        return FocusArea.Evidence(
            contacts: facts.contacts, peopleMet: facts.peopleMet, meetingsCompleted: facts.meetingsCompleted, enough: enough,
            meetingsNeeded: max(0, enoughPeople - facts.peopleMet))
    }

    static func fit(_ facts: FocusFacts) -> FocusArea.Fit {
        // Named by one person is an anecdote; two is a pattern worth measuring against.
        let counted = facts.named.filter { $0.item.contacts >= 2 }
        let have = counted.filter(\.item.have)
        let weighted = have.reduce(0.0) { $0 + Double($1.item.level ?? 0) / 5 }
        let gaps = counted.filter { !$0.item.have }
            .sorted { a, b in a.item.contacts != b.item.contacts ? a.item.contacts > b.item.contacts : a.item.name.lowercased() < b.item.name.lowercased() }
            .prefix(maxGaps)
            .map { FocusArea.Gap(name: $0.item.name, kind: $0.kind, people: $0.item.contacts) }
        return FocusArea.Fit(
            named: counted.count, have: have.count, share: counted.isEmpty ? nil : rounded(weighted / Double(counted.count), places: 2), gaps: Array(gaps))
    }

    static func traction(_ facts: FocusFacts, now: Date) -> FocusArea.Traction {
        FocusArea.Traction(
            writtenTo: facts.writtenTo, replied: facts.replied, referrals: facts.referrals,
            referralsPerMeeting: facts.meetingsCompleted == 0 ? nil : rounded(Double(facts.referrals) / Double(facts.meetingsCompleted), places: 2),
            eventsAttended: facts.eventsAttended, leads: facts.leads, lastTouchAt: facts.lastTouchAt,
            daysSinceLastTouch: facts.lastTouchAt.map { max(0, Int(now.timeIntervalSince($0) / 86400)) })
    }

    /// The score's parts. Where nothing has been measured yet (no one written to, no meeting
    /// held, nothing named twice) a part earns half its points: no evidence is neither good nor bad.
    static func parts(evidence: FocusArea.Evidence, fit: FocusArea.Fit, traction: FocusArea.Traction, pace: KnowledgeReport.Pace) -> FocusArea.Parts {
        let w = weights
        let best = traction.leads.filter { $0.value > 0 }.map { leadShare($0.key) }.max() ?? 0
        let paceShare: Double =
            switch pace {
            case .done, .onTrack: 1
            case .noTarget: 0.5
            case .behind: 0
            }
        return FocusArea.Parts(
            evidence: rounded(w.evidence * Double(min(evidence.peopleMet, fullEvidence)) / Double(fullEvidence), places: 1),
            fit: rounded(w.fit * (fit.share ?? 0.5), places: 1),
            replies: rounded(w.replies * (traction.replyRate ?? 0.5), places: 1),
            referrals: rounded(w.referrals * (traction.referralsPerMeeting.map { min($0, fullReferralsPerMeeting) / fullReferralsPerMeeting } ?? 0.5), places: 1),
            leads: rounded(w.leads * best, places: 1),
            events: rounded(w.events * Double(min(traction.eventsAttended, fullEvents)) / Double(fullEvents), places: 1),
            pace: rounded(w.pace * paceShare, places: 1))
    }

    /// Builds every area's entry and ranks them. A rank counts the areas strictly ahead (areas
    /// with enough evidence are ahead of those without, then a higher score), so ties share one.
    static func report(_ all: [FocusFacts], now: Date, zone: ZoneRules) -> [FocusArea] {
        var areas = all.map { facts -> FocusArea in
            let evidence = evidence(facts)
            let fit = fit(facts)
            let traction = traction(facts, now: now)
            let pace = KnowledgeService.progress(interest: facts.interest, completed: facts.meetingsCompleted, now: now, zone: zone)
            let parts = parts(evidence: evidence, fit: fit, traction: traction, pace: pace.status)
            return FocusArea(
                interestID: facts.interest.id, name: facts.interest.name, goal: facts.interest.goal, priority: facts.interest.priority, rank: 0,
                score: parts.total, parts: parts, evidence: evidence, fit: fit, traction: traction, pace: pace, reasons: [],
                nextSteps: steps(facts, fit: fit, now: now))
        }
        func ahead(_ a: FocusArea, _ b: FocusArea) -> Bool {
            a.evidence.enough != b.evidence.enough ? a.evidence.enough : a.score > b.score
        }
        for index in areas.indices {
            areas[index].rank = 1 + areas.filter { ahead($0, areas[index]) }.count
        }
        for index in areas.indices {
            areas[index].reasons = reasons(areas[index], among: areas)
        }
        return areas.sorted { a, b in
            if a.rank != b.rank { return a.rank < b.rank }
            if a.priority != b.priority { return a.priority > b.priority }
            let x = NameKey.key(a.name), y = NameKey.key(b.name)
            return x != y ? x < y : a.interestID < b.interestID
        }
    }

    /// "2", "0.5", "1.3": a count or a rate as a person writes it.
    static func number(_ value: Double) -> String {
        let tenth = rounded(value, places: 1)
        return tenth == tenth.rounded() ? String(Int(tenth)) : String(tenth)
    }

    static func plural(_ count: Int, _ one: String, _ many: String? = nil) -> String {
        "\(count) " + (count == 1 ? one : many ?? one + "s")
    }

    /// Whether `value` is above every other area's (those where it is measured at all), with
    /// at least one other to compare with.
    static func best(_ value: Double?, _ others: [Double?]) -> Bool {
        guard let value else { return false }
        let measured = others.compactMap { $0 }
        return !measured.isEmpty && measured.allSatisfy { value > $0 }
    }

    static func reasons(_ area: FocusArea, among areas: [FocusArea]) -> [String] {
        let others = areas.filter { $0.interestID != area.interestID }
        var out: [String] = []
        let evidence = area.evidence
        if evidence.enough {
            out.append("\(plural(evidence.peopleMet, "person", "people")) met in \(plural(evidence.meetingsCompleted, "meeting")): enough to go on")
        } else {
            out.append(
                "Too early to say: \(plural(evidence.peopleMet, "person", "people")) met; \(plural(evidence.meetingsNeeded, "more meeting")) "
                    + "with someone new would make it enough")
        }
        let fit = area.fit
        if fit.named > 0 {
            var line =
                fit.have == 0 ? (fit.named == 1 ? "The one skill people named, you lack" : "None of the \(fit.named) skills people named, you have")
                : "\(fit.have) of the \(plural(fit.named, "skill")) people named, you have"
            if best(fit.share, others.map(\.fit.share)) { line += ", your best fit" }
            out.append(line)
        } else {
            out.append("No skill named by two people yet")
        }
        let traction = area.traction
        if let rate = traction.referralsPerMeeting {
            var line = "\(number(rate)) referral\(rate == 1 ? "" : "s") per meeting"
            if best(rate, others.map(\.traction.referralsPerMeeting)) { line += ", your best" }
            out.append(line)
        }
        if traction.writtenTo > 0 {
            let written = traction.writtenTo
            var line =
                traction.replied == 0
                ? (written == 1 ? "The person you wrote to has not replied" : "None of the \(written) people you wrote to replied")
                : traction.replied == written ? (written == 1 ? "The person you wrote to replied" : "All \(written) people you wrote to replied")
                : "\(traction.replied) of the \(written) people you wrote to replied"
            if best(traction.replyRate, others.map(\.traction.replyRate)) { line += ", your best" }
            out.append(line)
        }
        if let offer = traction.leads[.offer], offer > 0 {
            out.append(offer == 1 ? "A lead at offer" : "\(offer) leads at offer")
        } else if let interviewing = traction.leads[.interviewing], interviewing > 0 {
            out.append(interviewing == 1 ? "A lead at interviewing" : "\(interviewing) leads at interviewing")
        }
        let pace = area.pace
        switch pace.status {
        case .done: out.append("Goal met: \(pace.completed) of \(pace.targetMeetings ?? 0) meetings held")
        case .onTrack:
            out.append("On track: \(pace.completed) of \(pace.targetMeetings ?? 0) meetings held, \(pace.remaining ?? 0) to go" + (pace.targetDate.map { " by \($0)" } ?? ""))
        case .behind:
            out.append("Behind: \(pace.completed) of \(pace.targetMeetings ?? 0) meetings held, \(number(pace.expectedByNow ?? 0)) expected by now")
        case .noTarget: break
        }
        if let days = traction.daysSinceLastTouch, days >= 30 {
            out.append("No one here touched in \(days) days")
        }
        return out
    }

    static func day(_ date: Date?) -> String {
        date.map { String(RFC3339.format($0).prefix(10)) } ?? ""
    }

    /// At most five next steps, taken by kind in turn (the first of each kind, then the second
    /// of each), so one long list does not crowd out the rest. Kinds in order of urgency: a
    /// thank-you is due within a day, a referral cools, then the target list, then skills and events.
    static func steps(_ facts: FocusFacts, fit: FocusArea.Fit, now: Date) -> [FocusArea.NextStep] {
        typealias Step = FocusArea.NextStep
        typealias Ref = FocusArea.Ref
        var byKind: [[Step]] = []
        byKind.append(
            facts.thankYous.prefix(maxSteps).map { t in
                Step(
                    kind: .sendThankYou, text: "Send \(t.contactName) a thank-you for your meeting" + (t.completedAt.map { " on \(day($0))" } ?? ""),
                    objects: [Ref(type: "meeting", id: t.meetingID, name: "Meeting with \(t.contactName)"), Ref(type: "contact", id: t.contactID, name: t.contactName)])
            })
        byKind.append(
            facts.suggested.prefix(maxSteps).map { r in
                Step(
                    kind: .contactReferral, text: "Contact \(r.contactName), whom \(r.referrerName) suggested",
                    objects: [
                        Ref(type: "referral", id: r.referralID, name: "\(r.referrerName) → \(r.contactName)"), Ref(type: "contact", id: r.contactID, name: r.contactName),
                    ])
            })
        byKind.append(
            facts.organizations.filter { $0.motivation > 0 && $0.contacts < 2 }.prefix(maxSteps).map { o in
                let lamp = "motivation \(o.motivation), posting \(o.posting), advocacy \(o.advocacy ? "yes" : "no")"
                return Step(
                    kind: .reachOrganization,
                    text: o.contacts == 0 ? "Find two contacts at \(o.name) (\(lamp)): none yet" : "Find a second contact at \(o.name) (\(lamp))",
                    objects: [Ref(type: "organization", id: o.id, name: o.name)])
            })
        byKind.append(
            facts.organizations.filter { $0.motivation == 0 }.prefix(maxSteps).map { o in
                Step(
                    kind: .researchOrganization, text: "Research \(o.name) and set its motivation (now 0)",
                    objects: [Ref(type: "organization", id: o.id, name: o.name)])
            })
        // The top gap of the fit, else what one person named that the user lacks.
        let single = facts.named.filter { !$0.item.have }.max { a, b in a.item.contacts < b.item.contacts }
        let gap = fit.gaps.first ?? single.map { FocusArea.Gap(name: $0.item.name, kind: $0.kind, people: $0.item.contacts) }
        byKind.append(
            gap.map { g in
                [
                    Step(
                        kind: .workOnSkill, text: "Work on \(g.name): \(plural(g.people, "person", "people")) in \(facts.interest.name) named it",
                        objects: [Ref(type: "skill", id: nil, name: g.name)])
                ]
            } ?? [])
        byKind.append(
            facts.upcoming.prefix(maxSteps).map { e in
                let when = e.startsAt.map { " on \(day($0))" } ?? ""
                return Step(
                    kind: .attendEvent, text: e.status == .registered ? "Go to \(e.name)\(when): you are registered" : "Register for \(e.name)\(when)",
                    objects: [Ref(type: "event", id: e.id, name: e.name)])
            })
        var steps: [Step] = []
        var round = 0
        while steps.count < maxSteps && byKind.contains(where: { $0.count > round }) {
            for list in byKind where list.count > round && steps.count < maxSteps {
                steps.append(list[round])
            }
            round += 1
        }
        return steps
    }
}
