#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// Meetings: CRUD, the status actions, completion with what it leaves behind, the agenda and
/// the prep report.
public final class MeetingService: ResourceService<Meeting, MeetingDraft>, @unchecked Sendable {
    // @unchecked restated from ResourceService, as Swift requires; what this class adds are lets of
    // Sendable types.
    private let path: ResourcePath<MeetingRules>
    let storage: Storage
    let clock: any Clock

    public static let sorts: [String: ListOrder] = {
        var sorts = ListOrder.standard(alias: "m", nameColumn: nil)
        // Proposed meetings have no time yet and sort first (see the meetings_scheduled index).
        sorts["scheduled_at"] = ListOrder(name: "scheduled_at", columns: ["coalesce(m.scheduled_at, '')"], descending: false)
        sorts["-scheduled_at"] = ListOrder(name: "-scheduled_at", columns: ["coalesce(m.scheduled_at, '')"], descending: true)
        return sorts
    }()
    public static let defaultSort = "created_at"

    public init(storage: Storage, clock: any Clock = SystemClock()) {
        self.storage = storage
        self.clock = clock
        path = ResourcePath(storage: storage, clock: clock, rules: MeetingRules())
        super.init(path)
    }

    public func list(userID: Int64, filter: MeetingFilter, page: PageRequest) throws -> Page<Meeting> {
        try path.list(userID: userID, page: page) { query in
            query.equals("m.contact_id", filter.contactID)
            query.equals("m.status", filter.status?.rawValue)
            query.within("m.scheduled_at", from: filter.from, to: filter.to)
            query.contains(filter.text, in: ["m.location", "m.notes", "m.outcome"])
            query.updatedSince(filter.updatedSince)
        }
    }

    // MARK: Actions

    /// `proposed` or `scheduled` → `scheduled`: sets (or moves) the time, and moves the contact
    /// to `scheduled`.
    public func schedule(userID: Int64, id: Int64, request: ScheduleRequest, precondition: VersionPrecondition) throws -> Future<Meeting> {
        var validator = Validator()
        validator.range("duration_minutes", request.durationMinutes, 5...240)
        let location = validator.optional("location", request.location, maxLength: 500)
        try validator.finish()
        let storage = storage
        return storage.submit { connection in
            let current = try MeetingStore.load(connection, userID: userID, id: id)
            try precondition.check(current.version)
            try Self.allow("schedule", current, from: [.proposed, .scheduled])
            var updated = current
            updated.scheduledAt = request.scheduledAt ?? current.scheduledAt
            updated.durationMinutes = request.durationMinutes ?? current.durationMinutes
            updated.medium = request.medium ?? current.medium
            updated.location = location ?? current.location
            guard updated.scheduledAt != nil else {
                throw DomainError.validation([FieldIssue("scheduled_at", "is required: the meeting has no time yet")])
            }
            updated.status = .scheduled
            if current.status == .proposed {
                updated.stageBefore = try ContactStore.stage(connection, id: current.contactID).flatMap(ContactStage.init(rawValue:))
            }
            guard updated != current else { return current }
            let stamp = storage.stamp()
            try MeetingStore.update(connection, updated, replacing: current, at: stamp)
            try StageAutomation.advance(connection, contactID: current.contactID, to: .scheduled, at: stamp)
            return try MeetingStore.load(connection, userID: userID, id: id)
        }
    }

    /// `proposed` or `scheduled` → `cancelled`, with an optional reason.
    public func cancel(userID: Int64, id: Int64, reason: String? = nil, precondition: VersionPrecondition) throws -> Future<Meeting> {
        try move(userID: userID, id: id, action: "cancel", from: [.proposed, .scheduled], to: .cancelled, reason: reason, precondition: precondition)
    }

    /// `scheduled` → `no_show`: the other person did not come.
    public func noShow(userID: Int64, id: Int64, reason: String? = nil, precondition: VersionPrecondition) throws -> Future<Meeting> {
        try move(userID: userID, id: id, action: "no-show", from: [.scheduled], to: .noShow, reason: reason, precondition: precondition)
    }

