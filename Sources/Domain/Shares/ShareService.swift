#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// Shares (a member lets another account read their search, or coach it), who read what
/// through them, and the notes coaches leave.
public final class ShareService: Sendable {
    let storage: Storage
    let clock: any Clock

    public static let sorts = ListOrder.standard(alias: "s", nameColumn: nil)
    public static let readSorts: [String: ListOrder] = [
        "-day": ListOrder(name: "-day", columns: ["r.day"], descending: true),
        "day": ListOrder(name: "day", columns: ["r.day"], descending: false),
    ]
    public static let noteSorts = ListOrder.standard(alias: "n", nameColumn: nil)

    public init(storage: Storage, clock: any Clock = SystemClock()) {
        self.storage = storage
        self.clock = clock
    }

    /// `POST /shares`: shares the caller's search with the account named `grantee`.
    public func create(_ principal: Principal, grantee: String, scope: ShareScope) -> Future<Share> {
        storage.submit { [self] connection in
            guard let granteeID = try UserStore.id(connection, named: grantee) else {
                throw DomainError.validation([FieldIssue("grantee", "no such user")])
            }
            guard granteeID != principal.userID else {
                throw DomainError.validation([FieldIssue("grantee", "is you: a search is shared with someone else")])
            }
            if let existing = try ShareStore.existing(connection, userID: principal.userID, granteeID: granteeID) {
                throw DomainError.conflict(
                    code: "duplicate_share", detail: "Your search is already shared with '\(grantee)'; revoke that share to change it.",
                    existingID: existing)
            }
            let id = try ShareStore.insert(connection, userID: principal.userID, granteeID: granteeID, scope: scope, at: storage.stamp())
            guard let share = try ShareStore.find(connection, id: id, party: principal.userID) else { throw DomainError.notFound("No share \(id).") }
            return share
        }
    }

    public func list(_ principal: Principal, direction: ShareDirection?, page: PageRequest) throws -> Page<Share> {
        try storage.read { try ShareStore.listQuery(userID: principal.userID, direction: direction).run($0, page: page, map: ShareStore.record) }
    }

    /// A share the caller granted or received.
    public func share(_ principal: Principal, id: Int64) throws -> Share {
        guard let found = try storage.read({ try ShareStore.find($0, id: id, party: principal.userID) }) else {
            throw DomainError.notFound("No share \(id).")
        }
        return found
    }

    /// `DELETE /shares/{id}`: either side ends a share; the grantee's next read is a 404.
    public func revoke(_ principal: Principal, id: Int64, precondition: VersionPrecondition) throws {
        try storage.write { connection in
            guard let share = try ShareStore.find(connection, id: id, party: principal.userID) else { throw DomainError.notFound("No share \(id).") }
            try precondition.check(share.version)
            try ShareStore.delete(connection, id: id)
        }
    }

    /// `GET /shares/{id}/reads`: the sharer sees who read what; the grantee gets 404.
    public func reads(_ principal: Principal, id: Int64, page: PageRequest) throws -> Page<ShareRead> {
        try storage.read { connection in
            guard let share = try ShareStore.find(connection, id: id, party: principal.userID), share.userID == principal.userID else {
                throw DomainError.notFound("No share \(id).")
            }
            return try ShareStore.readsQuery(shareID: id).run(connection, page: page, map: ShareStore.readRecord)
        }
    }

    /// The grantee's access to the sharer's search, or nil (no share, or a disabled grantee).
    /// Read on every request under `/accounts/{user_id}/…`, so a revocation counts at once.
    public func access(sharerID: Int64, granteeID: Int64) throws -> ShareAccess? {
        try storage.read { try ShareStore.access($0, sharerID: sharerID, granteeID: granteeID) }
    }

    /// Counts a read through a share, off the request's path: handed to the writer and not
    /// waited for (a failure to count must not fail the read).
    public func recordRead(_ access: ShareAccess, method: String, route: String) {
        let now = clock.now()
        _ = storage.submit(bookkeeping: true) { try ShareStore.recordRead($0, shareID: access.shareID, method: method, route: route, at: now) }
    }

    // MARK: - Coach notes

    /// `POST /accounts/{user_id}/coach-notes`: a note from a coach, checked against the
    /// sharer's own contacts, meetings and pitches.
    public func addNote(
        _ principal: Principal, text: String?, contactID: Int64?, meetingID: Int64?, pitchID: Int64?
    ) -> Future<CoachNote> {
        var validator = Validator()
        let body = validator.required("text", text, maxLength: 4000, multiline: true)
        do {
            guard let access = principal.share, access.scope == .coach else {
                throw DomainError.forbidden("Only a coach share may leave notes.")
            }
            try validator.finish()
            return storage.submit { [self] connection in
                var issues: [FieldIssue] = []
                for (id, table, noun, field) in [
                    (contactID, "contacts", "contact", "contact_id"), (meetingID, "meetings", "meeting", "meeting_id"),
                    (pitchID, "pitches", "pitch", "pitch_id"),
                ] {
                    if let id, let issue = try OwnedIDs.issue([id], in: table, noun: noun, field: field, userID: principal.userID, connection) {
                        issues.append(issue)
                    }
                }
                guard issues.isEmpty else { throw DomainError.validation(issues) }
                guard let author = try UserStore.find(connection, id: access.granteeID) else { throw DomainError.notFound("No such user.") }
                let id = try CoachNoteStore.insert(
                    connection, userID: principal.userID, authorID: author.id, authorName: author.displayName ?? author.name, text: body,
                    contactID: contactID, meetingID: meetingID, pitchID: pitchID, at: storage.stamp())
                guard let note = try CoachNoteStore.find(connection, userID: principal.userID, id: id) else { throw DomainError.notFound("No note \(id).") }
                return note
            }
        } catch {
            return Future(.failure(error))
        }
    }

    public func notes(userID: Int64, page: PageRequest) throws -> Page<CoachNote> {
        try storage.read { try CoachNoteStore.listQuery(userID: userID).run($0, page: page, map: CoachNoteStore.record) }
    }

    public func note(userID: Int64, id: Int64) throws -> CoachNote {
        guard let found = try storage.read({ try CoachNoteStore.find($0, userID: userID, id: id) }) else {
            throw DomainError.notFound("No coach note \(id).")
        }
        return found
    }
}
