import CCurl
import Primitives

#if canImport(Glibc)
import Glibc
#endif

/// Where mail leaves the server, from `--smtp-url` and `--smtp-from`.
///
/// `smtp://user:pass@host:587` speaks STARTTLS and refuses to go on without it; `smtps://…:465`
/// is TLS from the first byte. Plain SMTP (no TLS offered) is allowed only to a relay on a
/// loopback address, a local Postfix or a test server: anywhere else the password and the mail
/// would cross the network in clear.
public struct SMTPSettings: Sendable, Equatable {
    public enum Invalid: Error, Equatable, CustomStringConvertible {
        case url(String)
        case from(String)

        public var description: String {
            switch self {
            case .url(let why): "--smtp-url: \(why)"
            case .from(let why): "--smtp-from: \(why)"
            }
        }
    }

    /// The URL libcurl is given: scheme, host and port, without the credentials.
    public let endpoint: String
    public let host: String
    public let username: String?
    public let password: String?
    public let from: String
    /// A CA bundle to trust instead of the system's (a test server's own certificate).
    public let caFile: String?
    /// smtps: TLS from the start; else STARTTLS, required unless the relay is on loopback.
    public let implicitTLS: Bool
    public let loopback: Bool

    public init(url: String, from: String, caFile: String? = nil) throws(Invalid) {
        let scheme: String
        var rest: Substring
        if url.hasPrefix("smtp://") {
            scheme = "smtp"
            rest = url.dropFirst(7)
        } else if url.hasPrefix("smtps://") {
            scheme = "smtps"
            rest = url.dropFirst(8)
        } else {
            throw .url("must start with smtp:// (STARTTLS) or smtps:// (TLS)")
        }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        var user: String?
        var pass: String?
        if let at = rest.lastIndex(of: "@") {
            let info = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let parts = info.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = PercentDecoding.decode(parts[0], plusAsSpace: false),
                  let secret = parts.count > 1 ? PercentDecoding.decode(parts[1], plusAsSpace: false) : ""
            else { throw .url("the user name or password has a malformed %-escape") }
            user = name.isEmpty ? nil : name
            pass = parts.count > 1 ? secret : nil
        }
        let hostPort = String(rest)
        let hostPart: String
        var port: Int?
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { throw .url("an IPv6 address needs its closing ]") }
            hostPart = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
            let tail = hostPort[hostPort.index(after: close)...]
            if tail.hasPrefix(":") { port = Int(tail.dropFirst()) } else if !tail.isEmpty { throw .url("unexpected text after the address") }
        } else if let colon = hostPort.lastIndex(of: ":") {
            hostPart = String(hostPort[..<colon])
            port = Int(hostPort[hostPort.index(after: colon)...])
            if port == nil { throw .url("the port must be a number") }
        } else {
            hostPart = hostPort
        }
        guard !hostPart.isEmpty else { throw .url("names no host") }
        if let port, !(1...65535).contains(port) { throw .url("the port must be 1 to 65535") }
        guard from.contains("@"), !from.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "<" || $0 == ">" || $0 == " " }) else {
            throw .from("must be an address like foothold@example.org")
        }
        host = hostPart
        username = user
        password = pass
        self.from = from
        self.caFile = caFile
        implicitTLS = scheme == "smtps"
        loopback = Self.isLoopback(hostPart)
        let shownHost = hostPart.contains(":") ? "[\(hostPart)]" : hostPart
        endpoint = "\(scheme)://\(shownHost)" + (port.map { ":\($0)" } ?? "")
    }

    /// The URL as logs may show it: the password never.
    public var redacted: String {
        guard let username else { return endpoint }
        let scheme = implicitTLS ? "smtps://" : "smtp://"
        return scheme + username + (password == nil ? "" : ":***") + "@" + endpoint.dropFirst(scheme.count)
    }

    static func isLoopback(_ host: String) -> Bool {
        let lower = host.lowercased()
        if lower == "localhost" || lower == "::1" { return true }
        let octets = lower.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}