    /// A meeting that will not happen gives the contact back the stage they had before it was
    /// scheduled, unless another meeting with them is still scheduled or they moved on by hand.
    private func move(
        userID: Int64, id: Int64, action: String, from allowed: [MeetingStatus], to status: MeetingStatus, reason: String?,
        precondition: VersionPrecondition
    ) throws -> Future<Meeting> {
        var validator = Validator()
        let reason = validator.optional("reason", reason, maxLength: 2000, multiline: true)
        try validator.finish()
        let storage = storage
        return storage.submit { connection in
            let current = try MeetingStore.load(connection, userID: userID, id: id)
            try precondition.check(current.version)
            try Self.allow(action, current, from: allowed)
            var updated = current
            updated.status = status
            updated.statusReason = reason
            let stamp = storage.stamp()
            try MeetingStore.update(connection, updated, replacing: current, at: stamp)
            if current.status == .scheduled {
                try Self.restoreStage(connection, meeting: current, at: stamp)
            }
            return try MeetingStore.load(connection, userID: userID, id: id)
        }
    }

    /// Puts the contact of a meeting that will not happen back where they were: the stage
    /// recorded when it was scheduled, or (for meetings from before that was recorded) what
    /// their history says: met, contacted or identified.
    static func restoreStage(_ connection: SQLiteConnection, meeting: Meeting, at stamp: Date) throws {
        guard !(try MeetingStore.hasOtherScheduled(connection, contactID: meeting.contactID, except: meeting.id)) else { return }
        var target = meeting.stageBefore
        if target == nil || target == .scheduled {
            // Scheduled while another meeting was: that one knew where they stood.
            target = try MeetingStore.latestStageBefore(connection, contactID: meeting.contactID).flatMap(ContactStage.init(rawValue:))
        }
        if target == nil {
            if try MeetingStore.hasCompleted(connection, contactID: meeting.contactID) {
                target = .met
            } else if try OutreachStore.hasOutbound(connection, contactID: meeting.contactID) {
                target = .contacted
            } else {
                target = .identified
            }
        }
        guard let target else { return }
        try ContactStore.leaveScheduled(connection, id: meeting.contactID, to: target, at: stamp)
    }

    /// Throws 409 `illegal_transition` unless the meeting's status is one of `allowed`.
    static func allow(_ action: String, _ meeting: Meeting, from allowed: [MeetingStatus]) throws {
        guard !allowed.contains(meeting.status) else { return }
        let from = allowed.map(\.rawValue).joined(separator: " or ")
        throw DomainError.illegalTransition(
            detail: "Meeting \(meeting.id) is \(meeting.status.rawValue); \(action) is allowed only from \(from).", status: meeting.status.rawValue)
    }

