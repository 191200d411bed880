import Primitives
/// Incremental HTTP/1.1 request parser (RFC 9112). Bytes go in with `append`, events come out
/// of `next()`; any split of the input yields the same events. It never touches a socket, so
/// it is tested with literal bytes and fuzzed.
public struct RequestParser {
    /// What the parser has to say after consuming the bytes it has.
    public enum Event {
        /// Nothing complete yet; feed more bytes.
        case needMore
        /// The head asked for `100-continue` and the body has not arrived yet (RFC 9110 §10.1.1).
        case expectContinue
        case request(HTTPRequestHead, body: [UInt8])
        /// Framing failed; the parser stays failed and ignores further input.
        case failure(FramingError)
    }

    private enum State {
        case requestLine
        case headers
        case body(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case failed
    }

    private enum LineScan {
        case line(end: Int, next: Int)
        case incomplete
        case tooLong
        case failure(FramingError)
    }

    public var limits: ParserLimits
    /// Chooses the body limit per request (imports take more); defaults to `limits.maxBodyBytes`.
    private let bodyLimit: (@Sendable (HTTPRequestHead) -> Int)?
    /// Plans each request as its head completes; the plan's body limit wins over `bodyLimit`.
    private var planner: (@Sendable (HTTPRequestHead) -> RequestPlan)?
    /// The plan of the request last reported by `next()`.
    public private(set) var plan: RequestPlan?

    private var buffer: [UInt8] = []
    private var readIndex = 0
    /// How far past `readIndex` the current line was already scanned, so it is not rescanned.
    private var scanned = 0
    private var state = State.requestLine

    private var method = ""
    private var target = ""
    private var version = HTTPVersion.http1_1
    private var headers = HTTPHeaders()
    private var headBytes = 0
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var currentBodyLimit = 0
    private var trailerCount = 0

    public init(limits: ParserLimits = ParserLimits(), bodyLimit: (@Sendable (HTTPRequestHead) -> Int)? = nil) {
        self.limits = limits
        self.bodyLimit = bodyLimit
    }

    /// A parser that asks `planner` how to serve each request, once per head.
    public init(limits: ParserLimits, planner: @escaping @Sendable (HTTPRequestHead) -> RequestPlan) {
        self.limits = limits
        self.bodyLimit = nil
        self.planner = planner
    }

    /// True between requests with no byte of the next one received.
    public var isIdle: Bool {
        if case .requestLine = state { return readIndex == buffer.count }
        return false
    }

    /// True while the body of a request is being received.
    public var isReadingBody: Bool {
        switch state {
        case .body, .chunkSize, .chunkData, .chunkDataEnd, .trailers: return true
        default: return false
        }
    }

