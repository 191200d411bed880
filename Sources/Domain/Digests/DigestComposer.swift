#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives

/// The day's agenda as a person reads it in the morning: what is overdue, what is due today,
/// a coach's notes, and one line per area on the week's progress toward its goal.
enum DigestComposer {
    static let titles: [AgendaKind: String] = [
        .meeting: "Meeting", .thankYou: "Thank-you", .followUp: "Follow up", .trySecondContact: "Try a second contact",
        .askReferralAgain: "Ask for a referral again", .contactReferral: "Contact a referral", .keepInTouch: "Keep in touch",
        .prepMissing: "Prepare", .event: "Event", .coachNote: "From your coach",
    ]

    static func compose(
        name: String, date: String, items: [DueItem], startOfDay: Date, areas: [(Interest, KnowledgeReport.Progress, Int)], to: String?,
        sendWhenEmpty: Bool, link: String?
    ) -> DigestMessage {
        let startText = RFC3339.format(startOfDay)
        let coach = items.filter { $0.kind == .coachNote }
        let rest = items.filter { $0.kind != .coachNote }
        let overdue = rest.filter { $0.due < startText }
        let today = rest.filter { $0.due >= startText }
        let subject = items.isEmpty
            ? "Foothold, \(date): nothing due"
            : "Foothold, \(date): \(items.count) thing\(items.count == 1 ? "" : "s") to do" + (overdue.isEmpty ? "" : ", \(overdue.count) overdue")
        func line(_ item: DueItem) -> String { "\(titles[item.kind] ?? item.kind.rawValue): \(flat(item.reason))" }
        func progress(_ area: (Interest, KnowledgeReport.Progress, Int)) -> String {
            let (interest, pace, week) = area
            let held = "\(week) meeting\(week == 1 ? "" : "s") this week"
            switch pace.status {
            case .noTarget: return "\(flat(interest.name)): \(held); \(pace.completed) held, no target set"
            case .done: return "\(flat(interest.name)): \(held); goal met, \(pace.completed) of \(pace.targetMeetings ?? 0) held"
            case .onTrack, .behind:
                return "\(flat(interest.name)): \(held); \(pace.completed) of \(pace.targetMeetings ?? 0) held"
                    + (pace.targetDate.map { " by \($0)" } ?? "") + (pace.status == .onTrack ? ", on track" : ", behind")
            }
        }
        let sections: [(String, [String])] = [
            ("From your coach", coach.map { flat($0.reason) }),
            ("Overdue", overdue.map(line)),
            ("Today", today.map(line)),
            ("This week, area by area", areas.map(progress)),
        ]
        var text = "Good morning\(name.isEmpty ? "" : ", \(flat(name))"). Your day, \(date).\n"
        var html = "<!doctype html><html><body style=\"font-family: sans-serif; line-height: 1.4\">"
        html += "<p>Good morning\(name.isEmpty ? "" : ", \(escape(flat(name)))"). Your day, \(escape(date)).</p>"
        if items.isEmpty {
            text += "\nNothing is due today.\n"
            html += "<p>Nothing is due today.</p>"
        }
        for (title, lines) in sections where !lines.isEmpty {
            text += "\n\(title)\n" + lines.map { "- \($0)\n" }.joined()
            html += "<h2 style=\"font-size: 1.1em\">\(escape(title))</h2><ul>" + lines.map { "<li>\(escape($0))</li>" }.joined() + "</ul>"
        }
        if let link {
            text += "\nOpen Today: \(link)\n"
            html += "<p><a href=\"\(escape(link))\">Open Today in Foothold</a></p>"
        }
        text += "\nYou get this because you asked for a morning digest; turn it off in Settings.\n"
        html += "<p style=\"color: #666\">You get this because you asked for a morning digest; turn it off in Settings.</p></body></html>"
        return DigestMessage(to: to, subject: subject, text: text, html: html, dueCount: items.count, wouldSend: !items.isEmpty || sendWhenEmpty)
    }

    /// One line: breaks inside user text would break the list.
    static func flat(_ text: String) -> String {
        text.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }).joined(separator: " ")
    }

    static func escape(_ text: String) -> String { HTMLText.escape(text) }
}
