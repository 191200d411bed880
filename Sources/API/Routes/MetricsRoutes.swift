import Domain
import HTTPCore

/// `GET /metrics`: Prometheus text for any authenticated account.
enum MetricsRoutes {
    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        router.add("GET", "/metrics", context.authenticator.route { request, _ in
            _ = try FlagQuery.flags(request, allowed: [])
            let server = context.server.value.withLock { $0 }
            let text = context.metrics.render(gauges: [
                ("foothold_open_connections", "Client connections open now.", "gauge", Double(server?.connectionCount ?? 0)),
                ("foothold_worker_queue_depth", "Requests waiting for a handler thread.", "gauge", Double(server?.queueDepth ?? 0)),
                ("foothold_db_reader_waits_total", "Reads that waited for a free reader connection.", "counter", Double(context.storage.readerWaitCount)),
            ])
            return Response(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")], body: Array(text.utf8))
        })
    }
}