    /// `scheduled` → `completed`, with what the meeting left behind (docs/product.md step 6): the
    /// referrals (new contacts created inline), events and resources, all in one transaction
    /// with the meeting's change and the contact's move to `met`, or none of it.
    public func complete(userID: Int64, id: Int64, request: CompletionRequest, precondition: VersionPrecondition) throws -> Future<Completion> {
        let now = clock.now()
        var times = Validator()
        times.notFuture("completed_at", request.completedAt, now: now)
        try times.finish()
        let checked = try CompletionCheck(request)
        let storage = storage
        return storage.submit { connection in
            let current = try MeetingStore.load(connection, userID: userID, id: id)
            try precondition.check(current.version)
            try Self.allow("complete", current, from: [.scheduled])
            if request.completedAt == nil, let scheduled = current.scheduledAt, scheduled > now.addingTimeInterval(Validator.clockSkew) {
                throw DomainError.unprocessable(
                    code: "not_yet_held",
                    detail: "Meeting \(id) is scheduled for \(RFC3339.format(scheduled)); complete it after it happened, or say when it did with completed_at.",
                    issues: [FieldIssue("completed_at", "is required to complete a meeting before its scheduled time")])
            }
            try checked.checkReferences(connection, userID: userID, meeting: current)
            let stamp = storage.stamp()
            var created = Completion(meeting: current, contactIDs: [], referralIDs: [], eventIDs: [], resourceIDs: [])
            for (index, referral) in checked.referrals.enumerated() {
                let contactID: Int64
                switch referral.person {
                case .existing(let existing):
                    contactID = existing
                case .new(let contact):
                    contactID = try CompletionCheck.insert(contact, connection, userID: userID, field: "referrals[\(index)].contact", at: stamp)
                    created.contactIDs.append(contactID)
                }
                let row = Referral(
                    id: 0, userID: userID, referrerID: current.contactID, contactID: contactID, meetingID: id, note: referral.note,
                    status: .suggested, createdAt: stamp, updatedAt: stamp, version: 1)
                created.referralIDs.append(try ReferralStore.insert(connection, userID: userID, row, at: stamp).id)
            }
            for event in checked.events {
                var row = event
                row.userID = userID
                row.recommendedByID = current.contactID
                row.meetingID = id
                created.eventIDs.append(try EventStore.insert(connection, userID: userID, row, at: stamp).id)
            }
            for resource in checked.resources {
                created.resourceIDs.append(try MeetingStore.insertResource(connection, meetingID: id, resource))
            }
            for insight in checked.insights {
                var row = insight
                row.userID = userID
                row.meetingID = id
                row.contactID = current.contactID
                if row.interestID == nil { row.interestID = try InsightRules.soleInterest(connection, contactID: current.contactID) }
                row.createdAt = stamp
                row.updatedAt = stamp
                created.insightIDs.append(try InsightStore.insert(connection, userID: userID, row, at: stamp).id)
            }
            var updated = current
            updated.status = .completed
            updated.completedAt = request.completedAt ?? stamp
            updated.noneOffered = checked.noneOffered
            updated.notes = checked.notes.applied(to: current.notes)
            updated.impression = checked.impression.applied(to: current.impression)
            updated.outcome = checked.outcome.applied(to: current.outcome)
            try MeetingStore.update(connection, updated, replacing: current, at: stamp)
            try StageAutomation.advance(connection, contactID: current.contactID, to: .met, at: stamp, touched: true)
            // Logged afterwards: the touch was when it happened, not now.
            if request.completedAt != nil { try Touch.refresh(connection, contactID: current.contactID) }
            // Meeting someone who was referred is the referral's happy end.
            try ReferralStore.markMet(connection, contactID: current.contactID, at: stamp)
            if checked.referrals.isEmpty {
                try Reminders.rebuildAskReferral(connection, userID: userID, contactID: current.contactID)
            } else {
                // This meeting is the contact's latest and it left a referral: nothing to ask again.
                try Reminders.dropAskReferral(connection, contactID: current.contactID)
            }
            created.meeting = try MeetingStore.load(connection, userID: userID, id: id)
            // One read of the account's hooks for both events (a completion is W10's hot path).
            let hooks = try WebhookStore.subscriptions(connection, userID: userID)
            try WebhookService.emit(
                connection, storage, userID: userID, event: .meetingCompleted,
                data: "{\"meeting_id\":\(id),\"contact_id\":\(current.contactID),\"completed_at\":\(JSONText.quote(RFC3339.format(updated.completedAt ?? stamp))),"
                    + "\"referral_ids\":[\(created.referralIDs.map(String.init).joined(separator: ","))]}", at: stamp, subscriptions: hooks)
            for referral in created.referralIDs {
                try WebhookService.emit(
                    connection, storage, userID: userID, event: .referralCreated, data: try WebhookService.referralData(connection, id: referral), at: stamp,
                    subscriptions: hooks)
            }
            return created
        }
    }
}

/// A completion body checked before it reaches the writer: every field and nested object,
/// with paths (`referrals[2].contact.email`), and the rule that a meeting leaves something.
struct CompletionCheck: Sendable {
    struct CheckedReferral: Sendable {
        var person: Person
        var note: String?

        enum Person: Sendable {
            case existing(Int64)
            case new(Contact)
        }
    }

    var notes: Patch<String>
    var impression: Patch<Int>
    var outcome: Patch<String>
    var referrals: [CheckedReferral] = []
    var events: [Event] = []
    var resources: [MeetingResource] = []
    var insights: [Insight] = []
    var noneOffered: Bool

