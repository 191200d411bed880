#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives
import SQLiteCore

/// What a centre's owners and admins do: accounts and invitations (README "Running it for a
/// centre"). A role governs account management only; it gives no right to read another
/// account's search (only a share does).
extension AccountService {
    public static let userSorts = ListOrder.standard(alias: "u")
    public static let inviteSorts = ListOrder.standard(alias: "i", nameColumn: nil)
    /// How long an invitation code can be used.
    public static let inviteLifetime: TimeInterval = 7 * 86400

    /// "Now" as the services see it (an invitation's status depends on it).
    public func now() -> Date { clock.now() }

    /// 403 unless the principal manages accounts (owner or admin).
    public func requireManager(_ principal: Principal) throws {
        guard principal.share == nil, principal.role.managesAccounts else {
            throw DomainError.forbidden("Only an owner or an admin manages accounts.")
        }
    }

    /// The refusal for `actor` acting on `target` (nil for a new account) to give it `role`,
    /// disable it or delete it; nil when allowed. `actor` nil is the operator at the machine.
    static func refusal(actor: Role?, target: User?, newRole: Role?, disabling: Bool, deleting: Bool, activeOwners: Int64) -> DomainError? {
        if let actor {
            guard actor.managesAccounts else { return .forbidden("Only an owner or an admin manages accounts.") }
            let touchesPrivileged = (target.map { $0.role != .member } ?? false) || (newRole.map { $0 != .member } ?? false)
            if actor != .owner, touchesPrivileged {
                return .forbidden("Only an owner makes, changes, disables or deletes owners and admins.")
            }
        }
        if let target, target.role == .owner, !target.disabled, activeOwners <= 1,
           deleting || disabling || (newRole.map { $0 != .owner } ?? false) {
            return .conflict(
                code: "last_owner", detail: "'\(target.name)' is the last owner: make another owner first.", existingID: nil)
        }
        return nil
    }

    // MARK: - Users

    public func listUsers(_ principal: Principal, role: Role?, disabled: Bool?, page: PageRequest) throws -> Page<User> {
        try requireManager(principal)
        return try storage.read { try UserStore.listQuery(role: role, disabled: disabled).run($0, page: page, map: UserStore.record) }
    }

    public func user(_ principal: Principal, id: Int64) throws -> User {
        try requireManager(principal)
        return try user(id: id)
    }

    /// `POST /users`: an account with a role and, optionally, a first password (hashed on the pool).
    public func createUser(_ principal: Principal, name: String, role: Role, password: String?) -> Future<User> {
        var validator = Validator()
        let trimmed = Self.validName(name, &validator)
        if let password, let problem = PasswordPolicy.problem(password) { validator.add("password", problem) }
        do {
            try requireManager(principal)
            if let refusal = Self.refusal(actor: principal.role, target: nil, newRole: role, disabling: false, deleting: false, activeOwners: 2) {
                throw refusal
            }
            try validator.finish()
        } catch {
            return Future(.failure(error))
        }
        let write: @Sendable (String?) -> Future<User> = { [self] hash in
            storage.submit { connection in
                guard let actor = try UserStore.find(connection, id: principal.userID), !actor.disabled else {
                    throw DomainError.forbidden("Only an owner or an admin manages accounts.")
                }
                if let refusal = Self.refusal(actor: actor.role, target: nil, newRole: role, disabling: false, deleting: false, activeOwners: 2) {
                    throw refusal
                }
                return try self.insertUser(connection, name: trimmed, role: role, passwordHash: hash)
            }
        }
        guard let password else { return write(nil) }
        let created = Future<User>()
        hasher.hash(password).whenComplete { hashed in
            switch hashed {
            case .failure(let error): created.complete(.failure(error))
            case .success(let hash): write(hash).whenComplete { created.complete($0) }
            }
        }
        return created
    }

