/// Size limits the parser enforces while it reads (README, "Configuration").
public struct ParserLimits: Sendable {
    /// Longest request line, without its CRLF; over it: 414.
    public var maxRequestLineBytes = 8 * 1024
    /// Longest single header line; over it: 431.
    public var maxHeaderLineBytes = 8 * 1024
    /// All header lines together; over it: 431.
    public var maxHeaderBytes = 32 * 1024
    /// Most header fields; over it: 431.
    public var maxHeaderCount = 100
    /// Largest body, declared or chunked; over it: 413.
    public var maxBodyBytes = 1024 * 1024
    /// Longest chunk extension on one chunk-size line.
    public var maxChunkExtensionBytes = 4 * 1024

    public init() {}
}
