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
    /// `api` (made by the command line or `POST /tokens`) or `session` (made by signing in).
    public var kind: TokenKind = .api
    /// When a session ends at the latest; nil for API tokens.
    public var expiresAt: Date?
}

public enum TokenKind: String, Sendable {
    case api, session
}

/// Who a request acts as.
public struct Principal: Sendable, Equatable {
    /// Whose data the request reads and writes: the caller's own, or a sharer's (`share`).
    public var userID: Int64
    public var tokenID: Int64
    public var role: Role
    public var tokenKind: TokenKind
    /// Set when a grantee reads another account under `/accounts/{user_id}/…`.
    public var share: ShareAccess?

    public init(userID: Int64, tokenID: Int64, role: Role = .member, tokenKind: TokenKind = .api, share: ShareAccess? = nil) {
        self.userID = userID
        self.tokenID = tokenID
        self.role = role
        self.tokenKind = tokenKind
        self.share = share
    }
}

/// A grantee's access to a sharer's search.
public struct ShareAccess: Sendable, Equatable {
    public var shareID: Int64
    /// The account reading (the sharer is the principal's `userID`).
    public var granteeID: Int64
    public var scope: ShareScope
}

public enum ShareScope: String, Sendable, CaseIterable {
    /// Reads only.
    case read
    /// Reads, and leaves coach notes.
    case coach
}