    /// Bytes received and not yet consumed by a complete request.
    public var bufferedByteCount: Int { buffer.count - readIndex }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if case .failed = state { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    private mutating func compact() {
        if readIndex == 0 { return }
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        } else if readIndex >= 4096 && readIndex * 2 >= buffer.count {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
    }

    /// Consumes as much buffered input as it can and reports the next event.
    public mutating func next() -> Event {
        while true {
            switch state {
            case .failed:
                return .needMore
            case .requestLine:
                switch scanLine(limit: limits.maxRequestLineBytes) {
                case .incomplete: return .needMore
                case .tooLong: return fail(FramingError(414, "uri_too_long", "The request line is longer than \(limits.maxRequestLineBytes) bytes."))
                case .failure(let error): return fail(error)
                case .line(let end, let next):
                    // RFC 9112 §2.2: ignore empty lines received before the request line.
                    if end == readIndex {
                        consume(to: next)
                        continue
                    }
                    if let error = parseRequestLine(buffer[readIndex..<end]) { return fail(error) }
                    consume(to: next)
                    state = .headers
                }
            case .headers:
                switch scanLine(limit: limits.maxHeaderLineBytes) {
                case .incomplete:
                    if headBytes + scanned > limits.maxHeaderBytes { return fail(headersTooLarge()) }
                    return .needMore
                case .tooLong: return fail(FramingError(431, "header_too_large", "A header line is longer than \(limits.maxHeaderLineBytes) bytes."))
                case .failure(let error): return fail(error)
                case .line(let end, let next):
                    headBytes += next - readIndex
                    if headBytes > limits.maxHeaderBytes { return fail(headersTooLarge()) }
                    if end == readIndex {
                        consume(to: next)
                        switch finishHead() {
                        case .failure(let error): return fail(error)
                        case .success(let complete):
                            if complete { return completeRequest() }
                            if let head, head.expectsContinue, !bodyAvailable() { return .expectContinue }
                        }
                        continue
                    }
                    if let error = parseHeaderLine(buffer[readIndex..<end], into: &headers) { return fail(error) }
                    if headers.count > limits.maxHeaderCount {
                        return fail(FramingError(431, "too_many_headers", "More than \(limits.maxHeaderCount) header fields."))
                    }
                    consume(to: next)
                }
            case .body(let remaining):
                let available = buffer.count - readIndex
                if available == 0 { return .needMore }
                let take = min(available, remaining)
                body.append(contentsOf: buffer[readIndex..<readIndex + take])
                readIndex += take
                if take == remaining { return completeRequest() }
                state = .body(remaining: remaining - take)
                return .needMore
            case .chunkSize:
                let limit = 64 + limits.maxChunkExtensionBytes
                switch scanLine(limit: limit) {
                case .incomplete: return .needMore
                case .tooLong: return fail(.bad("chunk_extension_too_long", "A chunk-size line is longer than \(limit) bytes."))
                case .failure(let error): return fail(error)
                case .line(let end, let next):
                    switch parseChunkSize(buffer[readIndex..<end]) {
                    case .failure(let error): return fail(error)
                    case .success(let size):
                        consume(to: next)
                        if size == 0 {
                            state = .trailers
                        } else {
                            if body.count + size > currentBodyLimit { return fail(bodyTooLarge()) }
                            state = .chunkData(remaining: size)
                        }
                    }
                }
            case .chunkData(let remaining):
                let available = buffer.count - readIndex
                if available == 0 { return .needMore }
                let take = min(available, remaining)
                body.append(contentsOf: buffer[readIndex..<readIndex + take])
                readIndex += take
                if take < remaining {
                    state = .chunkData(remaining: remaining - take)
                    return .needMore
                }
                state = .chunkDataEnd
            case .chunkDataEnd:
                if buffer.count - readIndex < 2 {
                    if buffer.count - readIndex == 1 && buffer[readIndex] != 0x0D {
                        return fail(.bad("bad_chunk", "Chunk data is not followed by CRLF."))
                    }
                    return .needMore
                }
                guard buffer[readIndex] == 0x0D && buffer[readIndex + 1] == 0x0A else {
                    return fail(.bad("bad_chunk", "Chunk data is not followed by CRLF."))
                }
                consume(to: readIndex + 2)
                state = .chunkSize
            case .trailers:
                switch scanLine(limit: limits.maxHeaderLineBytes) {
                case .incomplete: return .needMore
                case .tooLong: return fail(FramingError(431, "header_too_large", "A trailer line is longer than \(limits.maxHeaderLineBytes) bytes."))
                case .failure(let error): return fail(error)
                case .line(let end, let next):
                    if end == readIndex {
                        consume(to: next)
                        return completeRequest()
                    }
                    // Trailer fields are validated like header fields and then dropped: nothing
                    // in this server reads them, and merging them would be a smuggling vector.
                    var discarded = HTTPHeaders()
                    if let error = parseHeaderLine(buffer[readIndex..<end], into: &discarded) { return fail(error) }
                    headBytes += next - readIndex
                    trailerCount += 1
                    if headBytes > limits.maxHeaderBytes || headers.count + trailerCount > limits.maxHeaderCount {
                        return fail(headersTooLarge())
                    }
                    consume(to: next)
                }
            }
        }
    }

    // MARK: - Lines

    /// Finds the CRLF that ends the line starting at `readIndex`. A CR not followed by LF, or
    /// an LF without CR, is refused (RFC 9112 §2.2 allows refusing them; accepting them is
    /// how parsers disagree about where a message ends).
    private mutating func scanLine(limit: Int) -> LineScan {
        var index = readIndex + scanned
        let count = buffer.count
        let result: LineScan? = buffer.withUnsafeBufferPointer { bytes in
            while index < count {
                let byte = bytes[index]
                if byte == 0x0D {
                    if index + 1 >= count { return nil }
                    if bytes[index + 1] != 0x0A { return .failure(.bad("bare_cr", "A CR is not followed by LF.")) }
                    return .line(end: index, next: index + 2)
                }
                if byte == 0x0A { return .failure(.bad("bare_lf", "A line ends in LF without CR.")) }
                index += 1
                if index - readIndex > limit { return .tooLong }
            }
            return nil
        }
        if let result {
            scanned = 0
            return result
        }
        scanned = index - readIndex
        return .incomplete
    }

    private mutating func consume(to next: Int) {
        readIndex = next
        scanned = 0
    }

    private mutating func fail(_ error: FramingError) -> Event {
        state = .failed
        buffer = []
        readIndex = 0
        return .failure(error)
    }

    private func headersTooLarge() -> FramingError {
        FramingError(431, "headers_too_large", "The header section is larger than \(limits.maxHeaderBytes) bytes.")
    }

    private func bodyTooLarge() -> FramingError {
        FramingError(413, "body_too_large", "The body is larger than \(currentBodyLimit) bytes.")
    }

    // MARK: - Request line

    private mutating func parseRequestLine(_ line: ArraySlice<UInt8>) -> FramingError? {
        guard let firstSpace = line.firstIndex(of: 0x20) else {
            return .bad("bad_request_line", "The request line is not 'method target version'.")
        }
        let methodBytes = line[line.startIndex..<firstSpace]
        let rest = line[(firstSpace + 1)...]
        guard let secondSpace = rest.firstIndex(of: 0x20) else {
            return .bad("bad_request_line", "The request line is not 'method target version'.")
        }
        let targetBytes = rest[rest.startIndex..<secondSpace]
        let versionBytes = rest[(secondSpace + 1)...]
        guard !methodBytes.isEmpty, methodBytes.allSatisfy(HTTPSyntax.isTokenByte) else {
            return .bad("bad_method", "The method is not a valid token.")
        }
        guard !targetBytes.isEmpty, targetBytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .bad("bad_target", "The request target is empty or holds characters that are not allowed.")
        }
        // RFC 9112 §3.2: no request-target form has a fragment; a client strips it.
        if targetBytes.contains(0x23) {
            return .bad("bad_target", "The request target carries a fragment ('#').")
        }
        switch parseVersion(versionBytes) {
        case .failure(let error): return error
        case .success(let parsed): version = parsed
        }
        method = String(decoding: methodBytes, as: UTF8.self)
        target = String(decoding: targetBytes, as: UTF8.self)
        guard targetBytes.first == UInt8(ascii: "/") || target == "*" || HTTPSyntax.absolutePath(of: target) != nil else {
            return .bad("bad_target", "The request target must be a path, an absolute URI, or '*'.")
        }
        if target == "*" && method != "OPTIONS" {
            return .bad("bad_target", "'*' is a target only for OPTIONS.")
        }
        return nil
    }