/// Why a message was not handed over. A temporary failure (no connection, a 4xx reply) left
/// the server before the message was accepted and may be tried again; anything else is not
/// retried, since the message may have been delivered.
public enum SMTPFailure: Error, Equatable {
    case temporary(String)
    case permanent(String)
}

/// Sends one message per call through libcurl's SMTP client, on the caller's thread.
public final class SMTPClient: Sendable {
    public let settings: SMTPSettings

    public init(settings: SMTPSettings) {
        self.settings = settings
    }

    /// Hands `message` (the whole RFC 5322 text, CRLF line ends) to the relay for `recipient`.
    public func send(to recipient: String, message: [UInt8]) throws(SMTPFailure) {
        guard Curl.started, let handle = curl_easy_init() else { throw .temporary("libcurl could not start") }
        defer { curl_easy_cleanup(handle) }
        let upload = Upload(message)
        let box = Unmanaged.passRetained(upload)
        defer { box.release() }
        let recipients = curl_slist_append(nil, "<\(recipient)>")
        defer { curl_slist_free_all(recipients) }
        let s = settings
        var setup = [
            fh_curl_set_string(handle, CURLOPT_URL, s.endpoint),
            fh_curl_set_string(handle, CURLOPT_MAIL_FROM, "<\(s.from)>"),
            fh_curl_set_list(handle, CURLOPT_MAIL_RCPT, recipients),
            fh_curl_set_long(handle, CURLOPT_UPLOAD, 1),
            fh_curl_set_io(handle, CURLOPT_READFUNCTION, readMessage),
            fh_curl_set_pointer(handle, CURLOPT_READDATA, box.toOpaque()),
            // Worker threads: no signals for timeouts.
            fh_curl_set_long(handle, CURLOPT_NOSIGNAL, 1),
            fh_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT, 15),
            fh_curl_set_long(handle, CURLOPT_TIMEOUT, 60),
            // STARTTLS or nothing, except to a relay on loopback (which may offer none).
            fh_curl_set_long(handle, CURLOPT_USE_SSL, Int(s.implicitTLS || !s.loopback ? CURLUSESSL_ALL.rawValue : CURLUSESSL_TRY.rawValue)),
            fh_curl_set_string(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps"),
        ]
        if let name = s.username { setup.append(fh_curl_set_string(handle, CURLOPT_USERNAME, name)) }
        if let password = s.password { setup.append(fh_curl_set_string(handle, CURLOPT_PASSWORD, password)) }
        if let ca = s.caFile { setup.append(fh_curl_set_string(handle, CURLOPT_CAINFO, ca)) }
        if let bad = setup.first(where: { $0 != CURLE_OK }) {
            throw .permanent("libcurl refused a setting: " + String(cString: curl_easy_strerror(bad)))
        }
        let result = curl_easy_perform(handle)
        if result == CURLE_OK { return }
        var reply = 0
        _ = fh_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &reply)
        let reason = String(cString: curl_easy_strerror(result)) + (reply > 0 ? " (the server said \(reply))" : "")
        throw Self.classify(result, reply: reply, reason: reason)
    }

    /// Only what certainly left the message unsent is temporary.
    static func classify(_ result: CURLcode, reply: Int, reason: String) -> SMTPFailure {
        if (400..<500).contains(reply) { return .temporary(reason) }
        if (500..<600).contains(reply) { return .permanent(reason) }
        switch result {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT: return .temporary(reason)
        default: return .permanent(reason)
        }
    }
}

/// The message being read out by libcurl.
private final class Upload {
    let bytes: [UInt8]
    var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }
}

private let readMessage: fh_curl_io = { buffer, size, count, userdata in
    guard let buffer, let userdata else { return 0 }
    let upload = Unmanaged<Upload>.fromOpaque(userdata).takeUnretainedValue()
    let n = min(size * count, upload.bytes.count - upload.offset)
    guard n > 0 else { return 0 }
    upload.bytes.withUnsafeBufferPointer { source in
        if let base = source.baseAddress { memcpy(buffer, base + upload.offset, n) }
    }
    upload.offset += n
    return n
}
