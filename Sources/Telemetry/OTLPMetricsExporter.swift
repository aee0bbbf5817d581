internal import Foundation
public import Logging
internal import Synchronization

/// Sends a node's metrics as OTLP/HTTP JSON (`ExportMetricsServiceRequest`) every ``Settings/interval``,
/// and once more at ``shutdown()``.
///
/// What it sends is what `/metrics` serves at that moment: `collect` returns the Prometheus exposition
/// (``PrometheusExposition``), read into cumulative OTLP sums, gauges and histograms that start at the
/// exporter's creation. A failed export is logged once per failure streak and not retried: the next one
/// carries the totals anyway. Sending goes through `send` (libcurl in `backingd`), as for spans.
public final class OTLPMetricsExporter: Sendable {
    public typealias Send = OTLPSpanExporter.Send

    public struct Settings: Sendable {
        /// How often metrics are sent (OpenTelemetry's `OTEL_METRIC_EXPORT_INTERVAL` default is 60 s).
        public var interval: Duration = .seconds(60)
        /// `resource.attributes` of every export (`service.name`, …).
        public var resource: [(String, String)] = [("service.name", "backingd")]

        public init() {}
    }

    private struct State {
        var exports = 0
        var failures = 0
        var failureStreak = 0
    }

    let settings: Settings
    private let collect: @Sendable () -> [UInt8]
    private let send: Send
    private let logger: Logger
    private let startNanos: UInt64
    private let state = Mutex(State())
    private let timer: PeriodicTimer

    public init(
        settings: Settings = Settings(), logger: Logger, collect: @escaping @Sendable () -> [UInt8],
        send: @escaping Send
    ) {
        self.settings = settings
        self.logger = logger
        self.collect = collect
        self.send = send
        startNanos = Self.nowNanos()
        timer = PeriodicTimer(interval: settings.interval)
    }

    /// Starts the timer.
    public func start() { timer.start { [weak self] in await self?.export() } }

    /// Stops the timer and sends the metrics one last time (after an export under way, so that the points a
    /// collector receives never go back in time).
    public func shutdown() async {
        await timer.stop()
        await export()
    }

    /// Exports answered 2xx, and exports that failed, so far.
    public var counts: (exported: Int, failed: Int) { state.withLock { ($0.exports, $0.failures) } }

    /// Reads the metrics now and sends them; from the timer, then from ``shutdown()``, never two at once.
    private func export() async {
        let body: [UInt8]
        do {
            body = OTLPMetricsJSON.exportMetricsServiceRequest(
                try PrometheusExposition.parse(collect()), resource: settings.resource, startNanos: startNanos,
                timeNanos: Self.nowNanos())
        } catch {
            // Only a registry this code does not know could write what does not parse.
            logger.error("cannot read the metrics to export them", metadata: ["error": "\(error)"])
            return
        }
        let failure = await OTLPSpanExporter.failure(sending: body, with: send)
        let firstFailure = state.withLock { state -> Bool in
            guard failure != nil else {
                state.exports += 1
                state.failureStreak = 0
                return false
            }
            state.failures += 1
            state.failureStreak += 1
            return state.failureStreak == 1
        }
        if let failure, firstFailure {
            logger.warning(
                "cannot export metrics; trying again at each interval", metadata: ["error": "\(failure)"])
        }
    }

    static func nowNanos() -> UInt64 { UInt64(Date().timeIntervalSince1970 * 1_000_000_000) }
}
