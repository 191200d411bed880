#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An organization in the field, ranked the LAMP way.
public struct Organization: Sendable, Equatable {
    public var id: Int64
    public var userID: Int64
    public var name: String
    public var industry: String?
    public var website: String?
    public var location: String?
    public var notes: String?
    public var interestIDs: [Int64]
    /// An alumnus or friend works there.
    public var advocacy: Bool
    /// 0 = unknown (research it), 1–3 = how much the user wants to work there.
    public var motivation: Int
    /// 3 = a relevant posting, 2 = any posting, 1 = none.
    public var posting: Int
    /// How many contacts work there.
    public var contactCount: Int
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int64
}

/// A create or merge-patch of an organization.
public struct OrganizationDraft: Sendable {
    public var name: Patch<String> = .absent
    public var industry: Patch<String> = .absent
    public var website: Patch<String> = .absent
    public var location: Patch<String> = .absent
    public var notes: Patch<String> = .absent
    public var interestIDs: Patch<[Int64]> = .absent
    public var advocacy: Patch<Bool> = .absent
    public var motivation: Patch<Int> = .absent
    public var posting: Patch<Int> = .absent

    public init() {}
}

/// Filters of `GET /organizations`.
public struct OrganizationFilter: Sendable {
    public var text: String?
    public var interestID: Int64?
    public var advocacy: Bool?
    public var motivation: Int?
    public var posting: Int?
    public var updatedSince: Date?

    public init() {}
}
