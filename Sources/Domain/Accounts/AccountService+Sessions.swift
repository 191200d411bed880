#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// A session just begun: its token, shown once, and when it ends.
public struct Session: Sendable {
    public var token: String
    public var tokenID: Int64
    /// The absolute end; it ends sooner after `AccountService.sessionIdle` without use.
    public var expiresAt: Date
    public var user: User
}

/// How an attempt to sign in ended.
public enum SignInOutcome: Sendable {
    case signedIn(Session)
    /// Unknown name, no password set, or a wrong password: one answer for all, in the same time.
    case rejected(userID: Int64?)
    /// The password was right but the account is disabled.
    case disabled
}

extension AccountService {
    /// Checks a name and password on the hashing pool and, when they match, begins a session.
    /// An unknown name is checked against a dummy hash, so it costs what a wrong password costs.
    public func signIn(name: String, password: String) -> Future<SignInOutcome> {
        let outcome = Future<SignInOutcome>()
        let credentials: (id: Int64, hash: String?, disabled: Bool)?
        do {
            // Over-long input is no account's password: still hashed, so it takes the same time.
            credentials = password.utf8.count > PasswordPolicy.maximumBytes || name.utf8.count > 254
                ? nil : try storage.read { try UserStore.credentials($0, named: name) }
        } catch {
            return Future(.failure(error))
        }
        let checked = String(decoding: password.utf8.prefix(PasswordPolicy.maximumBytes), as: UTF8.self)
        hasher.verify(checked, against: credentials?.hash).whenComplete { [self] result in
            switch result {
            case .failure(let error):
                outcome.complete(.failure(error))
            case .success(false):
                outcome.complete(.success(.rejected(userID: credentials?.id)))
            case .success(true):
                guard let credentials else { return outcome.complete(.success(.rejected(userID: nil))) }
                if credentials.disabled { return outcome.complete(.success(.disabled)) }
                beginSession(userID: credentials.id).whenComplete { outcome.complete($0.map { .signedIn($0) }) }
            }
        }
        return outcome
    }

    /// Writes a new session token for a user (signing in, accepting an invitation), sweeping
    /// the user's ended sessions on the way.
    func beginSession(userID: Int64) -> Future<Session> {
        let idle = sessionIdle
        return storage.submit { [self] connection in
            guard let user = try UserStore.find(connection, id: userID), !user.disabled else {
                throw DomainError.notFound("No such user.")
            }
            return try makeSession(connection, user: user, idle: idle)
        }
    }

    func makeSession(_ connection: SQLiteConnection, user: User, idle: TimeInterval) throws -> Session {
        let now = storage.stamp()
        try TokenStore.deleteExpiredSessions(connection, userID: user.id, idleSince: now.addingTimeInterval(-idle), now: now)
        let expires = now.addingTimeInterval(Self.sessionLifetime)
        let (token, secret) = try insertToken(connection, userID: user.id, name: "session", kind: .session, expiresAt: expires)
        return Session(token: secret, tokenID: token.id, expiresAt: expires, user: user)
    }

    /// `DELETE /sessions/current`: ends the session the request came with.
    public func signOut(_ principal: Principal) throws {
        guard principal.tokenKind == .session else {
            throw DomainError.conflict(
                code: "not_a_session", detail: "This request came with an API token, not a session; revoke it with DELETE /tokens/{id}.",
                existingID: nil)
        }
        try storage.write { try TokenStore.delete($0, id: principal.tokenID) }
        forgetPrincipals()
    }

    /// `POST /me/password`: checks the current password (none is asked for while the account
    /// has none), stores the new one and ends the account's other sessions; a wrong current
    /// password fails with `unprocessable` code `wrong_password`.
    public func changePassword(principal: Principal, current: String?, new: String) -> Future<Void> {
        var validator = Validator()
        if let problem = PasswordPolicy.problem(new) { validator.add("new_password", problem) }
        do { try validator.finish() } catch { return Future(.failure(error)) }
        let stored: String?
        do {
            stored = try storage.read { try UserStore.passwordHash($0, id: principal.userID) }
        } catch {
            return Future(.failure(error))
        }
        let done = Future<Void>()
        let hasher = hasher
        let proceed: @Sendable () -> Void = { [self] in
            hasher.hash(new).whenComplete { hashed in
                switch hashed {
                case .failure(let error): done.complete(.failure(error))
                case .success(let hash):
                    self.storage.submit { connection in
                        try UserStore.setPassword(connection, id: principal.userID, hash: hash, at: self.storage.stamp())
                        try TokenStore.deleteSessions(connection, userID: principal.userID, keeping: principal.tokenID)
                    }.whenComplete { result in
                        self.forgetPrincipals()
                        done.complete(result)
                    }
                }
            }
        }
        guard let stored else {
            if let current, !current.isEmpty {
                done.complete(.failure(DomainError.unprocessable(
                    code: "wrong_password", detail: "This account has no password yet; leave current_password out.",
                    issues: [FieldIssue("current_password", "must be left out: no password is set")])))
            } else {
                proceed()
            }
            return done
        }
        guard let current else {
            return Future(.failure(DomainError.validation([FieldIssue("current_password", "is required")])))
        }
        hasher.verify(current, against: stored).whenComplete { result in
            switch result {
            case .failure(let error): done.complete(.failure(error))
            case .success(false):
                done.complete(.failure(DomainError.unprocessable(
                    code: "wrong_password", detail: "current_password is not this account's password.",
                    issues: [FieldIssue("current_password", "is not the current password")])))
            case .success(true): proceed()
            }
        }
        return done
    }

    /// Sets a password from the command line (no current password asked: the operator has the
    /// database). Ends the account's sessions.
    public func setPassword(userName: String, password: String) throws {
        if let problem = PasswordPolicy.problem(password) { throw DomainError.validation([FieldIssue("password", problem)]) }
        let hash = try PasswordHasher.hashNow(password)
        try storage.write { connection in
            guard let id = try UserStore.id(connection, named: userName) else { throw DomainError.notFound("No user named '\(userName)'.") }
            try UserStore.setPassword(connection, id: id, hash: hash, at: storage.stamp())
            try TokenStore.deleteSessions(connection, userID: id, keeping: nil)
        }
        forgetPrincipals()
    }
}
