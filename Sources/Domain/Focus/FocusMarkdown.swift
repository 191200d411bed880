import Primitives

extension FocusReport {
    /// The same report as a document a person can print or send to a coach.
    public func markdown() -> String {
        func line(_ text: String) -> String {
            // A line break would end a list item or a heading; Markdown's own characters are left as typed.
            text.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }).joined(separator: " ")
        }
        func points(_ value: Double, _ of: Double) -> String { "\(FocusRules.number(value)) of \(FocusRules.number(of))" }
        let w = FocusRules.weights
        var out = "# Where to focus\n\n"
        out += "As of \(FocusRules.day(asOf)). Areas where you have met \(FocusRules.enoughPeople) people or more come first, "
        out += "then by score out of 100: evidence \(FocusRules.number(w.evidence)), fit \(FocusRules.number(w.fit)), "
        out += "replies \(FocusRules.number(w.replies)), referrals \(FocusRules.number(w.referrals)), leads \(FocusRules.number(w.leads)), "
        out += "events \(FocusRules.number(w.events)), pace \(FocusRules.number(w.pace)).\n"
        if areas.isEmpty {
            out += "\nNo interest areas yet.\n"
            return out
        }
        for area in areas {
            out += "\n## \(area.rank). \(line(area.name)): "
            out += area.evidence.enough ? "\(FocusRules.number(area.score)) of 100\n\n" : "too early (\(FocusRules.number(area.score)) of 100)\n\n"
            if let goal = area.goal { out += "Goal: \(line(goal))\n\n" }
            out += area.reasons.map { "- \(line($0))\n" }.joined()
            let p = area.parts
            out += "\n| Evidence | Fit | Replies | Referrals | Leads | Events | Pace |\n|---|---|---|---|---|---|---|\n"
            out += "| \(points(p.evidence, w.evidence)) | \(points(p.fit, w.fit)) | \(points(p.replies, w.replies)) | \(points(p.referrals, w.referrals)) "
            out += "| \(points(p.leads, w.leads)) | \(points(p.events, w.events)) | \(points(p.pace, w.pace)) |\n"
            if !area.fit.gaps.isEmpty {
                out += "\nGaps: " + area.fit.gaps.map { "\(line($0.name)) (\(FocusRules.plural($0.people, "person", "people")))" }.joined(separator: ", ") + "\n"
            }
            out += "\nNext steps:\n\n"
            out += area.nextSteps.isEmpty ? "None: keep going.\n" : area.nextSteps.enumerated().map { "\($0.offset + 1). \(line($0.element.text))\n" }.joined()
        }
        return out
    }
}
