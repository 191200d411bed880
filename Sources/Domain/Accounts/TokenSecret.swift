import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Primitives

/// Token secrets: 256 random bits, shown once, stored as SHA-256. A short prefix is stored
/// in clear to find the candidate row; the hash is then compared in constant time.
public enum TokenSecret {
    static let prefix = "fh_"
    /// Characters of the token used to find its row (the prefix plus 9 random characters).
    static let lookupLength = 12

    /// 256 random bits after `prefix` (API tokens `fh_`, calendar feed tokens `fc_`).
    public static func generate(prefix: String = "fh_") -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return prefix + Base64URL.encode(bytes)
    }

    static func hash(_ token: String) -> [UInt8] {
        // Straight from the string's bytes: through `Data` and a generic copy of the digest,
        // hashing cost twice as much, on every authenticated request.
        var token = token
        var hasher = SHA256()
        token.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        return hasher.finalize().withUnsafeBytes { Array($0) }
    }

    /// A digest as a cache key that hashes as four words, not 32 separate bytes.
    struct Key: Hashable {
        let words: (UInt64, UInt64, UInt64, UInt64)

        init(_ digest: [UInt8]) {
            var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            withUnsafeMutableBytes(of: &words) { target in
                digest.withUnsafeBytes { source in target.copyMemory(from: UnsafeRawBufferPointer(rebasing: source.prefix(32))) }
            }
            self.words = words
        }

        static func == (a: Key, b: Key) -> Bool { a.words == b.words }

        func hash(into hasher: inout Hasher) {
            hasher.combine(words.0)
            hasher.combine(words.1)
            hasher.combine(words.2)
            hasher.combine(words.3)
        }
    }

    static func lookup(_ token: String) -> String {
        String(token.prefix(lookupLength))
    }

    /// Whether a presented string even looks like one of our tokens (cheap early refusal).
    static func isWellFormed(_ token: String) -> Bool {
        token.hasPrefix(prefix) && token.utf8.count == prefix.utf8.count + 43
            && token.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F }
    }

    /// Compares without an early exit, so timing does not reveal how much matched.
    static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<a.count { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
