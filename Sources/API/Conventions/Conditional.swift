import Domain
import HTTPCore
import Primitives

/// ETags and conditional requests (RFC 9110 §8.8.3, §13). A single object's ETag is its
/// `version`; the gzip representation carries `"<version>-gzip"`, which names the same version.
enum Conditional {
    static func etag(_ version: Int64) -> String { "\"\(version)\"" }

    /// The versions an If-Match / If-None-Match list names; nil for `*`.
    private static func versions(_ header: String, allowWeak: Bool) -> Set<Int64>? {
        var versions = Set<Int64>()
        for element in header.split(separator: ",") {
            var tag = element.trimmingHTTPWhitespace()
            if tag == "*" { return nil }
            if tag.hasPrefix("W/") {
                // Strong comparison (If-Match) never matches a weak tag.
                guard allowWeak else { continue }
                tag.removeFirst(2)
            }
            guard tag.count >= 2, tag.hasPrefix("\""), tag.hasSuffix("\"") else { continue }
            var opaque = String(tag.dropFirst().dropLast())
            if opaque.hasSuffix("-gzip") { opaque.removeLast(5) }
            if let version = Int64(opaque) { versions.insert(version) }
        }
        return versions
    }

    /// What If-Match asks of a write; checked by the service inside its transaction.
    static func precondition(_ request: Request) -> VersionPrecondition {
        guard let header = request.headers["if-match"] else { return .none }
        guard let versions = versions(header, allowWeak: false) else { return .any }
        return .oneOf(versions)
    }

    /// Whether If-None-Match already names the current version (answer 304).
    static func notModified(_ request: Request, version: Int64) -> Bool {
        guard let header = request.headers["if-none-match"] else { return false }
        guard let versions = versions(header, allowWeak: true) else { return true }
        return versions.contains(version)
    }
}
