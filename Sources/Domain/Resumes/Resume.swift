#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A version of the user's resume (docs/product.md step 4), aimed at one interest area.
public struct Resume: Sendable, Equatable {
    public var id: Int64
    public var userID: Int64
    public var label: String
    public var interestID: Int64?
    public var content: String?
    public var url: String?
    /// When the text or URL last changed (prep warns past 90 days); other edits leave it.
    public var contentUpdatedAt: Date
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int64
}

/// A create or merge-patch of a resume.
public struct ResumeDraft: Sendable {
    public var label: Patch<String> = .absent
    public var interestID: Patch<Int64> = .absent
    public var content: Patch<String> = .absent
    public var url: Patch<String> = .absent

    public init() {}
}

/// Filters of `GET /resumes`.
public struct ResumeFilter: Sendable {
    public var interestID: Int64?
    public var text: String?
    public var updatedSince: Date?

    public init() {}
}
