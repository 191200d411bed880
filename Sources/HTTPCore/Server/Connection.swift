#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSystemShims
import Dispatch
import Synchronization

/// One client connection: reads into the parser, runs one request at a time (so pipelined
/// requests are answered in order), writes the response, and enforces the timeouts.
final class Connection: @unchecked Sendable {
    // Every mutable property is touched only on the loop's thread: epoll events arrive there
    // and worker threads hop back to it (`loop.execute`) before touching anything.

    private enum Phase {
        case reading
        case handling
        case writing
        /// After a response that closes the connection: our side is shut, and input is
        /// drained briefly so that the peer reads the response instead of a reset.
        case lingering
        case closed
    }

    private enum AfterWrite {
        case nextRequest
        case continueBody
        case close
        /// More of a streamed body follows (see `pumpStream`).
        case stream
    }

    let id: Int
    private let fd: Int32
    let loop: IOLoop
    private let server: HTTPServer
    let remoteAddress: String
    /// How this connection ranks for eviction when the server is full, for the acceptor to read
    /// (see `EvictionRank`): published when a request starts and when the connection waits for
    /// input again (and by the sweep). The loop checks again before it evicts.
    let evictionRank = Atomic<UInt64>(0)
    private var parser: RequestParser
    private var phase = Phase.reading
    /// Whether epoll should report readability / writability (what is registered).
    private var readSuspended = false
    private var writeSuspended = true
    private var output: [UInt8] = []
    private var outputOffset = 0
    private var afterWrite = AfterWrite.nextRequest
    /// The streamed body being sent, and what follows it.
    private var stream: BodyWriter?
    private var afterStream = AfterWrite.nextRequest
    private var inputClosed = false
    private var servedRequests = 0
    private let openedAt: UInt64
    private var requestStartedAt: UInt64 = 0
    private var lastByteAt: UInt64 = 0
    private var lastProgressAt: UInt64 = 0
    private var lingerStartedAt: UInt64 = 0
    private var routeLabel = "unmatched"

    init(id: Int, fd: Int32, remoteAddress: String, loop: IOLoop, server: HTTPServer) {
        self.id = id
        self.fd = fd
        self.remoteAddress = remoteAddress
        self.loop = loop
        self.server = server
        let responder = server.responder
        let limits = server.configuration.limits
        self.parser = RequestParser(limits: limits) { head in responder.plan(for: head) }
        openedAt = System.monotonicNanos()
        lastByteAt = openedAt
    }

    /// Registers with the loop's epoll set; call on the loop's thread.
    func start() {
        loop.connections[id] = self
        evictionRank.store(EvictionRank.headIncomplete(since: openedAt), ordering: .relaxed)
        guard loop.watch(fd, token: id, events: interest, adding: true) else {
            loop.connections[id] = nil
            phase = .closed
            Glibc.close(fd)
            server.connectionClosed(self)
            return
        }
    }

    /// What this connection is now, for eviction: idle between requests, still sending a
    /// request head, or busy (never evicted).
    private var currentRank: UInt64 {
        guard phase == .reading else { return EvictionRank.busy }
        if parser.isIdle { return servedRequests > 0 ? EvictionRank.idle(since: lastByteAt) : EvictionRank.headIncomplete(since: openedAt) }
        return parser.isReadingBody ? EvictionRank.busy : EvictionRank.headIncomplete(since: requestStartedAt)
    }

    /// Closes the connection if it is still idle or still sending its head: the server is full
    /// and a new client is waiting (slowloris defence). A connection that got busy meanwhile stays.
    func evict() {
        guard phase != .closed, currentRank != EvictionRank.busy else { return }
        close()
    }

    private var interest: UInt32 {
        (readSuspended ? 0 : UInt32(FOOTHOLD_EPOLL_IN)) | (writeSuspended ? 0 : UInt32(FOOTHOLD_EPOLL_OUT))
    }

