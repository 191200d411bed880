import Domain
import HTTPCore

/// `/meetings`: meetings, their status actions, the agenda (`/meetings/{id}/questions`) and
/// the prep report.
enum MeetingRoutes {
    static let fields: Set<String> = [
        "contact_id", "scheduled_at", "duration_minutes", "medium", "location", "resume_id", "notes", "impression", "outcome",
        "thank_you_sent_at",
    ]
    /// In responses, never written by PATCH: actions and the server own them.
    static let computed: Set<String> = [
        "status", "completed_at", "thank_you_due_at", "none_offered", "referral_ids", "event_ids", "resources", "created",
    ]

    static func draft(_ request: Request) throws -> MeetingDraft {
        var body = try BodyReader(request, fields: fields, computed: computed)
        var draft = MeetingDraft()
        draft.contactID = body.id("contact_id")
        draft.scheduledAt = body.timestamp("scheduled_at")
        draft.durationMinutes = body.int("duration_minutes", nullable: false)
        draft.medium = body.enumeration("medium", MeetingMedium.self, nullable: true)
        draft.location = body.string("location")
        draft.resumeID = body.id("resume_id")
        draft.notes = body.string("notes", multiline: true)
        draft.impression = body.int("impression", nullable: true)
        draft.outcome = body.string("outcome", multiline: true)
        draft.thankYouSentAt = body.timestamp("thank_you_sent_at")
        try body.finish()
        return draft
    }

    static let referralFields: Set<String> = ["contact_id", "contact", "note"]
    static let eventFields: Set<String> = ["name", "starts_at", "ends_at", "location", "url", "notes"]
    static let resourceFields: Set<String> = ["title", "url", "note"]

    /// The optional `{"reason"}` of cancel and no-show.
    static func reason(_ body: inout BodyReader?) throws -> String? {
        guard var reader = body else { return nil }
        if reader.isNull("reason") { reader.reject("reason", "must not be null; leave it out") }
        let reason = reader.string("reason", multiline: true).applied(to: nil)
        try reader.finish()
        return reason
    }

    /// The body of `/complete`, every nested object read with its path.
    static func completion(_ body: inout BodyReader?) throws -> CompletionRequest {
        var request = CompletionRequest()
        guard var body else { return request }
        request.notes = body.string("notes", multiline: true)
        request.impression = body.int("impression", nullable: true)
        request.outcome = body.string("outcome", multiline: true)
        request.noneOffered = body.bool("none_offered").applied(to: nil) ?? false
        if body.isNull("completed_at") { body.reject("completed_at", "must not be null; leave it out to mean now") }
        request.completedAt = body.timestamp("completed_at").applied(to: nil)
        for var item in try body.objects("referrals", fields: referralFields) ?? [] {
            let contactID = item.id("contact_id")
            let nested = try item.object("contact", fields: ContactRoutes.fields)
            let note = item.string("note", multiline: true).applied(to: nil)
            for name in ["contact_id", "contact"] where item.isNull(name) { item.reject(name, "must not be null") }
            switch (contactID.applied(to: nil), nested) {
            case (let id?, nil):
                request.referrals.append(ReferralRequest(person: .existing(id), note: note))
            case (nil, var contact?):
                request.referrals.append(ReferralRequest(person: .new(ContactRoutes.read(&contact)), note: note))
            case (.some, .some):
                item.reject("contact_id", "send contact_id or an inline contact, not both")
            case (nil, nil):
                if !item.isNull("contact_id") && !item.isNull("contact") { item.reject("contact_id", "send contact_id or an inline contact") }
            }
        }
        for var item in try body.objects("events", fields: eventFields) ?? [] {
            var event = EventRequest()
            event.name = item.requiredString("name").applied(to: nil)
            event.startsAt = item.timestamp("starts_at").applied(to: nil)
            event.endsAt = item.timestamp("ends_at").applied(to: nil)
            event.location = item.string("location").applied(to: nil)
            event.url = item.string("url").applied(to: nil)
            event.notes = item.string("notes", multiline: true).applied(to: nil)
            request.events.append(event)
        }
        for var item in try body.objects("insights", fields: ["kind", "name", "text", "interest_id"]) ?? [] {
            var draft = InsightDraft()
            draft.kind = item.enumeration("kind", InsightKind.self)
            draft.name = item.string("name")
            draft.text = item.string("text", multiline: true)
            draft.interestID = item.id("interest_id")
            request.insights.append(draft)
        }
        for var item in try body.objects("resources", fields: resourceFields) ?? [] {
            let title = item.requiredString("title").applied(to: nil) ?? ""
            request.resources.append(
                MeetingResource(title: title, url: item.string("url").applied(to: nil), note: item.string("note", multiline: true).applied(to: nil)))
        }
        try body.finish()
        return request
    }

    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let meetings = context.meetings
        let auth = context.authenticator
        let write: @Sendable (Meeting, inout JSONWriter) -> Void = { ResourceJSON.write($0, &$1) }
        ResourceRoutes<Meeting, MeetingDraft>(
            path: "/meetings", id: \.id, version: \.version, write: write, draft: draft,
            list: { request, principal in
                let query = try ListQuery(
                    request, filters: ["contact_id", "status", "from", "to", "q", "updated_since"], sorts: MeetingService.sorts,
                    defaultSort: MeetingService.defaultSort)
                var filter = MeetingFilter()
                filter.contactID = try query.id("contact_id")
                filter.status = try query.enumeration("status", MeetingStatus.self)
                filter.from = try query.timestamp("from")
                filter.to = try query.timestamp("to")
                filter.text = try query.string("q")
                filter.updatedSince = try query.timestamp("updated_since")
                let page = try meetings.list(userID: principal.userID, filter: filter, page: query.page)
                return Reply.list(page, sort: query.page.sort) { ResourceJSON.write($1, &$0) }
            },
            service: meetings
        ).register(on: &router, auth)

