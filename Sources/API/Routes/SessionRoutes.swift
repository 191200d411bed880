#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Domain
import HTTPCore
import Primitives

/// Signing in and out, passwords, leaving: `/sessions`, `/me/password`, `DELETE /me`, and
/// accepting an invitation.
enum SessionRoutes {
    static let challenge = "Bearer realm=\"foothold\""

    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let auth = context.authenticator
        let accounts = context.accounts
        let throttle = context.loginThrottle

        // No token needed; the password is checked on the hashing pool and the answer sent from there.
        router.add("POST", "/sessions", Route(.handOff) { request in
            _ = try FlagQuery.flags(request, allowed: [])
            let body = try BodyReader(request, fields: ["name", "password"])
            let name = body.nonNullString("name"), password = body.nonNullString("password")
            for field in ["name", "password"] where !body.has(field) { body.reject(field, "is required") }
            try body.finish()
            guard let name, let password else { throw Problem.validation(field: "name", "is required") }
            try throttle.check(address: request.remoteAddress, name: name)
            let outcome = accounts.signIn(name: name, password: password)
            return .later(outcome) { result in
                switch result {
                case .signedIn(let session):
                    return Reply.object(1, status: 201) { ResourceJSON.write(session, &$0) }
                case .rejected:
                    throttle.recordFailure(address: request.remoteAddress, name: name)
                    throw Problem(
                        status: 401, code: "invalid_credentials", detail: "The name or the password is wrong.",
                        headers: [("WWW-Authenticate", challenge)])
                case .disabled:
                    throw Problem(status: 403, code: "account_disabled", detail: "This account is disabled; ask an admin of this server.")
                }
            }
        })

        router.add("DELETE", "/sessions/current", auth.route(.handOff) { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            try accounts.signOut(principal)
            return Reply.noContent
        })

        router.add("POST", "/me/password", auth.route(.handOff) { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            let body = try BodyReader(request, fields: ["current_password", "new_password"])
            let current = body.nonNullString("current_password"), new = body.nonNullString("new_password")
            if !body.has("new_password") { body.reject("new_password", "is required") }
            try body.finish()
            try throttle.check(address: request.remoteAddress, name: "#\(principal.userID)")
            let changed = accounts.changePassword(principal: principal, current: current, new: new ?? "")
            return .later(changed.recoveringWrongPassword { throttle.recordFailure(address: request.remoteAddress, name: "#\(principal.userID)") }) { _ in
                Reply.noContent
            }
        })

        router.add("DELETE", "/me", auth.route(.handOff) { request, principal in
            _ = try FlagQuery.flags(request, allowed: [])
            let body = try BodyReader(request, fields: ["confirm"])
            let confirm = body.nonNullString("confirm")
            try body.finish()
            return .later(accounts.deleteSelf(principal, confirm: confirm)) { _ in Reply.noContent }
        })

        router.add("POST", "/invites/accept", Route(.handOff) { request in
            _ = try FlagQuery.flags(request, allowed: [])
            let body = try BodyReader(request, fields: ["code", "name", "password"])
            let code = body.nonNullString("code"), name = body.nonNullString("name"), password = body.nonNullString("password")
            for field in ["code", "name", "password"] where !body.has(field) { body.reject(field, "is required") }
            try body.finish()
            let session = accounts.acceptInvite(code: code ?? "", name: name ?? "", password: password ?? "")
            return .later(session) { session in
                Reply.object(1, status: 201) { ResourceJSON.write(session, &$0) }
            }
        })
    }
}

extension Future where Value == Void {
    /// The same result; a `wrong_password` refusal also calls `failed` (to count it).
    func recoveringWrongPassword(_ failed: @escaping @Sendable () -> Void) -> Future<Void> {
        let next = Future<Void>()
        whenComplete { result in
            if case .failure(DomainError.unprocessable(let code, _, _)) = result, code == "wrong_password" { failed() }
            next.complete(result)
        }
        return next
    }
}

/// Throttles sign-in guesses per client address and per account name. An account under
/// attack is closed only to addresses that have been failing: a correct password from an
/// address with no recent failure still signs in, so nobody can lock a user out by guessing
/// at their name (README "Running it for a centre").
final class LoginThrottle: Sendable {
    let addresses: AuthRateLimiter
    let accounts: AuthRateLimiter

    /// - Parameters: `addresses` is shared with bad bearer tokens (docs/api.md: failed authentication
    ///   is limited per address); `accounts` counts failures per name over ten minutes.
    init(addresses: AuthRateLimiter, accountLimit: Int) {
        self.addresses = addresses
        accounts = AuthRateLimiter(limit: accountLimit, window: 600)
    }

    func check(address: String, name: String) throws(Problem) {
        if let wait = addresses.retryAfter(address) ?? (addresses.hasFailures(address) ? accounts.retryAfter(Self.key(name)) : nil) {
            throw Problem(
                status: 429, code: "too_many_failed_logins",
                detail: "Too many failed sign-ins; try again in \(wait) s.", headers: [("Retry-After", String(wait))])
        }
    }

    func recordFailure(address: String, name: String) {
        addresses.recordFailure(address)
        accounts.recordFailure(Self.key(name))
    }

    /// Names compare without case, as accounts do.
    private static func key(_ name: String) -> String { "name:" + name.lowercased() }
}
