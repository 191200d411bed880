#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// Contacts: CRUD with duplicate detection, tags, interests and the list contract.
public final class ContactService: ResourceService<Contact, ContactDraft>, @unchecked Sendable {
    // @unchecked restated from ResourceService, as Swift requires; what this class adds are lets of
    // Sendable types.
    private let storage: Storage

    public static let sorts: [String: ListOrder] = ListOrder.standard(alias: "c", foldedColumn: "name_key")
    public static let defaultSort = "created_at"

    public init(storage: Storage, clock: any Clock = SystemClock()) {
        self.storage = storage
        super.init(ResourcePath(storage: storage, clock: clock, rules: ContactRules()))
    }

    /// A page of contacts, handed row by row to `visit` without building `Contact` values
    /// (the API writes JSON straight from the rows); returns the keyset to continue after.
    /// Building 50 contacts cost about as much as writing their JSON.
    public func listRows(userID: Int64, filter: ContactFilter, page: PageRequest, _ visit: (ContactRow) throws -> Void) throws -> Keyset? {
        let query = ContactStore.listQuery(userID: userID, filter: filter)
        return try storage.read { connection in
            // Links come from two statements read alongside the page (see LinkMerge) rather
            // than from a correlated subquery per row, which measured a sixth of a page.
            var tags = LinkMerge(try connection.checkOut(ContactStore.tagsFrom), separator: 0x1F)
            var interests = LinkMerge(try connection.checkOut(ContactStore.interestsFrom), separator: UInt8(ascii: ","))
            defer {
                tags.finish()
                interests.finish()
            }
            return try query.visit(connection, page: page) { row in
                let id = row.int64(ContactStore.Column.id)
                try tags.collect(for: id)
                try interests.collect(for: id)
                try tags.withJoined { joinedTags in
                    try interests.withJoined { joinedInterestIDs in
                        try visit(ContactRow(row: row, joinedTags: joinedTags, joinedInterestIDs: joinedInterestIDs))
                    }
                }
            }
        }
    }

    /// Every contact the filter keeps, in id order, with its organization's name, read on one
    /// snapshot a page at a time (exports stream them; they never sit in memory together).
    public func exportEach(userID: Int64, filter: ContactFilter, _ visit: (Contact, String?) throws -> Void) throws {
        let query = ContactStore.listQuery(userID: userID, filter: filter, stored: false)
        try storage.read { connection in
            let organizations = Dictionary(
                try OrganizationStore.names(connection, userID: userID),
                uniquingKeysWith: { first, _ in first })
            var page = PageRequest(limit: 500, sort: ListOrder(name: "id", columns: [], descending: false), after: nil)
            repeat {
                var contacts: [Contact] = []
                page.after = try query.visit(connection, page: page) { contacts.append(try ContactStore.record($0)) }
                for contact in contacts { try visit(contact, contact.organizationID.flatMap { organizations[$0] }) }
            } while page.after != nil
        }
    }
}

/// The rules of a contact: fields, tags, references and duplicates.
struct ContactRules: ResourceRules {
    typealias Store = ContactStore

    func blank(userID: Int64, now: Date) -> Contact {
        Contact(
            id: 0, userID: userID, name: "", title: nil, organizationID: nil, email: nil, phone: nil, linkedinURL: nil, location: nil,
            source: nil, hook: nil, tags: [], interestIDs: [], stage: .identified, keepInTouchDays: nil, notes: nil,
            identifiedAt: nil, createdAt: now, updatedAt: now, version: 1)
    }

    func apply(_ draft: ContactDraft, to contact: inout Contact) throws(DomainError) {
        var validator = Validator()
        contact.name = validator.required("name", draft.name.applied(to: contact.name), maxLength: 200)
        contact.title = validator.optional("title", draft.title.applied(to: contact.title), maxLength: 200)
        contact.organizationID = draft.organizationID.applied(to: contact.organizationID)
        contact.email = validator.optional("email", draft.email.applied(to: contact.email), maxLength: 320)
        validator.email("email", contact.email)
        contact.phone = validator.optional("phone", draft.phone.applied(to: contact.phone), maxLength: 50)
        contact.linkedinURL = validator.optional("linkedin_url", draft.linkedinURL.applied(to: contact.linkedinURL), maxLength: 2000)
        validator.url("linkedin_url", contact.linkedinURL)
        contact.location = validator.optional("location", draft.location.applied(to: contact.location), maxLength: 200)
        contact.source = validator.optional("source", draft.source.applied(to: contact.source), maxLength: 200)
        contact.hook = validator.optional("hook", draft.hook.applied(to: contact.hook), maxLength: 1000)
        contact.notes = validator.optional("notes", draft.notes.applied(to: contact.notes), maxLength: 20_000, multiline: true)
        contact.stage = draft.stage.applied(to: contact.stage) ?? .identified
        contact.keepInTouchDays = draft.keepInTouchDays.applied(to: contact.keepInTouchDays)
        validator.range("keep_in_touch_days", contact.keepInTouchDays, 1...3650)
        contact.interestIDs = OwnedIDs.normalized(draft.interestIDs.applied(to: contact.interestIDs), field: "interest_ids", &validator)
        contact.tags = Tags.normalized(draft.tags.applied(to: contact.tags), &validator)
        if case .null = draft.identifiedAt { validator.add("identified_at", "cannot be null") }
        if case .value(let at) = draft.identifiedAt { contact.identifiedAt = at }
        try validator.finish()
    }

