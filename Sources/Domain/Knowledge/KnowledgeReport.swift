#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// `GET /interests/{id}/knowledge`: what the meetings in one field taught — the skills and
/// competencies people keep naming (and which of them the user lacks), the paths in, advice,
/// trends, resources — and how the area's goal is coming along.
public struct KnowledgeReport: Sendable {
    public struct Person: Sendable, Equatable {
        public var id: Int64
        public var name: String
        public var meetings: Int
    }

    /// A skill or competency, ranked by how many distinct contacts named it; shown as it was
    /// most often written (the first such, on a tie).
    public struct Named: Sendable, Equatable {
        public var name: String
        public var contacts: Int
        public var lastNamedAt: Date
        /// In the user's skills (`have`, with its level) or not (`gap`).
        public var have: Bool
        public var level: Int?
    }

    /// A path, piece of advice, trend or resource, and who said it.
    public struct Said: Sendable, Equatable {
        public var text: String
        public var url: String?
        public var contactID: Int64?
        public var contactName: String?
        public var meetingID: Int64?
        public var createdAt: Date?
    }

    public enum Pace: String, Sendable {
        case onTrack = "on_track"
        case behind
        case done
        case noTarget = "no_target"
    }

    public struct Progress: Sendable, Equatable {
        public var targetMeetings: Int?
        public var targetDate: String?
        public var completed: Int
        public var remaining: Int?
        /// Meetings the pace since the area was created asks for by now.
        public var expectedByNow: Double?
        public var status: Pace
    }

    public var interest: Interest
    public var people: [Person]
    public var meetingsHeld: Int
    public var skills: [Named]
    public var competencies: [Named]
    public var paths: [Said]
    public var advice: [Said]
    public var trends: [Said]
    public var resources: [Said]
    public var progress: Progress
}

/// One gap across every area: a skill or competency people named that the user lacks.
public struct SkillGap: Sendable, Equatable {
    public struct Area: Sendable, Equatable {
        /// Nil: insights in no area (`unassigned`), weighted as the lowest priority.
        public var interestID: Int64?
        public var name: String
        public var priority: Int
        public var contacts: Int
    }

    public var name: String
    public var kind: String
    /// Distinct contacts who named it, in any area.
    public var contacts: Int
    /// Σ over areas of (contacts who named it there × the area's priority).
    public var score: Int
    public var lastNamedAt: Date
    public var areas: [Area]
}

/// Reads the knowledge base.
public final class KnowledgeService: Sendable {
    let storage: Storage
    let clock: any Clock

    /// How many pieces of advice and trends "top" keeps (the newest).
    public static let topCount = 10

    public init(storage: Storage, clock: any Clock = SystemClock()) {
        self.storage = storage
        self.clock = clock
    }

    /// Who said an insight: its contact, or its meeting's.
    static let speaker = "coalesce(n.contact_id, (SELECT contact_id FROM meetings WHERE id = n.meeting_id))"

