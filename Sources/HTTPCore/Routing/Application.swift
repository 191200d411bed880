/// Routes requests to handlers and owns the HTTP-level rules every route shares: 404/405
/// problems with `Allow`, automatic HEAD and OPTIONS, CORS, and turning thrown errors
/// into problem responses.
public final class Application: HTTPResponder {
    public let router: Router<Route>
    private let cors: CORSPolicy
    /// Maps errors that are not `Problem`s (domain errors); anything unmapped becomes a bare 500.
    private let mapError: @Sendable (any Error, Request) -> Problem
    /// Answers GET and HEAD for paths no route has (the web front's files); nil: 404 as usual.
    /// It runs on the I/O thread, so it must not block.
    private let files: (@Sendable (Request) -> Response?)?

    public init(
        router: Router<Route>, cors: CORSPolicy, files: (@Sendable (Request) -> Response?)? = nil,
        mapError: @escaping @Sendable (any Error, Request) -> Problem
    ) {
        self.router = router
        self.cors = cors
        self.files = files
        self.mapError = mapError
    }

    public func plan(for head: HTTPRequestHead) -> RequestPlan {
        if head.method == "OPTIONS" {
            return RequestPlan(runsInline: true, routeLabel: router.label(path: head.path) ?? "unmatched")
        }
        let match = router.match(method: head.method, path: head.path)
        switch match {
        case .found(let route, _, let label):
            return RequestPlan(runsInline: route.inline, bodyLimit: route.bodyLimit, routeLabel: label, match: match)
        case .methodNotAllowed:
            // 404, 405 and OPTIONS are answered without blocking.
            return RequestPlan(runsInline: true, routeLabel: router.label(path: head.path) ?? "unmatched", match: match)
        case .notFound:
            return RequestPlan(runsInline: true, match: match)
        }
    }

    /// Plans and answers in one step (tests, and callers without a parsed plan).
    public func respond(to request: Request) -> Response {
        respond(to: request, plan: plan(for: request.head))
    }

    public func respond(to request: Request, plan: RequestPlan) -> Response {
        let response = route(request, plan.match)
        if let pending = response.pending {
            // Finished later: the same error mapping and CORS headers, applied then.
            var later = response
            later.pending = pending.transformed { [self] make in
                withCORS(request, handling(request) { try make() })
            }
            return later
        }
        return withCORS(request, response)
    }

    private func withCORS(_ request: Request, _ response: Response) -> Response {
        let origin = request.headers["origin"]
        guard cors.allows(origin), let origin else { return response }
        var response = response
        response.setHeader("Access-Control-Allow-Origin", origin)
        response.setHeader("Access-Control-Expose-Headers", cors.exposedHeaders)
        response.headers.append(("Vary", "Origin"))
        return response
    }

    /// Runs a handler, turning what it throws into a problem response.
    private func handling(_ request: Request, _ body: () throws -> Response) -> Response {
        do {
            return try body()
        } catch let problem as Problem {
            return problem.response
        } catch {
            return mapError(error, request).response
        }
    }

    private func route(_ request: Request, _ planned: Router<Route>.Match?) -> Response {
        if request.method == "OPTIONS" { return options(request) }
        switch planned ?? router.match(method: request.method, path: request.path) {
        case .found(let route, let parameters, _):
            var request = request
            request.parameters = parameters
            return handling(request) { try route.handler(request) }
        case .methodNotAllowed(let allowed):
            let list = allowed.joined(separator: ", ")
            return Problem(
                status: 405, code: "method_not_allowed", detail: "\(request.method) is not supported here; use one of \(list).",
                headers: [("Allow", list)]
            ).response
        case .notFound:
            if let files, request.method == "GET" || request.method == "HEAD", let response = files(request) { return response }
            return Problem.notFound("No resource at \(request.path).").response
        }
    }

    /// OPTIONS: a CORS preflight for allowed origins, otherwise the `Allow` list (RFC 9110 §9.3.7).
    private func options(_ request: Request) -> Response {
        let allowed: [String]
        if request.path == "*" {
            allowed = Array(Set(router.registered.map(\.method) + ["HEAD", "OPTIONS"])).sorted()
        } else if let methods = router.allowedMethods(path: request.path) {
            allowed = methods
        } else {
            return Problem.notFound("No resource at \(request.path).").response
        }
        let list = allowed.joined(separator: ", ")
        var headers: [(name: String, value: String)] = [("Allow", list)]
        if cors.allows(request.headers["origin"]), request.headers["access-control-request-method"] != nil {
            headers.append(("Access-Control-Allow-Methods", list))
            headers.append(("Access-Control-Allow-Headers", cors.allowedHeaders))
            headers.append(("Access-Control-Max-Age", String(cors.maxAgeSeconds)))
        }
        return Response(status: 204, headers: headers)
    }
}