        ActionRoute<Meeting>(
            path: "/meetings", verb: "schedule", fields: ["scheduled_at", "duration_minutes", "medium", "location"], version: \.version, write: write,
            perform: { userID, id, body, precondition in
                var request = ScheduleRequest()
                if var reader = body {
                    request.scheduledAt = reader.timestamp("scheduled_at").applied(to: nil)
                    request.durationMinutes = reader.int("duration_minutes", nullable: false).applied(to: nil)
                    request.medium = reader.enumeration("medium", MeetingMedium.self).applied(to: nil)
                    request.location = reader.string("location").applied(to: nil)
                    try reader.finish()
                }
                return try meetings.schedule(userID: userID, id: id, request: request, precondition: precondition)
            }
        ).register(on: &router, auth)
        ActionRoute<Meeting>(
            path: "/meetings", verb: "cancel", fields: ["reason"], version: \.version, write: write,
            perform: { userID, id, body, precondition in
                try meetings.cancel(userID: userID, id: id, reason: try reason(&body), precondition: precondition)
            }
        ).register(on: &router, auth)
        ActionRoute<Meeting>(
            path: "/meetings", verb: "no-show", fields: ["reason"], version: \.version, write: write,
            perform: { userID, id, body, precondition in
                try meetings.noShow(userID: userID, id: id, reason: try reason(&body), precondition: precondition)
            }
        ).register(on: &router, auth)
        ActionRoute<Completion>(
            path: "/meetings", verb: "complete",
            fields: ["notes", "impression", "outcome", "referrals", "events", "resources", "insights", "none_offered", "completed_at"],
            version: \.meeting.version, write: { ResourceJSON.write($0.meeting, created: $0, &$1) },
            perform: { userID, id, body, precondition in
                try meetings.complete(userID: userID, id: id, request: try completion(&body), precondition: precondition)
            }
        ).register(on: &router, auth)

        router.add("GET", "/meetings/{id:int}/prep", auth.route(.worker) { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            let report = try meetings.prep(userID: principal.userID, id: try request.intParameter("id"))
            var writer = JSONWriter(capacity: 1024)
            ResourceJSON.write(report, &writer)
            return Response.json(200, writer)
        })

        registerAgenda(on: &router, context)
    }

    static let agendaFields: Set<String> = ["question_id", "text", "position", "asked", "answer_notes"]

    static func agendaDraft(_ request: Request) throws -> MeetingQuestionDraft {
        var body = try BodyReader(request, fields: agendaFields, computed: ["meeting_id"])
        var draft = MeetingQuestionDraft()
        draft.questionID = body.id("question_id")
        draft.text = body.string("text")
        draft.position = body.int("position", nullable: false)
        draft.asked = body.bool("asked")
        draft.answerNotes = body.string("answer_notes", multiline: true)
        try body.finish()
        return draft
    }

    private static func registerAgenda(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let agenda = context.meetingQuestions
        SubresourceRoutes<MeetingQuestion, MeetingQuestionDraft>(
            parentPath: "/meetings", name: "questions", id: \.id, version: \.version, write: { ResourceJSON.write($0, &$1) },
            draft: agendaDraft,
            list: { request, principal, meetingID in
                let query = try ListQuery(request, filters: [], sorts: MeetingQuestionService.sorts, defaultSort: MeetingQuestionService.defaultSort)
                let page = try agenda.list(userID: principal.userID, meetingID: meetingID, page: query.page)
                return Reply.list(page, sort: query.page.sort) { ResourceJSON.write($1, &$0) }
            },
            get: { try agenda.get(userID: $0, meetingID: $1, id: $2) },
            create: { try agenda.add(userID: $0, meetingID: $1, draft: $2) },
            update: { try agenda.update(userID: $0, meetingID: $1, id: $2, draft: $3, precondition: $4) },
            delete: { agenda.remove(userID: $0, meetingID: $1, id: $2, precondition: $3) }
        ).register(on: &router, context.authenticator)
    }
}
