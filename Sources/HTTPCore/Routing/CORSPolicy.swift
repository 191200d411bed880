/// Which origins may call the API from a browser (CORS), and the headers that go with it.
public struct CORSPolicy: Sendable {
    public var allowedOrigins: Set<String>
    public var allowedHeaders = "Authorization, Content-Type, If-Match, If-None-Match, X-Request-Id"
    public var exposedHeaders = "ETag, Location, X-Request-Id, Retry-After"
    public var maxAgeSeconds = 600

    public init(allowedOrigins: [String]) {
        self.allowedOrigins = Set(allowedOrigins)
    }

    func allows(_ origin: String?) -> Bool {
        guard let origin else { return false }
        return allowedOrigins.contains(origin) || allowedOrigins.contains("*")
    }
}
