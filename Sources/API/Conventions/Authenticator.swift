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

    /// The limiter sheds load from an address that keeps failing; it never stops a valid token.
    /// Behind a reverse proxy every user shares one address, so refusing all of its requests
    /// would let any client lock everyone out: over the limit, only failures get 429.
    func principal(for request: Request) throws -> Principal {
        // A shared read: the wrapping route authenticated the grantee and checked the share.
        if let acting = request.attachment as? ActingPrincipal { return acting.principal }
        guard let header = request.headers["authorization"] else {
            throw Problem(status: 401, code: "unauthorized", detail: "Send 'Authorization: Bearer <token>'.", headers: [("WWW-Authenticate", Self.challenge)])
        }
        guard let token = Self.bearerToken(header) else {
            throw Problem(status: 401, code: "unauthorized", detail: "Only Bearer tokens are accepted.", headers: [("WWW-Authenticate", Self.challenge)])
        }
        if let principal = try accounts.authenticate(token) { return principal }
        if let wait = limiter.retryAfter(request.remoteAddress) {
            throw Problem(
                status: 429, code: "too_many_failed_logins",
                detail: "Too many failed authentication attempts from this address; try again in \(wait) s.",
                headers: [("Retry-After", String(wait))])
        }
        limiter.recordFailure(request.remoteAddress)
        throw Problem(
            status: 401, code: "invalid_token", detail: "The token is not valid.",
            headers: [("WWW-Authenticate", Self.challenge + ", error=\"invalid_token\"")])
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
    /// and back costs more than that work (a fifth of a point read). `bodyLimit` overrides the
    /// server's body limit for the route (imports need more than 1 MiB), before the body is read.
    func route(_ kind: Route.Kind = .worker, bodyLimit: Int? = nil, _ handler: @escaping @Sendable (Request, Principal) throws -> Response) -> Route {
        Route(kind, bodyLimit: bodyLimit) { request in try handler(request, try principal(for: request)) }
    }
}

/// The principal a shared read acts as, handed from the wrapping route to the one it wraps.
final class ActingPrincipal: Sendable {
    let principal: Principal

    init(_ principal: Principal) {
        self.principal = principal
    }
}
