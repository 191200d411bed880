/// Routes requests to handlers and owns the HTTP-level rules every route shares: 404/405
/// problems with `Allow`, automatic HEAD and OPTIONS, CORS, and turning thrown errors
/// into problem responses.
public final class Application: HTTPResponder {
    public let router: Router<Route>
    private let cors: CORSPolicy
    /// Maps errors that are not `Problem`s (domain errors); anything unmapped becomes a bare 500.
    private let mapError: @Sendable (any Error, Request) -> Problem

    public init(router: Router<Route>, cors: CORSPolicy, mapError: @escaping @Sendable (any Error, Request) -> Problem) {
        self.router = router
        self.cors = cors
        self.mapError = mapError
    }

    public func runsInline(_ head: HTTPRequestHead) -> Bool {
        if case .found(let route, _) = router.match(method: head.method, path: head.path) { return route.inline }
        // 404, 405 and OPTIONS are answered without blocking.
        return true
    }

    public func bodyLimit(for head: HTTPRequestHead) -> Int? {
        if case .found(let route, _) = router.match(method: head.method, path: head.path) { return route.bodyLimit }
        return nil
    }

    public func routeLabel(for head: HTTPRequestHead) -> String {
        router.label(path: head.path) ?? "unmatched"
    }

    public func respond(to request: Request) -> Response {
        var response = route(request)
        let origin = request.headers["origin"]
        if cors.allows(origin), let origin {
            response.setHeader("Access-Control-Allow-Origin", origin)
            response.setHeader("Access-Control-Expose-Headers", cors.exposedHeaders)
            response.headers.append(("Vary", "Origin"))
        }
        return response
    }

    private func route(_ request: Request) -> Response {
        if request.method == "OPTIONS" { return options(request) }
        switch router.match(method: request.method, path: request.path) {
        case .found(let route, let parameters):
            var request = request
            request.parameters = parameters
            do {
                return try route.handler(request)
            } catch let problem as Problem {
                return problem.response
            } catch {
                return mapError(error, request).response
            }
        case .methodNotAllowed(let allowed):
            let list = allowed.joined(separator: ", ")
            return Problem(
                status: 405, code: "method_not_allowed", detail: "\(request.method) is not supported here; use one of \(list).",
                headers: [("Allow", list)]
            ).response
        case .notFound:
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
