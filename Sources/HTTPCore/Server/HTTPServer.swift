#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CSystemShims
import Dispatch
import Synchronization
import Primitives

/// The HTTP/1.1 server: listening sockets, accept loop, I/O loops and the worker pool.
public final class HTTPServer: Sendable {
    public let configuration: ServerConfiguration
    let responder: any HTTPResponder
    let workers: WorkerPool
    private let loops: [IOLoop]
    private let accessLog: AccessLog?
    public let metrics: ServerMetrics
    private let acceptQueue = DispatchQueue(label: "foothold.accept")
    /// Every open connection, and how many come from each address (for the caps).
    private let registry = Lock<(connections: [Int: Connection], perAddress: [String: Int])>(([:], [:]))
    private let evictions = Atomic<Int>(0)
    private let state = Lock(State())
    private let openConnections = Atomic<Int>(0)
    private let draining = Atomic<Bool>(false)
    private let nextConnectionID = Atomic<Int>(0)

    private struct State {
        var listeners: [(fd: Int32, source: DispatchSourceRead)] = []
        var boundPorts: [Int] = []
        var nextLoop = 0
        var acceptPaused = false
        var shutdownWaiters: [@Sendable () -> Void] = []
        var stopped = false
    }

    public init(
        configuration: ServerConfiguration, responder: any HTTPResponder, accessLog: AccessLog? = nil, metrics: ServerMetrics = ServerMetrics()
    ) {
        self.metrics = metrics
        self.configuration = configuration
        self.responder = responder
        self.accessLog = configuration.accessLog ? accessLog : nil
        self.workers = WorkerPool(threads: configuration.workerThreads, maxQueued: configuration.maxQueuedRequests)
        let smallestTimeout = min(configuration.headerTimeout, configuration.bodyTimeout, configuration.idleTimeout, configuration.writeTimeout)
        let sweep = min(0.25, smallestTimeout / 4)
        self.loops = (0..<max(1, configuration.ioThreads)).map { IOLoop(index: $0, sweepInterval: sweep) }
    }

    /// The port the first listener is bound to (useful when the configuration asked for 0).
    public var port: Int {
        state.withLock { $0.boundPorts.first ?? configuration.port }
    }

    public var isDraining: Bool { draining.load(ordering: .relaxed) }

    public var connectionCount: Int { openConnections.load(ordering: .relaxed) }

    /// Handler jobs waiting for a worker thread.
    public var queueDepth: Int { workers.queueDepth }

