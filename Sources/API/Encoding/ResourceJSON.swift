import Domain
import HTTPCore

/// The JSON representation of each resource (snake_case, RFC 3339 UTC timestamps).
enum ResourceJSON {
    static func write(_ user: User, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("id", user.id)
        w.field("name", user.name)
        w.field("time_zone", user.timeZone)
        w.field("created_at", user.createdAt)
        w.field("updated_at", user.updatedAt)
        w.field("version", user.version)
        w.objectEnd()
    }

    static func write(_ token: Token, current: Int64?, secret: String? = nil, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("id", token.id)
        w.field("name", token.name)
        if let secret { w.field("token", secret) }
        w.field("current", token.id == current)
        w.field("last_used_at", token.lastUsedAt)
        w.field("created_at", token.createdAt)
        w.field("updated_at", token.updatedAt)
        w.field("version", token.version)
        w.objectEnd()
    }

    static func write(_ interest: Interest, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("id", interest.id)
        w.field("name", interest.name)
        w.field("goal", interest.goal)
        w.field("target_date", interest.targetDate)
        w.key("coverage")
        w.objectStart()
        w.field("contacts", interest.coverage.contacts)
        w.field("organizations", interest.coverage.organizations)
        w.field("meetings", interest.coverage.meetings)
        w.objectEnd()
        w.field("created_at", interest.createdAt)
        w.field("updated_at", interest.updatedAt)
        w.field("version", interest.version)
        w.objectEnd()
    }

    static func write(_ organization: Organization, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("id", organization.id)
        w.field("name", organization.name)
        w.field("industry", organization.industry)
        w.field("website", organization.website)
        w.field("location", organization.location)
        w.field("notes", organization.notes)
        w.field("interest_ids", organization.interestIDs)
        w.field("advocacy", organization.advocacy)
        w.field("motivation", organization.motivation)
        w.field("posting", organization.posting)
        w.field("contact_count", organization.contactCount)
        w.field("created_at", organization.createdAt)
        w.field("updated_at", organization.updatedAt)
        w.field("version", organization.version)
        w.objectEnd()
    }

    static func write(_ question: Question, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("id", question.id)
        w.field("text", question.text)
        w.field("category", question.category.rawValue)
        w.field("tags", question.tags)
        w.field("created_at", question.createdAt)
        w.field("updated_at", question.updatedAt)
        w.field("version", question.version)
        w.objectEnd()
    }

    static func write(_ resume: Resume, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("id", resume.id)
        w.field("label", resume.label)
        w.field("interest_id", resume.interestID)
        w.field("content", resume.content)
        w.field("url", resume.url)
        w.field("content_updated_at", resume.contentUpdatedAt)
        w.field("created_at", resume.createdAt)
        w.field("updated_at", resume.updatedAt)
        w.field("version", resume.version)
        w.objectEnd()
    }

    static func write(_ contact: Contact, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("id", contact.id)
        w.field("name", contact.name)
        w.field("title", contact.title)
        w.field("organization_id", contact.organizationID)
        w.field("email", contact.email)
        w.field("phone", contact.phone)
        w.field("linkedin_url", contact.linkedinURL)
        w.field("location", contact.location)
        w.field("source", contact.source)
        w.field("hook", contact.hook)
        w.field("tags", contact.tags)
        w.field("interest_ids", contact.interestIDs)
        w.field("stage", contact.stage.rawValue)
        w.field("keep_in_touch_days", contact.keepInTouchDays)
        w.field("notes", contact.notes)
        w.field("created_at", contact.createdAt)
        w.field("updated_at", contact.updatedAt)
        w.field("version", contact.version)
        w.objectEnd()
    }

    /// The same representation as `write(_ contact: Contact)`, from the stored row (lists).
    /// A test holds the two together.
    static func write(_ contact: ContactRow, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("id", contact.id)
        w.field("name", utf8: contact.name)
        w.field("title", utf8: contact.title)
        w.field("organization_id", contact.organizationID)
        w.field("email", utf8: contact.email)
        w.field("phone", utf8: contact.phone)
        w.field("linkedin_url", utf8: contact.linkedinURL)
        w.field("location", utf8: contact.location)
        w.field("source", utf8: contact.source)
        w.field("hook", utf8: contact.hook)
        w.key("tags")
        w.arrayStart()
        if let tags = contact.joinedTags {
            for tag in tags.split(separator: 0x1F) { w.string(utf8: UnsafeBufferPointer(rebasing: tag)) }
        }
        w.arrayEnd()
        w.key("interest_ids")
        w.arrayStart()
        if let ids = contact.joinedInterestIDs {
            for id in ids.split(separator: 0x2C) {
                var value: Int64 = 0
                for digit in id where digit >= 0x30 && digit <= 0x39 { value = value &* 10 &+ Int64(digit - 0x30) }
                w.int(value)
            }
        }
        w.arrayEnd()
        w.field("stage", utf8: contact.stage)
        w.field("keep_in_touch_days", contact.keepInTouchDays)
        w.field("notes", utf8: contact.notes)
        w.field("created_at", storedTimestamp: contact.createdAt)
        w.field("updated_at", storedTimestamp: contact.updatedAt)
        w.field("version", contact.version)
        w.objectEnd()
    }
}
