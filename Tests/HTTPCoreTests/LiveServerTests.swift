#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import Primitives
import Synchronization
import Testing
import TestSupport
@testable import HTTPCore

/// Counts handler runs so tests can prove a request did or did not run, and when.
final class Counter: Sendable {
    let value = Atomic<Int>(0)
    /// Signalled each time the slow handler starts running.
    let slowStarted = DispatchSemaphore(value: 0)
    /// Slow handlers running (or slow answers not yet finished) right now.
    let slowRunning = Atomic<Int>(0)
    /// `/mark` runs that happened while a slow handler was running.
    let marksDuringSlow = Atomic<Int>(0)
    /// When set, a slow handler runs until `release()` (at most 10 s) instead of 400 ms, so a
    /// test decides what happens while it runs instead of racing a timer.
    let gated: Bool
    private let gate = DispatchSemaphore(value: 0)

    init(gated: Bool = false) { self.gated = gated }

    /// Lets one gated slow handler finish.
    func release() { gate.signal() }

    /// The slow handler's body: marked as running while it waits.
    func runSlow() {
        slowRunning.add(1, ordering: .sequentiallyConsistent)
        slowStarted.signal()
        if gated { _ = gate.wait(timeout: .now() + 10) } else { usleep(400_000) }
        slowRunning.subtract(1, ordering: .sequentiallyConsistent)
    }
}

/// A small app exercising the HTTP core: echo, a large body, a slow handler, a marker.
func makeTestApp(counter: Counter = Counter()) -> Application {
    var router = Router<Route>()
    router.add("GET", "/hello", Route(.memory) { _ in
        Response(status: 200, headers: [("Content-Type", "text/plain")], body: Array("hello".utf8))
    })
    router.add("POST", "/echo", Route { request in
        Response(status: 200, headers: [("Content-Type", "application/octet-stream")], body: request.body)
    })
    router.add("GET", "/big", Route { _ in
        var writer = JSONWriter()
        writer.arrayStart()
        for index in 0..<200 { writer.string("item number \(index)") }
        writer.arrayEnd()
        return Response.json(200, writer, headers: [("ETag", "\"7\"")])
    })
    router.add("GET", "/huge", Route { _ in
        Response(status: 200, headers: [("Content-Type", "application/octet-stream")], body: [UInt8](repeating: 65, count: 16 << 20))
    })
    router.add("GET", "/slow", Route { _ in
        counter.runSlow()
        return Response(status: 200, headers: [("Content-Type", "text/plain")], body: Array("slow".utf8))
    })
    router.add("POST", "/mark", Route { _ in
        if counter.slowRunning.load(ordering: .sequentiallyConsistent) > 0 { counter.marksDuringSlow.add(1, ordering: .sequentiallyConsistent) }
        counter.value.add(1, ordering: .sequentiallyConsistent)
        return Response.noContent()
    })
    router.add("GET", "/fail", Route { _ in throw CancellationError() })
    router.add("GET", "/whoami", Route(.memory) { request in
        Response(status: 200, headers: [("Content-Type", "text/plain")], body: Array(request.remoteAddress.utf8))
    })
    // Finished later from another thread, as a write handed to the writer thread is.
    router.add("GET", "/later/{outcome}", Route(.handOff) { request in
        let outcome = request.parameters["outcome"] ?? ""
        let future = Future<String>()
        if outcome == "slow" {
            DispatchQueue.global().async {
                counter.runSlow()
                future.complete(.success(outcome))
            }
            return .later(future) { text in
                Response(status: 201, headers: [("Content-Type", "text/plain"), ("Location", "/later/1")], body: Array(text.utf8))
            }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) {
            switch outcome {
            case "problem": future.complete(.failure(Problem(status: 409, code: "conflict", detail: "Taken.")))
            case "error": future.complete(.failure(CancellationError()))
            default: future.complete(.success(outcome))
            }
        }
        return .later(future) { text in
            Response(status: 201, headers: [("Content-Type", "text/plain"), ("Location", "/later/1")], body: Array(text.utf8))
        }
    })
    return Application(router: router, cors: CORSPolicy(allowedOrigins: ["https://app.example"])) { _, _ in Problem.internalError }
}