    private func parseVersion(_ bytes: ArraySlice<UInt8>) -> Result<HTTPVersion, FramingError> {
        let b = Array(bytes)
        guard b.count == 8, b[0] == 0x48, b[1] == 0x54, b[2] == 0x54, b[3] == 0x50, b[4] == 0x2F,
              HTTPSyntax.isDigit(b[5]), b[6] == 0x2E, HTTPSyntax.isDigit(b[7])
        else {
            return .failure(.bad("bad_version", "The protocol version is not 'HTTP/x.y'."))
        }
        let major = Int(b[5] - 0x30)
        let minor = Int(b[7] - 0x30)
        // RFC 9110 §6.2: a higher minor version is answered in the highest one we support.
        guard major == 1 else {
            return .failure(FramingError(505, "version_not_supported", "Only HTTP/1.0 and HTTP/1.1 are supported."))
        }
        return .success(minor == 0 ? .http1_0 : .http1_1)
    }

    // MARK: - Header fields

    private func parseHeaderLine(_ line: ArraySlice<UInt8>, into fields: inout HTTPHeaders) -> FramingError? {
        // RFC 9112 §5.2: obs-fold is rejected; a line starting with whitespace is one.
        if let first = line.first, first == 0x20 || first == 0x09 {
            return .bad("obs_fold", "Folded header lines (obs-fold) are not accepted.")
        }
        guard let colon = line.firstIndex(of: 0x3A) else {
            return .bad("bad_header", "A header line has no colon.")
        }
        let name = line[line.startIndex..<colon]
        // RFC 9112 §5.1: no whitespace between the field name and the colon.
        guard !name.isEmpty, name.allSatisfy(HTTPSyntax.isTokenByte) else {
            return .bad("bad_header_name", "A header name is empty or holds characters that are not allowed.")
        }
        var start = colon + 1
        var end = line.endIndex
        while start < end, line[start] == 0x20 || line[start] == 0x09 { start += 1 }
        while end > start, line[end - 1] == 0x20 || line[end - 1] == 0x09 { end -= 1 }
        let value = line[start..<end]
        for byte in value where !(byte == 0x09 || (byte >= 0x20 && byte != 0x7F)) {
            return .bad("bad_header_value", "A header value holds a control character.")
        }
        // Token bytes are ASCII, so lowering them byte by byte is exact and costs no second String.
        let lowerName = String(unsafeUninitializedCapacity: name.count) { buffer in
            for (offset, byte) in name.enumerated() { buffer[offset] = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
            return name.count
        }
        fields.add(lowercasedName: lowerName, String(decoding: value, as: UTF8.self))
        return nil
    }

    /// Checks the head's framing fields and sets up the body; `true` when the request is complete.
    private mutating func finishHead() -> Result<Bool, FramingError> {
        let hostCount = headers.count(of: "host")
        if version == .http1_1 && hostCount != 1 {
            return .failure(.bad(hostCount == 0 ? "missing_host" : "repeated_host", "HTTP/1.1 requests need exactly one Host header."))
        }
        if hostCount > 1 { return .failure(.bad("repeated_host", "More than one Host header.")) }
        // RFC 9110 §7.2 and RFC 9112 §3.2: Host = uri-host [ ":" port ], nothing more.
        if let host = headers["host"], !(host.isEmpty && version == .http1_0), !HTTPSyntax.isValidHost(host) {
            return .failure(.bad("bad_host", "Host must be a host name or address with an optional port."))
        }

        var keepAlive = version == .http1_1
        for token in headers.listElements("connection") {
            switch token.lowercased() {
            case "close": keepAlive = false
            case "keep-alive": if version == .http1_0 { keepAlive = true }
            default: break
            }
        }

        var expectsContinue = false
        let expectations = headers.values("expect")
        if !expectations.isEmpty {
            guard expectations.count == 1, expectations[0].lowercased() == "100-continue" else {
                return .failure(FramingError(417, "expectation_failed", "Only 'Expect: 100-continue' is supported."))
            }
            expectsContinue = version == .http1_1
        }

        let path: String
        let query: String?
        let rawPath = target == "*" ? "*" : (HTTPSyntax.absolutePath(of: target) ?? target)
        if let mark = rawPath.firstIndex(of: "?") {
            path = String(rawPath[..<mark])
            query = String(rawPath[rawPath.index(after: mark)...])
        } else {
            path = rawPath
            query = nil
        }
        let parsedHead = HTTPRequestHead(
            method: method, target: target, path: path, query: query, version: version,
            headers: headers, keepAlive: keepAlive, expectsContinue: expectsContinue)
        if let planner {
            let plan = planner(parsedHead)
            self.plan = plan
            currentBodyLimit = plan.bodyLimit ?? limits.maxBodyBytes
        } else {
            currentBodyLimit = bodyLimit?(parsedHead) ?? limits.maxBodyBytes
        }
        head = parsedHead
        body = []
        trailerCount = 0

        let codings = headers.listElements("transfer-encoding")
        let lengths = headers.listElements("content-length")
        if !codings.isEmpty || headers.count(of: "transfer-encoding") > 0 {
            // RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 request is faulty framing, and
            // with Content-Length beside it the message is a smuggling attempt.
            if version == .http1_0 {
                return .failure(.bad("transfer_encoding_http10", "Transfer-Encoding is not allowed in HTTP/1.0."))
            }
            if headers.count(of: "content-length") > 0 {
                return .failure(.bad("length_and_chunked", "Content-Length and Transfer-Encoding together are refused."))
            }
            if codings.contains(where: { $0.isEmpty }) {
                return .failure(.bad("bad_transfer_encoding", "Transfer-Encoding has an empty element."))
            }
            // RFC 9112 §6.3: chunked is the final coding, applied once, and takes no parameters;
            // anything else cannot be framed and is refused, not guessed at.
            let names = codings.map { $0.split(separator: ";", maxSplits: 1).first.map { $0.trimmingHTTPWhitespace().lowercased() } ?? "" }
            if let chunked = names.firstIndex(of: "chunked") {
                if chunked != names.count - 1 || names.filter({ $0 == "chunked" }).count > 1 {
                    return .failure(.bad("bad_transfer_encoding", "chunked must be the final transfer coding, applied once."))
                }
                if codings[chunked].contains(";") {
                    return .failure(.bad("bad_transfer_encoding", "The chunked transfer coding takes no parameters."))
                }
            }
            if names.contains(where: { $0 != "chunked" }) {
                return .failure(FramingError(501, "transfer_coding_not_implemented", "Only the chunked transfer coding is supported."))
            }
            state = .chunkSize
            return .success(false)
        }
        if !lengths.isEmpty {
            var length: Int?
            for text in lengths {
                guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy(HTTPSyntax.isDigit), let value = Int(text) else {
                    return .failure(.bad("bad_content_length", "Content-Length is not a non-negative integer."))
                }
                if let length, length != value {
                    return .failure(.bad("conflicting_content_length", "Content-Length values differ."))
                }
                length = value
            }
            let declared = length ?? 0
            if declared > currentBodyLimit { return .failure(bodyTooLarge()) }
            if declared > 0 {
                body.reserveCapacity(declared)
                state = .body(remaining: declared)
                return .success(false)
            }
        }
        return .success(true)
    }

    private func bodyAvailable() -> Bool {
        if case .body(let remaining) = state { return buffer.count - readIndex >= remaining }
        return buffer.count > readIndex
    }

    private mutating func completeRequest() -> Event {
        guard let head else { return fail(.bad("bad_request", "No request head.")) }
        let completed = body
        self.head = nil
        body = []
        headers = HTTPHeaders()
        headBytes = 0
        state = .requestLine
        return .request(head, body: completed)
    }

    // MARK: - Chunked

    private func parseChunkSize(_ line: ArraySlice<UInt8>) -> Result<Int, FramingError> {
        var size = 0
        var digits = 0
        var index = line.startIndex
        while index < line.endIndex, let digit = HTTPSyntax.hexValue(line[index]) {
            digits += 1
            if digits > 15 { return .failure(.bad("bad_chunk_size", "The chunk size is too large.")) }
            size = size * 16 + digit
            index += 1
        }
        guard digits > 0 else { return .failure(.bad("bad_chunk_size", "The chunk size is not hexadecimal.")) }
        let rest = line[index...]
        if rest.isEmpty { return .success(size) }
        if rest.count > limits.maxChunkExtensionBytes {
            return .failure(.bad("chunk_extension_too_long", "A chunk extension is longer than \(limits.maxChunkExtensionBytes) bytes."))
        }
        guard let next = rest.first, next == 0x3B || next == 0x20 || next == 0x09 else {
            return .failure(.bad("bad_chunk_size", "Unexpected bytes after the chunk size."))
        }
        guard HTTPSyntax.isValidChunkExtensions(rest) else {
            return .failure(.bad("bad_chunk_extension", "The bytes after the chunk size are not chunk extensions (';' name [ '=' value ])."))
        }
        return .success(size)
    }
}

/// Byte classes from RFC 9110 §5.6.
enum HTTPSyntax {
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: return Int(byte - 0x30)
        case 0x41...0x46: return Int(byte - 0x41 + 10)
        case 0x61...0x66: return Int(byte - 0x61 + 10)
        default: return nil
        }
    }