    init(_ request: CompletionRequest) throws(DomainError) {
        var validator = Validator()
        notes = Patch(validator.optional("notes", request.notes.applied(to: nil), maxLength: 20_000, multiline: true))
        if request.notes.isAbsent { notes = .absent }
        outcome = request.outcome.isAbsent ? .absent : Patch(validator.optional("outcome", request.outcome.applied(to: nil), maxLength: 2000, multiline: true))
        impression = request.impression
        validator.range("impression", request.impression.applied(to: nil), 1...5)
        noneOffered = request.noneOffered
        let rules = ContactRules()
        var named: [Int64: Int] = [:]
        for (index, referral) in request.referrals.enumerated() {
            let prefix = "referrals[\(index)]"
            let note = validator.optional("\(prefix).note", referral.note, maxLength: 2000, multiline: true)
            switch referral.person {
            case .existing(let id):
                if let first = named[id] {
                    validator.add("\(prefix).contact_id", "repeats referrals[\(first)]: one referral per person")
                } else {
                    named[id] = index
                }
                referrals.append(CheckedReferral(person: .existing(id), note: note))
            case .new(let draft):
                var contact = rules.blank(userID: 0, now: .distantPast)
                do {
                    try rules.apply(draft, to: &contact)
                } catch {
                    if case .validation(let issues) = error {
                        for issue in issues { validator.add("\(prefix).contact.\(issue.field)", issue.message) }
                    }
                }
                if contact.source == nil { contact.source = "referral" }
                referrals.append(CheckedReferral(person: .new(contact), note: note))
            }
        }
        // The event rules of POST /events, not a copy of them: their issues come back named
        // under the event they concern.
        let eventRules = EventRules()
        for (index, request) in request.events.enumerated() {
            var draft = EventDraft()
            draft.name = Patch(request.name)
            draft.startsAt = Patch(request.startsAt)
            draft.endsAt = Patch(request.endsAt)
            draft.location = Patch(request.location)
            draft.url = Patch(request.url)
            draft.notes = Patch(request.notes)
            var event = eventRules.blank(userID: 0, now: .distantPast)
            do {
                try eventRules.apply(draft, to: &event)
            } catch {
                if case .validation(let issues) = error {
                    for issue in issues { validator.add("events[\(index)].\(issue.field)", issue.message) }
                }
            }
            events.append(event)
        }
        for (index, resource) in request.resources.enumerated() {
            resources.append(MeetingResource.checked(title: resource.title, url: resource.url, note: resource.note, prefix: "resources[\(index)].", &validator))
        }
        let insightRules = InsightRules()
        for (index, draft) in request.insights.enumerated() {
            var insight = insightRules.blank(userID: 0, now: .distantPast)
            // The meeting's own: it stands in for meeting_id (set when the meeting is known).
            insight.meetingID = 0
            do {
                try insightRules.apply(draft, to: &insight)
            } catch {
                if case .validation(let issues) = error {
                    for issue in issues { validator.add("insights[\(index)].\(issue.field)", issue.message) }
                }
            }
            insights.append(insight)
        }
        let leavesSomething = !referrals.isEmpty || !events.isEmpty || !resources.isEmpty || insights.contains { $0.kind == .resource }
        if noneOffered && leavesSomething {
            validator.add("none_offered", "cannot be true when referrals, events or resources are recorded")
        }
        try validator.finish()
        if !leavesSomething && !noneOffered {
            throw DomainError.unprocessable(
                code: "nothing_to_leave_with",
                detail:
                    "A completed meeting leaves something behind: record at least one referral, event or resource (or a resource insight), or say \"none_offered\": true.",
                issues: [FieldIssue("referrals", "record at least one referral, event or resource, or set none_offered to true")])
        }
    }

