#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SQLiteCore

/// A person in the network.
public struct Contact: Sendable, Equatable {
    public var id: Int64
    public var userID: Int64
    public var name: String
    public var title: String?
    public var organizationID: Int64?
    public var email: String?
    public var phone: String?
    public var linkedinURL: String?
    public var location: String?
    /// How the contact was found.
    public var source: String?
    /// How the user knows of them ("I heard your talk on …"); pitches open with it.
    public var hook: String?
    public var tags: [String]
    public var interestIDs: [Int64]
    public var stage: ContactStage
    public var keepInTouchDays: Int?
    public var notes: String?
    /// When the person was found (LinkedIn's "Connected On" for an import); nil: when the
    /// contact was created (see `identified`).
    public var identifiedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int64
    /// The names of the objects it points to, as lists carry them.
    public var names = LinkedNames()
}

extension Contact {
    /// When the person was found: as given, else when they were added.
    public var identified: Date { identifiedAt ?? createdAt }
}

/// A create or merge-patch of a contact.
public struct ContactDraft: Sendable {
    public var name: Patch<String> = .absent
    public var title: Patch<String> = .absent
    public var organizationID: Patch<Int64> = .absent
    public var email: Patch<String> = .absent
    public var phone: Patch<String> = .absent
    public var linkedinURL: Patch<String> = .absent
    public var location: Patch<String> = .absent
    public var source: Patch<String> = .absent
    public var hook: Patch<String> = .absent
    public var tags: Patch<[String]> = .absent
    public var interestIDs: Patch<[Int64]> = .absent
    public var stage: Patch<ContactStage> = .absent
    public var keepInTouchDays: Patch<Int> = .absent
    public var notes: Patch<String> = .absent
    public var identifiedAt: Patch<Date> = .absent

    public init() {}
}

/// Filters of `GET /contacts`.
public struct ContactFilter: Sendable {
    public var stage: ContactStage?
    public var organizationID: Int64?
    public var interestID: Int64?
    public var tag: String?
    public var text: String?
    public var updatedSince: Date?

    public init() {}
}

/// A contact's row as stored, read in place: text comes as the UTF-8 bytes SQLite holds
/// (valid only inside the `listRows` callback), timestamps as their stored RFC 3339 text,
/// tags joined by U+001F and interest ids by commas. Lists are written from this without
/// building `Contact` values.
public struct ContactRow {
    let row: Row

    private typealias Column = ContactStore.Column
    public var id: Int64 { row.int64(Column.id) }
    public var name: UnsafeBufferPointer<UInt8>? { row.text(Column.name) }
    public var title: UnsafeBufferPointer<UInt8>? { row.text(Column.title) }
    public var organizationID: Int64? { row.optionalInt64(Column.organizationID) }
    public var email: UnsafeBufferPointer<UInt8>? { row.text(Column.email) }
    public var phone: UnsafeBufferPointer<UInt8>? { row.text(Column.phone) }
    public var linkedinURL: UnsafeBufferPointer<UInt8>? { row.text(Column.linkedinURL) }
    public var location: UnsafeBufferPointer<UInt8>? { row.text(Column.location) }
    public var source: UnsafeBufferPointer<UInt8>? { row.text(Column.source) }
    public var hook: UnsafeBufferPointer<UInt8>? { row.text(Column.hook) }
    public var stage: UnsafeBufferPointer<UInt8>? { row.text(Column.stage) }
    public var keepInTouchDays: Int64? { row.optionalInt64(Column.keepInTouchDays) }
    public var notes: UnsafeBufferPointer<UInt8>? { row.text(Column.notes) }
    public var identifiedAt: UnsafeBufferPointer<UInt8>? { row.text(Column.identifiedAt) }
    public var organizationName: UnsafeBufferPointer<UInt8>? { row.text(Column.organizationName) }
    public var createdAt: UnsafeBufferPointer<UInt8>? { row.text(Column.createdAt) }
    public var updatedAt: UnsafeBufferPointer<UInt8>? { row.text(Column.updatedAt) }
    public var version: Int64 { row.int64(Column.version) }
    /// Tags in order, separated by U+001F (a tag cannot contain it); nil when there are none.
    public let joinedTags: UnsafeBufferPointer<UInt8>?
    /// Interest ids in ascending order, comma-separated; nil when there are none.
    public let joinedInterestIDs: UnsafeBufferPointer<UInt8>?
}
