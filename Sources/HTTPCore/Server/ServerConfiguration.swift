/// Everything about the server that an operator can tune; defaults are in README, "Configuration".
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 asks the kernel for a free port (tests).
    public var port = 8080
    public var limits = ParserLimits()
    /// Seconds to receive a whole request head, from its first byte (slowloris defence).
    public var headerTimeout = 10.0
    /// Seconds of silence allowed while a body is arriving.
    public var bodyTimeout = 30.0
    /// Seconds a keep-alive connection may sit idle between requests.
    public var idleTimeout = 60.0
    /// Seconds a response may make no write progress before the peer is dropped.
    public var writeTimeout = 30.0
    public var maxConnections = 1024
    /// Most connections from one client address (0: no cap). Behind a reverse proxy every
    /// client shares the proxy's address, so leave it off there.
    public var maxConnectionsPerAddress = 0
    public var ioThreads = max(1, System.coreCount)
    public var workerThreads = max(4, System.coreCount * 4)
    /// Requests waiting for a worker beyond this are answered 503 at once.
    public var maxQueuedRequests = 4096
    public var gzipLevel: Int32 = Gzip.defaultLevel
    public var gzipMinimumBytes = 1024
    /// Seconds that in-flight requests get to finish after SIGTERM before connections are cut.
    public var shutdownGrace = 8.0
    /// Origins allowed to make cross-origin requests (CORS); none by default.
    public var corsAllowedOrigins: [String] = []
    public var accessLog = true
    /// Peers whose `X-Forwarded-For` names the client (for the access log and rate limits).
    public var trustedProxies = TrustedProxies()

    public init() {}
}
