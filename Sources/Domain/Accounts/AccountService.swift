#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SQLiteCore
import Primitives

/// Users, their bearer tokens and sessions, and passwords.
public final class AccountService: Sendable {
    let storage: Storage
    let clock: any Clock
    let hasher: PasswordHasher
    /// A session ends this long after its last use (`--session-idle-days`, 14 by default)…
    public let sessionIdle: TimeInterval
    /// …and at the latest this long after it began.
    public static let sessionLifetime: TimeInterval = 90 * 86400
    /// How long a token's principal is trusted without reading it again. Another process (the
    /// command line) may revoke a token, disable or delete a user, or change a role: the
    /// running server sees it within this time, at the cost of one read per token per period.
    static let principalTTL: TimeInterval = 0.9
    /// When each token's `last_used_at` was last written, so a busy token costs one write a minute.
    private let lastUsedWrites = Lock<[Int64: Date]>([:])
    /// Principals of recently seen token hashes, so a request costs no read at all. A change
    /// made by this process clears it and bumps `generation`: a lookup that read the token
    /// before such a change committed may cache what it found only if no change happened
    /// since it started, so a revoked token can never be cached again.
    private let principals = Lock<(cache: [TokenSecret.Key: CachedPrincipal], generation: UInt64)>(([:], 0))
    /// Runs between a token's lookup and its caching (tests hold a revocation there; `FaultPoints`).
    private let afterLookup: (@Sendable () -> Void)?

    struct CachedPrincipal {
        var principal: Principal
        /// When the row was read: trusted until `principalTTL` after.
        var readAt: Date
        /// When the token stops working by itself (a session's idle or absolute end).
        var endsAt: Date?
    }

    public static let tokenSorts: [String: ListOrder] = [
        "created_at": ListOrder(name: "created_at", columns: [], descending: false),
        "-created_at": newestFirst,
    ]
    static let newestFirst = ListOrder(name: "-created_at", columns: [], descending: true)

    /// Whether the server sends mail (`--smtp-url`): without it a digest cannot be set.
    let digestsAvailable: Bool
    /// Wakes the digest sender when a confirmation mail is queued.
    let mailQueued: (@Sendable () -> Void)?

    public init(
        storage: Storage, clock: any Clock = SystemClock(), hasher: PasswordHasher = PasswordHasher(), sessionIdleDays: Int = 14,
        afterLookup: (@Sendable () -> Void)? = nil, digestsAvailable: Bool = false, mailQueued: (@Sendable () -> Void)? = nil
    ) {
        self.digestsAvailable = digestsAvailable
        self.mailQueued = mailQueued
        self.afterLookup = afterLookup
        self.storage = storage
        self.clock = clock
        self.hasher = hasher
        sessionIdle = TimeInterval(max(1, sessionIdleDays)) * 86400
    }

    // MARK: - Users

    /// On an empty database, creates the owner account and returns its first token.
    public func bootstrapOwnerIfEmpty() throws -> String? {
        try storage.write { connection -> String? in
            guard try UserStore.isEmpty(connection) else { return nil }
            let user = try UserStore.insert(connection, name: "owner", role: .owner, passwordHash: nil, at: clock.now())
            return try insertToken(connection, userID: user.id, name: "owner bootstrap").1
        }
    }

    /// Creates a user with a first token; the token is returned once (the command line).
    public func addUser(name: String, role: Role = .member, password: String? = nil) throws -> (User, String) {
        var validator = Validator()
        let trimmed = Self.validName(name, &validator)
        if let password, let problem = PasswordPolicy.problem(password) { validator.add("password", problem) }
        try validator.finish()
        let hash = try password.map { try PasswordHasher.hashNow($0) }
        return try storage.write { connection in
            let user = try insertUser(connection, name: trimmed, role: role, passwordHash: hash)
            let (_, secret) = try insertToken(connection, userID: user.id, name: "default")
            return (user, secret)
        }
    }

