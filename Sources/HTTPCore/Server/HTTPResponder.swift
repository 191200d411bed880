/// What the server calls to answer requests: routing, auth and handlers live behind it.
public protocol HTTPResponder: Sendable {
    /// Decides, once per request head, how the request is served: the route is found here
    /// and reused for the body limit, the inline decision, the handler and the metrics.
    func plan(for head: HTTPRequestHead) -> RequestPlan
    /// Answers one request; must not throw (errors become problem responses inside).
    func respond(to request: Request, plan: RequestPlan) -> Response
}

/// How one request will be served, decided when its head is complete.
public struct RequestPlan: Sendable {
    /// True when the request can be answered on the I/O thread: it never blocks, or only on a short, bounded read.
    public var runsInline: Bool
    /// The body limit for this request (imports take more than the default); nil for the default.
    public var bodyLimit: Int?
    /// The route template matched, for metrics ("unmatched" when none).
    public var routeLabel: String
    /// What routing found; the server only hands it back to `respond`.
    public var match: Router<Route>.Match?

    public init(runsInline: Bool, bodyLimit: Int? = nil, routeLabel: String = "unmatched", match: Router<Route>.Match? = nil) {
        self.runsInline = runsInline
        self.bodyLimit = bodyLimit
        self.routeLabel = routeLabel
        self.match = match
    }
}