    private func updateInterest() {
        guard phase != .closed else { return }
        loop.watch(fd, token: id, events: interest, adding: false)
    }

    /// What epoll reported for this connection.
    func onEvents(_ events: UInt32) {
        let failed = events & UInt32(FOOTHOLD_EPOLL_ERR | FOOTHOLD_EPOLL_HUP) != 0
        if events & UInt32(FOOTHOLD_EPOLL_OUT) != 0 || (failed && phase == .writing) { flush() }
        if events & UInt32(FOOTHOLD_EPOLL_IN) != 0 || failed {
            onReadable()
            // Error and hang-up are reported even with no interest registered; left
            // registered, a connection waiting on its handler would be reported again and again.
            if failed && phase != .reading && phase != .lingering && phase != .writing { close() }
        }
    }

    // MARK: - Reading

    private func onReadable() {
        guard phase == .reading || phase == .lingering else {
            // Input is left alone while a request is served. Reading is suspended only now
            // that bytes came early (pipelining): a suspend and resume per request would cost
            // an epoll_ctl pair every time.
            if phase == .handling || phase == .writing { suspendReading() }
            return
        }
        let buffer = loop.readBuffer
        while true {
            let count = recv(fd, buffer.baseAddress, buffer.count, 0)
            if count > 0 {
                if phase == .lingering { continue }
                let now = System.monotonicNanos()
                if parser.isIdle { requestStartedAt = now }
                lastByteAt = now
                parser.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                // One read per event: parse before reading more, so a client that keeps sending
                // cannot grow the buffer unboundedly (the source fires again if more is waiting).
                break
            }
            if count == 0 {
                inputClosed = true
                if phase == .lingering {
                    close()
                    return
                }
                suspendReading()
                break
            }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { break }
            close()
            return
        }
        if phase == .reading { processInput() }
    }