    /// tchar: "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    static func isTokenByte(_ byte: UInt8) -> Bool { tokenTable[Int(byte)] }

    private static let tokenTable: [Bool] = (0..<256).map { value in
        let byte = UInt8(value)
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        default: return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    /// RFC 9112 §7.1.1: `chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )`
    /// with a name that is a token and a value that is a token or a quoted-string. At least one
    /// extension: whitespace after the size with nothing behind it is refused too.
    static func isValidChunkExtensions(_ bytes: ArraySlice<UInt8>) -> Bool {
        var index = bytes.startIndex
        let end = bytes.endIndex
        func skipWhitespace() { while index < end, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 } }
        func token() -> Bool {
            let start = index
            while index < end, isTokenByte(bytes[index]) { index += 1 }
            return index > start
        }
        func quotedString() -> Bool {
            guard index < end, bytes[index] == 0x22 else { return false }
            index += 1
            while index < end {
                let byte = bytes[index]
                if byte == 0x22 {
                    index += 1
                    return true
                }
                if byte == 0x5C {
                    // quoted-pair: "\" ( HTAB / SP / VCHAR / obs-text )
                    index += 1
                    guard index < end, bytes[index] == 0x09 || (bytes[index] >= 0x20 && bytes[index] != 0x7F) else { return false }
                } else if !(byte == 0x09 || byte == 0x20 || byte == 0x21 || (byte >= 0x23 && byte <= 0x7E && byte != 0x5C) || byte >= 0x80) {
                    return false
                }
                index += 1
            }
            return false
        }
        skipWhitespace()
        guard index < end else { return false }
        while index < end {
            guard bytes[index] == 0x3B else { return false }
            index += 1
            skipWhitespace()
            guard token() else { return false }
            skipWhitespace()
            if index < end, bytes[index] == 0x3D {
                index += 1
                skipWhitespace()
                guard token() || quotedString() else { return false }
                skipWhitespace()
            }
        }
        return true
    }

