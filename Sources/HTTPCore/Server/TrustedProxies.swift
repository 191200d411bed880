#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Primitives

/// An address block, `10.0.0.0/8` or `fd00::/8`; a bare address is a block of one.
public struct AddressBlock: Sendable, Equatable {
    /// 4 bytes for IPv4, 16 for IPv6; bits past the prefix are zero.
    let network: [UInt8]
    let prefix: Int

    /// Parses `address[/prefix]`; nil when it is not one.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bytes = Self.bytes(of: String(parts[0])) else { return nil }
        var prefix = bytes.count * 8
        if parts.count == 2 {
            guard let value = Int(parts[1]), (0...prefix).contains(value), parts[1].allSatisfy(\.isASCII) else { return nil }
            prefix = value
        }
        self.prefix = prefix
        network = Self.masked(bytes, prefix)
    }

    /// Whether `address` (text, as the server describes peers) lies in this block.
    public func contains(_ address: String) -> Bool {
        guard let bytes = Self.bytes(of: address), bytes.count == network.count else { return false }
        return Self.masked(bytes, prefix) == network
    }

    /// The address's bytes: 4 for IPv4 (and IPv4-mapped IPv6, `::ffff:a.b.c.d`), 16 for IPv6.
    static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return Array(bytes[12...]) }
        return bytes
    }

    private static func masked(_ bytes: [UInt8], _ prefix: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let bits = max(0, min(8, prefix - index * 8))
            return bits == 8 ? byte : byte & ~(0xFF >> bits)
        }
    }
}

/// Reverse proxies whose `X-Forwarded-For` is believed. Without any, the peer address is the
/// client; from a trusted peer, the client is the rightmost address in the list that is not
/// itself a trusted proxy (every hop appends the address it saw, and only the trusted hops'
/// additions can be relied on).
public struct TrustedProxies: Sendable {
    public var blocks: [AddressBlock]

    public init(_ blocks: [AddressBlock] = []) {
        self.blocks = blocks
    }

    func trusts(_ address: String) -> Bool {
        blocks.contains { $0.contains(address) }
    }

    /// Whether a request from `peer` reached the first proxy over https: believed only from a
    /// trusted proxy, read from the first (client-facing) value of `X-Forwarded-Proto`, else
    /// the first element's `proto=` of `Forwarded` (RFC 7239).
    func forwardedHTTPS(peer: String, headers: HTTPHeaders) -> Bool {
        guard !blocks.isEmpty, trusts(peer) else { return false }
        if let proto = headers.values("x-forwarded-proto").first {
            let first = proto.split(separator: ",").first.map { $0.trimmingHTTPWhitespace().lowercased() } ?? ""
            return first == "https"
        }
        guard let forwarded = headers.values("forwarded").first, let element = forwarded.split(separator: ",").first else { return false }
        for pair in element.split(separator: ";") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingHTTPWhitespace().lowercased() }
            if parts.count == 2, parts[0] == "proto" { return parts[1].filter { $0 != "\"" } == "https" }
        }
        return false
    }

    /// The client address of a request from `peer` carrying these `X-Forwarded-For` values.
    func clientAddress(peer: String, forwardedFor values: [String]) -> String {
        guard !blocks.isEmpty, !values.isEmpty, trusts(peer) else { return peer }
        var client = peer
        let hops = values.flatMap { $0.split(separator: ",") }.map { $0.trimmingHTTPWhitespace() }
        for hop in hops.reversed() {
            // Not an address: whoever sent it is not to be believed further; keep the last trusted hop.
            guard AddressBlock.bytes(of: hop) != nil else { return client }
            client = hop
            if !trusts(hop) { return hop }
        }
        return client
    }
}