    /// A user name: what people sign in with. Letters and digits of any script, '.', '_', '-',
    /// and '@' and '+' so that an email address (a centre's usual sign-in name) is one.
    static func validName(_ name: String, _ validator: inout Validator, field: String = "name") -> String {
        let trimmed = validator.required(field, name, maxLength: 254)
        if !trimmed.isEmpty, !trimmed.unicodeScalars.allSatisfy({ $0.isLetterOrDigit || "._-@+".unicodeScalars.contains($0) }) {
            validator.add(field, "may hold only letters, digits, '.', '_', '-', '@' and '+'")
        }
        return trimmed
    }

    /// Inserts a user, refusing a name another account has (ignoring case).
    func insertUser(_ connection: SQLiteConnection, name: String, role: Role, passwordHash: String?) throws -> User {
        if try UserStore.id(connection, named: name) != nil {
            throw DomainError.conflict(code: "name_taken", detail: "A user named '\(name)' already exists.", existingID: nil)
        }
        return try UserStore.insert(connection, name: name, role: role, passwordHash: passwordHash, at: storage.stamp())
    }

    public func user(id: Int64) throws -> User {
        let found = try storage.read { try UserStore.find($0, id: id) }
        guard let found else { throw DomainError.notFound("No such user.") }
        return found
    }

    /// `PATCH /me`: the name pitches use and the headline.
    public func updateUser(id: Int64, draft: UserDraft, precondition: VersionPrecondition) throws -> Future<User> {
        // Checked at once: bad input never reaches the writer.
        let change = try UserSettings.Change(draft)
        if case .value = draft.digest, !digestsAvailable { throw DigestService.unavailable }
        let storage = storage, clock = clock, digest = draft.digest, mailQueued = mailQueued
        return storage.submit { connection in
            guard let current = try UserStore.find(connection, id: id) else { throw DomainError.notFound("No such user.") }
            try precondition.check(current.version)
            let updated = change.applied(to: current)
            let stamp = storage.stamp()
            let digestChanged = try DigestService.apply(connection, userID: id, draft: digest, zoneName: updated.timeZone, now: clock.now(), at: stamp)
            if digestChanged, let mailQueued { connection.onCommit(mailQueued) }
            guard updated != current || digestChanged else { return current }
            if updated != current { try UserStore.update(connection, updated, at: stamp) } else { try UserStore.touch(connection, id: id, at: stamp) }
            if updated.timeZone != current.timeZone || updated.followUpDays != current.followUpDays || updated.holidays != current.holidays {
                try Reminders.rezone(connection, userID: id)
            }
            return try UserStore.find(connection, id: id) ?? updated
        }
    }

    public func userID(named name: String) throws -> Int64 {
        let id = try storage.read { try UserStore.id($0, named: name) }
        guard let id else { throw DomainError.notFound("No user named '\(name)'.") }
        return id
    }

    // MARK: - Tokens

    /// The principal a presented bearer token stands for, or nil: unknown, revoked, an ended
    /// session, or a disabled account.
    public func authenticate(_ presented: String) throws -> Principal? {
        guard TokenSecret.isWellFormed(presented) else { return nil }
        let now = clock.now()
        let digest = TokenSecret.hash(presented)
        let key = TokenSecret.Key(digest)
        let (cached, generation) = principals.withLock { ($0.cache[key], $0.generation) }
        if let cached, now.timeIntervalSince(cached.readAt) < Self.principalTTL, now >= cached.readAt {
            if let ends = cached.endsAt, ends <= now { return nil }
            touch(tokenID: cached.principal.tokenID, at: now)
            return cached.principal
        }
        let candidates = try storage.read { try TokenStore.candidates($0, lookup: TokenSecret.lookup(presented)) }
        var match: TokenStore.Candidate?
        for candidate in candidates where TokenSecret.constantTimeEquals(candidate.hash, digest) { match = candidate }
        guard let match, !match.disabled else { return nil }
        var endsAt: Date?
        if match.kind == .session {
            let idleEnd = (match.lastActive ?? now).addingTimeInterval(sessionIdle)
            endsAt = min(idleEnd, match.expiresAt ?? idleEnd)
            if let endsAt, endsAt <= now { return nil }
        }
        let principal = Principal(userID: match.userID, tokenID: match.id, role: match.role, tokenKind: match.kind)
        afterLookup?()
        principals.withLock { state in
            guard state.generation == generation else { return }
            if state.cache.count >= 10_000 { state.cache.removeAll() }
            state.cache[key] = CachedPrincipal(principal: principal, readAt: now, endsAt: endsAt)
        }
        touch(tokenID: match.id, at: now)
        return principal
    }