    /// RFC 9110 §7.2: `Host = uri-host [ ":" port ]`, where uri-host is an IP-literal in
    /// brackets or a reg-name (unreserved, pct-encoded and sub-delims). No userinfo, no path,
    /// no list: a comma, though a sub-delim, is refused, since a Host that reads as a list
    /// means two intermediaries disagree about it.
    static func isValidHost(_ value: String) -> Bool {
        var text = value
        // Every request carries one: read its bytes in place rather than copy them to an array.
        return text.withUTF8 { isValidHost(bytes: $0) }
    }

    private static func isValidHost(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        if bytes.first == 0x5B {
            guard let close = bytes.firstIndex(of: 0x5D), close > 1 else { return false }
            for byte in bytes[1..<close] {
                let allowed = hexValue(byte) != nil || byte == 0x3A || byte == 0x2E
                    || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || isSubDelimOrUnreserved(byte)
                guard allowed else { return false }
            }
            index = close + 1
        } else {
            while index < bytes.count, bytes[index] != 0x3A {
                let byte = bytes[index]
                if byte == 0x25 {
                    guard index + 2 < bytes.count, hexValue(bytes[index + 1]) != nil, hexValue(bytes[index + 2]) != nil else { return false }
                    index += 3
                    continue
                }
                let alphanumeric = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || isDigit(byte)
                guard alphanumeric || isSubDelimOrUnreserved(byte) else { return false }
                index += 1
            }
            guard index > 0 else { return false }
        }
        guard index < bytes.count else { return true }
        guard bytes[index] == 0x3A, bytes.count - index - 1 <= 5 else { return false }
        return bytes[(index + 1)...].allSatisfy(isDigit)
    }

    /// `-._~` (unreserved besides letters and digits) and the sub-delims but the comma.
    private static func isSubDelimOrUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x2D, 0x2E, 0x5F, 0x7E, 0x21, 0x24, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x2B, 0x3B, 0x3D: true
        default: false
        }
    }

    /// The path and query of an absolute-form target (`http://host/path?q`), or nil when the
    /// target is not in absolute form (RFC 9112 §3.2.2).
    static func absolutePath(of target: String) -> String? {
        let lower = target.prefix(8).lowercased()
        let schemeLength: Int
        if lower.hasPrefix("http://") { schemeLength = 7 } else if lower.hasPrefix("https://") { schemeLength = 8 } else { return nil }
        let afterScheme = target.dropFirst(schemeLength)
        guard !afterScheme.isEmpty else { return nil }
        if let slash = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) {
            let rest = afterScheme[slash...]
            return rest.first == "?" ? "/" + rest : String(rest)
        }
        return "/"
    }
}
