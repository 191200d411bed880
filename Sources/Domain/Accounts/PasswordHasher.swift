import CArgon2
import Primitives

/// Password hashes: argon2id through Debian's libargon2, the reference implementation of
/// RFC 9106, on a bounded pool of threads of its own.
///
/// Why argon2id and these parameters: it is the OWASP Password Storage Cheat Sheet's first
/// choice (memory-hard, and the hybrid mode resists both side channels and GPU cracking), and
/// its first parameter set is m = 19 MiB, t = 2, p = 1. scrypt from CryptoExtras is its second
/// choice; libargon2 is the reference code, small, and already packaged by Debian.
///
/// Why a pool: each hash holds 19 MiB for tens of milliseconds. At most `threads` run at once,
/// so a flood of sign-ins costs at most threads × 19 MiB and the cores those threads use,
/// never the I/O threads or the workers that serve everyone else; past `maxQueued` waiting
/// hashes the caller is told to come back (503) instead of queueing without bound.
public final class PasswordHasher: Sendable {
    /// OWASP's argon2id parameters: memory in KiB, passes, lanes.
    public static let memoryKiB: UInt32 = 19 * 1024
    public static let iterations: UInt32 = 2
    public static let parallelism: UInt32 = 1
    static let saltBytes = 16
    static let hashBytes = 32

    /// Made on first use: most services objects (the command line, tests) never hash.
    private let pool = Lock<WorkerPool?>(nil)
    private let threads: Int
    private let maxQueued: Int
    /// A hash of a random password, made once (by the first check that needs it): an unknown
    /// name is checked against it so that it costs what a wrong password costs (the answer and
    /// its time say nothing).
    private let dummy = Lock<String?>(nil)

    public init(threads: Int = 2, maxQueued: Int = 256) {
        self.threads = max(1, threads)
        self.maxQueued = max(1, maxQueued)
    }

    /// The PHC string of `password` ($argon2id$v=19$m=19456,t=2,p=1$salt$hash), made on the pool.
    public func hash(_ password: String) -> Future<String> {
        run { try Self.hashNow(password) }
    }

    /// Whether `password` matches `encoded`; with no hash (an unknown name, an account without
    /// a password) a dummy hash is checked instead, and the answer is false.
    public func verify(_ password: String, against encoded: String?) -> Future<Bool> {
        run { [dummy] in
            guard let encoded, encoded.hasPrefix("$argon2id$") else {
                let stand = try dummy.withLock { existing -> String in
                    if let existing { return existing }
                    let made = try Self.hashNow(TokenSecret.generate(prefix: ""))
                    existing = made
                    return made
                }
                _ = Self.verifyNow(password, stand)
                return false
            }
            return Self.verifyNow(password, encoded)
        }
    }

    /// Runs `work` on the pool; fails at once with `overloaded` when the queue is full.
    private func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) -> Future<T> {
        let future = Future<T>()
        let pool = pool.withLock { pool -> WorkerPool in
            if let pool { return pool }
            let made = WorkerPool(threads: threads, maxQueued: maxQueued, name: "foothold-password")
            pool = made
            return made
        }
        let accepted = pool.submit { future.complete(Result { try work() }) }
        if !accepted { future.complete(.failure(DomainError.overloaded("Too many sign-ins are being checked; try again in a moment."))) }
        return future
    }

    /// Hashes on the calling thread (the command line, which has no pool to wait for).
    public static func hashNow(_ password: String) throws -> String {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<saltBytes).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let length = argon2_encodedlen(iterations, memoryKiB, parallelism, UInt32(saltBytes), UInt32(hashBytes), Argon2_id)
        var encoded = [CChar](repeating: 0, count: length + 1)
        var bytes = Array(password.utf8)
        let result = bytes.withUnsafeMutableBytes { passwordBytes in
            salt.withUnsafeBytes { saltBytes in
                argon2id_hash_encoded(
                    iterations, memoryKiB, parallelism, passwordBytes.baseAddress, passwordBytes.count, saltBytes.baseAddress, saltBytes.count,
                    Self.hashBytes, &encoded, encoded.count)
            }
        }
        // The password's bytes do not outlive the hash in this buffer.
        for index in bytes.indices { bytes[index] = 0 }
        guard result == ARGON2_OK.rawValue else { throw PasswordHashError(code: result) }
        return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func verifyNow(_ password: String, _ encoded: String) -> Bool {
        let bytes = Array(password.utf8)
        let result = bytes.withUnsafeBytes { argon2id_verify(encoded, $0.baseAddress, $0.count) }
        return result == ARGON2_OK.rawValue
    }
}

/// libargon2 refused to hash (out of memory, most likely); the code is its `argon2_error_codes`.
public struct PasswordHashError: Error, CustomStringConvertible {
    public let code: Int32
    public var description: String { "argon2 failed with code \(code)" }
}

/// The password rule (NIST SP 800-63B §3.1.1.2): at least 12 characters, at most 1,024 bytes,
/// nothing else imposed: no composition rules, any character.
public enum PasswordPolicy {
    public static let minimumCharacters = 12
    public static let maximumBytes = 1024

    /// The reason `password` is refused, or nil.
    public static func problem(_ password: String) -> String? {
        if password.utf8.count > maximumBytes { return "must be at most \(maximumBytes) bytes" }
        if password.count < minimumCharacters { return "must be at least \(minimumCharacters) characters" }
        return nil
    }
}
