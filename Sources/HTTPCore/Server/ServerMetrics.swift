import Primitives

/// Request counters and a latency histogram, rendered in the Prometheus text format.
public final class ServerMetrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    static let bounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10]

    private struct Key: Hashable {
        var method: String
        var route: String
        var status: Int
    }

    private struct State {
        var requests: [Key: Int] = [:]
        var buckets = [Int](repeating: 0, count: ServerMetrics.bounds.count + 1)
        var sum = 0.0
        var count = 0
    }

    private let state = Lock(State())

    public init() {}

    /// Counts one answered request. `route` is the matched template, never the raw path, so
    /// ids do not explode the number of series.
    func record(method: String, route: String, status: Int, seconds: Double) {
        let key = Key(method: method, route: route, status: status)
        let bucket = Self.bounds.firstIndex { seconds <= $0 } ?? Self.bounds.count
        state.withLock { state in
            state.requests[key, default: 0] += 1
            state.buckets[bucket] += 1
            state.sum += seconds
            state.count += 1
        }
    }

    /// The counters and histogram as Prometheus text; `gauges` are appended as they are.
    public func render(gauges: [(name: String, help: String, type: String, value: Double)]) -> String {
        let snapshot = state.withLock { $0 }
        var out = "# HELP foothold_http_requests_total Requests answered, by method, route template and status.\n"
        out += "# TYPE foothold_http_requests_total counter\n"
        let rows = snapshot.requests.map { ("method=\"\($0.key.method)\",route=\"\($0.key.route)\",status=\"\($0.key.status)\"", $0.value) }
        for (labels, count) in rows.sorted(by: { $0.0 < $1.0 }) {
            out += "foothold_http_requests_total{\(labels)} \(count)\n"
        }
        out += "# HELP foothold_http_request_duration_seconds Time from a request's first byte to its response being queued for writing.\n"
        out += "# TYPE foothold_http_request_duration_seconds histogram\n"
        var cumulative = 0
        for (index, bound) in Self.bounds.enumerated() {
            cumulative += snapshot.buckets[index]
            out += "foothold_http_request_duration_seconds_bucket{le=\"\(bound)\"} \(cumulative)\n"
        }
        out += "foothold_http_request_duration_seconds_bucket{le=\"+Inf\"} \(snapshot.count)\n"
        out += "foothold_http_request_duration_seconds_sum \(snapshot.sum)\n"
        out += "foothold_http_request_duration_seconds_count \(snapshot.count)\n"
        for gauge in gauges {
            let value = gauge.value == gauge.value.rounded() && abs(gauge.value) < 1e15 ? String(Int64(gauge.value)) : String(gauge.value)
            out += "# HELP \(gauge.name) \(gauge.help)\n# TYPE \(gauge.name) \(gauge.type)\n\(gauge.name) \(value)\n"
        }
        return out
    }
}