@Suite("HTTP server on live sockets", .timeLimit(.minutes(1)))
struct LiveServerTests {
    @Test func requestSentOneByteAtATime() throws {
        let live = try LiveServer(responder: makeTestApp())
        let client = try live.client()
        for byte in Array("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcde".utf8) {
            try client.send([byte])
        }
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "abcde")
        #expect(response.header("content-length") == "5")
        #expect(response.header("date") != nil)
        #expect(response.header("x-request-id")?.count == 16)
    }

    @Test func threePipelinedRequestsInOneWriteAnswerInOrder() throws {
        let live = try LiveServer(responder: makeTestApp())
        let client = try live.client()
        try client.send(
            "GET /slow HTTP/1.1\r\nHost: x\r\nX-Request-Id: one\r\n\r\n"
                + "POST /echo HTTP/1.1\r\nHost: x\r\nX-Request-Id: two\r\nContent-Length: 3\r\n\r\ntwo"
                + "GET /hello HTTP/1.1\r\nHost: x\r\nX-Request-Id: three\r\n\r\n")
        let responses = try (0..<3).map { _ in try client.readResponse() }
        #expect(responses.map(\.text) == ["slow", "two", "hello"])
        #expect(responses.map { $0.header("x-request-id") } == ["one", "two", "three"])
    }

    @Test func thousandRequestsOnOneKeepAliveConnection() throws {
        let live = try LiveServer(responder: makeTestApp())
        let client = try live.client()
        for index in 0..<1000 {
            let response = try client.request("POST", "/echo", body: Array("n\(index)".utf8))
            guard response.status == 200, response.text == "n\(index)" else {
                Issue.record("request \(index) got \(response.status) \(response.text)")
                return
            }
        }
        #expect(live.server.connectionCount == 1)
    }

    @Test func twoHundredConcurrentConnections() throws {
        let live = try LiveServer(responder: makeTestApp()) { $0.maxConnections = 300 }
        let clients = try (0..<200).map { _ in try live.client() }
        for (index, client) in clients.enumerated() {
            try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(String(index).count)\r\n\r\n\(index)")
        }
        for (index, client) in clients.enumerated() {
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == String(index))
        }
    }

    @Test func chunkedRequestBody() throws {
        let live = try LiveServer(responder: makeTestApp())
        let client = try live.client()
        try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5;x=y\r\npedia\r\n0\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "Wikipedia")
    }

    @Test func expectContinueGets100ThenTheAnswer() throws {
        let live = try LiveServer(responder: makeTestApp())
        let client = try live.client()
        try client.send("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
        let interim = try client.readResponse()
        #expect(interim.status == 100)
        try client.send("body")
        let final = try client.readResponse()
        #expect(final.status == 200)
        #expect(final.text == "body")
    }

    @Test func framingErrorAnswers400ClosesAndRunsNothingBehindIt() throws {
        let counter = Counter()
        let live = try LiveServer(responder: makeTestApp(counter: counter))
        let client = try live.client()
        try client.send(
            "POST /mark HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                + "POST /mark HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 400)
        #expect(response.header("connection") == "close")
        #expect(response.header("content-type") == "application/problem+json")
        #expect(response.json?["code"] == .string("length_and_chunked"))
        #expect(client.isClosedByPeer())
        #expect(counter.value.load(ordering: .relaxed) == 0)
    }

    @Test(arguments: [
        ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, "version_not_supported"),
        ("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "transfer_coding_not_implemented"),
        ("GET /hello HTTP/1.1\r\n\r\n", 400, "missing_host"),
        ("GET /hello HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400, "repeated_host"),
        ("GET /hello HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", 400, "obs_fold"),
        ("GET /hello HTTP/1.1\r\nHost: x\r\nX\u{7f}: a\r\n\r\n", 400, "bad_header_name"),
        ("GET /hello HTTP/1.1\r\nHost: user@x\r\n\r\n", 400, "bad_host"),
        ("GET /hello HTTP/1.1\r\nHost: a, b\r\n\r\n", 400, "bad_host"),
        ("GET /hello#top HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad_target"),
        ("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400, "bad_transfer_encoding"),
        ("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1;\r\na\r\n0\r\n\r\n", 400, "bad_chunk_extension"),
    ])
    func rejectionsOnTheWire(_ text: String, _ status: Int, _ code: String) throws {
        let live = try LiveServer(responder: makeTestApp())
        let client = try live.client()
        try client.send(text)
        let response = try client.readResponse()
        #expect(response.status == status)
        #expect(response.header("content-type") == "application/problem+json")
        #expect(response.json?["code"] == .string(code))
        #expect(response.header("connection") == "close")
        #expect(client.isClosedByPeer())
    }

    @Test func sizeLimitsOnTheWire() throws {
        let live = try LiveServer(responder: makeTestApp()) { $0.limits.maxBodyBytes = 1000 }
        let line = try live.client()
        try line.send("GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: x\r\n\r\n")
        let longLine = try line.readResponse()
        #expect(longLine.status == 414)
        #expect(longLine.json?["code"] == .string("uri_too_long"))

        let header = try live.client()
        try header.send("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "b", count: 9000) + "\r\n\r\n")
        let longHeader = try header.readResponse()
        #expect(longHeader.status == 431)
        #expect(longHeader.json?["code"] == .string("header_too_large"))

        let many = try live.client()
        try many.send("GET /hello HTTP/1.1\r\nHost: x\r\n" + (0..<101).map { "X-\($0): v\r\n" }.joined() + "\r\n")
        let tooMany = try many.readResponse()
        #expect(tooMany.status == 431)
        #expect(tooMany.json?["code"] == .string("too_many_headers"))

        // 413 comes before the body is sent, and the client reads it rather than a reset.
        let body = try live.client()
        try body.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n")
        let refused = try body.readResponse()
        #expect(refused.status == 413)
        #expect(refused.json?["code"] == .string("body_too_large"))

        let chunked = try live.client()
        try chunked.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n" + String(repeating: "c", count: 1000) + "\r\n1\r\nd\r\n0\r\n\r\n")
        let chunkedTooLarge = try chunked.readResponse()
        #expect(chunkedTooLarge.status == 413)
        #expect(chunkedTooLarge.json?["code"] == .string("body_too_large"))

        let exact = try live.client()
        #expect(try exact.request("POST", "/echo", body: [UInt8](repeating: 1, count: 1000)).status == 200)
    }

    @Test func headerTimeoutAnswers408() throws {
        let live = try LiveServer(responder: makeTestApp()) { $0.headerTimeout = 0.4 }
        let client = try live.client()
        try client.send("GET /hello HTTP/1.1\r\nHost: x\r\n")
        let response = try client.readResponse()
        #expect(response.status == 408)
        #expect(response.json?["code"] == .string("request_timeout"))
        #expect(response.header("connection") == "close")
        #expect(client.isClosedByPeer())
    }

    @Test func idleKeepAliveConnectionIsClosed() throws {
        let live = try LiveServer(responder: makeTestApp()) { $0.idleTimeout = 0.3 }
        let client = try live.client()
        #expect(try client.request("GET", "/hello").status == 200)
        Thread.sleep(forTimeInterval: 0.8)
        #expect(client.isClosedByPeer())
    }

    @Test func gzipRoundTripWithVaryAndDistinctETag() throws {
        let live = try LiveServer(responder: makeTestApp())
        let client = try live.client()
        let plain = try client.request("GET", "/big")
        #expect(plain.header("content-encoding") == nil)
        #expect(plain.header("vary") == "Accept-Encoding")
        #expect(plain.header("etag") == "\"7\"")
        let zipped = try client.request("GET", "/big", headers: [("Accept-Encoding", "gzip, br")])
        #expect(zipped.header("content-encoding") == "gzip")
        #expect(zipped.header("vary") == "Accept-Encoding")
        #expect(zipped.header("etag") == "\"7-gzip\"")
        #expect(zipped.body.count < plain.body.count)
        #expect(Gzip.decompress(zipped.body) == plain.body)
        let small = try client.request("GET", "/hello", headers: [("Accept-Encoding", "gzip")])
        #expect(small.header("content-encoding") == nil)
        #expect(small.text == "hello")
    }

    @Test func headHasHeadersButNoBody() throws {
        let live = try LiveServer(responder: makeTestApp())
        let client = try live.client()
        let head = try client.request("HEAD", "/big")
        #expect(head.status == 200)
        let get = try client.request("GET", "/big")
        #expect(head.header("content-length") == String(get.body.count))
        // If HEAD had sent a body, it would be read as the next response and fail here.
        let after = try client.request("GET", "/hello")
        #expect(after.text == "hello")
    }

    @Test func unknownMethodTokenGets405WithAllow() throws {
        let live = try LiveServer(responder: makeTestApp())
        let client = try live.client()
        let response = try client.request("BREW", "/hello")
        #expect(response.status == 405)
        #expect(response.header("allow") == "GET, HEAD, OPTIONS")
        #expect(response.json?["code"] == .string("method_not_allowed"))
        #expect(try client.request("DELETE", "/hello").json?["code"] == .string("method_not_allowed"))
        let missing = try client.request("GET", "/missing")
        #expect(missing.status == 404)
        #expect(missing.json?["code"] == .string("not_found"))
    }

    @Test func optionsAndCORSPreflight() throws {
        let live = try LiveServer(responder: makeTestApp())
        let client = try live.client()
        let plain = try client.request("OPTIONS", "/echo")
        #expect(plain.status == 204)
        #expect(plain.header("allow") == "OPTIONS, POST")
        let preflight = try client.request(
            "OPTIONS", "/echo", headers: [("Origin", "https://app.example"), ("Access-Control-Request-Method", "POST")])
        #expect(preflight.header("access-control-allow-origin") == "https://app.example")
        #expect(preflight.header("access-control-allow-methods") == "OPTIONS, POST")
        let other = try client.request("OPTIONS", "/echo", headers: [("Origin", "https://evil.example"), ("Access-Control-Request-Method", "POST")])
        #expect(other.header("access-control-allow-origin") == nil)
        let simple = try client.request("GET", "/hello", headers: [("Origin", "https://app.example")])
        #expect(simple.header("access-control-allow-origin") == "https://app.example")
    }

    @Test func unknownErrorsBecomeBare500() throws {
        let live = try LiveServer(responder: makeTestApp())
        let response = try live.client().request("GET", "/fail")
        #expect(response.status == 500)
        #expect(response.json?["code"] == .string("internal_error"))
        #expect(!response.text.contains("Cancellation"))
    }

    /// A response finished later on another thread goes out whole, in order with the
    /// requests pipelined behind it, with CORS headers and error mapping as any other.
    @Test func responsesFinishedLaterOnAnotherThread() throws {
        let live = try LiveServer(responder: makeTestApp())
        let client = try live.client()
        let done = try client.request("GET", "/later/done", headers: [("Origin", "https://app.example")])
        #expect(done.status == 201)
        #expect(done.text == "done")
        #expect(done.header("location") == "/later/1")
        #expect(done.header("access-control-allow-origin") == "https://app.example")
        #expect(done.header("x-request-id")?.count == 16)

        try client.send("GET /later/first HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        let first = try client.readResponse()
        let second = try client.readResponse()
        #expect(first.text == "first")
        #expect(second.text == "hello")

        let problem = try client.request("GET", "/later/problem")
        #expect(problem.status == 409)
        #expect(problem.header("content-type") == "application/problem+json")
        #expect(problem.json?["code"] == .string("conflict"))
        let failed = try client.request("GET", "/later/error")
        #expect(failed.status == 500)
        #expect(failed.json?["code"] == .string("internal_error"))
        #expect(try client.request("GET", "/hello").status == 200)
    }

    @Test func http10ClosesAfterTheResponse() throws {
        let live = try LiveServer(responder: makeTestApp())
        let client = try live.client()
        try client.send("GET /hello HTTP/1.0\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.header("connection") == "close")
        #expect(client.isClosedByPeer())

        let kept = try live.client()
        try kept.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try kept.readResponse().header("connection") == "keep-alive")
        try kept.send("GET /hello HTTP/1.0\r\n\r\n")
        #expect(try kept.readResponse().status == 200)
    }

    @Test func halfClosedClientStillGetsItsAnswer() throws {
        let live = try LiveServer(responder: makeTestApp())
        let client = try live.client()
        try client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        client.shutdownWrite()
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "slow")
    }

    @Test func peerVanishingMidWriteDoesNotHurtTheServer() throws {
        let live = try LiveServer(responder: makeTestApp())
        for _ in 0..<3 {
            let client = try live.client()
            try client.send("GET /huge HTTP/1.1\r\nHost: x\r\n\r\n")
            // Read a little, then drop the connection with most of 16 MiB unsent.
            var buffer = [UInt8](repeating: 0, count: 1024)
            _ = recv(client.fd, &buffer, buffer.count, 0)
            var linger = linger(l_onoff: 1, l_linger: 0)
            setsockopt(client.fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
        }
        // The server notices each reset and lets go of the connection.
        #expect(waitUntil { live.server.connectionCount == 0 }, "connections left open: \(live.server.connectionCount)")
        let after = try live.client()
        #expect(try after.request("GET", "/hello").status == 200)
        #expect(live.server.connectionCount == 1)
    }

    @Test func generatedRequestIDsAreHexAndDistinct() throws {
        let live = try LiveServer(responder: makeTestApp())
        let client = try live.client()
        let ids = try (0..<200).map { _ in try client.request("GET", "/hello").header("x-request-id") ?? "" }
        #expect(Set(ids).count == 200)
        #expect(ids.allSatisfy { $0.count == 16 && $0.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) } })
    }

    @Test func requestArrivingWhileAnotherIsServedWaitsItsTurn() throws {
        let counter = Counter(gated: true)
        let live = try LiveServer(responder: makeTestApp(counter: counter))
        let client = try live.client()
        try client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(counter.slowStarted.wait(timeout: .now() + 10) == .success)
        // Bytes that come while the handler runs are left in the socket until its answer is out:
        // wait until the kernel holds them unread on the server's side (or, if the server took
        // them, until /mark ran), with the slow handler still held.
        let mark = "POST /mark HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
        try client.send(mark)
        let clientPort = client.localPort
        let held = waitUntil {
            SocketTable.serverReceiveQueue(serverPort: live.port, clientPort: clientPort) == mark.utf8.count
                || counter.value.load(ordering: .sequentiallyConsistent) > 0
        }
        #expect(held)
        #expect(counter.value.load(ordering: .sequentiallyConsistent) == 0, "/mark ran while /slow was running")
        counter.release()
        let first = try client.readResponse()
        #expect(first.status == 200)
        #expect(first.text == "slow")
        #expect(try client.readResponse().status == 204)
        #expect(counter.value.load(ordering: .sequentiallyConsistent) == 1)
        #expect(counter.marksDuringSlow.load(ordering: .sequentiallyConsistent) == 0)
    }

    /// Pipelined behind a slow request, the next one runs only after the slow one finished.
    @Test func pipelinedRequestsRunOneAfterAnother() throws {
        let counter = Counter(gated: true)
        let live = try LiveServer(responder: makeTestApp(counter: counter))
        let client = try live.client()
        try client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\nPOST /mark HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(counter.slowStarted.wait(timeout: .now() + 10) == .success)
        // The whole pipeline is in the server's hands; give a wrong server every chance to run /mark.
        #expect(!waitUntil(seconds: 0.2) { counter.value.load(ordering: .sequentiallyConsistent) > 0 }, "/mark ran while /slow was running")
        counter.release()
        let responses = try (0..<3).map { _ in try client.readResponse() }
        #expect(responses.map(\.status) == [200, 204, 200])
        #expect(responses.map(\.text) == ["slow", "", "hello"])
        #expect(counter.value.load(ordering: .sequentiallyConsistent) == 1)
        #expect(counter.marksDuringSlow.load(ordering: .sequentiallyConsistent) == 0)
    }

    /// On a worker (`/slow`) or finished later from another thread (`/later/slow`).
    @Test(arguments: ["/slow", "/later/slow"])
    func clientResettingDuringItsRequestIsForgotten(path: String) throws {
        let counter = Counter()
        let live = try LiveServer(responder: makeTestApp(counter: counter))
        let client = try live.client()
        try client.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(counter.slowStarted.wait(timeout: .now() + 10) == .success)
        client.reset()
        // The server lets go of the connection, and the handler's late answer goes nowhere.
        let deadline = Date().addingTimeInterval(5)
        while live.server.connectionCount > 0 && Date() < deadline { usleep(5_000) }
        #expect(live.server.connectionCount == 0)
        #expect(try live.client().request("GET", "/hello").status == 200)
    }

    @Test func ipv6Loopback() throws {
        let live = try LiveServer(responder: makeTestApp()) { $0.host = "::1" }
        let client = try RawClient(port: live.port, host: "::1")
        let response = try client.request("GET", "/hello")
        #expect(response.status == 200)
    }

    /// On a worker (`/slow`) or finished later from another thread (`/later/slow`).
    @Test(arguments: [("/slow", 200), ("/later/slow", 201)])
    func shutdownFinishesTheRequestInFlight(path: String, status: Int) throws {
        let counter = Counter(gated: true)
        let live = try LiveServer(responder: makeTestApp(counter: counter))
        let listener = try #require(SocketTable.listeningInode(port: live.port))
        #expect(SocketTable.openSocketInodes().contains(listener))
        let busy = try live.client()
        let idle = try live.client()
        #expect(try idle.request("GET", "/hello").status == 200)
        try busy.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(counter.slowStarted.wait(timeout: .now() + 10) == .success)
        let done = DispatchSemaphore(value: 0)
        live.server.shutdown { done.signal() }
        // While the request is held: the idle connection is closed, the listener is gone,
        // and shutdown waits for the request in flight.
        #expect(idle.isClosedByPeer())
        #expect(waitUntil { !SocketTable.openSocketInodes().contains(listener) }, "the listening socket is still open")
        #expect(done.wait(timeout: .now()) == .timedOut, "shutdown completed with a request in flight")
        counter.release()
        let response = try busy.readResponse()
        #expect(response.status == status)
        #expect(response.text == "slow")
        #expect(response.header("connection") == "close")
        #expect(busy.isClosedByPeer())
        #expect(done.wait(timeout: .now() + 5) == .success)
    }

    @Test func fullWorkerQueueAnswers503() throws {
        let counter = Counter(gated: true)
        let live = try LiveServer(responder: makeTestApp(counter: counter)) {
            $0.workerThreads = 1
            $0.maxQueuedRequests = 1
        }
        let clients = try (0..<3).map { _ in try live.client() }
        try clients[0].send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(counter.slowStarted.wait(timeout: .now() + 10) == .success)
        // The only worker is held: one request fits in the queue, the next does not.
        try clients[1].send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(waitUntil { live.server.queueDepth == 1 })
        try clients[2].send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        let refused = try clients[2].readResponse()
        #expect(refused.status == 503)
        #expect(refused.header("retry-after") == "1")
        #expect(refused.json?["code"] == .string("overloaded"))
        counter.release()
        counter.release()
        let answered = try clients[0...1].map { try $0.readResponse() }
        #expect(answered.map(\.status) == [200, 200])
        #expect(answered.map(\.text) == ["slow", "slow"])
        #expect(try live.client().request("GET", "/hello").status == 200)
    }

    /// Behind a trusted proxy the client is the rightmost untrusted X-Forwarded-For address, in
    /// the request and in the access log; from anyone else the header is ignored.
    @Test func forwardedForIsBelievedOnlyFromTrustedProxies() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let log = AccessLog(fd: fds[1])
        let trusted = try #require(AddressBlock("127.0.0.0/8"))
        let inner = try #require(AddressBlock("10.0.0.0/8"))
        let live = try LiveServer(responder: makeTestApp(), accessLog: log) { $0.trustedProxies = TrustedProxies([trusted, inner]) }
        let client = try live.client()
        func whoami(_ forwarded: [String]) throws -> String {
            try client.request("GET", "/whoami", headers: forwarded.map { ("X-Forwarded-For", $0) }).text
        }
        #expect(try whoami(["198.51.100.9"]) == "198.51.100.9")
        #expect(try whoami(["203.0.113.5, 198.51.100.9, 10.1.2.3"]) == "198.51.100.9")
        #expect(try whoami(["203.0.113.5", "198.51.100.9, 10.1.2.3"]) == "198.51.100.9")
        #expect(try whoami(["2001:db8::1, 10.0.0.1"]) == "2001:db8::1")
        #expect(try whoami(["10.0.0.1, 10.0.0.2"]) == "10.0.0.1")
        #expect(try whoami(["198.51.100.9, not-an-address, 10.0.0.2"]) == "10.0.0.2")
        #expect(try whoami([]) == "127.0.0.1")
        live.server.flushLog()
        close(fds[1])
        var text: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fds[0], &chunk, chunk.count)
            if count <= 0 { break }
            text += chunk[0..<count]
        }
        let lines = String(decoding: text, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 7)
        #expect(lines.first?.hasSuffix(" remote=198.51.100.9") == true)
        #expect(lines.last?.hasSuffix(" remote=127.0.0.1") == true)

        // Without trusted proxies, nobody's X-Forwarded-For is believed.
        let plain = try LiveServer(responder: makeTestApp())
        #expect(try plain.client().request("GET", "/whoami", headers: [("X-Forwarded-For", "198.51.100.9")]).text == "127.0.0.1")
        // Nor from a peer outside the trusted blocks.
        let elsewhere = try LiveServer(responder: makeTestApp()) { $0.trustedProxies = TrustedProxies([inner]) }
        #expect(try elsewhere.client().request("GET", "/whoami", headers: [("X-Forwarded-For", "198.51.100.9")]).text == "127.0.0.1")
    }

    @Test func addressBlocks() throws {
        let block = try #require(AddressBlock("192.168.4.0/22"))
        #expect(block.contains("192.168.7.255"))
        #expect(!block.contains("192.168.8.0"))
        #expect(!block.contains("::1"))
        #expect(try #require(AddressBlock("fd00::/8")).contains("fd12:3456::1"))
        #expect(try #require(AddressBlock("10.0.0.0/8")).contains("::ffff:10.9.8.7"))
        #expect(try #require(AddressBlock("127.0.0.1")).contains("127.0.0.1"))
        #expect(!(try #require(AddressBlock("127.0.0.1"))).contains("127.0.0.2"))
        #expect(try #require(AddressBlock("0.0.0.0/0")).contains("8.8.8.8"))
        for bad in ["10.0.0.0/33", "10.0.0/8", "fd00::/129", "host.example", "10.0.0.0/-1", "", "10.0.0.0/8/8", "10.0.0.0/ 8"] {
            #expect(AddressBlock(bad) == nil, "\(bad)")
        }
    }

    /// At the cap an idle keep-alive connection makes room first, then the slowest incomplete
    /// head; busy ones never do.
    @Test func connectionCapEvictsIdleThenSlowHeadsButNeverBusyOnes() throws {
        let counter = Counter(gated: true)
        let live = try LiveServer(responder: makeTestApp(counter: counter)) { $0.maxConnections = 3 }
        let busy = try live.client()
        try busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(counter.slowStarted.wait(timeout: .now() + 10) == .success)
        let slowHead = try live.client()
        try slowHead.send("GET /hello HTTP/1.1\r\nHost: x\r\n")
        let idle = try live.client()
        #expect(try idle.request("GET", "/hello").status == 200)
        #expect(waitUntil { live.server.evictable == (idle: 1, headIncomplete: 1) })
        // Full: the idle one goes first, and the newcomer is served.
        let newcomer = try live.client()
        #expect(try newcomer.request("GET", "/hello").status == 200)
        #expect(idle.isClosedByPeer())
        #expect(live.server.evictionCount == 1)
        // The newcomer gets busy too; now the slow head is all there is to evict.
        try newcomer.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(counter.slowStarted.wait(timeout: .now() + 10) == .success)
        #expect(waitUntil { live.server.evictable == (idle: 0, headIncomplete: 1) })
        let another = try live.client()
        #expect(try another.request("GET", "/hello").status == 200)
        #expect(slowHead.isClosedByPeer())
        #expect(live.server.evictionCount == 2)
        // The busy requests were never touched.
        counter.release()
        counter.release()
        for client in [busy, newcomer] {
            let answered = try client.readResponse()
            #expect(answered.status == 200)
            #expect(answered.text == "slow")
        }
    }

    @Test func withNothingToEvictNewConnectionsAreTurnedAway() throws {
        let counter = Counter(gated: true)
        let live = try LiveServer(responder: makeTestApp(counter: counter)) {
            $0.maxConnections = 2
            $0.workerThreads = 2
        }
        let clients = try (0..<2).map { _ in try live.client() }
        for client in clients { try client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n") }
        #expect(counter.slowStarted.wait(timeout: .now() + 10) == .success)
        #expect(counter.slowStarted.wait(timeout: .now() + 10) == .success)
        #expect(live.server.evictable == (idle: 0, headIncomplete: 0))
        let third = try live.client()
        #expect(third.isClosedByPeer())
        #expect(live.server.evictionCount == 0)
        counter.release()
        counter.release()
        for client in clients { #expect(try client.readResponse().status == 200) }
    }

    @Test func perAddressCap() throws {
        let live = try LiveServer(responder: makeTestApp()) { $0.maxConnectionsPerAddress = 2 }
        let first = try live.client()
        let second = try live.client()
        #expect(try first.request("GET", "/hello").status == 200)
        #expect(try second.request("GET", "/hello").status == 200)
        let third = try live.client()
        #expect(third.isClosedByPeer())
        #expect(try first.request("GET", "/hello").status == 200)
        // A slot freed is a slot to take.
        first.reset()
        #expect(waitUntil { live.server.connectionCount == 1 })
        #expect(try live.client().request("GET", "/hello").status == 200)
    }
}