    /// Binds every address the host resolves to and starts accepting.
    public func start() throws {
        let addresses = try Self.resolve(host: configuration.host, port: configuration.port)
        var bound: [(Int32, Int)] = []
        do {
            var port = configuration.port
            for address in addresses {
                let (fd, actualPort) = try Self.listen(on: address, port: port)
                bound.append((fd, actualPort))
                port = actualPort
            }
            for loop in loops { try loop.start() }
        } catch {
            for (fd, _) in bound { Glibc.close(fd) }
            throw error
        }
        state.withLock { state in
            for (fd, port) in bound {
                let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: acceptQueue)
                source.setEventHandler { [unowned self] in self.acceptAll(fd: fd) }
                source.setCancelHandler { Glibc.close(fd) }
                state.listeners.append((fd, source))
                state.boundPorts.append(port)
                source.resume()
            }
        }
    }

    private struct ResolvedAddress {
        var family: Int32
        var storage: sockaddr_storage
        var length: socklen_t
    }

    private static func resolve(host: String, port: Int) throws -> [ResolvedAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw SocketError("getaddrinfo(\(host)): \(String(cString: gai_strerror(status)))", code: 0)
        }
        defer { freeaddrinfo(first) }
        var results: [ResolvedAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            var storage = sockaddr_storage()
            if let address = entry.pointee.ai_addr {
                withUnsafeMutableBytes(of: &storage) { target in
                    target.copyMemory(from: UnsafeRawBufferPointer(start: address, count: Int(entry.pointee.ai_addrlen)))
                }
                results.append(ResolvedAddress(family: entry.pointee.ai_family, storage: storage, length: entry.pointee.ai_addrlen))
            }
            cursor = entry.pointee.ai_next
        }
        return results
    }

    private static func listen(on address: ResolvedAddress, port: Int) throws -> (Int32, Int) {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if address.family == AF_INET6 {
            // Keep v6 sockets v6-only so "::" and "0.0.0.0" can be bound side by side.
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        var storage = address.storage
        // Several resolved addresses share the port the first one got.
        withUnsafeMutableBytes(of: &storage) { raw in
            if address.family == AF_INET {
                raw.withMemoryRebound(to: sockaddr_in.self) { $0[0].sin_port = in_port_t(UInt16(port).bigEndian) }
            } else if address.family == AF_INET6 {
                raw.withMemoryRebound(to: sockaddr_in6.self) { $0[0].sin6_port = in_port_t(UInt16(port).bigEndian) }
            }
        }
        let bindStatus = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, address.length) }
        }
        guard bindStatus == 0 else {
            let error = SocketError("bind to port \(port)")
            Glibc.close(fd)
            throw error
        }
        guard Glibc.listen(fd, 1024) == 0 else {
            let error = SocketError("listen")
            Glibc.close(fd)
            throw error
        }
        var local = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Self.port(of: local))
    }

    private static func port(of storage: sockaddr_storage) -> Int {
        let family = storage.ss_family
        return withUnsafeBytes(of: storage) { raw in
            if family == sa_family_t(AF_INET) {
                return Int(UInt16(bigEndian: raw.load(as: sockaddr_in.self).sin_port))
            }
            return Int(UInt16(bigEndian: raw.load(as: sockaddr_in6.self).sin6_port))
        }
    }

    private static func describe(_ storage: sockaddr_storage) -> String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = storage.ss_family
        withUnsafeBytes(of: storage) { raw in
            if family == sa_family_t(AF_INET) {
                var address = raw.load(as: sockaddr_in.self).sin_addr
                _ = inet_ntop(AF_INET, &address, &text, socklen_t(text.count))
            } else {
                var address = raw.load(as: sockaddr_in6.self).sin6_addr
                _ = inet_ntop(AF_INET6, &address, &text, socklen_t(text.count))
            }
        }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Accepts until EAGAIN; on EMFILE/ENFILE pauses accepting briefly instead of spinning.
    private func acceptAll(fd listener: Int32) {
        while true {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    foothold_accept4(listener, $0, &length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
                }
            }
            if fd < 0 {
                let code = errno
                if code == EINTR || code == ECONNABORTED { continue }
                if code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM { pauseAccepting() }
                return
            }
            let address = Self.describe(storage)
            if isDraining || !admit(address: address) {
                Glibc.close(fd)
                continue
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            openConnections.add(1, ordering: .relaxed)
            let id = nextConnectionID.add(1, ordering: .relaxed).newValue
            let loop = state.withLock { state -> IOLoop in
                state.nextLoop = (state.nextLoop + 1) % loops.count
                return loops[state.nextLoop]
            }
            let connection = Connection(id: id, fd: fd, remoteAddress: address, loop: loop, server: self)
            registry.withLock { registry in
                registry.connections[id] = connection
                registry.perAddress[address, default: 0] += 1
            }
            loop.execute { connection.start() }
        }
    }

    private func pauseAccepting() {
        let sources = state.withLock { state -> [DispatchSourceRead] in
            guard !state.acceptPaused else { return [] }
            state.acceptPaused = true
            return state.listeners.map(\.source)
        }
        guard !sources.isEmpty else { return }
        for source in sources { source.suspend() }
        acceptQueue.asyncAfter(deadline: .now() + .milliseconds(100)) { [self] in
            let sources = state.withLock { state -> [DispatchSourceRead] in
                guard state.acceptPaused else { return [] }
                state.acceptPaused = false
                return state.listeners.map(\.source)
            }
            for source in sources { source.resume() }
        }
    }

    /// Whether a new connection from `address` may come in. At the per-address cap it may not.
    /// At the connection cap it may if a connection can make room: an idle keep-alive one
    /// first, else the one whose request head has been arriving longest (a slow client holding
    /// a slot is what fills a server under a slowloris attack); with none, it is turned away.
    private func admit(address: String) -> Bool {
        let perAddressCap = configuration.maxConnectionsPerAddress
        let victim = registry.withLock { registry -> Connection?? in
            if perAddressCap > 0, registry.perAddress[address, default: 0] >= perAddressCap { return .some(nil) }
            guard openConnections.load(ordering: .relaxed) >= configuration.maxConnections else { return .none }
            var best: (connection: Connection, rank: UInt64)?
            for connection in registry.connections.values {
                let rank = connection.evictionRank.load(ordering: .relaxed)
                guard rank != EvictionRank.busy else { continue }
                if best.map({ EvictionRank.precedes(rank, $0.rank) }) ?? true { best = (connection, rank) }
            }
            guard let best else { return .some(nil) }
            // Chosen once: marked busy so the next arrival picks another.
            best.connection.evictionRank.store(EvictionRank.busy, ordering: .relaxed)
            return .some(best.connection)
        }
        switch victim {
        case .none: return true
        case .some(nil): return false
        case .some(let connection?):
            evictions.add(1, ordering: .relaxed)
            connection.loop.execute { connection.evict() }
            return true
        }
    }

    /// Connections closed to make room for new ones.
    public var evictionCount: Int { evictions.load(ordering: .relaxed) }

    /// How many open connections are idle and how many are still sending a head (tests wait on it).
    var evictable: (idle: Int, headIncomplete: Int) {
        registry.withLock { registry in
            var counts = (idle: 0, headIncomplete: 0)
            for connection in registry.connections.values {
                switch connection.evictionRank.load(ordering: .relaxed) >> 62 {
                case 2: counts.idle += 1
                case 1: counts.headIncomplete += 1
                default: break
                }
            }
            return counts
        }
    }

    func connectionClosed(_ connection: Connection) {
        registry.withLock { registry in
            registry.connections[connection.id] = nil
            let left = registry.perAddress[connection.remoteAddress, default: 1] - 1
            registry.perAddress[connection.remoteAddress] = left > 0 ? left : nil
        }
        let remaining = openConnections.add(-1, ordering: .relaxed).newValue
        if remaining == 0 && isDraining { finishShutdown() }
    }

    // MARK: - Responses

    /// gzip for clients that accept it, on compressible bodies of at least the minimum size.
    func applyCompression(to response: inout Response, acceptEncoding: String?) {
        guard !HTTPStatus.forbidsBody(response.status), response.body.count >= configuration.gzipMinimumBytes,
              response.header("Content-Encoding") == nil, Self.isCompressible(response.header("Content-Type"))
        else { return }
        if let vary = response.header("Vary") {
            if !vary.lowercased().contains("accept-encoding") { response.setHeader("Vary", vary + ", Accept-Encoding") }
        } else {
            response.headers.append(("Vary", "Accept-Encoding"))
        }
        guard Gzip.accepted(by: acceptEncoding), let compressed = Gzip.compress(response.body, level: configuration.gzipLevel),
              compressed.count < response.body.count
        else { return }
        response.body = compressed
        response.headers.append(("Content-Encoding", "gzip"))
        // A strong validator names one representation (RFC 9110 §8.8.1); the gzip one gets its own.
        if let etag = response.header("ETag"), etag.hasSuffix("\""), !etag.hasPrefix("W/") {
            response.setHeader("ETag", String(etag.dropLast()) + "-gzip\"")
        }
    }

    private static func isCompressible(_ contentType: String?) -> Bool {
        guard let type = contentType?.lowercased() else { return false }
        return type.hasPrefix("text/") || type.contains("json") || type.contains("yaml") || type.contains("xml")
            || type.contains("calendar") || type.contains("vcard") || type.contains("csv")
    }

    func log(method: String, path: String, status: Int, bytes: Int, start: UInt64, requestID: String, remote: String) {
        guard let accessLog else { return }
        accessLog.record(
            method: method, path: path, status: status, bytes: bytes, durationNanos: System.monotonicNanos() &- start,
            requestID: requestID, remote: remote)
    }

    // MARK: - Shutdown

    /// Stops accepting, closes idle connections, lets in-flight requests finish (their
    /// responses close the connection), and calls `completion` when every connection is gone
    /// or `shutdownGrace` has passed.
    public func shutdown(completion: @escaping @Sendable () -> Void) {
        let (first, alreadyStopped) = state.withLock { state -> (Bool, Bool) in
            if state.stopped { return (false, true) }
            state.shutdownWaiters.append(completion)
            return (!draining.exchange(true, ordering: .relaxed), false)
        }
        if alreadyStopped {
            completion()
            return
        }
        guard first else {
            if openConnections.load(ordering: .relaxed) == 0 { finishShutdown() }
            return
        }
        let listeners = state.withLock { state -> [DispatchSourceRead] in
            defer { state.listeners.removeAll() }
            let sources = state.listeners.map(\.source)
            if state.acceptPaused {
                state.acceptPaused = false
                for source in sources { source.resume() }
            }
            return sources
        }
        for source in listeners { source.cancel() }
        for loop in loops {
            loop.execute {
                for connection in Array(loop.connections.values) { connection.drain() }
            }
        }
        if openConnections.load(ordering: .relaxed) == 0 { finishShutdown() }
        DispatchQueue.global().asyncAfter(deadline: .now() + configuration.shutdownGrace) { [self] in
            for loop in loops {
                loop.execute {
                    for connection in Array(loop.connections.values) { connection.close() }
                }
            }
        }
    }

    private func finishShutdown() {
        let waiters = state.withLock { state -> [@Sendable () -> Void] in
            guard !state.stopped else { return [] }
            state.stopped = true
            defer { state.shutdownWaiters.removeAll() }
            return state.shutdownWaiters
        }
        guard !waiters.isEmpty else { return }
        for loop in loops { loop.stop() }
        workers.stop()
        accessLog?.flush()
        for waiter in waiters { waiter() }
    }

    /// Flushes buffered access-log lines (the CLI calls this once a second).
    public func flushLog() {
        accessLog?.flush()
    }
}
