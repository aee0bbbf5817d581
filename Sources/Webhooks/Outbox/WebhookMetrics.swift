internal import CoreMetrics
internal import Foundation

/// The outbox's metrics, built from an injected factory (the service's Prometheus registry, or a
/// recording factory in tests): `backingd_webhook_deliveries_total{event,result}` with result
/// `delivered`, `retried` or `failed`; the `backingd_webhook_outbox_pending` gauge; and the
/// `backingd_webhook_delivery_latency` timer, from a delivery's creation to its 2xx.
struct WebhookMetrics: Sendable {
    private let counters: [String: Counter]
    let pending: Gauge
    let latency: CoreMetrics.Timer

    init(factory: any MetricsFactory) {
        var counters: [String: Counter] = [:]
        for event in WebhookConfiguration.events {
            for result in ["delivered", "retried", "failed"] {
                counters["\(event) \(result)"] = Counter(
                    label: "backingd_webhook_deliveries_total", dimensions: [("event", event), ("result", result)],
                    factory: factory)
            }
        }
        self.counters = counters
        pending = Gauge(label: "backingd_webhook_outbox_pending", factory: factory)
        latency = CoreMetrics.Timer(label: "backingd_webhook_delivery_latency", factory: factory)
    }

    /// Counts one attempt's result for `event`.
    func count(_ event: String, _ result: String) {
        counters["\(event) \(result)"]?.increment()
    }

    /// Records the time from `createdAt` to now.
    func recordLatency(since createdAt: Date) {
        latency.recordNanoseconds(Int64(max(0, Date().timeIntervalSince(createdAt)) * 1e9))
    }
}
