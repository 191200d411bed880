import HTTPCore

/// Routes that need no account: health and the spec.
enum SystemRoutes {
    static func register(on router: inout Router<Route>) {
        let health = Array(#"{"status":"ok"}"#.utf8)
        // Never blocks, so it runs on the I/O thread (BENCHMARKS.md: the worker hop is a
        // quarter of this request's cost).
        router.add("GET", "/health", Route(inline: true) { _ in
            Response(status: 200, headers: [("Content-Type", "application/json"), ("Cache-Control", "no-store")], body: health)
        })
        let spec = Array(OpenAPISpec.yaml.utf8)
        router.add("GET", "/openapi.yaml", Route(inline: true) { _ in
            Response(status: 200, headers: [("Content-Type", "application/yaml; charset=utf-8")], body: spec)
        })
    }
}
