import Testing
@testable import HTTPCore

/// Feeds literal bytes to the parser, whole or split, and collects what it reports.
private func parse(_ text: String, limits: ParserLimits = ParserLimits(), splitEvery: Int? = nil) -> [RequestParser.Event] {
    parseBytes(Array(text.utf8), limits: limits, splitEvery: splitEvery)
}

private func parseBytes(_ bytes: [UInt8], limits: ParserLimits = ParserLimits(), splitEvery: Int? = nil) -> [RequestParser.Event] {
    var parser = RequestParser(limits: limits)
    var events: [RequestParser.Event] = []
    let step = splitEvery ?? max(1, bytes.count)
    var offset = 0
    repeat {
        let end = min(bytes.count, offset + step)
        parser.append(Array(bytes[offset..<end]))
        offset = end
        loop: while true {
            let event = parser.next()
            switch event {
            case .needMore: break loop
            case .failure:
                events.append(event)
                return events
            default: events.append(event)
            }
        }
    } while offset < bytes.count
    return events
}

private func requests(_ events: [RequestParser.Event]) -> [(HTTPRequestHead, [UInt8])] {
    events.compactMap { if case .request(let head, let body) = $0 { return (head, body) } else { return nil } }
}

private func failure(_ events: [RequestParser.Event]) -> FramingError? {
    for event in events { if case .failure(let error) = event { return error } }
    return nil
}

@Suite("Request parser", .timeLimit(.minutes(1)))
struct RequestParserTests {
    @Test func simpleGet() throws {
        let found = requests(parse("GET /contacts?limit=5 HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n"))
        #expect(found.count == 1)
        let head = try #require(found.first).0
        #expect(head.method == "GET")
        #expect(head.path == "/contacts")
        #expect(head.query == "limit=5")
        #expect(head.version == .http1_1)
        #expect(head.keepAlive)
        #expect(head.headers["ACCEPT"] == "*/*")
    }

    /// List fields (RFC 9110 §5.6.1): every field of the name, split on commas, elements trimmed.
    @Test func headerListElements() {
        var headers = HTTPHeaders()
        headers.add("Connection", "keep-alive")
        headers.add("X-Other", "a, b")
        headers.add("connection", "Upgrade ,  close")
        headers.add("Content-Length", "5,")
        #expect(headers.listElements("CONNECTION") == ["keep-alive", "Upgrade", "close"])
        #expect(headers.listElements("content-length") == ["5", ""])
        #expect(headers.listElements("missing").isEmpty)
        #expect(headers.values("connection") == ["keep-alive", "Upgrade ,  close"])
        #expect(headers.values("missing").isEmpty)
    }

    @Test func everySplitGivesTheSameRequest() throws {
        let text = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world"
        for split in [1, 2, 3, 5, 7, 13, 64] {
            let found = requests(parse(text, splitEvery: split))
            #expect(found.count == 1, "split \(split)")
            #expect(found.first.map { String(decoding: $0.1, as: UTF8.self) } == "hello world", "split \(split)")
        }
    }

    @Test func pipelinedRequestsComeOutInOrder() {
        let text = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\nPOST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"
        let found = requests(parse(text))
        #expect(found.map(\.0.path) == ["/a", "/b", "/c"])
        #expect(found.last.map(\.1) == Array("hi".utf8))
    }

    @Test func chunkedBodyWithExtensionsAndTrailers() {
        let text = "POST /e HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n"
        for split in [1, 4, 1000] {
            let found = requests(parse(text, splitEvery: split))
            #expect(found.count == 1)
            #expect(found.first.map { String(decoding: $0.1, as: UTF8.self) } == "hello world")
        }
    }

    @Test func leadingEmptyLinesAreIgnored() {
        #expect(requests(parse("\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")).count == 1)
    }

