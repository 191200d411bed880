import Domain
import HTTPCore

/// Routes that need no account: health, readiness and the spec.
enum SystemRoutes {
    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        let health = Array(#"{"status":"ok"}"#.utf8)
        // Never blocks, so it runs on the I/O thread (bench/README.md: the worker hop is a
        // quarter of this request's cost).
        router.add("GET", "/health", Route(.memory) { _ in
            Response(status: 200, headers: [("Content-Type", "application/json"), ("Cache-Control", "no-store")], body: health)
        })
        // Readiness, unlike liveness, asks the database: a read through the pool and a no-op
        // through the writer thread, each within a second. It may wait, so it runs on a worker.
        router.add("GET", "/ready", Route { _ in
            let server = context.server.value.withLock { $0 }
            guard let server, !server.isDraining else {
                return Problem(status: 503, code: "not_ready", detail: "The server is starting or shutting down.", headers: [("Retry-After", "1")]).response
            }
            guard context.storage.isReady(within: 1) else {
                return Problem(status: 503, code: "not_ready", detail: "The database did not answer within a second.", headers: [("Retry-After", "1")]).response
            }
            return Response(status: 200, headers: [("Content-Type", "application/json"), ("Cache-Control", "no-store")], body: Array(#"{"status":"ready"}"#.utf8))
        })
        let spec = Array(OpenAPISpec.yaml.utf8)
        router.add("GET", "/openapi.yaml", Route(.memory) { _ in
            Response(status: 200, headers: [("Content-Type", "application/yaml; charset=utf-8")], body: spec)
        })
    }
}
