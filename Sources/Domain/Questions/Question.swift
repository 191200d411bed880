#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A question for the bank (docs/product.md step 3), ready to go on a meeting's agenda.
public struct Question: Sendable, Equatable {
    public var id: Int64
    public var userID: Int64
    public var text: String
    public var category: QuestionCategory
    public var tags: [String]
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int64
}

/// TIARA: trends, insights, advice, resources, assignments; anything else is `other`.
public enum QuestionCategory: String, Sendable, CaseIterable {
    case trends
    case insights
    case advice
    case resources
    case assignments
    case other
}

/// A create or merge-patch of a question.
public struct QuestionDraft: Sendable {
    public var text: Patch<String> = .absent
    public var category: Patch<QuestionCategory> = .absent
    public var tags: Patch<[String]> = .absent

    public init() {}
}

/// Filters of `GET /questions`.
public struct QuestionFilter: Sendable {
    public var category: QuestionCategory?
    public var tag: String?
    public var text: String?
    public var updatedSince: Date?

    public init() {}
}