    @Test func http10ClosesUnlessAskedAndNeedsNoHost() throws {
        let plain = try #require(requests(parse("GET / HTTP/1.0\r\n\r\n")).first).0
        #expect(plain.version == .http1_0)
        #expect(!plain.keepAlive)
        let kept = try #require(requests(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")).first).0
        #expect(kept.keepAlive)
        let closed = try #require(requests(parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).first).0
        #expect(!closed.keepAlive)
    }

    @Test func higherMinorVersionIsAnsweredAs11() throws {
        let head = try #require(requests(parse("GET / HTTP/1.2\r\nHost: x\r\n\r\n")).first).0
        #expect(head.version == .http1_1)
    }

    @Test func absoluteFormTargetUsesItsPath() throws {
        let head = try #require(requests(parse("GET http://example.com:8080/health?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n")).first).0
        #expect(head.path == "/health")
        #expect(head.query == "x=1")
    }

    @Test func an8000ByteRequestLineWorks() {
        let path = "/" + String(repeating: "a", count: 8000 - "GET / HTTP/1.1".count)
        let line = "GET \(path) HTTP/1.1"
        #expect(line.utf8.count == 8000)
        #expect(requests(parse(line + "\r\nHost: x\r\n\r\n")).count == 1)
    }

    @Test func expectContinueIsReportedBeforeTheBody() {
        var parser = RequestParser()
        parser.append(Array("PUT /x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n".utf8))
        guard case .expectContinue = parser.next() else {
            Issue.record("expected expectContinue")
            return
        }
        guard case .needMore = parser.next() else {
            Issue.record("expected needMore")
            return
        }
        parser.append(Array("abc".utf8))
        guard case .request(_, let body) = parser.next() else {
            Issue.record("expected the request")
            return
        }
        #expect(body == Array("abc".utf8))
    }