    /// Forgets every cached principal: after a change to tokens, roles or accounts that this
    /// process made, the next request reads them again.
    func forgetPrincipals() {
        principals.withLock { state in
            state.generation &+= 1
            state.cache.removeAll()
        }
    }

    /// Records the token's use, at most once a minute. Handed to the writer thread and not
    /// waited for: it runs on the I/O thread, and its failure (a busy database, a token revoked
    /// meanwhile) must not fail the request that used the token. A session's idle period
    /// counts from here, so it is off by at most a minute in fourteen days.
    private func touch(tokenID: Int64, at now: Date) {
        let due = lastUsedWrites.withLock { writes -> Bool in
            if let last = writes[tokenID], now.timeIntervalSince(last) < 60 { return false }
            if writes.count >= 100_000 { writes.removeAll() }
            writes[tokenID] = now
            return true
        }
        if due { _ = storage.submit(bookkeeping: true) { try TokenStore.touch($0, id: tokenID, at: now) } }
    }

    /// Creates a token for a user; returns it with its secret, which is shown only now.
    public func createToken(userID: Int64, name: String?) throws -> (Token, String) {
        var validator = Validator()
        let label = validator.optional("name", name, maxLength: 100) ?? ""
        try validator.finish()
        return try storage.write { try insertToken($0, userID: userID, name: label) }
    }

    func insertToken(
        _ connection: SQLiteConnection, userID: Int64, name: String, kind: TokenKind = .api, expiresAt: Date? = nil
    ) throws -> (Token, String) {
        let secret = TokenSecret.generate()
        let token = try TokenStore.insert(
            connection, userID: userID, name: name, kind: kind, expiresAt: expiresAt, lookup: TokenSecret.lookup(secret),
            hash: TokenSecret.hash(secret), at: storage.stamp())
        return (token, secret)
    }

    public func listTokens(userID: Int64, page: PageRequest) throws -> Page<Token> {
        try storage.read { try TokenStore.listQuery(userID: userID).run($0, page: page, map: TokenStore.record) }
    }

    public func token(userID: Int64, id: Int64) throws -> Token {
        let found = try storage.read { try TokenStore.find($0, userID: userID, id: id) }
        guard let found else { throw DomainError.notFound("No token \(id).") }
        return found
    }

    public func deleteToken(userID: Int64, id: Int64, precondition: VersionPrecondition) throws {
        try storage.write { connection in
            guard let token = try TokenStore.find(connection, userID: userID, id: id) else {
                throw DomainError.notFound("No token \(id).")
            }
            try precondition.check(token.version)
            try TokenStore.delete(connection, id: id)
        }
        lastUsedWrites.withLock { _ = $0.removeValue(forKey: id) }
        forgetPrincipals()
    }

    /// Every token of a user, newest first (the command line's `token list`).
    public func allTokens(userID: Int64) throws -> [Token] {
        try storage.read { connection in
            try TokenStore.listQuery(userID: userID).run(connection, page: PageRequest(limit: 10_000, sort: Self.newestFirst, after: nil), map: TokenStore.record).items
        }
    }
}

extension Unicode.Scalar {
    /// Letters, marks and numbers in any script: what Foundation's `CharacterSet.alphanumerics` holds.
    fileprivate var isLetterOrDigit: Bool {
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark,
             .decimalNumber, .letterNumber, .otherNumber:
            true
        default:
            false
        }
    }
}
