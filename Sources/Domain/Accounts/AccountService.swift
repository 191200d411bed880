#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SQLiteCore
import Primitives

/// Users and their bearer tokens: bootstrap, authentication, token management.
public final class AccountService: Sendable {
    private let database: Database
    private let clock: any Clock
    /// When each token's `last_used_at` was last written, so a busy token costs one write a minute.
    private let lastUsedWrites = Lock<[Int64: Date]>([:])
    /// Principals of recently seen token hashes, so a request costs one read transaction, not
    /// two. Only this process deletes tokens (the CLI only adds them), and deletion clears it.
    private let principals = Lock<[TokenSecret.Key: Principal]>([:])

    public static let tokenSorts: [String: ListOrder] = [
        "created_at": ListOrder(name: "created_at", columns: [], descending: false),
        "-created_at": ListOrder(name: "-created_at", columns: [], descending: true),
    ]

    public init(database: Database, clock: any Clock = SystemClock()) {
        self.database = database
        self.clock = clock
    }

    // MARK: - Users

    /// On an empty database, creates the owner account and returns its first token.
    public func bootstrapOwnerIfEmpty() throws -> String? {
        try database.write { connection -> String? in
            guard try connection.scalarInt("SELECT count(*) FROM users") == 0 else { return nil }
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
        return try database.write { connection in
            if try connection.scalarInt("SELECT id FROM users WHERE name = ? COLLATE NOCASE", [trimmed]) != nil {
                throw DomainError.conflict(code: "name_taken", detail: "A user named '\(trimmed)' already exists.", existingID: nil)
            }
            let user = try insertUser(connection, name: trimmed)
            let (_, secret) = try insertToken(connection, userID: user.id, name: "default")
            return (user, secret)
        }
    }

    public func user(id: Int64) throws -> User {
        let found = try database.read { connection in
            try connection.queryOne("SELECT id, name, time_zone, created_at, updated_at, version FROM users WHERE id = ?", [id], Self.user)
        }
        guard let found else { throw DomainError.notFound("No such user.") }
        return found
    }

    public func userID(named name: String) throws -> Int64 {
        let id = try database.read { try $0.scalarInt("SELECT id FROM users WHERE name = ? COLLATE NOCASE", [name]) }
        guard let id else { throw DomainError.notFound("No user named '\(name)'.") }
        return id
    }

    private func insertUser(_ connection: SQLiteConnection, name: String) throws -> User {
        let now = clock.now()
        try connection.run("INSERT INTO users (name, created_at, updated_at) VALUES (?, ?, ?)", [name, now, now])
        return User(id: connection.lastInsertRowID, name: name, timeZone: "UTC", createdAt: now, updatedAt: now, version: 1)
    }

    static func user(_ row: Row) -> User {
        User(
            id: row.int64(0), name: row.string(1), timeZone: row.string(2), createdAt: row.date(3) ?? .distantPast,
            updatedAt: row.date(4) ?? .distantPast, version: row.int64(5))
    }

    // MARK: - Tokens

    /// The principal a presented bearer token stands for, or nil.
    public func authenticate(_ presented: String) throws -> Principal? {
        guard TokenSecret.isWellFormed(presented) else { return nil }
        let digest = TokenSecret.hash(presented)
        let key = TokenSecret.Key(digest)
        if let cached = principals.withLock({ $0[key] }) {
            try touch(tokenID: cached.tokenID)
            return cached
        }
        let candidates = try database.read { connection in
            try connection.query("SELECT id, user_id, secret_hash FROM tokens WHERE lookup = ?", [TokenSecret.lookup(presented)]) {
                (id: $0.int64(0), userID: $0.int64(1), hash: $0.blob(2))
            }
        }
        var match: Principal?
        for candidate in candidates where TokenSecret.constantTimeEquals(candidate.hash, digest) {
            match = Principal(userID: candidate.userID, tokenID: candidate.id)
        }
        if let match {
            principals.withLock { cache in
                if cache.count >= 10_000 { cache.removeAll() }
                cache[key] = match
            }
            try touch(tokenID: match.tokenID)
        }
        return match
    }

    private func touch(tokenID: Int64) throws {
        let now = clock.now()
        let due = lastUsedWrites.withLock { writes -> Bool in
            if let last = writes[tokenID], now.timeIntervalSince(last) < 60 { return false }
            writes[tokenID] = now
            return true
        }
        if due { try database.write { try $0.run("UPDATE tokens SET last_used_at = ? WHERE id = ?", [now, tokenID]) } }
    }

    /// Creates a token for a user; returns it with its secret, which is shown only now.
    public func createToken(userID: Int64, name: String?) throws -> (Token, String) {
        var validator = Validator()
        let label = validator.optional("name", name, maxLength: 100) ?? ""
        try validator.finish()
        return try database.write { try insertToken($0, userID: userID, name: label) }
    }

    private func insertToken(_ connection: SQLiteConnection, userID: Int64, name: String) throws -> (Token, String) {
        let secret = TokenSecret.generate()
        let now = clock.now()
        try connection.run(
            "INSERT INTO tokens (user_id, name, lookup, secret_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            [userID, name, TokenSecret.lookup(secret), TokenSecret.hash(secret), now, now])
        let token = Token(id: connection.lastInsertRowID, userID: userID, name: name, createdAt: now, updatedAt: now, version: 1, lastUsedAt: nil)
        return (token, secret)
    }

    private static let tokenColumns = "t.id, t.user_id, t.name, t.created_at, t.updated_at, t.version, t.last_used_at"

    static func token(_ row: Row) -> Token {
        Token(
            id: row.int64(0), userID: row.int64(1), name: row.string(2), createdAt: row.date(3) ?? .distantPast,
            updatedAt: row.date(4) ?? .distantPast, version: row.int64(5), lastUsedAt: row.date(6))
    }

    public func listTokens(userID: Int64, page: PageRequest) throws -> Page<Token> {
        try database.read { connection in
            try KeysetQuery(select: Self.tokenColumns, from: "tokens t", alias: "t", conditions: ["t.user_id = ?"], arguments: [userID])
                .run(connection, page: page, columnCount: 7, map: Self.token)
        }
    }

    public func token(userID: Int64, id: Int64) throws -> Token {
        let found = try database.read { connection in
            try connection.queryOne("SELECT \(Self.tokenColumns) FROM tokens t WHERE t.user_id = ? AND t.id = ?", [userID, id], Self.token)
        }
        guard let found else { throw DomainError.notFound("No token \(id).") }
        return found
    }

    public func deleteToken(userID: Int64, id: Int64, precondition: VersionPrecondition) throws {
        try database.write { connection in
            guard let version = try connection.scalarInt("SELECT version FROM tokens WHERE user_id = ? AND id = ?", [userID, id]) else {
                throw DomainError.notFound("No token \(id).")
            }
            try precondition.check(version)
            try connection.run("DELETE FROM tokens WHERE id = ?", [id])
        }
        lastUsedWrites.withLock { _ = $0.removeValue(forKey: id) }
        principals.withLock { $0.removeAll() }
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
