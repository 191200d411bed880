#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Domain
import HTTPCore

/// The JSON representation of each resource (snake_case, RFC 3339 UTC timestamps).
enum ResourceJSON {
    /// `"key": {"id", "name"}` beside `key_id`, or null when it points nowhere.
    static func linked(_ key: String, id: Int64?, _ names: LinkedNames, _ w: inout JSONWriter) {
        w.key(key)
        guard let id else {
            w.null()
            return
        }
        w.objectStart()
        w.field("id", id)
        w.field("name", names[key])
        w.objectEnd()
    }

    static func write(_ user: User, _ w: inout JSONWriter) {
        write(user, digest: nil, withDigest: false, &w)
    }

    /// `/me`: the account with its digest settings (null when off).
    static func write(_ user: User, digest: DigestSettings?, withDigest: Bool = true, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("id", user.id)
        w.field("name", user.name)
        w.field("display_name", user.displayName)
        w.field("headline", user.headline)
        w.field("time_zone", user.timeZone)
        w.field("role", user.role.rawValue)
        w.field("disabled", user.disabled)
        w.field("has_password", user.hasPassword)
        w.key("follow_up_days")
        w.arrayStart()
        for days in user.followUpDays { w.int(Int64(days)) }
        w.arrayEnd()
        w.field("holidays", user.holidays)
        if withDigest {
            w.key("digest")
            if let digest {
                w.objectStart()
                w.field("email", digest.email)
                w.field("at", digest.at)
                w.field("days", digest.days.map(\.rawValue))
                w.field("send_when_empty", digest.sendWhenEmpty)
                w.field("confirmed", digest.confirmed)
                w.field("next_at", digest.nextAt)
                w.objectEnd()
            } else {
                w.null()
            }
        }
        w.field("created_at", user.createdAt)
        w.field("updated_at", user.updatedAt)
        w.field("version", user.version)
        w.objectEnd()
    }

    static func write(_ session: Session, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("token", session.token)
        w.field("expires_at", session.expiresAt)
        w.key("user")
        write(session.user, &w)
        w.objectEnd()
    }

    static func write(_ invite: Invite, now: Date, code: String? = nil, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("id", invite.id)
        w.field("role", invite.role.rawValue)
        if let code { w.field("code", code) }
        w.field("status", invite.status(at: now).rawValue)
        w.field("created_by", invite.createdBy)
        w.field("expires_at", invite.expiresAt)
        w.field("accepted_at", invite.acceptedAt)
        w.field("accepted_by", invite.acceptedBy)
        w.field("created_at", invite.createdAt)
        w.field("updated_at", invite.updatedAt)
        w.field("version", invite.version)
        w.objectEnd()
    }

    static func write(_ share: Share, viewer: Int64, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("id", share.id)
        w.field("direction", share.userID == viewer ? "granted" : "received")
        w.field("user_id", share.userID)
        w.field("user_name", share.userName)
        w.field("grantee_id", share.granteeID)
        w.field("grantee_name", share.granteeName)
        w.field("scope", share.scope.rawValue)
        w.field("created_at", share.createdAt)
        w.field("updated_at", share.updatedAt)
        w.field("version", share.version)
        w.objectEnd()
    }

    static func write(_ read: ShareRead, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("id", read.id)
        w.field("day", read.day)
        w.field("method", read.method)
        w.field("route", read.route)
        w.field("count", read.count)
        w.field("first_at", read.firstAt)
        w.field("last_at", read.lastAt)
        w.objectEnd()
    }

    static func write(_ note: CoachNote, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("id", note.id)
        w.field("text", note.text)
        w.field("author_id", note.authorID)
        w.field("author_name", note.authorName)
        w.field("contact_id", note.contactID)
        w.field("meeting_id", note.meetingID)
        w.field("pitch_id", note.pitchID)
        w.field("dismissed", note.dismissed)
        w.field("created_at", note.createdAt)
        w.field("updated_at", note.updatedAt)
        w.field("version", note.version)
        w.objectEnd()
    }

    static func write(_ token: Token, current: Int64?, secret: String? = nil, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("id", token.id)
        w.field("name", token.name)
        if let secret { w.field("token", secret) }
        w.field("kind", token.kind.rawValue)
        w.field("current", token.id == current)
        w.field("expires_at", token.expiresAt)
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
        w.field("target_meetings", interest.targetMeetings)
        w.field("priority", interest.priority)
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
        linked("organization", id: contact.organizationID, contact.names, &w)
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
        w.field("identified_at", contact.identified)
        w.field("created_at", contact.createdAt)
        w.field("updated_at", contact.updatedAt)
        w.field("version", contact.version)
        w.objectEnd()
    }