    public func report(userID: Int64, interestID: Int64) throws -> KnowledgeReport {
        let now = clock.now()
        return try storage.read { connection in
            let interest = try InterestStore.load(connection, userID: userID, id: interestID)
            // The people met in the area are the people its skill counts count: contacts in the
            // area with a completed meeting, and whoever said something recorded in it.
            typealias P = PersonColumn
            let people = try connection.query(
                "SELECT " + P.select + " FROM contacts c "
                    + "WHERE c.user_id = ?1 AND c.id IN (SELECT ci.contact_id FROM contact_interests ci WHERE ci.interest_id = ?2 "
                    + "AND EXISTS (SELECT 1 FROM meetings m WHERE m.contact_id = ci.contact_id AND m.status = 'completed') "
                    + "UNION SELECT \(Self.speaker) FROM insights n WHERE n.interest_id = ?2) ORDER BY held DESC, c.name, c.id",
                [userID, interestID]
            ) { KnowledgeReport.Person(id: $0.int64(P.id), name: $0.string(P.name), meetings: $0.int(P.held)) }

            let (skills, competencies) = try Self.named(connection, userID: userID, interestID: interestID)

            var said: [String: [KnowledgeReport.Said]] = [:]
            typealias S = SaidColumn
            try connection.forEachRow(
                "SELECT " + S.select + " FROM insights n WHERE n.user_id = ? AND n.interest_id = ? AND n.kind IN ('path', 'advice', 'trend', 'resource') "
                    + "ORDER BY n.created_at DESC, n.id DESC",
                [userID, interestID]
            ) { row in
                let kind = row.string(S.kind)
                guard (said[kind]?.count ?? 0) < (kind == "advice" || kind == "trend" ? Self.topCount : 100) else { return }
                said[kind, default: []].append(
                    KnowledgeReport.Said(
                        text: row.string(S.text), url: nil, contactID: row.optionalInt64(S.contactID), contactName: row.optionalString(S.contactName),
                        meetingID: row.optionalInt64(S.meetingID), createdAt: row.date(S.createdAt)))
            }
            // Resources recorded when meetings with people in the area were completed, too.
            var resources = said["resource"] ?? []
            typealias R = ResourceColumn
            try connection.forEachRow(
                "SELECT " + R.select + " FROM meeting_resources r JOIN meetings m ON m.id = r.meeting_id "
                    + "JOIN contacts c ON c.id = m.contact_id WHERE m.user_id = ? AND m.status = 'completed' "
                    + "AND m.contact_id IN (SELECT contact_id FROM contact_interests WHERE interest_id = ?) ORDER BY m.completed_at DESC, r.id LIMIT 100",
                [userID, interestID]
            ) { row in
                resources.append(
                    KnowledgeReport.Said(
                        text: row.string(R.title), url: row.optionalString(R.url), contactID: row.int64(R.contactID), contactName: row.string(R.contactName),
                        meetingID: row.int64(R.meetingID), createdAt: row.date(R.completedAt)))
            }

            let zone = try ZoneCache.rules(connection, userID: userID)
            let progress = Self.progress(interest: interest, completed: interest.coverage.meetings, now: now, zone: zone)
            return KnowledgeReport(
                interest: interest, people: people, meetingsHeld: interest.coverage.meetings, skills: skills, competencies: competencies,
                paths: said["path"] ?? [], advice: said["advice"] ?? [], trends: said["trend"] ?? [], resources: resources, progress: progress)
        }
    }

    /// The skills and competencies people named in one area, each counted by the distinct
    /// people who named it (most first), with the user's level when it is one of theirs. The
    /// knowledge report lists them; `GET /focus` measures fit against those named by two or more.
    static func named(_ connection: SQLiteConnection, userID: Int64, interestID: Int64) throws -> (skills: [KnowledgeReport.Named], competencies: [KnowledgeReport.Named]) {
        var skills: [KnowledgeReport.Named] = []
        var competencies: [KnowledgeReport.Named] = []
        typealias N = NamedColumn
        try connection.forEachRow(
            "SELECT " + N.select + " FROM insights n WHERE n.user_id = ? AND n.interest_id = ? AND (n.kind = 'skill' OR n.kind = 'competency') "
                + "GROUP BY n.kind, n.name_key ORDER BY people DESC, last_named DESC, n.name_key",
            [userID, interestID]
        ) { row in
            let level = row.optionalInt64(N.level).map(Int.init)
            // max(created_at) over a group: no one row to name when it is unreadable; the
            // insight that holds it fails on its own read (`GET /insights`), as corrupt.
            let named = KnowledgeReport.Named(
                name: row.optionalString(N.name) ?? row.string(N.nameKey), contacts: row.int(N.people), lastNamedAt: row.date(N.lastNamed) ?? .distantPast,
                have: level != nil, level: level)
            if row.string(N.kind) == "skill" { skills.append(named) } else { competencies.append(named) }
        }
        return (skills, competencies)
    }

    private enum PersonColumn: Int32, SelectList {
        case id, name, held
        var sql: String {
            switch self {
            case .id: "c.id"
            case .name: "c.name"
            case .held: "(SELECT count(*) FROM meetings m WHERE m.contact_id = c.id AND m.status = 'completed') AS held"
            }
        }
    }

    /// A skill or competency of the area, grouped by its folded name.
    private enum NamedColumn: Int32, SelectList {
        case kind, nameKey, people, lastNamed, name, level
        var sql: String {
            switch self {
            case .kind: "n.kind"
            case .nameKey: "n.name_key"
            // People, not mentions: one person naming a skill three times counts once.
            case .people: "count(DISTINCT \(KnowledgeService.speaker)) AS people"
            case .lastNamed: "max(n.created_at) AS last_named"
            // The spelling most insights used, the earliest on a tie.
            case .name:
                "(SELECT x.name FROM insights x WHERE x.interest_id = n.interest_id AND x.kind = n.kind AND x.name_key = n.name_key "
                    + "GROUP BY x.name ORDER BY count(*) DESC, min(x.created_at), min(x.id) LIMIT 1)"
            case .level: "(SELECT s.level FROM skills s WHERE s.user_id = n.user_id AND s.name_key = n.name_key)"
            }
        }
    }