    /// The ids the body names, checked against the caller's rows (422 naming each, also for
    /// another user's id), before anything is written.
    func checkReferences(_ connection: SQLiteConnection, userID: Int64, meeting: Meeting) throws {
        var issues: [FieldIssue] = []
        for (index, referral) in referrals.enumerated() {
            switch referral.person {
            case .existing(let contactID):
                if contactID == meeting.contactID {
                    issues.append(FieldIssue("referrals[\(index)].contact_id", "is the person met; a referral names someone else"))
                } else if let issue = try OwnedIDs.issue(
                    [contactID], in: "contacts", noun: "contact", field: "referrals[\(index)].contact_id", userID: userID, connection)
                {
                    issues.append(issue)
                } else if let existing = try ReferralStore.existing(connection, userID: userID, referrerID: meeting.contactID, contactID: contactID) {
                    throw ReferralStore.duplicate(existing, referrerID: meeting.contactID, contactID: contactID, field: "referrals[\(index)].contact_id")
                }
            case .new(let contact):
                if let organizationID = contact.organizationID,
                   let issue = try OwnedIDs.issue(
                       [organizationID], in: "organizations", noun: "organization", field: "referrals[\(index)].contact.organization_id",
                       userID: userID, connection)
                {
                    issues.append(issue)
                }
                if let issue = try OwnedIDs.issue(
                    contact.interestIDs, in: "interests", noun: "interest", field: "referrals[\(index)].contact.interest_ids", userID: userID,
                    connection)
                {
                    issues.append(issue)
                }
            }
        }
        for (index, insight) in insights.enumerated() {
            if let interestID = insight.interestID,
               let issue = try OwnedIDs.issue([interestID], in: "interests", noun: "interest", field: "insights[\(index)].interest_id", userID: userID, connection)
            {
                issues.append(issue)
            }
        }
        if !issues.isEmpty { throw DomainError.validation(issues) }
    }

    /// Inserts a referred contact after the duplicate check, which also sees the contacts this
    /// completion created before it. A duplicate is a 409 naming the referral.
    static func insert(_ contact: Contact, _ connection: SQLiteConnection, userID: Int64, field: String, at stamp: Date) throws -> Int64 {
        var row = contact
        row.userID = userID
        row.createdAt = stamp
        row.updatedAt = stamp
        do {
            try ContactRules().check(connection, userID: userID, row, replacing: nil, options: WriteOptions())
        } catch DomainError.conflict(let code, let detail, let existingID) {
            throw DomainError.conflict(code: code, detail: "\(field): \(detail)", existingID: existingID)
        }
        return try ContactStore.insert(connection, userID: userID, row, at: stamp).id
    }
}

/// The rules of a meeting's own fields. `status` is not among them: the actions own it.
struct MeetingRules: ResourceRules {
    typealias Store = MeetingStore

    func blank(userID: Int64, now: Date) -> Meeting {
        Meeting(
            id: 0, userID: userID, contactID: 0, status: .proposed, scheduledAt: nil, durationMinutes: 30, medium: nil, location: nil,
            resumeID: nil, notes: nil, impression: nil, outcome: nil, thankYouSentAt: nil, completedAt: nil, noneOffered: false,
            statusReason: nil, stageBefore: nil, createdAt: now, updatedAt: now, version: 1, referralIDs: [], eventIDs: [], resources: [])
    }

    func apply(_ draft: MeetingDraft, to meeting: inout Meeting) throws(DomainError) {
        var validator = Validator()
        let creating = meeting.id == 0
        switch draft.contactID {
        case .value(let id) where creating: meeting.contactID = id
        case .value(let id): if id != meeting.contactID { validator.add("contact_id", "cannot change: a meeting stays with its contact") }
        case .null: validator.add("contact_id", creating ? "is required" : "cannot be removed")
        case .absent: if creating { validator.add("contact_id", "is required") }
        }
        meeting.scheduledAt = draft.scheduledAt.applied(to: meeting.scheduledAt)
        if creating {
            meeting.status = meeting.scheduledAt == nil ? .proposed : .scheduled
        } else if meeting.scheduledAt == nil, meeting.status != .proposed, meeting.status != .cancelled {
            validator.add("scheduled_at", "cannot be removed from a \(meeting.status.rawValue) meeting")
        }
        if case .value(let minutes) = draft.durationMinutes { meeting.durationMinutes = minutes }
        if case .null = draft.durationMinutes { validator.add("duration_minutes", "cannot be null") }
        validator.range("duration_minutes", meeting.durationMinutes, 5...240)
        meeting.medium = draft.medium.applied(to: meeting.medium)
        meeting.location = validator.optional("location", draft.location.applied(to: meeting.location), maxLength: 500)
        meeting.resumeID = draft.resumeID.applied(to: meeting.resumeID)
        meeting.notes = validator.optional("notes", draft.notes.applied(to: meeting.notes), maxLength: 20_000, multiline: true)
        meeting.impression = draft.impression.applied(to: meeting.impression)
        validator.range("impression", meeting.impression, 1...5)
        meeting.outcome = validator.optional("outcome", draft.outcome.applied(to: meeting.outcome), maxLength: 2000, multiline: true)
        meeting.thankYouSentAt = draft.thankYouSentAt.applied(to: meeting.thankYouSentAt)
        if case .value = draft.thankYouSentAt, meeting.status != .completed {
            validator.add("thank_you_sent_at", "a thank-you follows a completed meeting; complete it first")
        }
        try validator.finish()
    }