    /// The same representation as `write(_ contact: Contact)`, from the stored row (lists).
    /// A test holds the two together.
    static func write(_ contact: ContactRow, _ w: inout JSONWriter) throws(DomainError) {
        w.objectStart()
        w.field("id", contact.id)
        w.field("name", utf8: contact.name)
        w.field("title", utf8: contact.title)
        w.field("organization_id", contact.organizationID)
        w.key("organization")
        if let organizationID = contact.organizationID {
            w.objectStart()
            w.field("id", organizationID)
            w.field("name", utf8: contact.organizationName)
            w.objectEnd()
        } else {
            w.null()
        }
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
        // A row written outside the API (an old restore, a hand edit) may hold ''; the single read
        // answers created_at for it, so the list does too.
        let identified = contact.identifiedAt.flatMap { $0.isEmpty ? nil : $0 } ?? contact.createdAt
        try w.field("identified_at", storedTimestamp: identified, of: "contacts", id: contact.id)
        try w.field("created_at", storedTimestamp: contact.createdAt, of: "contacts", id: contact.id)
        try w.field("updated_at", storedTimestamp: contact.updatedAt, of: "contacts", id: contact.id)
        w.field("version", contact.version)
        w.objectEnd()
    }

    static func write(_ pitch: Pitch, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("id", pitch.id)
        w.field("name", pitch.name)
        w.field("body", pitch.body)
        w.field("channel", pitch.channel.rawValue)
        w.field("created_at", pitch.createdAt)
        w.field("updated_at", pitch.updatedAt)
        w.field("version", pitch.version)
        w.objectEnd()
    }

    static func write(_ render: PitchRender, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("pitch_id", render.pitchID)
        w.field("contact_id", render.contactID)
        w.field("interest_id", render.interestID)
        w.field("channel", render.channel.rawValue)
        w.field("text", render.text)
        w.field("word_count", render.wordCount)
        w.key("speaking_seconds")
        w.double(render.speakingSeconds)
        w.key("warnings")
        w.arrayStart()
        for warning in render.warnings {
            w.objectStart()
            w.field("code", warning.code)
            w.field("message", warning.message)
            w.objectEnd()
        }
        w.arrayEnd()
        w.objectEnd()
    }

    /// A meeting; `created` adds what completing it just created (the answer of `/complete`).
    static func write(_ meeting: Meeting, created: Completion? = nil, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("id", meeting.id)
        w.field("contact_id", meeting.contactID)
        linked("contact", id: meeting.contactID, meeting.names, &w)
        w.field("status", meeting.status.rawValue)
        w.field("scheduled_at", meeting.scheduledAt)
        w.field("duration_minutes", meeting.durationMinutes)
        w.field("medium", meeting.medium?.rawValue)
        w.field("location", meeting.location)
        w.field("resume_id", meeting.resumeID)
        linked("resume", id: meeting.resumeID, meeting.names, &w)
        w.field("notes", meeting.notes)
        w.field("impression", meeting.impression)
        w.field("outcome", meeting.outcome)
        w.field("completed_at", meeting.completedAt)
        w.field("thank_you_sent_at", meeting.thankYouSentAt)
        w.field("thank_you_due_at", meeting.thankYouDueAt)
        w.field("none_offered", meeting.noneOffered)
        w.field("status_reason", meeting.statusReason)
        w.field("referral_ids", meeting.referralIDs)
        w.field("event_ids", meeting.eventIDs)
        w.key("resources")
        w.arrayStart()
        for resource in meeting.resources {
            w.objectStart()
            w.field("id", resource.id)
            w.field("title", resource.title)
            w.field("url", resource.url)
            w.field("note", resource.note)
            w.objectEnd()
        }
        w.arrayEnd()
        if let created {
            w.key("created")
            w.objectStart()
            w.field("contact_ids", created.contactIDs)
            w.field("referral_ids", created.referralIDs)
            w.field("event_ids", created.eventIDs)
            w.field("resource_ids", created.resourceIDs)
            w.field("insight_ids", created.insightIDs)
            w.objectEnd()
        }
        w.field("created_at", meeting.createdAt)
        w.field("updated_at", meeting.updatedAt)
        w.field("version", meeting.version)
        w.objectEnd()
    }

