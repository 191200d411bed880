#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HTTPCore

/// A response as read off the wire by `RawClient`.
public struct ClientResponse: Sendable {
    public var status: Int
    public var reason: String
    /// Header fields in order, names lower-cased.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        headers.first { $0.name == name.lowercased() }?.value
    }

    public func headerValues(_ name: String) -> [String] {
        headers.filter { $0.name == name.lowercased() }.map(\.value)
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON (nil when it is not JSON).
    public var json: JSONValue? { try? JSONParser.parse(body) }
}

/// Failures of the test client itself.
public struct ClientError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A blocking HTTP/1.1 client on a raw socket, so tests control every byte sent and see
/// every byte received (framing, pipelining, partial writes, half-closes).
public final class RawClient {
    public let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to `host:port` (IPv4 or IPv6 literal) with a receive timeout.
    public init(port: Int, host: String = "127.0.0.1", timeout: Double = 10) throws {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let entry = list else { throw ClientError("resolve \(host)") }
        defer { freeaddrinfo(list) }
        let fd = socket(entry.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError("socket") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, entry.pointee.ai_addr, entry.pointee.ai_addrlen) == 0 else {
            let code = errno
            Glibc.close(fd)
            throw ClientError("connect \(host):\(port): errno \(code)")
        }
        self.fd = fd
    }

    private var isClosed = false

    deinit {
        if !isClosed { Glibc.close(fd) }
    }

    /// Closes with an RST instead of a FIN (SO_LINGER 0), as a crashed client would.
    public func reset() {
        guard !isClosed else { return }
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        Glibc.close(fd)
        isClosed = true
    }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                throw ClientError("send: errno \(errno)")
            }
            offset += sent
        }
    }

    public func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    /// Half-closes the sending side.
    public func shutdownWrite() {
        shutdown(fd, Int32(SHUT_WR))
    }

    /// Reads more bytes; false at EOF. Throws on timeout.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: chunk[0..<count])
                return true
            }
            if count == 0 { return false }
            if errno == EINTR { continue }
            if errno == ECONNRESET { return false }
            throw ClientError("recv: errno \(errno) (timeout?)")
        }
    }

    /// Reads whatever arrives next (at least one byte, or nothing at EOF) and returns it.
    public func readSome() throws -> [UInt8] {
        if buffer.isEmpty { _ = try fill() }
        defer { buffer = [] }
        return buffer
    }

    /// Reads one response. `headRequest` says the response has no body despite its length.
    public func readResponse(headRequest: Bool = false) throws -> ClientResponse {
        while true {
            if let end = findHeadEnd() {
                let headText = String(decoding: buffer[0..<end], as: UTF8.self)
                var lines = headText.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst()
                let parts = statusLine.split(separator: " ", maxSplits: 2)
                guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
                    throw ClientError("bad status line: \(statusLine)")
                }
                let headers = lines.compactMap { line -> (String, String)? in
                    guard let colon = line.firstIndex(of: ":") else { return nil }
                    return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
                }
                buffer.removeFirst(end + 4)
                var response = ClientResponse(status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: headers, body: [])
                if status < 200 || status == 204 || status == 304 || headRequest { return response }
                if response.header("transfer-encoding")?.lowercased() == "chunked" {
                    response.body = try readChunks()
                    return response
                }
                if let lengthText = response.header("content-length"), let length = Int(lengthText) {
                    while buffer.count < length {
                        guard try fill() else { throw ClientError("EOF inside a body") }
                    }
                    response.body = Array(buffer[0..<length])
                    buffer.removeFirst(length)
                    return response
                }
                // No length: the body runs to EOF.
                while try fill() {}
                response.body = buffer
                buffer = []
                return response
            }
            guard try fill() else { throw ClientError("EOF before a response") }
        }
    }

    /// A chunked body (RFC 9112 §7.1), strictly: sizes in hex, CRLF after each chunk, the
    /// last chunk and an empty trailer.
    private func readChunks() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let sizeLine = try readLine()
            guard let size = Int(sizeLine.split(separator: ";").first.map(String.init) ?? "", radix: 16) else {
                throw ClientError("bad chunk size line: \(sizeLine)")
            }
            if size == 0 {
                guard try readLine().isEmpty else { throw ClientError("trailer fields after the last chunk") }
                return body
            }
            while buffer.count < size + 2 {
                guard try fill() else { throw ClientError("EOF inside a chunk") }
            }
            body += buffer[0..<size]
            guard buffer[size] == 13, buffer[size + 1] == 10 else { throw ClientError("chunk not followed by CRLF") }
            buffer.removeFirst(size + 2)
        }
    }

    private func readLine() throws -> String {
        while true {
            if buffer.count >= 2, let end = (0..<(buffer.count - 1)).first(where: { buffer[$0] == 13 && buffer[$0 + 1] == 10 }) {
                let line = String(decoding: buffer[0..<end], as: UTF8.self)
                buffer.removeFirst(end + 2)
                return line
            }
            guard try fill() else { throw ClientError("EOF inside a chunked body") }
        }
    }

    private func findHeadEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for index in 0...(buffer.count - 4)
        where buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 && buffer[index + 3] == 10 {
            return index
        }
        return nil
    }

    /// The client's own port (to find the connection in the kernel's socket table).
    public var localPort: Int {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { return 0 }
        return withUnsafePointer(to: &address) { pointer -> Int in
            if Int32(pointer.pointee.ss_family) == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
    }

    /// True when the server closed the connection (EOF with nothing more to read).
    public func isClosedByPeer() -> Bool {
        guard buffer.isEmpty else { return false }
        return (try? fill()) == false
    }

    /// Sends one request and reads its response.
    public func request(
        _ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil
    ) throws -> ClientResponse {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: test\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if let body { text += "Content-Length: \(body.count)\r\n" }
        text += "\r\n"
        try send(Array(text.utf8) + (body ?? []))
        return try readResponse(headRequest: method == "HEAD")
    }

    /// Everything the server sends until it closes.
    public func readToEnd() -> [UInt8] {
        while (try? fill()) == true {}
        defer { buffer = [] }
        return buffer
    }
}