    private enum SaidColumn: Int32, SelectList {
        case kind, text, contactID, contactName, meetingID, createdAt
        var sql: String {
            switch self {
            case .kind: "n.kind"
            case .text: "n.text"
            case .contactID: "\(KnowledgeService.speaker) AS who"
            case .contactName: "(SELECT name FROM contacts WHERE id = \(KnowledgeService.speaker))"
            case .meetingID: "n.meeting_id"
            case .createdAt: "n.created_at"
            }
        }
    }

    private enum ResourceColumn: Int32, SelectList {
        case title, url, contactID, contactName, meetingID, completedAt
        var sql: String {
            switch self {
            case .title: "r.title"
            case .url: "r.url"
            case .contactID: "m.contact_id"
            case .contactName: "c.name"
            case .meetingID: "m.id"
            case .completedAt: "m.completed_at"
            }
        }
    }

    /// A gap in one area.
    private enum GapColumn: Int32, SelectList {
        case nameKey, interestID, areaName, priority, people, lastNamed
        var sql: String {
            switch self {
            case .nameKey: "n.name_key"
            case .interestID: "n.interest_id"
            case .areaName: "coalesce(i.name, 'unassigned')"
            case .priority: "coalesce(i.priority, 1)"
            case .people: "count(DISTINCT \(KnowledgeService.speaker))"
            case .lastNamed: "max(n.created_at)"
            }
        }
    }

    /// A gap across areas (`?1` the user, `?2` the folded name).
    private enum WholeGapColumn: Int32, SelectList {
        case name, kind, people
        var sql: String {
            switch self {
            case .name:
                "(SELECT x.name FROM insights x WHERE x.user_id = ?1 AND x.name_key = ?2 GROUP BY x.name ORDER BY count(*) DESC, min(x.created_at), min(x.id) LIMIT 1)"
            case .kind: "(SELECT x.kind FROM insights x WHERE x.user_id = ?1 AND x.name_key = ?2 ORDER BY x.created_at DESC, x.id DESC LIMIT 1)"
            case .people: "(SELECT count(DISTINCT \(KnowledgeService.speaker)) FROM insights n WHERE n.user_id = ?1 AND n.name_key = ?2)"
            }
        }
    }

    /// Pace: the target spread evenly from the area's creation to the end of its target date
    /// (in the user's zone); on track when the meetings held reach what that asks by now.
    static func progress(interest: Interest, completed: Int, now: Date, zone: ZoneRules) -> KnowledgeReport.Progress {
        var progress = KnowledgeReport.Progress(
            targetMeetings: interest.targetMeetings, targetDate: interest.targetDate, completed: completed, remaining: nil, expectedByNow: nil,
            status: .noTarget)
        guard let target = interest.targetMeetings else { return progress }
        progress.remaining = max(0, target - completed)
        if completed >= target {
            progress.status = .done
            return progress
        }
        guard let text = interest.targetDate, let day = LocalDay.parse(text) else { return progress }
        let next = RFC3339.civilFromDays(Int64(RFC3339.daysFromCivil(year: day.year, month: day.month, day: day.day) + 1))
        let deadline = Date(timeIntervalSince1970: Double(zone.startOfDay(year: next.year, month: next.month, day: next.day)))
        let total = deadline.timeIntervalSince(interest.createdAt)
        let elapsed = now.timeIntervalSince(interest.createdAt)
        let expected = total <= 0 || elapsed >= total ? Double(target) : Double(target) * max(0, elapsed) / total
        progress.expectedByNow = (expected * 10).rounded() / 10
        progress.status = Double(completed) + 1e-9 >= expected ? .onTrack : .behind
        return progress
    }

