import Domain
import HTTPCore

/// `GET /metrics`: Prometheus text for any authenticated account.
enum MetricsRoutes {
    static func register(on router: inout Router<Route>, _ context: FootholdApp.Context) {
        router.add("GET", "/metrics", context.authenticator.route { request, _ in
            _ = try FlagQuery.flags(request, allowed: [])
            let server = context.server.value.withLock { $0 }
            let process = ProcessStatistics.read()
            let storage = context.storage.statistics
            var text = context.metrics.render(gauges: [
                ("foothold_open_connections", "Client connections open now.", "gauge", Double(server?.connectionCount ?? 0)),
                ("foothold_worker_queue_depth", "Requests waiting for a handler thread.", "gauge", Double(server?.queueDepth ?? 0)),
                ("foothold_db_reader_waits_total", "Reads that waited for a free reader connection.", "counter", Double(storage.readerWaits)),
                ("foothold_db_wal_frames", "Frames in the write-ahead log after the last commit.", "gauge", Double(storage.walFrames)),
                ("foothold_db_writer_queue_depth", "Writes waiting for the writer thread.", "gauge", Double(storage.queuedWrites)),
                ("foothold_db_checkpoint_seconds_total", "Time spent copying the write-ahead log back into the database.", "counter", storage.checkpointSeconds),
                ("foothold_db_checkpoints_total", "Checkpoint passes run.", "counter", Double(storage.checkpoints)),
                ("process_resident_memory_bytes", "Resident memory size in bytes.", "gauge", process.residentBytes),
                ("process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge", process.virtualBytes),
                ("process_open_fds", "Number of open file descriptors.", "gauge", process.openDescriptors),
                ("process_max_fds", "Maximum number of open file descriptors.", "gauge", process.maxDescriptors),
                ("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter", process.cpuSeconds),
                ("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", "gauge", process.startTime),
            ])
            // Writes per group commit (one transaction), as a histogram.
            text += "# HELP foothold_db_batch_size Writes committed together in one group commit.\n# TYPE foothold_db_batch_size histogram\n"
            var cumulative = 0
            for (bound, count) in zip(storage.batchBounds, storage.batchCounts) {
                cumulative += count
                text += "foothold_db_batch_size_bucket{le=\"\(bound)\"} \(cumulative)\n"
            }
            text += "foothold_db_batch_size_bucket{le=\"+Inf\"} \(storage.batches)\n"
            text += "foothold_db_batch_size_sum \(storage.batchedWrites)\nfoothold_db_batch_size_count \(storage.batches)\n"
            return Response(status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")], body: Array(text.utf8))
        })
    }
}