    /// `PATCH /users/{id}`: role and disabled, under the rules of `refusal`.
    public func administer(_ principal: Principal, id: Int64, draft: UserAdminDraft, precondition: VersionPrecondition) -> Future<User> {
        var validator = Validator()
        var newRole: Role?
        switch draft.role {
        case .absent: break
        case .null: validator.add("role", "cannot be null")
        case .value(let text):
            if let role = Role(rawValue: text) { newRole = role } else { validator.add("role", "must be owner, admin or member") }
        }
        var newDisabled: Bool?
        switch draft.disabled {
        case .absent: break
        case .null: validator.add("disabled", "cannot be null")
        case .value(let flag): newDisabled = flag
        }
        do {
            try requireManager(principal)
            try validator.finish()
        } catch {
            return Future(.failure(error))
        }
        let role = newRole, disabled = newDisabled
        return storage.submit { [self] connection in
            let actor = try UserStore.find(connection, id: principal.userID)
            guard let current = try UserStore.find(connection, id: id) else { throw DomainError.notFound("No user \(id).") }
            try precondition.check(current.version)
            let targetRole = role ?? current.role, targetDisabled = disabled ?? current.disabled
            if targetRole == current.role, targetDisabled == current.disabled { return current }
            if let refusal = Self.refusal(
                actor: actor?.role ?? .member, target: current, newRole: role, disabling: targetDisabled && !current.disabled, deleting: false,
                activeOwners: try UserStore.activeOwners(connection))
            {
                throw refusal
            }
            try UserStore.updateAdministration(connection, id: id, role: targetRole, disabled: targetDisabled, at: storage.stamp())
            connection.onCommit { self.forgetPrincipals() }
            return try UserStore.find(connection, id: id) ?? current
        }
    }

    /// `DELETE /users/{id}`: the account and all its data, in one transaction.
    public func deleteUser(_ principal: Principal, id: Int64, precondition: VersionPrecondition) -> Future<Void> {
        do { try requireManager(principal) } catch { return Future(.failure(error)) }
        return storage.submit { [self] connection in
            let actor = try UserStore.find(connection, id: principal.userID)
            guard let target = try UserStore.find(connection, id: id) else { throw DomainError.notFound("No user \(id).") }
            try precondition.check(target.version)
            if let refusal = Self.refusal(
                actor: actor?.role ?? .member, target: target, newRole: nil, disabling: false, deleting: true,
                activeOwners: try UserStore.activeOwners(connection))
            {
                throw refusal
            }
            try UserStore.delete(connection, id: id)
            connection.onCommit { self.forgetPrincipals() }
        }
    }

    /// `DELETE /me`: one's own account and data; `confirm` must be the account's name.
    public func deleteSelf(_ principal: Principal, confirm: String?) -> Future<Void> {
        storage.submit { [self] connection in
            guard let me = try UserStore.find(connection, id: principal.userID) else { throw DomainError.notFound("No such user.") }
            guard let confirm, confirm.lowercased() == me.name.lowercased() else {
                throw DomainError.unprocessable(
                    code: "confirmation_required", detail: "Send {\"confirm\": \"\(me.name)\"} to delete this account and all its data.",
                    issues: [FieldIssue("confirm", "must be this account's name")])
            }
            if let refusal = Self.refusal(
                actor: nil, target: me, newRole: nil, disabling: false, deleting: true, activeOwners: try UserStore.activeOwners(connection))
            {
                throw refusal
            }
            try UserStore.delete(connection, id: me.id)
            connection.onCommit { self.forgetPrincipals() }
        }
    }

    // MARK: - The command line (the operator at the machine: no role needed, the last-owner rule holds)

    public func allUsers() throws -> [User] {
        try storage.read { connection in
            try UserStore.listQuery(role: nil, disabled: nil).run(
                connection, page: PageRequest(limit: 1_000_000, sort: ListOrder(name: "created_at", columns: [], descending: false), after: nil),
                map: UserStore.record
            ).items
        }
    }

    /// Sets a role or the disabled flag of the user named `name` (the command line).
    public func administer(name: String, role: Role? = nil, disabled: Bool? = nil) throws -> User {
        try storage.write { connection in
            guard let current = try UserStore.find(connection, named: name) else { throw DomainError.notFound("No user named '\(name)'.") }
            let targetRole = role ?? current.role, targetDisabled = disabled ?? current.disabled
            if let refusal = Self.refusal(
                actor: nil, target: current, newRole: role, disabling: targetDisabled && !current.disabled, deleting: false,
                activeOwners: try UserStore.activeOwners(connection))
            {
                throw refusal
            }
            try UserStore.updateAdministration(connection, id: current.id, role: targetRole, disabled: targetDisabled, at: storage.stamp())
            return try UserStore.find(connection, id: current.id) ?? current
        }
    }

