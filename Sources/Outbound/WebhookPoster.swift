import CCurl
import Primitives

#if canImport(Glibc)
import Glibc
#endif

/// Where webhooks may go: `https://` only unless the operator allows plain http (local testing),
/// and never to the server's own network (loopback, private, link-local, carrier-grade NAT,
/// multicast, unspecified) unless the operator allows that too. The address checked is the one
/// connected to: the name is resolved here and the connection pinned to a checked address, so
/// a name that resolves elsewhere the second time (DNS rebinding) cannot slip through.
public struct WebhookPolicy: Sendable, Equatable {
    public var allowHTTP: Bool
    public var allowPrivate: Bool
    /// A CA bundle to trust instead of the system's (a test receiver's own certificate).
    public var caFile: String?

    public init(allowHTTP: Bool = false, allowPrivate: Bool = false, caFile: String? = nil) {
        self.allowHTTP = allowHTTP
        self.allowPrivate = allowPrivate
        self.caFile = caFile
    }

    /// The parts of a webhook URL, or why it is refused (without resolving the name).
    public func check(_ url: String) -> Result<Target, Refusal> {
        let lower = url.lowercased()
        let secure = lower.hasPrefix("https://")
        guard secure || lower.hasPrefix("http://") else { return .failure(.scheme("must be an https:// URL")) }
        guard secure || allowHTTP else { return .failure(.scheme("must be https:// (this server does not allow plain http webhooks)")) }
        guard !url.contains(where: { $0.isWhitespace || $0 == "\\" }), !url.contains("#") else { return .failure(.malformed) }
        let rest = url.dropFirst(secure ? 8 : 7)
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        guard !authority.contains("@") else { return .failure(.userinfo) }
        var host = String(authority)
        var port = secure ? 443 : 80
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return .failure(.malformed) }
            let tail = host[host.index(after: close)...]
            let inner = String(host[host.index(after: host.startIndex)..<close])
            if tail.hasPrefix(":") {
                guard let p = Int(tail.dropFirst()), (1...65535).contains(p) else { return .failure(.malformed) }
                port = p
            } else if !tail.isEmpty {
                return .failure(.malformed)
            }
            host = inner
        } else if let colon = host.lastIndex(of: ":") {
            guard let p = Int(host[host.index(after: colon)...]), (1...65535).contains(p) else { return .failure(.malformed) }
            port = p
            host = String(host[..<colon])
        }
        guard !host.isEmpty else { return .failure(.malformed) }
        return .success(Target(url: url, host: host, port: port, secure: secure))
    }

    /// Resolves the target and picks the first address it may connect to.
    public func resolve(_ target: Target) -> Result<String, Refusal> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(target.host, String(target.port), &hints, &list) == 0, let first = list else { return .failure(.unresolved) }
        defer { freeaddrinfo(list) }
        var refused: String?
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let address = Self.numeric(entry.pointee) {
                if allowPrivate || !Self.isInternal(address) { return .success(address) }
                refused = address
            }
            cursor = entry.pointee.ai_next
        }
        return .failure(.internalAddress(refused ?? target.host))
    }

    static func numeric(_ info: addrinfo) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        guard let address = info.ai_addr,
              getnameinfo(address, info.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0
        else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether a numeric address is on the server's own side: never a webhook's destination.
    public static func isInternal(_ address: String) -> Bool {
        let text = address.split(separator: "%").first.map(String.init) ?? address
        if text.contains(":") {
            let lower = text.lowercased()
            if lower == "::1" || lower == "::" { return true }
            if lower.hasPrefix("::ffff:") { return isInternal(String(lower.dropFirst(7))) }
            if let first = lower.split(separator: ":", omittingEmptySubsequences: false).first, let word = UInt16(first, radix: 16) {
                if word & 0xFE00 == 0xFC00 { return true }  // fc00::/7, unique local
                if word & 0xFFC0 == 0xFE80 { return true }  // fe80::/10, link-local
                if word & 0xFF00 == 0xFF00 { return true }  // ff00::/8, multicast
            }
            return lower.hasPrefix("64:ff9b::")  // NAT64 of anything, private included
        }
        let octets = text.split(separator: ".").compactMap { UInt8($0) }
        guard octets.count == 4 else { return true }
        let (a, b) = (octets[0], octets[1])
        return a == 0 || a == 10 || a == 127 || (a == 169 && b == 254) || (a == 172 && (16...31).contains(b)) || (a == 192 && b == 168)
            || (a == 100 && (64...127).contains(b)) || a >= 224
    }

    public struct Target: Sendable, Equatable {
        public var url: String
        public var host: String
        public var port: Int
        public var secure: Bool

        public init(url: String, host: String, port: Int, secure: Bool) {
            self.url = url
            self.host = host
            self.port = port
            self.secure = secure
        }
    }

    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case scheme(String)
        case malformed
        case userinfo
        case unresolved
        case internalAddress(String)

        public var description: String {
            switch self {
            case .scheme(let why): why
            case .malformed: "must be an absolute URL with a host, like https://example.org/hook"
            case .userinfo: "must not carry a user name or password"
            case .unresolved: "names a host that does not resolve"
            case .internalAddress(let address):
                "resolves to \(address), an address on this server's own network, which webhooks may not reach"
            }
        }
    }
}

