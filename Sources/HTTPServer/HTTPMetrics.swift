import CoreMetrics
import Synchronization

/// `backingd_http_requests_total` (method, route, status), `backingd_http_request_duration_seconds` (method,
/// route) and `backingd_http_requests_in_flight`, from an injected factory.
///
/// Metric handles are cached per label set, so the factory is asked once per distinct combination; routes are
/// patterns (or ``Router/unmatchedRoute``) and unknown methods are `OTHER`, which keeps the label sets few.
final class HTTPMetrics: Sendable {
    private struct Key: Hashable {
        let method: String
        let route: String
        let status: Int
    }

    /// What one response is recorded in: the counter of its (method, route, status) and the timer of its
    /// (method, route), cached together so that each response takes one lock and one lookup.
    private struct Instruments {
        let counter: Counter
        let timer: Timer
    }

    private struct Cache {
        var instruments: [Key: Instruments] = [:]
        /// Timers by (method, route), with `status` 0: several statuses share one timer.
        var timers: [Key: Timer] = [:]
    }

    private let factory: any MetricsFactory
    private let inFlight: Gauge
    private let inFlightCount = Atomic<Int>(0)
    private let cache = Mutex(Cache())

    init(factory: any MetricsFactory) {
        self.factory = factory
        inFlight = Gauge(label: "backingd_http_requests_in_flight", factory: factory)
    }

    /// A request's headers arrived.
    func requestStarted() {
        inFlight.record(inFlightCount.add(1, ordering: .relaxed).newValue)
    }

    /// A request's connection is done with it (answered, failed or abandoned).
    func requestEnded() {
        inFlight.record(inFlightCount.subtract(1, ordering: .relaxed).newValue)
    }

    /// A response was queued.
    func record(method: HTTPMethod, route: String, status: Int, duration: Duration) {
        let methodLabel = Self.label(of: method)
        let instruments = cache.withLock { cache in
            let key = Key(method: methodLabel, route: route, status: status)
            if let instruments = cache.instruments[key] { return instruments }
            let timerKey = Key(method: methodLabel, route: route, status: 0)
            let timer =
                cache.timers[timerKey]
                ?? Timer(
                    label: "backingd_http_request_duration_seconds",
                    dimensions: [("method", methodLabel), ("route", route)],
                    preferredDisplayUnit: .seconds, factory: factory)
            cache.timers[timerKey] = timer
            let counter = Counter(
                label: "backingd_http_requests_total",
                dimensions: [("method", methodLabel), ("route", route), ("status", String(status))], factory: factory)
            let instruments = Instruments(counter: counter, timer: timer)
            cache.instruments[key] = instruments
            return instruments
        }
        instruments.counter.increment()
        let (seconds, attoseconds) = duration.components
        instruments.timer.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// The method's token if it is a common one, else `OTHER` (which keeps the label sets few).
    private static func label(of method: HTTPMethod) -> String {
        switch method {
        case .get, .head, .post, .put, .patch, .delete, .options: method.rawValue
        default: "OTHER"
        }
    }
}
