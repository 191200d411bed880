#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// Contacts: CRUD with duplicate detection, tags, interests and the list contract.
public final class ContactService: Sendable {
    private let database: Database
    private let clock: any Clock

    public static let sorts: [String: ListOrder] = ListOrder.standard(alias: "c")
    public static let defaultSort = "created_at"

    public init(database: Database, clock: any Clock = SystemClock()) {
        self.database = database
        self.clock = clock
    }

    /// Every column of a contact with its links, in the order `contact(_:)` reads them.
    private static let columns = """
        c.id, c.user_id, c.name, c.title, c.organization_id, c.email, c.phone, c.linkedin_url, c.location, c.source, c.hook,
        c.stage, c.keep_in_touch_days, c.notes, c.created_at, c.updated_at, c.version,
        (SELECT group_concat(tag, char(31)) FROM (SELECT tag FROM contact_tags t WHERE t.contact_id = c.id ORDER BY tag)),
        (SELECT group_concat(interest_id) FROM contact_interests ci WHERE ci.contact_id = c.id)
        """

    static func contact(_ row: Row) -> Contact {
        let tags = row.optionalString(17).map { $0.split(separator: "\u{1F}").map(String.init) } ?? []
        return Contact(
            id: row.int64(0), userID: row.int64(1), name: row.string(2), title: row.optionalString(3), organizationID: row.optionalInt64(4),
            email: row.optionalString(5), phone: row.optionalString(6), linkedinURL: row.optionalString(7), location: row.optionalString(8),
            source: row.optionalString(9), hook: row.optionalString(10), tags: tags, interestIDs: OwnedIDs.parseList(row.optionalString(18)),
            stage: ContactStage(rawValue: row.string(11)) ?? .identified, keepInTouchDays: row.optionalInt64(12).map(Int.init),
            notes: row.optionalString(13), createdAt: row.date(14) ?? .distantPast, updatedAt: row.date(15) ?? .distantPast,
            version: row.int64(16))
    }

