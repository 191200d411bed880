/// What the server calls to answer requests: routing, auth and handlers live behind it.
public protocol HTTPResponder: Sendable {
    /// True when the request can be answered on the I/O queue because it never blocks.
    func runsInline(_ head: HTTPRequestHead) -> Bool
    /// The body limit for this request (imports take more than the default).
    func bodyLimit(for head: HTTPRequestHead) -> Int?
    /// Answers one request; must not throw (errors become problem responses inside).
    func respond(to request: Request) -> Response
    /// The route template a request matched, for metrics ("unmatched" when none).
    func routeLabel(for head: HTTPRequestHead) -> String
}

extension HTTPResponder {
    public func runsInline(_ head: HTTPRequestHead) -> Bool { false }
    public func bodyLimit(for head: HTTPRequestHead) -> Int? { nil }
    public func routeLabel(for head: HTTPRequestHead) -> String { "unmatched" }
}