    /// `GET /skills/gaps`: the skills and competencies named in any area that the user lacks,
    /// by how many distinct contacts named them, weighted by each area's priority.
    public func gaps(userID: Int64) throws -> [SkillGap] {
        try storage.read { connection in
            var gaps: [String: SkillGap] = [:]
            // Insights in no area are listed under `unassigned`, not dropped (their speaker had no
            // area, or several, when they were recorded).
            typealias G = GapColumn
            try connection.forEachRow(
                "SELECT " + G.select + " FROM insights n LEFT JOIN interests i ON i.id = n.interest_id WHERE n.user_id = ? AND (n.kind = 'skill' OR n.kind = 'competency') "
                    + "AND NOT EXISTS (SELECT 1 FROM skills s WHERE s.user_id = n.user_id AND s.name_key = n.name_key) "
                    + "GROUP BY n.name_key, n.interest_id ORDER BY n.interest_id IS NULL, n.interest_id",
                [userID]
            ) { row in
                let key = row.string(G.nameKey)
                let area = SkillGap.Area(
                    interestID: row.optionalInt64(G.interestID), name: row.string(G.areaName), priority: row.int(G.priority), contacts: row.int(G.people))
                // A group's max(created_at), as above: the row itself is reported where it is read.
                let last = row.date(G.lastNamed) ?? .distantPast
                var gap = gaps[key] ?? SkillGap(name: key, kind: "", contacts: 0, score: 0, lastNamedAt: last, areas: [])
                gap.areas.append(area)
                gap.score += area.contacts * area.priority
                gap.lastNamedAt = max(gap.lastNamedAt, last)
                gaps[key] = gap
            }
            typealias W = WholeGapColumn
            for key in Array(gaps.keys) {
                let (name, kind, contacts) = try connection.queryOne("SELECT " + W.select, [userID, key]) {
                    ($0.optionalString(W.name) ?? key, $0.optionalString(W.kind) ?? "skill", $0.int(W.people))
                } ?? (key, "skill", 0)
                gaps[key]?.name = name
                gaps[key]?.kind = kind
                gaps[key]?.contacts = contacts
            }
            return gaps.values.sorted { a, b in
                if a.score != b.score { return a.score > b.score }
                if a.contacts != b.contacts { return a.contacts > b.contacts }
                return a.name.lowercased() < b.name.lowercased()
            }
        }
    }
}

extension KnowledgeReport {
    /// The same report as a readable Markdown document.
    public func markdown(zone: String) -> String {
        func date(_ value: Date?) -> String { value.map { String(RFC3339.format($0).prefix(10)) } ?? "" }
        func who(_ said: Said) -> String { said.contactName.map { " — \($0)" } ?? "" }
        func escape(_ text: String) -> String {
            // Line breaks would end a list item; Markdown's own characters are left as typed.
            text.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }).joined(separator: " ")
        }
        var out = "# \(escape(interest.name))\n\n"
        if let goal = interest.goal { out += "Goal: \(escape(goal))\n\n" }
        out += "## Progress\n\n"
        switch progress.status {
        case .noTarget: out += "- No target set (\(progress.completed) meetings held).\n"
        case .done: out += "- Done: \(progress.completed) of \(progress.targetMeetings ?? 0) meetings held.\n"
        case .onTrack, .behind:
            out += "- \(progress.completed) of \(progress.targetMeetings ?? 0) meetings held, \(progress.remaining ?? 0) to go"
            out += progress.targetDate.map { " by \($0)" } ?? ""
            out += progress.status == .onTrack ? ": on track.\n" : ": behind (the pace asks for \(progress.expectedByNow ?? 0) by now).\n"
        }
        out += "\n## People met\n\n"
        out += people.isEmpty ? "None yet.\n" : people.map { "- \(escape($0.name)) (\($0.meetings) meeting\($0.meetings == 1 ? "" : "s"))\n" }.joined()
        for (title, one, list) in [("Skills", "Skill", skills), ("Competencies", "Competency", competencies)] {
            out += "\n## \(title)\n\n"
            if list.isEmpty {
                out += "None named yet.\n"
                continue
            }
            out += "| \(one) | Named by | Last named | You |\n|---|---|---|---|\n"
            for item in list {
                let you = item.have ? "have (level \(item.level ?? 0))" : "**gap**"
                out += "| \(escape(item.name).replacingPipes) | \(item.contacts) | \(date(item.lastNamedAt)) | \(you) |\n"
            }
        }
        for (title, list) in [("Paths into the field", paths), ("Advice", advice), ("Trends", trends), ("Resources", resources)] {
            out += "\n## \(title)\n\n"
            out += list.isEmpty ? "None yet.\n" : list.map { said in
                "- " + escape(said.text) + (said.url.map { " <\($0)>" } ?? "") + who(said) + "\n"
            }.joined()
        }
        return out
    }
}

extension String {
    /// A table cell's text: `|` would end the cell.
    fileprivate var replacingPipes: String { replacingOccurrences(of: "|", with: "\\|") }

    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
