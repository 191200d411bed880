#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SQLiteCore
import Primitives

/// Users and their bearer tokens: bootstrap, authentication, token management.
public final class AccountService: Sendable {
    private let storage: Storage
    private let clock: any Clock
    /// When each token's `last_used_at` was last written, so a busy token costs one write a minute.
    private let lastUsedWrites = Lock<[Int64: Date]>([:])
    /// Principals of recently seen token hashes, so a request costs one read transaction, not
    /// two. Only this process deletes tokens (the CLI only adds them), and deletion clears it
    /// and bumps `generation`: a lookup that read the token before a revocation committed may
    /// cache what it found only if no revocation happened since it started, so a revoked
    /// token can never be cached again.
    private let principals = Lock<(cache: [TokenSecret.Key: Principal], generation: UInt64)>(([:], 0))
    /// Runs between a token's lookup and its caching (tests hold a revocation there).
    let afterLookup = Lock<(@Sendable () -> Void)?>(nil)

    public static let tokenSorts: [String: ListOrder] = [
        "created_at": ListOrder(name: "created_at", columns: [], descending: false),
        "-created_at": ListOrder(name: "-created_at", columns: [], descending: true),
    ]

    public init(storage: Storage, clock: any Clock = SystemClock()) {
        self.storage = storage
        self.clock = clock
    }

    // MARK: - Users

    /// On an empty database, creates the owner account and returns its first token.
    public func bootstrapOwnerIfEmpty() throws -> String? {
        try storage.write { connection -> String? in
            guard try UserStore.isEmpty(connection) else { return nil }
            let user = try insertUser(connection, name: "owner")
            return try insertToken(connection, userID: user.id, name: "owner bootstrap").1
        }
    }

    /// Creates a user with a first token; the token is returned once.
    public func addUser(name: String) throws -> (User, String) {
        var validator = Validator()
        let trimmed = validator.required("name", name, maxLength: 64)
        if !trimmed.isEmpty, !trimmed.unicodeScalars.allSatisfy({ $0.isLetterOrDigit || "._-".unicodeScalars.contains($0) }) {
            validator.add("name", "may hold only letters, digits, '.', '_' and '-'")
        }
        try validator.finish()
        return try storage.write { connection in
            if try UserStore.id(connection, named: trimmed) != nil {
                throw DomainError.conflict(code: "name_taken", detail: "A user named '\(trimmed)' already exists.", existingID: nil)
            }
            let user = try insertUser(connection, name: trimmed)
            let (_, secret) = try insertToken(connection, userID: user.id, name: "default")
            return (user, secret)
        }
    }

    public func user(id: Int64) throws -> User {
        let found = try storage.read { try UserStore.find($0, id: id) }
        guard let found else { throw DomainError.notFound("No such user.") }
        return found
    }

    /// `PATCH /me`: the name pitches use and the headline.
    public func updateUser(id: Int64, draft: UserDraft, precondition: VersionPrecondition) throws -> Future<User> {
        // Checked at once: bad input never reaches the writer.
        var validator = Validator()
        let displayName = draft.displayName.isAbsent
            ? Patch<String>.absent : Patch(validator.optional("display_name", draft.displayName.applied(to: nil), maxLength: 200))
        let headline = draft.headline.isAbsent ? Patch<String>.absent : Patch(validator.optional("headline", draft.headline.applied(to: nil), maxLength: 500))
        var timeZone: String?
        switch draft.timeZone {
        case .absent: break
        case .null: validator.add("time_zone", "cannot be null; UTC is \"UTC\"")
        case .value(let name):
            // Only a zone this machine's tzdata can read: an unknown one would fail later, at every due date.
            if (try? ZoneRules.load(named: name)) != nil { timeZone = name } else { validator.add("time_zone", "must be an IANA time zone name such as Europe/Oslo") }
        }
        try validator.finish()
        let newTimeZone = timeZone
        let storage = storage
        return storage.submit { connection in
            guard let current = try UserStore.find(connection, id: id) else { throw DomainError.notFound("No such user.") }
            try precondition.check(current.version)
            var updated = current
            updated.displayName = displayName.applied(to: current.displayName)
            updated.headline = headline.applied(to: current.headline)
            if let newTimeZone { updated.timeZone = newTimeZone }
            guard updated != current else { return current }
            try UserStore.update(connection, updated, at: storage.stamp())
            if updated.timeZone != current.timeZone { try Reminders.rezone(connection, userID: id) }
            return try UserStore.find(connection, id: id) ?? updated
        }
    }

    public func userID(named name: String) throws -> Int64 {
        let id = try storage.read { try UserStore.id($0, named: name) }
        guard let id else { throw DomainError.notFound("No user named '\(name)'.") }
        return id
    }

    private func insertUser(_ connection: SQLiteConnection, name: String) throws -> User {
        try UserStore.insert(connection, name: name, at: clock.now())
    }

    // MARK: - Tokens

    /// The principal a presented bearer token stands for, or nil.
    public func authenticate(_ presented: String) throws -> Principal? {
        guard TokenSecret.isWellFormed(presented) else { return nil }
        let digest = TokenSecret.hash(presented)
        let key = TokenSecret.Key(digest)
        let (cached, generation) = principals.withLock { ($0.cache[key], $0.generation) }
        if let cached {
            touch(tokenID: cached.tokenID)
            return cached
        }
        let candidates = try storage.read { try TokenStore.candidates($0, lookup: TokenSecret.lookup(presented)) }
        var match: Principal?
        for candidate in candidates where TokenSecret.constantTimeEquals(candidate.hash, digest) {
            match = Principal(userID: candidate.userID, tokenID: candidate.id)
        }
        if let match {
            afterLookup.withLock { $0 }?()
            principals.withLock { state in
                guard state.generation == generation else { return }
                if state.cache.count >= 10_000 { state.cache.removeAll() }
                state.cache[key] = match
            }
            touch(tokenID: match.tokenID)
        }
        return match
    }

    /// Records the token's use, at most once a minute. Handed to the writer thread and not
    /// waited for: it runs on the I/O thread, and its failure (a busy database, a token revoked
    /// meanwhile) must not fail the request that used the token.
    private func touch(tokenID: Int64) {
        let now = clock.now()
        let due = lastUsedWrites.withLock { writes -> Bool in
            if let last = writes[tokenID], now.timeIntervalSince(last) < 60 { return false }
            writes[tokenID] = now
            return true
        }
        if due { _ = storage.submit { try TokenStore.touch($0, id: tokenID, at: now) } }
    }

    /// Creates a token for a user; returns it with its secret, which is shown only now.
    public func createToken(userID: Int64, name: String?) throws -> (Token, String) {
        var validator = Validator()
        let label = validator.optional("name", name, maxLength: 100) ?? ""
        try validator.finish()
        return try storage.write { try insertToken($0, userID: userID, name: label) }
    }

    private func insertToken(_ connection: SQLiteConnection, userID: Int64, name: String) throws -> (Token, String) {
        let secret = TokenSecret.generate()
        let token = try TokenStore.insert(
            connection, userID: userID, name: name, lookup: TokenSecret.lookup(secret), hash: TokenSecret.hash(secret), at: clock.now())
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
        principals.withLock { state in
            state.generation &+= 1
            state.cache.removeAll()
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