    /// Deletes the user named `name` and all its data (the command line).
    public func deleteUser(name: String) throws {
        try storage.write { connection in
            guard let target = try UserStore.find(connection, named: name) else { throw DomainError.notFound("No user named '\(name)'.") }
            if let refusal = Self.refusal(
                actor: nil, target: target, newRole: nil, disabling: false, deleting: true, activeOwners: try UserStore.activeOwners(connection))
            {
                throw refusal
            }
            try UserStore.delete(connection, id: target.id)
        }
    }

    // MARK: - Invitations

    /// `POST /invites`: a one-time code for a new account with `role`, valid 7 days.
    public func createInvite(_ principal: Principal, role: Role) throws -> (Invite, String) {
        try requireManager(principal)
        return try storage.write { connection in
            let actor = try UserStore.find(connection, id: principal.userID)
            if let refusal = Self.refusal(actor: actor?.role ?? .member, target: nil, newRole: role, disabling: false, deleting: false, activeOwners: 2) {
                throw refusal
            }
            let code = TokenSecret.generate(prefix: "fi_")
            let now = storage.stamp()
            let invite = try InviteStore.insert(
                connection, role: role, createdBy: principal.userID, lookup: TokenSecret.lookup(code), hash: TokenSecret.hash(code),
                expiresAt: now.addingTimeInterval(Self.inviteLifetime), at: now)
            return (invite, code)
        }
    }

    public func listInvites(_ principal: Principal, page: PageRequest) throws -> Page<Invite> {
        try requireManager(principal)
        return try storage.read { try InviteStore.listQuery().run($0, page: page, map: InviteStore.record) }
    }

    public func invite(_ principal: Principal, id: Int64) throws -> Invite {
        try requireManager(principal)
        guard let found = try storage.read({ try InviteStore.find($0, id: id) }) else { throw DomainError.notFound("No invitation \(id).") }
        return found
    }

    /// `DELETE /invites/{id}`: revokes an invitation (its code stops working at once).
    public func deleteInvite(_ principal: Principal, id: Int64, precondition: VersionPrecondition) throws {
        try requireManager(principal)
        try storage.write { connection in
            guard let invite = try InviteStore.find(connection, id: id) else { throw DomainError.notFound("No invitation \(id).") }
            try precondition.check(invite.version)
            let actor = try UserStore.find(connection, id: principal.userID)
            if let refusal = Self.refusal(actor: actor?.role ?? .member, target: nil, newRole: invite.role, disabling: false, deleting: false, activeOwners: 2) {
                throw refusal
            }
            try InviteStore.delete(connection, id: id)
        }
    }

    /// `POST /invites/accept`: opens the account the code invites to and begins its session.
    /// An unknown, used, revoked or expired code gets one answer.
    public func acceptInvite(code: String, name: String, password: String) -> Future<Session> {
        var validator = Validator()
        let trimmed = Self.validName(name, &validator)
        if let problem = PasswordPolicy.problem(password) { validator.add("password", problem) }
        let invalid = DomainError.unprocessable(
            code: "invalid_invite", detail: "This invitation code is unknown, used, revoked or expired; ask for a new one.",
            issues: [FieldIssue("code", "is not a valid invitation")])
        do {
            try validator.finish()
            let invite = try storage.read { try InviteStore.find($0, code: code) }
            guard let invite, invite.status(at: clock.now()) == .pending else { throw invalid }
        } catch {
            return Future(.failure(error))
        }
        let session = Future<Session>()
        let idle = sessionIdle
        hasher.hash(password).whenComplete { [self] hashed in
            switch hashed {
            case .failure(let error): session.complete(.failure(error))
            case .success(let hash):
                storage.submit { connection in
                    // Read again in the write: two acceptances of one code cannot both succeed.
                    guard let invite = try InviteStore.find(connection, code: code), invite.status(at: self.clock.now()) == .pending else {
                        throw invalid
                    }
                    let user = try self.insertUser(connection, name: trimmed, role: invite.role, passwordHash: hash)
                    try InviteStore.accept(connection, id: invite.id, by: user.id, at: self.storage.stamp())
                    return try self.makeSession(connection, user: user, idle: idle)
                }.whenComplete { session.complete($0) }
            }
        }
        return session
    }
}
