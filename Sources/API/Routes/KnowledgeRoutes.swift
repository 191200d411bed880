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