    static func write(_ item: MeetingQuestion, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("id", item.id)
        w.field("meeting_id", item.meetingID)
        w.field("question_id", item.questionID)
        w.field("text", item.text)
        w.field("position", item.position)
        w.field("asked", item.asked)
        w.field("answer_notes", item.answerNotes)
        w.field("created_at", item.createdAt)
        w.field("updated_at", item.updatedAt)
        w.field("version", item.version)
        w.objectEnd()
    }

    static func write(_ report: PrepReport, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("ready", report.ready)
        w.key("items")
        w.arrayStart()
        for item in report.items {
            w.objectStart()
            w.field("code", item.code)
            w.field("status", item.passed ? "pass" : "warn")
            w.field("detail", item.detail)
            w.objectEnd()
        }
        w.arrayEnd()
        w.objectEnd()
    }

    static func write(_ referral: Referral, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("id", referral.id)
        w.field("referrer_id", referral.referrerID)
        linked("referrer", id: referral.referrerID, referral.names, &w)
        w.field("contact_id", referral.contactID)
        linked("contact", id: referral.contactID, referral.names, &w)
        w.field("meeting_id", referral.meetingID)
        w.field("note", referral.note)
        w.field("status", referral.status.rawValue)
        w.field("created_at", referral.createdAt)
        w.field("updated_at", referral.updatedAt)
        w.field("version", referral.version)
        w.objectEnd()
    }

    static func write(_ event: Event, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("id", event.id)
        w.field("name", event.name)
        w.field("starts_at", event.startsAt)
        w.field("ends_at", event.endsAt)
        w.field("location", event.location)
        w.field("url", event.url)
        w.field("recommended_by_id", event.recommendedByID)
        linked("recommended_by", id: event.recommendedByID, event.names, &w)
        w.field("meeting_id", event.meetingID)
        w.field("status", event.status.rawValue)
        w.field("notes", event.notes)
        w.field("created_at", event.createdAt)
        w.field("updated_at", event.updatedAt)
        w.field("version", event.version)
        w.objectEnd()
    }

    static func write(_ outreach: Outreach, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("id", outreach.id)
        w.field("contact_id", outreach.contactID)
        linked("contact", id: outreach.contactID, outreach.names, &w)
        w.field("channel", outreach.channel.rawValue)
        w.field("direction", outreach.direction.rawValue)
        w.field("sent_at", outreach.sentAt)
        w.field("pitch_id", outreach.pitchID)
        linked("pitch", id: outreach.pitchID, outreach.names, &w)
        w.field("resume_id", outreach.resumeID)
        linked("resume", id: outreach.resumeID, outreach.names, &w)
        w.field("summary", outreach.summary)
        w.field("created_at", outreach.createdAt)
        w.field("updated_at", outreach.updatedAt)
        w.field("version", outreach.version)
        w.objectEnd()
    }

    static func write(_ lead: Lead, _ w: inout JSONWriter) {
        w.objectStart()
        w.field("id", lead.id)
        w.field("title", lead.title)
        w.field("organization_id", lead.organizationID)
        linked("organization", id: lead.organizationID, lead.names, &w)
        w.field("contact_id", lead.contactID)
        linked("contact", id: lead.contactID, lead.names, &w)
        w.field("url", lead.url)
        w.field("source", lead.source.rawValue)
        w.field("status", lead.status.rawValue)
        w.field("notes", lead.notes)
        w.field("created_at", lead.createdAt)
        w.field("updated_at", lead.updatedAt)
        w.field("version", lead.version)
        w.objectEnd()
    }

    static func write(_ network: ReferralNetwork, _ w: inout JSONWriter) {
        w.objectStart()
        w.key("nodes")
        w.arrayStart()
        for node in network.nodes {
            w.objectStart()
            w.field("id", node.id)
            w.field("name", node.name)
            w.field("organization_id", node.organizationID)
            w.field("stage", node.stage)
            w.field("distance", node.distance)
            w.objectEnd()
        }
        w.arrayEnd()
        w.key("edges")
        w.arrayStart()
        for edge in network.edges {
            w.objectStart()
            w.field("from", edge.from)
            w.field("to", edge.to)
            w.field("referral_id", edge.referralID)
            w.objectEnd()
        }
        w.arrayEnd()
        w.field("truncated", network.truncated)
        w.objectEnd()
    }
}