    func checkTimes(_ meeting: Meeting, replacing current: Meeting?, now: Date) throws(DomainError) {
        guard meeting.thankYouSentAt != current?.thankYouSentAt else { return }
        var validator = Validator()
        validator.notFuture("thank_you_sent_at", meeting.thankYouSentAt, now: now)
        try validator.finish()
    }

    /// Checks the contact (returning its stage, which `saved` moves on) and the resume.
    func check(
        _ connection: SQLiteConnection, userID: Int64, _ meeting: Meeting, replacing current: Meeting?, options: WriteOptions
    ) throws -> ContactStage? {
        var issues: [FieldIssue] = []
        var stage: ContactStage?
        if meeting.contactID != current?.contactID {
            // One read proves the contact is the caller's and tells its stage.
            let found = try ContactStore.stage(connection, id: meeting.contactID, userID: userID).map(ContactStage.init(rawValue:))
            if let found {
                stage = found
            } else {
                issues.append(FieldIssue("contact_id", "no such contact: \(meeting.contactID)"))
            }
        }
        if let resumeID = meeting.resumeID, resumeID != current?.resumeID,
           let issue = try OwnedIDs.issue([resumeID], in: "resumes", noun: "resume", field: "resume_id", userID: userID, connection)
        {
            issues.append(issue)
        }
        if !issues.isEmpty { throw DomainError.validation(issues) }
        return stage
    }

    /// A meeting created with a time is scheduled, and so is its contact (unless already further on).
    func saved(_ connection: SQLiteConnection, _ meeting: Meeting, replacing current: Meeting?, checked stage: ContactStage?, at stamp: Date) throws {
        if current == nil, let stage {
            // Where the contact stood before this meeting, for a cancellation to go back to.
            try MeetingStore.setStageBefore(connection, id: meeting.id, stage)
            if meeting.status == .scheduled, StageAutomation.advances(from: stage, to: .scheduled) {
                try StageAutomation.advance(connection, contactID: meeting.contactID, to: .scheduled, at: stamp)
            }
        }
        if let current, current.status == .completed, current.contactID != meeting.contactID {
            try completedChanged(connection, meeting)
            try completedChanged(connection, current)
        }
    }

    /// A completed meeting's edits (its completion time) move the contact's timer and asks.
    private func completedChanged(_ connection: SQLiteConnection, _ meeting: Meeting) throws {
        try Touch.refresh(connection, contactID: meeting.contactID)
        try Reminders.rebuildAskReferral(connection, userID: meeting.userID, contactID: meeting.contactID)
    }

    func deleted(_ connection: SQLiteConnection, _ meeting: Meeting, at stamp: Date) throws {
        if meeting.status == .completed { try completedChanged(connection, meeting) }
    }

    /// Referrals and events keep their own row and lose the link (ON DELETE SET NULL); they move, for sync.
    func deleting(_ connection: SQLiteConnection, _ meeting: Meeting, at stamp: Date) throws {
        try MeetingStore.touchLinked(connection, meetingID: meeting.id, at: stamp)
    }
}
