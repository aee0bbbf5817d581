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

    private let factory: any MetricsFactory
    private let inFlight: Gauge
    private let inFlightCount = Atomic<Int>(0)
    private let counters = Mutex<[Key: Counter]>([:])
    private let timers = Mutex<[Key: Timer]>([:])

    private static let knownMethods: Set<String> = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

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
        let methodLabel = Self.knownMethods.contains(method.rawValue) ? method.rawValue : "OTHER"
        let counter = counters.withLock { cache in
            let key = Key(method: methodLabel, route: route, status: status)
            if let counter = cache[key] { return counter }
            let counter = Counter(
                label: "backingd_http_requests_total",
                dimensions: [("method", methodLabel), ("route", route), ("status", String(status))], factory: factory)
            cache[key] = counter
            return counter
        }
        counter.increment()
        let timer = timers.withLock { cache in
            let key = Key(method: methodLabel, route: route, status: 0)
            if let timer = cache[key] { return timer }
            let timer = Timer(
                label: "backingd_http_request_duration_seconds",
                dimensions: [("method", methodLabel), ("route", route)],
                preferredDisplayUnit: .seconds, factory: factory)
            cache[key] = timer
            return timer
        }
        let (seconds, attoseconds) = duration.components
        timer.recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