    func stamp(_ contact: inout Contact, replacing current: Contact?, at stamp: Date) {
        if contact.identifiedAt == nil { contact.identifiedAt = stamp }
    }

    func checkTimes(_ contact: Contact, replacing current: Contact?, now: Date) throws(DomainError) {
        guard contact.identifiedAt != current?.identifiedAt else { return }
        var validator = Validator()
        validator.notFuture("identified_at", contact.identifiedAt, now: now)
        try validator.finish()
    }

    func check(_ connection: SQLiteConnection, userID: Int64, _ contact: Contact, replacing current: Contact?, options: WriteOptions) throws {
        var issues: [FieldIssue] = []
        if let organizationID = contact.organizationID, organizationID != current?.organizationID,
           let issue = try OwnedIDs.issue([organizationID], in: "organizations", noun: "organization", field: "organization_id", userID: userID, connection)
        {
            issues.append(issue)
        }
        if contact.interestIDs != current?.interestIDs,
           let issue = try OwnedIDs.issue(contact.interestIDs, in: "interests", noun: "interest", field: "interest_ids", userID: userID, connection)
        {
            issues.append(issue)
        }
        if !issues.isEmpty { throw DomainError.validation(issues) }
        let identityChanged = current == nil || contact.email?.lowercased() != current?.email?.lowercased()
            || LinkedInURL.key(contact.linkedinURL) != LinkedInURL.key(current?.linkedinURL)
        if !options.allowDuplicate && identityChanged { try checkDuplicates(connection, userID: userID, contact, except: current?.id) }
    }

    /// Refused with 409 while meetings are recorded with the contact: they are the history.
    func checkDelete(_ connection: SQLiteConnection, _ contact: Contact) throws {
        let meetings = try MeetingStore.count(connection, contactID: contact.id)
        if meetings > 0 {
            throw DomainError.conflict(
                code: "has_dependants", detail: "\(meetings) meeting(s) are recorded with this contact; delete them first.", existingID: nil)
        }
    }

    /// Referrals to or from the contact and its outreach go with it (they cascade); events it
    /// recommended and leads it gave lose the link.
    func deleting(_ connection: SQLiteConnection, _ contact: Contact, at stamp: Date) throws {
        try ReferralStore.recordCascade(connection, userID: contact.userID, contactID: contact.id, at: stamp)
        try OutreachStore.recordCascade(connection, userID: contact.userID, contactID: contact.id, at: stamp)
        try InsightStore.recordCascade(connection, userID: contact.userID, contactID: contact.id, at: stamp)
        try Moved.rows(connection, in: "events", where: "recommended_by_id", is: contact.id, at: stamp)
        try Moved.rows(connection, in: "leads", where: "contact_id", is: contact.id, at: stamp)
    }

    /// A contact that moves to another organization takes its outreach along: both
    /// organizations' 3B7 threads change.
    func saved(_ connection: SQLiteConnection, _ contact: Contact, replacing current: Contact?, checked: Void, at stamp: Date) throws {
        // A completed meeting touches only contacts with a cadence; one set now catches up.
        if contact.keepInTouchDays != nil && current?.keepInTouchDays == nil && current != nil {
            try Touch.refresh(connection, contactID: contact.id)
        }
        guard let current, current.organizationID != contact.organizationID else { return }
        try Reminders.rebuildFollowUps(connection, userID: contact.userID, organizationID: current.organizationID, contactID: nil)
        try Reminders.rebuildFollowUps(connection, userID: contact.userID, contactID: contact.id)
    }

    /// Its outreach went with it: the rest of its organization's threads change.
    func deleted(_ connection: SQLiteConnection, _ contact: Contact, at stamp: Date) throws {
        try Reminders.rebuildFollowUps(connection, userID: contact.userID, organizationID: contact.organizationID, contactID: nil)
    }

    private func checkDuplicates(_ connection: SQLiteConnection, userID: Int64, _ contact: Contact, except: Int64?) throws {
        if let email = contact.email, let existing = try ContactStore.withEmail(connection, userID: userID, email, except: except) {
            throw DomainError.conflict(
                code: "duplicate_contact", detail: "Contact \(existing.id) (\(existing.name)) already has the email \(email).", existingID: existing.id)
        }
        if let key = LinkedInURL.key(contact.linkedinURL), let existing = try ContactStore.withLinkedInKey(connection, userID: userID, key, except: except) {
            throw DomainError.conflict(
                code: "duplicate_contact", detail: "Contact \(existing.id) (\(existing.name)) already has this LinkedIn URL.", existingID: existing.id)
        }
    }
}
