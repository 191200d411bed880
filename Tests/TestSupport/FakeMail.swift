import Domain
import Foundation
import Primitives

/// A relay that keeps what it is handed, and fails as told.
public final class FakeMail: MailTransport, Sendable {
    private let state = Lock<(sent: [(to: String, text: String)], failures: [MailFailure])>(([], []))
    public let from = "foothold@example.org"

    public init() {}

    public func send(to recipient: String, message: [UInt8]) throws(MailFailure) {
        let failure = state.withLock { state -> MailFailure? in
            if !state.failures.isEmpty { return state.failures.removeFirst() }
            state.sent.append((recipient, String(decoding: message, as: UTF8.self)))
            return nil
        }
        if let failure { throw failure }
    }

    public func failNext(_ failures: MailFailure...) { state.withLock { $0.failures += failures } }
    public var sent: [(to: String, text: String)] { state.withLock { $0.sent } }

    /// The decoded part of `type` (`text/plain`, `text/html`) of the `index`th message.
    public func part(_ index: Int, _ type: String = "text/plain") -> String {
        let all = sent
        guard all.indices.contains(index) else { return "" }
        let message = all[index].text
        guard let start = message.range(of: "Content-Type: \(type); charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"),
              let end = message.range(of: "--foothold-", range: start.upperBound..<message.endIndex)
        else { return "" }
        let base64 = message[start.upperBound..<end.lowerBound].replacingOccurrences(of: "\r\n", with: "")
        return Data(base64Encoded: base64).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// The confirmation code in the `index`th message.
    public func code(_ index: Int) -> String? {
        part(index).split(separator: "\n").first { $0.hasPrefix("dc_") }.map(String.init)
    }
}
