/// A handler and how the server should run it.
public struct Route: Sendable {
    public typealias Handler = @Sendable (Request) throws -> Response

    /// Where a handler runs. An I/O thread serves every connection it owns, so a handler runs
    /// there only when the kind says why it cannot hold the thread: everything else goes to the
    /// worker pool.
    public enum Kind: Sendable {
        /// Answers from memory: no database, nothing to wait for (health, the spec).
        case memory
        /// One point read by primary key through the reader pool (a WAL reader never waits for
        /// the writer).
        case pointRead
        /// Checks its input, then hands one piece of work to a thread of its own (the database's
        /// writer thread, the password-hashing pool) and answers when that completes, holding
        /// nothing meanwhile.
        case handOff
        /// Anything more: lists, reports, several queries in a row.
        case worker
    }

    public var handler: Handler
    public var kind: Kind
    /// A larger (or smaller) body limit than the server default, e.g. for imports.
    public var bodyLimit: Int?

    /// Whether it runs on the I/O thread that read the request.
    public var inline: Bool { kind != .worker }

    public init(_ kind: Kind = .worker, bodyLimit: Int? = nil, _ handler: @escaping Handler) {
        self.handler = handler
        self.kind = kind
        self.bodyLimit = bodyLimit
    }
}
