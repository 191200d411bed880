/// A handler and how the server should run it.
public struct Route: Sendable {
    public typealias Handler = @Sendable (Request) throws -> Response

    public var handler: Handler
    /// Runs on the I/O thread: only for handlers that never wait on anything but a short,
    /// bounded read (WAL readers never wait for the writer).
    public var inline: Bool
    /// A larger (or smaller) body limit than the server default, e.g. for imports.
    public var bodyLimit: Int?

    public init(inline: Bool = false, bodyLimit: Int? = nil, _ handler: @escaping Handler) {
        self.handler = handler
        self.inline = inline
        self.bodyLimit = bodyLimit
    }
}
