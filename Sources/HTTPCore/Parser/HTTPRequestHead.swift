/// The request line and header fields of one request, validated for framing.
public struct HTTPRequestHead: Sendable {
    public var method: String
    /// The request target exactly as sent.
    public var target: String
    /// The path part of the target, still percent-encoded.
    public var path: String
    /// The query part of the target without the `?`, still encoded; nil when absent.
    public var query: String?
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    /// Whether the client allows the connection to stay open after this exchange.
    public var keepAlive: Bool
    public var expectsContinue: Bool

    public init(
        method: String, target: String, path: String, query: String?, version: HTTPVersion,
        headers: HTTPHeaders, keepAlive: Bool, expectsContinue: Bool = false
    ) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.version = version
        self.headers = headers
        self.keepAlive = keepAlive
        self.expectsContinue = expectsContinue
    }
}
