import Foundation

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
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int64
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