    /// A page of contacts, handed row by row to `visit` without building `Contact` values
    /// (the API writes JSON straight from the rows); returns the keyset to continue after.
    /// Building 50 contacts cost about as much as writing their JSON.
    public func listRows(userID: Int64, filter: ContactFilter, page: PageRequest, _ visit: (ContactRow) throws -> Void) throws -> [DatabaseValue]? {
        let query = Self.listQuery(userID: userID, filter: filter)
        return try database.read { connection in
            // Links come from two statements read alongside the page (see LinkMerge) rather
            // than from a correlated subquery per row, which measured a sixth of a page.
            var tags = LinkMerge(try connection.cachedStatement(Self.tagsFrom), separator: 0x1F)
            var interests = LinkMerge(try connection.cachedStatement(Self.interestsFrom), separator: UInt8(ascii: ","))
            defer {
                tags.finish()
                interests.finish()
            }
            return try query.visit(connection, page: page, columnCount: Self.listColumnCount) { row in
                let id = row.int64(0)
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

    /// The columns of a contact without its links, for lists.
    private static let listColumns = """
        c.id, c.user_id, c.name, c.title, c.organization_id, c.email, c.phone, c.linkedin_url, c.location, c.source, c.hook,
        c.stage, c.keep_in_touch_days, c.notes, c.created_at, c.updated_at, c.version
        """
    private static let listColumnCount: Int32 = 17
    private static let tagsFrom = "SELECT contact_id, tag FROM contact_tags WHERE contact_id >= ? ORDER BY contact_id, tag"
    private static let interestsFrom =
        "SELECT contact_id, interest_id FROM contact_interests WHERE contact_id >= ? ORDER BY contact_id, interest_id"

    private static func listQuery(userID: Int64, filter: ContactFilter) -> KeysetQuery {
        var query = KeysetQuery(select: Self.listColumns, from: "contacts c", alias: "c", conditions: ["c.user_id = ?"], arguments: [userID])
        if let stage = filter.stage {
            query.conditions.append("c.stage = ?")
            query.arguments.append(stage.rawValue)
        }
        if let organizationID = filter.organizationID {
            query.conditions.append("c.organization_id = ?")
            query.arguments.append(organizationID)
        }
        if let interestID = filter.interestID {
            query.conditions.append("EXISTS (SELECT 1 FROM contact_interests ci WHERE ci.contact_id = c.id AND ci.interest_id = ?)")
            query.arguments.append(interestID)
        }
        if let tag = filter.tag {
            query.conditions.append("EXISTS (SELECT 1 FROM contact_tags t WHERE t.contact_id = c.id AND t.tag = ?)")
            query.arguments.append(tag)
        }
        query.contains(filter.text, in: ["c.name", "c.title", "c.email", "c.location", "c.source", "c.hook", "c.notes"])
        query.updatedSince(filter.updatedSince)
        return query
    }

    public func get(userID: Int64, id: Int64) throws -> Contact {
        try database.read { try load($0, userID: userID, id: id) }
    }

    private func load(_ connection: SQLiteConnection, userID: Int64, id: Int64) throws -> Contact {
        guard let found = try connection.queryOne("SELECT \(Self.columns) FROM contacts c WHERE c.user_id = ? AND c.id = ?", [userID, id], Self.contact) else {
            throw DomainError.notFound("No contact \(id).")
        }
        return found
    }

    /// Creates a contact; a duplicate email or LinkedIn URL is a conflict naming the existing
    /// contact unless `allowDuplicate` says the user means it. The draft is validated now
    /// (thrown at once); the insert and its checks run on the writer thread, and the future
    /// completes when it has committed.
    public func create(userID: Int64, draft: ContactDraft, allowDuplicate: Bool) throws -> Future<Contact> {
        let now = clock.now()
        var contact = Contact(
            id: 0, userID: userID, name: "", title: nil, organizationID: nil, email: nil, phone: nil, linkedinURL: nil, location: nil,
            source: nil, hook: nil, tags: [], interestIDs: [], stage: .identified, keepInTouchDays: nil, notes: nil,
            createdAt: now, updatedAt: now, version: 1)
        try apply(draft, to: &contact)
        let validated = contact
        return database.submit { [self] connection in
            var contact = validated
            try checkReferences(connection, userID: userID, contact)
            if !allowDuplicate { try checkDuplicates(connection, userID: userID, contact, except: nil) }
            try connection.run(
                """
                INSERT INTO contacts (user_id, name, title, organization_id, email, phone, linkedin_url, linkedin_key, location, source, hook,
                    stage, keep_in_touch_days, notes, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [userID, contact.name, contact.title, contact.organizationID, contact.email, contact.phone, contact.linkedinURL,
                 LinkedInURL.key(contact.linkedinURL), contact.location, contact.source, contact.hook, contact.stage.rawValue,
                 contact.keepInTouchDays, contact.notes, now, now])
            contact.id = connection.lastInsertRowID
            try replaceTags(connection, contactID: contact.id, tags: contact.tags, isNew: true)
            try OwnedIDs.replaceLinks(
                "contact_interests", ownerColumn: "contact_id", ownerID: contact.id, linkColumn: "interest_id", ids: contact.interestIDs, isNew: true,
                connection)
            // What was just written, without reading it back (a test holds it equal to GET).
            return contact
        }
    }

    public func update(userID: Int64, id: Int64, draft: ContactDraft, precondition: VersionPrecondition, allowDuplicate: Bool) -> Future<Contact> {
        database.submit { [self] connection in
            let current = try load(connection, userID: userID, id: id)
            try precondition.check(current.version)
            var updated = current
            try apply(draft, to: &updated)
            guard updated != current else { return current }
            try checkReferences(connection, userID: userID, updated)
            let identityChanged = updated.email?.lowercased() != current.email?.lowercased()
                || LinkedInURL.key(updated.linkedinURL) != LinkedInURL.key(current.linkedinURL)
            if !allowDuplicate && identityChanged { try checkDuplicates(connection, userID: userID, updated, except: id) }
            try connection.run(
                """
                UPDATE contacts SET name = ?, title = ?, organization_id = ?, email = ?, phone = ?, linkedin_url = ?, linkedin_key = ?,
                    location = ?, source = ?, hook = ?, stage = ?, keep_in_touch_days = ?, notes = ?, updated_at = ?, version = version + 1
                WHERE id = ?
                """,
                [updated.name, updated.title, updated.organizationID, updated.email, updated.phone, updated.linkedinURL,
                 LinkedInURL.key(updated.linkedinURL), updated.location, updated.source, updated.hook, updated.stage.rawValue,
                 updated.keepInTouchDays, updated.notes, clock.now(), id])
            if updated.tags != current.tags { try replaceTags(connection, contactID: id, tags: updated.tags) }
            if updated.interestIDs != current.interestIDs {
                try OwnedIDs.replaceLinks("contact_interests", ownerColumn: "contact_id", ownerID: id, linkColumn: "interest_id", ids: updated.interestIDs, connection)
            }
            return try load(connection, userID: userID, id: id)
        }
    }

    /// Deletes a contact with its tags and interest links.
    public func delete(userID: Int64, id: Int64, precondition: VersionPrecondition) -> Future<Void> {
        database.submit { [self] connection in
            let current = try load(connection, userID: userID, id: id)
            try precondition.check(current.version)
            try connection.run("DELETE FROM contacts WHERE id = ?", [id])
        }
    }

    private func apply(_ draft: ContactDraft, to contact: inout Contact) throws(DomainError) {
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
        contact.notes = validator.optional("notes", draft.notes.applied(to: contact.notes), maxLength: 20_000)
        contact.stage = draft.stage.applied(to: contact.stage) ?? .identified
        contact.keepInTouchDays = draft.keepInTouchDays.applied(to: contact.keepInTouchDays)
        validator.range("keep_in_touch_days", contact.keepInTouchDays, 1...3650)
        contact.interestIDs = OwnedIDs.normalized(draft.interestIDs.applied(to: contact.interestIDs), field: "interest_ids", &validator)
        var tags: [String] = []
        var seen = Set<String>()
        for raw in draft.tags.applied(to: contact.tags) ?? [] {
            let tag = raw.trimmingWhitespace()
            if tag.isEmpty || tag.count > 50 || tag.contains("\u{1F}") {
                validator.add("tags", "each tag must be 1 to 50 characters")
                break
            }
            if seen.insert(tag.lowercased()).inserted { tags.append(tag) }
        }
        if tags.count > 50 { validator.add("tags", "must hold at most 50 tags") }
        contact.tags = tags.sorted(by: Self.nocaseOrder)
        try validator.finish()
    }

    private func checkReferences(_ connection: SQLiteConnection, userID: Int64, _ contact: Contact) throws {
        var issues: [FieldIssue] = []
        if let organizationID = contact.organizationID,
           let issue = try OwnedIDs.issue([organizationID], in: "organizations", noun: "organization", field: "organization_id", userID: userID, connection)
        {
            issues.append(issue)
        }
        if let issue = try OwnedIDs.issue(contact.interestIDs, in: "interests", noun: "interest", field: "interest_ids", userID: userID, connection) {
            issues.append(issue)
        }
        if !issues.isEmpty { throw DomainError.validation(issues) }
    }

    private func checkDuplicates(_ connection: SQLiteConnection, userID: Int64, _ contact: Contact, except: Int64?) throws {
        if let email = contact.email,
           let existing = try connection.queryOne(
               "SELECT id, name FROM contacts WHERE user_id = ? AND email = ? COLLATE NOCASE AND id IS NOT ? ORDER BY id LIMIT 1",
               [userID, email, except], { ($0.int64(0), $0.string(1)) })
        {
            throw DomainError.conflict(
                code: "duplicate_contact", detail: "Contact \(existing.0) (\(existing.1)) already has the email \(email).", existingID: existing.0)
        }
        if let key = LinkedInURL.key(contact.linkedinURL),
           let existing = try connection.queryOne(
               "SELECT id, name FROM contacts WHERE user_id = ? AND linkedin_key = ? AND id IS NOT ? ORDER BY id LIMIT 1",
               [userID, key, except], { ($0.int64(0), $0.string(1)) })
        {
            throw DomainError.conflict(
                code: "duplicate_contact", detail: "Contact \(existing.0) (\(existing.1)) already has this LinkedIn URL.", existingID: existing.0)
        }
    }

    /// SQLite's NOCASE order (ASCII letters folded, other bytes compared as they are), the
    /// order tags are read back in, so a written contact equals the one read later.
    static func nocaseOrder(_ a: String, _ b: String) -> Bool {
        func fold(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
        for (x, y) in zip(a.utf8, b.utf8) where fold(x) != fold(y) { return fold(x) < fold(y) }
        return a.utf8.count < b.utf8.count
    }

    private func replaceTags(_ connection: SQLiteConnection, contactID: Int64, tags: [String], isNew: Bool = false) throws {
        if !isNew { try connection.run("DELETE FROM contact_tags WHERE contact_id = ?", [contactID]) }
        for tag in tags { try connection.run("INSERT INTO contact_tags (contact_id, tag) VALUES (?, ?)", [contactID, tag]) }
    }
}
