#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Domain
import HTTPCore
import Primitives

/// Resolves `Authorization: Bearer <token>` to a principal, or answers 401/429.
struct Authenticator: Sendable {
    let accounts: AccountService
    let limiter: AuthRateLimiter

    private static let challenge = "Bearer realm=\"foothold\""

    func principal(for request: Request) throws -> Principal {
        if let wait = limiter.retryAfter(request.remoteAddress) {
            throw Problem(
                status: 429, code: "too_many_failed_logins",
                detail: "Too many failed authentication attempts from this address; try again in \(wait) s.",
                headers: [("Retry-After", String(wait))])
        }
        guard let header = request.headers["authorization"] else {
            throw Problem(status: 401, code: "unauthorized", detail: "Send 'Authorization: Bearer <token>'.", headers: [("WWW-Authenticate", Self.challenge)])
        }
        guard let token = Self.bearerToken(header) else {
            throw Problem(status: 401, code: "unauthorized", detail: "Only Bearer tokens are accepted.", headers: [("WWW-Authenticate", Self.challenge)])
        }
        guard let principal = try accounts.authenticate(token) else {
            limiter.recordFailure(request.remoteAddress)
            throw Problem(
                status: 401, code: "invalid_token", detail: "The token is not valid.",
                headers: [("WWW-Authenticate", Self.challenge + ", error=\"invalid_token\"")])
        }
        return principal
    }

    /// The credentials of `Bearer <token>` (scheme in any case, RFC 9110 §11.1), read from the
    /// bytes: splitting the String by Characters was a fifth of authenticating a request.
    static func bearerToken(_ header: String) -> String? {
        let bytes = Substring(header).utf8
        let scheme = "bearer".utf8
        guard bytes.count > scheme.count else { return nil }
        var index = bytes.startIndex
        for expected in scheme {
            guard bytes[index] | 0x20 == expected else { return nil }
            index = bytes.index(after: index)
        }
        guard bytes[index] == 0x20 else { return nil }
        return Substring(header)[bytes.index(after: index)...].trimmingHTTPWhitespace()
    }

    /// Wraps a handler so it runs only for an authenticated principal. `inline` marks a
    /// handler whose only database work is reading rows by key or handing a write to the
    /// writer thread (`Database.submit`): it runs on the I/O thread, since a hop to a worker
    /// and back costs more than that work (a fifth of a point read).
    /// A route that authenticates first. `bodyLimit` overrides the server's body limit for it
    /// (imports need more than 1 MiB); it is applied before the body is read.
    func route(inline: Bool = false, bodyLimit: Int? = nil, _ handler: @escaping @Sendable (Request, Principal) throws -> Response) -> Route {
        Route(inline: inline, bodyLimit: bodyLimit) { request in try handler(request, try principal(for: request)) }
    }
}
