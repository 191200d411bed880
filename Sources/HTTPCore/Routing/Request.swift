import Primitives
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One complete request as handlers see it.
public struct Request: Sendable {
    public var head: HTTPRequestHead
    public var body: [UInt8]
    /// Path parameters by template name, percent-decoded.
    public var parameters: [String: String] = [:]
    /// The echoed or generated `X-Request-Id`.
    public var requestID: String
    /// The peer's address, for rate limits and logs.
    public var remoteAddress: String
    /// A trusted proxy said the client reached it over https (`X-Forwarded-Proto`, `Forwarded`).
    public var forwardedHTTPS = false
    /// The template that matched, for logs and metrics.
    public var routeTemplate: String?
    /// Set by a route that wraps another for the handler it calls (the account a shared read
    /// acts as); never from anything on the wire. A reference: every request copies this
    /// struct, and an existential of any type would add 32 bytes to each copy.
    public var attachment: (any AnyObject & Sendable)?

    public init(head: HTTPRequestHead, body: [UInt8], requestID: String = "", remoteAddress: String = "") {
        self.head = head
        self.body = body
        self.requestID = requestID
        self.remoteAddress = remoteAddress
    }

    public var method: String { head.method }
    public var path: String { head.path }
    public var headers: HTTPHeaders { head.headers }

    /// A path parameter declared `{name:int}`; the router already checked its form.
    public func intParameter(_ name: String) throws(Problem) -> Int64 {
        guard let text = parameters[name], let value = Int64(text) else { throw Problem.notFound() }
        return value
    }

    /// The query's name/value pairs in order; a malformed escape is a 400.
    public func queryItems() throws(Problem) -> [(name: String, value: String)] {
        guard let query = head.query, !query.isEmpty else { return [] }
        var items: [(String, String)] = []
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = PercentDecoding.decode(parts[0], plusAsSpace: true),
                  let value = PercentDecoding.decode(parts.count > 1 ? parts[1] : "", plusAsSpace: true)
            else {
                throw Problem.badRequest("bad_query", "The query string has a malformed percent-escape.")
            }
            items.append((name, value))
        }
        return items
    }
}
