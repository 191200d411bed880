#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A bearer token's metadata; the secret itself is never stored or shown again.
public struct Token: Sendable, Equatable {
    public var id: Int64
    public var userID: Int64
    public var name: String
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int64
    public var lastUsedAt: Date?
}

/// Who a request acts as.
public struct Principal: Sendable, Equatable {
    public var userID: Int64
    public var tokenID: Int64
}
