import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// `foothold probe`: a health check for images without curl (Docker's HEALTHCHECK). Exit 0
/// when the URL answers 2xx within the timeout, 1 otherwise.
struct Probe: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Exit 0 if an http:// URL answers 2xx in time, else 1.")

    @Option(help: "The URL to GET, e.g. http://127.0.0.1:8080/health.")
    var url: String = "http://127.0.0.1:8080/health"

    @Option(help: "Seconds to wait for the answer.")
    var timeout: Double = 5

    func validate() throws {
        guard Self.parse(url) != nil else { throw ValidationError("--url must be http://host[:port]/path.") }
        guard timeout > 0, timeout <= 300 else { throw ValidationError("--timeout must be 0–300 seconds.") }
    }

    func run() throws {
        guard let target = Self.parse(url), let status = Self.status(of: target, timeout: timeout) else {
            printError("foothold probe: no answer from \(url)")
            throw ExitCode(1)
        }
        guard (200..<300).contains(status) else {
            printError("foothold probe: \(url) answered \(status)")
            throw ExitCode(1)
        }
    }

    /// Host, port and path of `http://host[:port][/path]` (IPv6 hosts in brackets).
    static func parse(_ url: String) -> (host: String, port: String, path: String)? {
        guard url.hasPrefix("http://") else { return nil }
        let rest = url.dropFirst(7)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        var host = Substring(authority)
        var port = "80"
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") { port = String(after.dropFirst()) } else if !after.isEmpty { return nil }
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.lastIndex(of: ":") {
            port = String(host[host.index(after: colon)...])
            host = host[..<colon]
        }
        guard !host.isEmpty, !port.isEmpty, port.allSatisfy(\.isASCII), let number = Int(port), (1...65535).contains(number),
              !url.contains(where: { $0 == " " || $0 == "\r" || $0 == "\n" })
        else { return nil }
        return (String(host), port, path.isEmpty ? "/" : String(path))
    }

    /// The status code of `GET path`, or nil (no connection, no answer in time, no status line).
    static func status(of target: (host: String, port: String, path: String), timeout: Double) -> Int? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(target.host, target.port, &hints, &list) == 0, let first = list else { return nil }
        defer { freeaddrinfo(list) }
        let fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else { return nil }
        let hostHeader = target.host.contains(":") ? "[\(target.host)]:\(target.port)" : "\(target.host):\(target.port)"
        let request = Array("GET \(target.path) HTTP/1.1\r\nHost: \(hostHeader)\r\nConnection: close\r\nUser-Agent: foothold-probe\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { return nil }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 512)
        while received.count < 64, !received.contains(0x0A) {
            let count = recv(fd, &chunk, chunk.count, 0)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            received += chunk[0..<count]
        }
        // "HTTP/1.1 200 OK"
        let line = String(decoding: received.prefix { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3 else { return nil }
        return Int(parts[1])
    }
}
