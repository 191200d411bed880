import Domain
import Foundation
import Primitives

/// A webhook receiver in memory: keeps each POST, answers the statuses it is told (200 after),
/// and refuses URLs as a policy would (anything with "internal" in it, and plain http).
public final class FakeWebhooks: WebhookTransport, Sendable {
    public struct Post: Sendable {
        public var url: String
        public var body: String
        public var headers: [String: String]
    }

    private let state = Lock<(posts: [Post], statuses: [Int])>(([], []))

    public init() {}

    public func refusal(_ url: String) -> String? {
        if !url.hasPrefix("https://") { return "must be an https:// URL" }
        if url.contains("internal") { return "resolves to 10.0.0.1, an address on this server's own network, which webhooks may not reach" }
        return nil
    }

    public func post(to url: String, body: [UInt8], headers: [(String, String)]) -> (status: Int?, error: String?) {
        let status = state.withLock { state -> Int in
            state.posts.append(Post(url: url, body: String(decoding: body, as: UTF8.self), headers: Dictionary(headers, uniquingKeysWith: { $1 })))
            return state.statuses.isEmpty ? 200 : state.statuses.removeFirst()
        }
        return (status, (200..<300).contains(status) ? nil : "the receiver answered \(status)")
    }

    public func answerNext(_ statuses: Int...) { state.withLock { $0.statuses += statuses } }
    public var posts: [Post] { state.withLock { $0.posts } }
}
