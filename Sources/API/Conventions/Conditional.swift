import Domain
import HTTPCore
import Primitives

/// ETags and conditional requests (RFC 9110 §8.8.3, §13). A single object's ETag is its
/// `version`; the gzip representation carries `"<version>-gzip"`, which names the same version.
enum Conditional {
    static func etag(_ version: Int64) -> String { "\"\(version)\"" }

    /// The versions an If-Match / If-None-Match list names; nil for `*`. A field that is not
    /// `*` or a list of entity-tags (RFC 9110 §8.8.3: `[W/]"…"`, comma-separated) is a 400:
    /// read as "no tag", it would quietly turn a conditional request into an unconditional one.
    private static func versions(_ header: String, field: String, allowWeak: Bool) throws(Problem) -> Set<Int64>? {
        var versions = Set<Int64>()
        let elements = header.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingHTTPWhitespace() }
        if elements == ["*"] { return nil }
        for element in elements {
            var tag = Substring(element)
            if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
            guard tag.count >= 2, tag.hasPrefix("\""), tag.hasSuffix("\""),
                  tag.dropFirst().dropLast().utf8.allSatisfy({ $0 == 0x21 || ($0 >= 0x23 && $0 != 0x7F) })
            else {
                throw Problem.badRequest(
                    "bad_precondition", "\(field) must be * or entity-tags such as \"3\".",
                    errors: [.init(field: field, message: "must be * or a list of entity-tags")])
            }
            // Strong comparison (If-Match) never matches a weak tag.
            if element.hasPrefix("W/") && !allowWeak { continue }
            var opaque = String(tag.dropFirst().dropLast())
            if opaque.hasSuffix("-gzip") { opaque.removeLast(5) }
            if let version = Int64(opaque) { versions.insert(version) }
        }
        return versions
    }

    /// What If-Match asks of a write; checked by the service inside its transaction.
    static func precondition(_ request: Request) throws(Problem) -> VersionPrecondition {
        guard let header = request.headers["if-match"] else { return .none }
        guard let versions = try versions(header, field: "If-Match", allowWeak: false) else { return .any }
        return .oneOf(versions)
    }

    /// Whether If-None-Match already names the current version (answer 304).
    static func notModified(_ request: Request, version: Int64) throws(Problem) -> Bool {
        guard let header = request.headers["if-none-match"] else { return false }
        guard let versions = try versions(header, field: "If-None-Match", allowWeak: true) else { return true }
        return versions.contains(version)
    }
}