    private func processInput() {
        while phase == .reading {
            switch parser.next() {
            case .needMore:
                if inputClosed {
                    // Nothing more will come; a half-sent request cannot be answered.
                    close()
                    return
                }
                if server.isDraining && parser.isIdle {
                    close()
                    return
                }
                resumeReading()
                evictionRank.store(currentRank, ordering: .relaxed)
                return
            case .expectContinue:
                write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8), then: .continueBody)
                return
            case .request(let head, let body):
                handle(head, body)
                return
            case .failure(let error):
                let problem = Problem(status: error.status, code: error.code, detail: error.detail)
                let bytes = ResponseSerializer.serialize(problem.response, keepAlive: false, clientVersion: .http1_1, headRequest: false)
                server.log(method: "-", path: "-", status: error.status, bytes: bytes.count, start: requestStartedAt, requestID: "-", remote: remoteAddress)
                write(bytes, then: .close)
                return
            }
        }
    }

    // MARK: - Handling

    private func handle(_ head: HTTPRequestHead, _ body: [UInt8]) {
        phase = .handling
        evictionRank.store(EvictionRank.busy, ordering: .relaxed)
        let start = requestStartedAt
        let proxies = server.configuration.trustedProxies
        let client = proxies.blocks.isEmpty
            ? remoteAddress : proxies.clientAddress(peer: remoteAddress, forwardedFor: head.headers.values("x-forwarded-for"))
        var received = Request(head: head, body: body, requestID: Self.requestID(from: head.headers["x-request-id"]), remoteAddress: client)
        if !proxies.blocks.isEmpty { received.forwardedHTTPS = proxies.forwardedHTTPS(peer: remoteAddress, headers: head.headers) }
        let request = received
        let responder = server.responder
        let plan = parser.plan ?? responder.plan(for: head)
        routeLabel = plan.routeLabel
        if plan.runsInline {
            let response = responder.respond(to: request, plan: plan)
            if let pending = response.pending {
                finishLater(pending, request: request, start: start)
            } else {
                finish(response, request: request, start: start)
            }
            return
        }
        let accepted = server.workers.submit { [self] in
            let response = responder.respond(to: request, plan: plan)
            if let pending = response.pending {
                finishLater(pending, request: request, start: start)
            } else {
                loop.execute { self.finish(response, request: request, start: start) }
            }
        }
        if !accepted {
            let overloaded = Problem(status: 503, code: "overloaded", detail: "The server is busy; try again shortly.", headers: [("Retry-After", "1")])
            finish(overloaded.response, request: request, start: start)
        }
    }

    /// Echoes a client's request id when it is short, visible ASCII; otherwise makes one.
    static func requestID(from header: String?) -> String {
        if let header, !header.isEmpty, header.utf8.count <= 128, header.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
            return header
        }
        // A random start plus a counter stepped by an odd constant: unique within the process,
        // unpredictable across runs, and no getrandom(2) call per request.
        let value = requestIDBase &+ requestIDCounter.add(1, ordering: .relaxed).newValue &* 0x9E37_79B9_7F4A_7C15
        return String(unsafeUninitializedCapacity: 16) { buffer in
            for index in 0..<16 {
                let nibble = UInt8(truncatingIfNeeded: value >> UInt64(60 - index * 4)) & 0xF
                buffer[index] = nibble < 10 ? 0x30 + nibble : 0x57 + nibble
            }
            return 16
        }
    }

    private static let requestIDBase = UInt64.random(in: 0...UInt64.max)
    private static let requestIDCounter = Atomic<UInt64>(0)

    /// Sends a response once its handler's pending work completes: the response is made
    /// and written on this connection's loop, whichever thread completed the work.
    private func finishLater(_ pending: PendingResponse, request: Request, start: UInt64) {
        pending.whenReady { [self] make in
            loop.execute {
                let response = (try? make()) ?? Problem.internalError.response
                self.finish(response, request: request, start: start)
            }
        }
    }

    private func finish(_ produced: Response, request: Request, start: UInt64) {
        guard phase == .handling else { return }
        servedRequests += 1
        var response = produced
        let head = request.head
        response.setHeader("X-Request-Id", request.requestID)
        server.applyCompression(to: &response, acceptEncoding: head.headers["accept-encoding"])
        let streamed = response.stream != nil && !HTTPStatus.forbidsBody(response.status) && head.method != "HEAD"
        let keepAlive = head.keepAlive && !server.isDraining && !inputClosed && response.status != 503 && !(streamed && head.version == .http1_0)
        let bytes = ResponseSerializer.serialize(response, keepAlive: keepAlive, clientVersion: head.version, headRequest: head.method == "HEAD")
        server.log(method: head.method, path: head.path, status: response.status, bytes: bytes.count, start: start, requestID: request.requestID, remote: request.remoteAddress)
        server.metrics.record(
            method: head.method, route: routeLabel, status: response.status,
            seconds: Double(System.monotonicNanos() &- start) / 1e9)
        if streamed, let body = response.stream {
            let loop = loop
            let writer = BodyWriter(chunked: head.version != .http1_0) { [self] in loop.execute { self.pumpStream() } }
            stream = writer
            afterStream = keepAlive ? .nextRequest : .close
            write(bytes, then: .stream)
            // Its own thread: a producer waits on the client, and must not hold a worker meanwhile.
            DispatchQueue.global().async {
                do {
                    try body.produce(writer)
                    writer.end(failed: false)
                } catch {
                    writer.end(failed: true)
                }
            }
            return
        }
        write(bytes, then: keepAlive ? .nextRequest : .close)
    }

    /// Sends what the producer has written since; ends the exchange after the last chunk.
    private func pumpStream() {
        guard phase == .writing, outputOffset >= output.count, let writer = stream else { return }
        let (bytes, finished, failed) = writer.take()
        if failed {
            stream = nil
            close()
            return
        }
        if finished { stream = nil }
        if !bytes.isEmpty {
            write(bytes, then: finished ? afterStream : .stream)
        } else if finished {
            written(afterStream)
        }
    }

    // MARK: - Writing

    private func write(_ bytes: [UInt8], then next: AfterWrite) {
        output = bytes
        outputOffset = 0
        afterWrite = next
        phase = .writing
        lastProgressAt = System.monotonicNanos()
        flush()
    }

    private func flush() {
        guard phase == .writing else { return }
        while outputOffset < output.count {
            let sent = output.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return send(fd, base + outputOffset, raw.count - outputOffset, Int32(MSG_NOSIGNAL))
            }
            if sent > 0 {
                outputOffset += sent
                lastProgressAt = System.monotonicNanos()
                continue
            }
            let code = errno
            if sent < 0 && code == EINTR { continue }
            if sent < 0 && (code == EAGAIN || code == EWOULDBLOCK) {
                if writeSuspended {
                    writeSuspended = false
                    updateInterest()
                }
                return
            }
            // EPIPE, ECONNRESET: the peer is gone.
            close()
            return
        }
        if !writeSuspended {
            writeSuspended = true
            updateInterest()
        }
        output.removeAll(keepingCapacity: output.capacity <= 64 * 1024)
        outputOffset = 0
        written(afterWrite)
    }

    private func written(_ next: AfterWrite) {
        switch next {
        case .stream:
            pumpStream()
        case .close:
            linger()
        case .continueBody:
            phase = .reading
            processInput()
        case .nextRequest:
            phase = .reading
            requestStartedAt = System.monotonicNanos()
            lastByteAt = requestStartedAt
            processInput()
        }
    }

    /// Half-closes and drains input for a moment before closing, so that a client still
    /// sending (a refused large body, pipelined requests) reads our answer, not a reset.
    private func linger() {
        if inputClosed {
            close()
            return
        }
        phase = .lingering
        lingerStartedAt = System.monotonicNanos()
        shutdown(fd, Int32(SHUT_WR))
        resumeReading()
    }

    // MARK: - Timeouts and shutdown

    func checkTimeouts(now: UInt64) {
        evictionRank.store(currentRank, ordering: .relaxed)
        let config = server.configuration
        switch phase {
        case .reading:
            if parser.isIdle {
                if server.isDraining {
                    close()
                } else if servedRequests == 0 {
                    if now &- openedAt > System.seconds(config.headerTimeout) { close() }
                } else if now &- lastByteAt > System.seconds(config.idleTimeout) {
                    close()
                }
            } else if parser.isReadingBody {
                if now &- lastByteAt > System.seconds(config.bodyTimeout) { timeOut("The request body stalled.") }
            } else if now &- requestStartedAt > System.seconds(config.headerTimeout) {
                timeOut("The request head did not arrive in time.")
            }
        case .writing:
            if now &- lastProgressAt > System.seconds(config.writeTimeout) { close() }
        case .lingering:
            if now &- lingerStartedAt > 2_000_000_000 { close() }
        case .handling, .closed:
            break
        }
    }

    private func timeOut(_ detail: String) {
        suspendReading()
        let problem = Problem(status: 408, code: "request_timeout", detail: detail)
        let bytes = ResponseSerializer.serialize(problem.response, keepAlive: false, clientVersion: .http1_1, headRequest: false)
        server.log(method: "-", path: "-", status: 408, bytes: bytes.count, start: requestStartedAt, requestID: "-", remote: remoteAddress)
        write(bytes, then: .close)
    }

    /// Closes at once if idle; otherwise the current exchange ends the connection.
    func drain() {
        if phase == .reading && parser.isIdle { close() }
    }

    func close() {
        guard phase != .closed else { return }
        phase = .closed
        stream?.cancel()
        stream = nil
        loop.connections[id] = nil
        loop.unwatch(fd)
        Glibc.close(fd)
        server.connectionClosed(self)
    }

    private func suspendReading() {
        guard !readSuspended else { return }
        readSuspended = true
        updateInterest()
    }

    private func resumeReading() {
        guard readSuspended, !inputClosed else { return }
        readSuspended = false
        updateInterest()
    }
}