/// What became of one POST.
public struct WebhookResponse: Sendable, Equatable {
    /// The HTTP status, or nil when no response came.
    public var status: Int?
    public var error: String?

    public var delivered: Bool { status.map { (200..<300).contains($0) } ?? false }
}

/// Posts a webhook's JSON body through libcurl, to the address the policy checked.
public final class WebhookPoster: Sendable {
    public let policy: WebhookPolicy

    /// libcurl (and OpenSSL under it) is started at the first POST: a server with no webhooks
    /// never loads it.
    public init(policy: WebhookPolicy) {
        self.policy = policy
    }

    public func post(to url: String, body: [UInt8], headers: [(String, String)]) -> WebhookResponse {
        let target: WebhookPolicy.Target
        switch policy.check(url) {
        case .success(let checked): target = checked
        case .failure(let refusal): return WebhookResponse(status: nil, error: refusal.description)
        }
        let address: String
        switch policy.resolve(target) {
        case .success(let resolved): address = resolved
        case .failure(let refusal): return WebhookResponse(status: nil, error: refusal.description)
        }
        guard Curl.started, let handle = curl_easy_init() else { return WebhookResponse(status: nil, error: "libcurl could not start") }
        defer { curl_easy_cleanup(handle) }
        // Pinned: libcurl connects to the checked address whatever the name resolves to next.
        let pinned = curl_slist_append(nil, "\(target.host):\(target.port):\(address.contains(":") ? "[\(address)]" : address)")
        defer { curl_slist_free_all(pinned) }
        var list: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "Content-Type: application/json")
        for (name, value) in headers where !name.contains(where: { $0 == "\r" || $0 == "\n" }) && !value.contains(where: { $0 == "\r" || $0 == "\n" }) {
            list = curl_slist_append(list, "\(name): \(value)")
        }
        list = curl_slist_append(list, "Expect:")
        defer { curl_slist_free_all(list) }
        let sink = Unmanaged.passRetained(Sink())
        defer { sink.release() }
        var settings = [
            fh_curl_set_string(handle, CURLOPT_URL, url),
            fh_curl_set_string(handle, CURLOPT_PROTOCOLS_STR, policy.allowHTTP ? "http,https" : "https"),
            fh_curl_set_list(handle, CURLOPT_RESOLVE, pinned),
            fh_curl_set_list(handle, CURLOPT_HTTPHEADER, list),
            fh_curl_set_long(handle, CURLOPT_POSTFIELDSIZE, body.count),
            fh_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 0),
            fh_curl_set_long(handle, CURLOPT_NOSIGNAL, 1),
            fh_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT, 10),
            fh_curl_set_long(handle, CURLOPT_TIMEOUT, 20),
            fh_curl_set_string(handle, CURLOPT_USERAGENT, "Foothold-Webhooks/1"),
            fh_curl_set_io(handle, CURLOPT_WRITEFUNCTION, discardResponse),
            fh_curl_set_pointer(handle, CURLOPT_WRITEDATA, sink.toOpaque()),
        ]
        if let ca = policy.caFile { settings.append(fh_curl_set_string(handle, CURLOPT_CAINFO, ca)) }
        if let bad = settings.first(where: { $0 != CURLE_OK }) {
            return WebhookResponse(status: nil, error: "libcurl refused a setting: " + String(cString: curl_easy_strerror(bad)))
        }
        let result = body.withUnsafeBufferPointer { bytes -> CURLcode in
            // COPYPOSTFIELDS: libcurl keeps its own copy for the transfer.
            _ = fh_curl_set_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafePointer(bitPattern: 1)))
            return curl_easy_perform(handle)
        }
        guard result == CURLE_OK else { return WebhookResponse(status: nil, error: String(cString: curl_easy_strerror(result))) }
        var status = 0
        _ = fh_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return WebhookResponse(status: status, error: (200..<300).contains(status) ? nil : "the receiver answered \(status)")
    }
}

/// The receiver's answer is read and dropped (at most 64 KiB are accepted).
private final class Sink {
    var count = 0
}

private let discardResponse: fh_curl_io = { _, size, count, userdata in
    guard let userdata else { return 0 }
    let sink = Unmanaged<Sink>.fromOpaque(userdata).takeUnretainedValue()
    sink.count += size * count
    return sink.count > 65536 ? 0 : size * count
}
