import Domain
import HTTPCore

/// `/insights` and `/skills`: the knowledge base.
enum KnowledgeRoutes {
    static let insightFields: Set<String> = ["meeting_id", "contact_id", "interest_id", "kind", "name", "text"]
    static let skillFields: Set<String> = ["name", "level", "evidence"]

    static func insightDraft(_ request: Request) throws -> InsightDraft {
        var body = try BodyReader(request, fields: insightFields)
        var draft = InsightDraft()
        draft.meetingID = body.id("meeting_id")
        draft.contactID = body.id("contact_id")
        draft.interestID = body.id("interest_id")
        draft.kind = body.enumeration("kind", InsightKind.self)
        draft.name = body.string("name")
        draft.text = body.string("text", multiline: true)
        try body.finish()
        return draft
    }

    static func skillDraft(_ request: Request) throws -> SkillDraft {
        var body = try BodyReader(request, fields: skillFields)
        var draft = SkillDraft()
        draft.name = body.requiredString("name")
        draft.level = body.int("level", nullable: false)
        draft.evidence = body.string("evidence", multiline: true)
        try body.finish()
        return draft
    }

    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let insights = context.insights
        let skills = context.skills
        ResourceRoutes<Insight, InsightDraft>(
            path: "/insights", id: \.id, version: \.version, write: { ResourceJSON.write($0, &$1) }, draft: insightDraft,
            list: { request, principal in
                let query = try ListQuery(
                    request, filters: ["meeting_id", "contact_id", "interest_id", "kind", "q", "updated_since"], sorts: InsightService.sorts,
                    defaultSort: InsightService.defaultSort)
                var filter = InsightFilter()
                filter.meetingID = try query.id("meeting_id")
                filter.contactID = try query.id("contact_id")
                filter.interestID = try query.id("interest_id")
                filter.kind = try query.enumeration("kind", InsightKind.self)
                filter.text = try query.string("q")
                filter.updatedSince = try query.timestamp("updated_since")
                let page = try insights.list(userID: principal.userID, filter: filter, page: query.page)
                return Reply.list(page, sort: query.page.sort) { ResourceJSON.write($1, &$0) }
            },
            service: insights
        ).register(on: &router, context.authenticator)

        ResourceRoutes<Skill, SkillDraft>(
            path: "/skills", id: \.id, version: \.version, write: { ResourceJSON.write($0, &$1) }, draft: skillDraft,
            list: { request, principal in
                let query = try ListQuery(request, filters: ["q", "updated_since"], sorts: SkillService.sorts, defaultSort: SkillService.defaultSort)
                var filter = SkillFilter()
                filter.text = try query.string("q")
                filter.updatedSince = try query.timestamp("updated_since")
                let page = try skills.list(userID: principal.userID, filter: filter, page: query.page)
                return Reply.list(page, sort: query.page.sort) { ResourceJSON.write($1, &$0) }
            },
            service: skills
        ).register(on: &router, context.authenticator)

        let knowledge = context.knowledge
        let accounts = context.accounts
        router.add("GET", "/interests/{id:int}/knowledge", context.authenticator.route { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            let report = try knowledge.report(userID: principal.userID, interestID: try request.intParameter("id"))
            return Reply.report(request, capacity: 4096, markdown: { report.markdown(zone: (try? accounts.user(id: principal.userID).timeZone) ?? "UTC") }) {
                write(report, &$0)
            }
        })

        router.add("GET", "/skills/gaps", context.authenticator.route { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            let gaps = try knowledge.gaps(userID: principal.userID)
            var w = JSONWriter(capacity: 256 + gaps.count * 256)
            w.objectStart()
            w.key("items")
            w.arrayStart()
            for gap in gaps {
                w.objectStart()
                w.field("name", gap.name)
                w.field("kind", gap.kind)
                w.field("contacts", gap.contacts)
                w.field("score", gap.score)
                w.field("last_named_at", gap.lastNamedAt)
                w.key("areas")
                w.arrayStart()
                for area in gap.areas {
                    w.objectStart()
                    w.field("interest_id", area.interestID)
                    w.field("name", area.name)
                    w.field("priority", area.priority)
                    w.field("contacts", area.contacts)
                    w.objectEnd()
                }
                w.arrayEnd()
                w.objectEnd()
            }
            w.arrayEnd()
            w.objectEnd()
            return Response.json(200, w)
        })
    }

    static func write(_ report: KnowledgeReport, _ w: inout JSONWriter) {
        func said(_ key: StaticString, _ list: [KnowledgeReport.Said]) {
            w.key(key)
            w.arrayStart()
            for item in list {
                w.objectStart()
                w.field("text", item.text)
                w.field("url", item.url)
                w.field("contact_id", item.contactID)
                w.field("contact_name", item.contactName)
                w.field("meeting_id", item.meetingID)
                w.field("created_at", item.createdAt)
                w.objectEnd()
            }
            w.arrayEnd()
        }
        func named(_ key: StaticString, _ list: [KnowledgeReport.Named]) {
            w.key(key)
            w.arrayStart()
            for item in list {
                w.objectStart()
                w.field("name", item.name)
                w.field("contacts", item.contacts)
                w.field("last_named_at", item.lastNamedAt)
                w.field("status", item.have ? "have" : "gap")
                w.field("level", item.level)
                w.objectEnd()
            }
            w.arrayEnd()
        }
        w.objectStart()
        w.field("interest_id", report.interest.id)
        w.field("name", report.interest.name)
        w.field("goal", report.interest.goal)
        w.key("people")
        w.arrayStart()
        for person in report.people {
            w.objectStart()
            w.field("id", person.id)
            w.field("name", person.name)
            w.field("meetings", person.meetings)
            w.objectEnd()
        }
        w.arrayEnd()
        w.field("meetings_held", report.meetingsHeld)
        named("skills", report.skills)
        named("competencies", report.competencies)
        said("paths", report.paths)
        said("advice", report.advice)
        said("trends", report.trends)
        said("resources", report.resources)
        let progress = report.progress
        w.key("progress")
        w.objectStart()
        w.field("target_meetings", progress.targetMeetings)
        w.field("target_date", progress.targetDate)
        w.field("completed", progress.completed)
        w.field("remaining", progress.remaining)
        w.key("expected_by_now")
        if let expected = progress.expectedByNow { w.double(expected) } else { w.null() }
        w.field("status", progress.status.rawValue)
        w.objectEnd()
        w.objectEnd()
    }
}

extension ResourceJSON {
    static func write(_ insight: Insight, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("id", insight.id)
        w.field("meeting_id", insight.meetingID)
        w.field("contact_id", insight.contactID)
        w.field("interest_id", insight.interestID)
        w.field("kind", insight.kind.rawValue)
        w.field("name", insight.name)
        w.field("text", insight.text)
        w.field("created_at", insight.createdAt)
        w.field("updated_at", insight.updatedAt)
        w.field("version", insight.version)
        w.objectEnd()
    }

    static func write(_ skill: Skill, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("id", skill.id)
        w.field("name", skill.name)
        w.field("level", skill.level)
        w.field("evidence", skill.evidence)
        w.field("created_at", skill.createdAt)
        w.field("updated_at", skill.updatedAt)
        w.field("version", skill.version)
        w.objectEnd()
    }
}