    /// Each rejected input, the status it must get, and the code that says why.
    static let rejections: [(String, String, Int, String)] = [
        ("content-length with chunked", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "length_and_chunked"),
        ("differing content-lengths", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400, "conflicting_content_length"),
        ("content-length list that differs", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\nabcd", 400, "conflicting_content_length"),
        ("negative content-length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400, "bad_content_length"),
        ("signed content-length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\nabc", 400, "bad_content_length"),
        ("hex content-length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x3\r\n\r\nabc", 400, "bad_content_length"),
        ("huge content-length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400, "bad_content_length"),
        ("bad chunk size", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400, "bad_chunk_size"),
        ("chunk size overflow", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n", 400, "bad_chunk_size"),
        ("chunk without CRLF after data", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n", 400, "bad_chunk"),
        ("obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  continued\r\n\r\n", 400, "obs_fold"),
        ("bare CR in a header", "GET / HTTP/1.1\r\nHost: x\rX-A: 1\r\n\r\n", 400, "bare_cr"),
        ("bare LF", "GET / HTTP/1.1\nHost: x\n\n", 400, "bare_lf"),
        ("space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400, "bad_header_name"),
        ("control character in a header name", "GET / HTTP/1.1\r\nHo\u{01}st: x\r\n\r\n", 400, "bad_header_name"),
        ("NUL in a header value", "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u{00}b\r\n\r\n", 400, "bad_header_value"),
        ("missing Host on 1.1", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 400, "missing_host"),
        ("repeated Host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "repeated_host"),
        ("malformed method", "G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_method"),
        ("two spaces in the request line (an empty target)", "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_target"),
        ("no version", "GET /\r\nHost: x\r\n\r\n", 400, "bad_request_line"),
        ("lower-case version", "GET / http/1.1\r\nHost: x\r\n\r\n", 400, "bad_version"),
        ("relative target", "GET contacts HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_target"),
        ("transfer-encoding on 1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "transfer_encoding_http10"),
        ("chunked twice", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400, "bad_transfer_encoding"),
        ("gzip transfer coding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, "transfer_coding_not_implemented"),
        ("unknown transfer coding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\n\r\n", 501, "transfer_coding_not_implemented"),
        ("HTTP/2.0", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, "version_not_supported"),
        ("HTTP/0.9", "GET / HTTP/0.9\r\nHost: x\r\n\r\n", 505, "version_not_supported"),
        ("unknown expectation", "POST / HTTP/1.1\r\nHost: x\r\nExpect: magic\r\nContent-Length: 1\r\n\r\na", 417, "expectation_failed"),
        // Host: uri-host [ ":" port ] and nothing else (RFC 9110 §7.2).
        ("host with userinfo", "GET / HTTP/1.1\r\nHost: user@example.com\r\n\r\n", 400, "bad_host"),
        ("host with a path", "GET / HTTP/1.1\r\nHost: example.com/admin\r\n\r\n", 400, "bad_host"),
        ("host with bytes after the port", "GET / HTTP/1.1\r\nHost: example.com:80x\r\n\r\n", 400, "bad_host"),
        ("host list", "GET / HTTP/1.1\r\nHost: a.example, b.example\r\n\r\n", 400, "bad_host"),
        ("empty host on 1.1", "GET / HTTP/1.1\r\nHost: \r\n\r\n", 400, "bad_host"),
        ("host with a space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "bad_host"),
        ("host with a bad escape", "GET / HTTP/1.1\r\nHost: a%zz\r\n\r\n", 400, "bad_host"),
        ("unclosed IP literal", "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400, "bad_host"),
        ("port only", "GET / HTTP/1.1\r\nHost: :8080\r\n\r\n", 400, "bad_host"),
        // chunk-size and chunk-ext (RFC 9112 §7.1.1).
        ("bare semicolon after the chunk size", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;\r\na\r\n0\r\n\r\n", 400, "bad_chunk_extension"),
        ("whitespace after the chunk size alone", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1 \r\na\r\n0\r\n\r\n", 400, "bad_chunk_extension"),
        ("chunk extension name not a token", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;na(me\r\na\r\n0\r\n\r\n", 400, "bad_chunk_extension"),
        ("chunk extension value not a token", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;a=b c\r\na\r\n0\r\n\r\n", 400, "bad_chunk_extension"),
        ("chunk extension with an empty value", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;a=\r\na\r\n0\r\n\r\n", 400, "bad_chunk_extension"),
        ("unterminated quoted chunk extension", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;a=\"b\r\na\r\n0\r\n\r\n", 400, "bad_chunk_extension"),
        ("signed chunk size", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n+1\r\na\r\n0\r\n\r\n", 400, "bad_chunk_size"),
        ("chunk size with a 0x prefix", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x1\r\na\r\n0\r\n\r\n", 400, "bad_chunk_size"),
        // Transfer-Encoding (RFC 9112 §6.3) and fragments (RFC 9112 §3.2).
        ("chunked not the final coding", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400, "bad_transfer_encoding"),
        ("chunked with parameters", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked;q=1\r\n\r\n0\r\n\r\n", 400, "bad_transfer_encoding"),
        ("chunked twice in two fields", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "bad_transfer_encoding"),
        ("fragment in the target", "GET /contacts#top HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_target"),
        ("fragment in an absolute target", "GET http://x/a?b#c HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_target"),
    ]

    @Test(arguments: rejections)
    func rejects(_ name: String, _ text: String, _ status: Int, _ code: String) {
        for split in [nil, 1] as [Int?] {
            let error = failure(parse(text, splitEvery: split))
            #expect(error?.status == status, "\(name), split \(String(describing: split))")
            #expect(error?.code == code, "\(name), split \(String(describing: split))")
            #expect(requests(parse(text, splitEvery: split)).isEmpty, "\(name): no request may come out")
        }
    }

    @Test func sizeLimits() {
        var limits = ParserLimits()
        limits.maxRequestLineBytes = 100
        limits.maxHeaderLineBytes = 100
        limits.maxHeaderBytes = 300
        limits.maxHeaderCount = 5
        limits.maxBodyBytes = 10
        limits.maxChunkExtensionBytes = 20
        let longLine = "GET /" + String(repeating: "a", count: 200) + " HTTP/1.1\r\nHost: x\r\n\r\n"
        #expect(failure(parse(longLine, limits: limits))?.status == 414)
        #expect(failure(parse(longLine, limits: limits))?.code == "uri_too_long")
        // Refused while still arriving, before the line ends.
        #expect(failure(parse("GET /" + String(repeating: "a", count: 200), limits: limits))?.status == 414)
        #expect(failure(parse("GET /" + String(repeating: "a", count: 200), limits: limits))?.code == "uri_too_long")
        let longHeader = "GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + String(repeating: "b", count: 200) + "\r\n\r\n"
        #expect(failure(parse(longHeader, limits: limits))?.status == 431)
        #expect(failure(parse(longHeader, limits: limits))?.code == "header_too_large")
        let many = "GET / HTTP/1.1\r\nHost: x\r\n" + (1...6).map { "X-\($0): 1\r\n" }.joined() + "\r\n"
        #expect(failure(parse(many, limits: limits))?.status == 431)
        #expect(failure(parse(many, limits: limits))?.code == "too_many_headers")
        let total = "GET / HTTP/1.1\r\nHost: x\r\n" + (1...4).map { "X-\($0): " + String(repeating: "c", count: 90) + "\r\n" }.joined() + "\r\n"
        #expect(failure(parse(total, limits: limits))?.status == 431)
        #expect(failure(parse(total, limits: limits))?.code == "headers_too_large")
        #expect(failure(parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n", limits: limits))?.status == 413)
        #expect(failure(parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n", limits: limits))?.code == "body_too_large")
        let chunked = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n"
        #expect(failure(parse(chunked, limits: limits))?.status == 413)
        #expect(failure(parse(chunked, limits: limits))?.code == "body_too_large")
        let ext = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;" + String(repeating: "e", count: 40) + "\r\na\r\n0\r\n\r\n"
        #expect(failure(parse(ext, limits: limits))?.status == 400)
        #expect(failure(parse(ext, limits: limits))?.code == "chunk_extension_too_long")
    }

    /// What the stricter grammar must still accept.
    @Test(arguments: [
        "example.com", "example.com:8080", "127.0.0.1:80", "[::1]:8080", "[2001:db8::7]", "xn--bcher-kva.example", "a-b_c~d.e",
        "caf%C3%A9.example", "host:",
    ])
    func validHostsAreAccepted(_ host: String) {
        #expect(requests(parse("GET / HTTP/1.1\r\nHost: \(host)\r\n\r\n")).count == 1, "\(host)")
    }

    @Test(arguments: ["5;name=value", "5 ;name=value", "5; name = value", "5;a;b=c", "5;q=\"quoted \\\" value; with ;\"", "5\t;x"])
    func validChunkExtensionsAreAccepted(_ sizeLine: String) {
        let text = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\(sizeLine)\r\nhello\r\n0\r\n\r\n"
        let found = requests(parse(text))
        #expect(found.first.map { String(decoding: $0.1, as: UTF8.self) } == "hello", "\(sizeLine)")
        #expect(failure(parse(text)) == nil, "\(sizeLine)")
    }

    @Test func anEmptyHostIsAllowedOnHTTP10() {
        #expect(requests(parse("GET / HTTP/1.0\r\nHost: \r\n\r\n")).count == 1)
    }

    @Test func identicalRepeatedContentLengthIsAccepted() {
        let found = requests(parse("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok"))
        #expect(found.first.map(\.1) == Array("ok".utf8))
    }

    @Test func failedParserIgnoresLaterInput() {
        var parser = RequestParser()
        parser.append(Array("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n".utf8))
        guard case .failure = parser.next() else {
            Issue.record("expected failure")
            return
        }
        parser.append(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        guard case .needMore = parser.next() else {
            Issue.record("a failed parser must not produce requests")
            return
        }
    }
}
