import ArgumentParser
import BackingService
import Foundation
import Logging
import Telemetry
import Tracing
import Webhooks

/// `--log-format`: human-readable lines, or one JSON object per line.
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
}

/// The process-wide logging and tracing set-up `serve` and `devnet` share.
enum Observability {
    /// Log lines on standard error at `level` (`BACKINGD_LOG_LEVEL` overrides it), as text or JSON; either
    /// way a line written inside a trace carries its `trace_id` and `span_id`.
    static func bootstrapLogging(format: LogFormat, defaultLevel: Logger.Level) {
        let level =
            ProcessInfo.processInfo.environment["BACKINGD_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) }
            ?? defaultLevel
        LoggingSystem.bootstrap(
            { label, provider in
                switch format {
                case .text:
                    var handler = StreamLogHandler.standardError(label: label, metadataProvider: provider)
                    handler.logLevel = level
                    return handler
                case .json:
                    var handler = JSONLogHandler.standardError(label: label, metadataProvider: provider)
                    handler.logLevel = level
                    return handler
                }
            }, metadataProvider: .traceContext)
    }

    /// What ``bootstrapTracing(endpoint:instance:logger:)`` started, to flush at shutdown.
    struct Tracing {
        let exporter: OTLPSpanExporter?
        /// The collector's endpoint as given, and the client that reaches it (metrics go through it too).
        let endpoint: String?
        let client: CurlClient?

        /// Sends the spans still waiting and stops the exporter (after the metrics exporters, which share the
        /// client).
        func shutdown() async {
            await exporter?.shutdown()
            client?.shutdown()
        }
    }

    /// With `endpoint` (an OTLP/HTTP base URL such as `http://127.0.0.1:4318`, or the full `…/v1/traces`), spans
    /// are recorded and exported there as OTLP JSON; without it the W3C trace context of requests is passed
    /// on unchanged and no span is recorded (the no-op tracer).
    /// - Throws: `ValidationError` naming `--otlp-endpoint` for a URL that is not http(s).
    static func bootstrapTracing(endpoint: String?, instance: String, logger: Logger) throws -> Tracing {
        guard let endpoint else {
            InstrumentationSystem.bootstrap(TraceContextPropagator())
            return Tracing(exporter: nil, endpoint: nil, client: nil)
        }
        let tracesURL = try tracesURL(endpoint)
        let client = CurlClient(maxConnections: 4)
        var settings = OTLPSpanExporter.Settings()
        settings.resource = resource(instance: instance)
        let exporter = OTLPSpanExporter(settings: settings, logger: logger, send: post(to: tracesURL, with: client))
        exporter.start()
        InstrumentationSystem.bootstrap(OTLPTracer(exporter: exporter))
        logger.info("exporting spans over OTLP/HTTP", metadata: ["url": "\(tracesURL)"])
        return Tracing(exporter: exporter, endpoint: endpoint, client: client)
    }

    /// `resource.attributes` of every export: the service, this node's instance and the build.
    static func resource(instance: String) -> [(String, String)] {
        [
            ("service.name", "backingd"), ("service.instance.id", instance),
            ("service.version", BackingdVersion.description),
        ]
    }

    /// Sends an OTLP JSON body to `url` through `client`, answering the HTTP status.
    static func post(to url: String, with client: CurlClient) -> OTLPSpanExporter.Send {
        { body in
            try await client.send(
                CurlRequest(
                    method: "POST", url: url, headers: [("Content-Type", "application/json")], body: body,
                    timeout: .seconds(10), connectTimeout: .seconds(2))
            ).status
        }
    }

    /// What ``exportMetrics(through:interval:nodes:logger:)`` started, to send a last time at shutdown.
    struct MetricsExport {
        let exporters: [OTLPMetricsExporter]

        /// Sends every node's metrics once more and stops the exporters.
        func shutdown() async {
            for exporter in exporters { await exporter.shutdown() }
        }
    }

    /// When `tracing` exports (`--otlp-endpoint`), each node's metrics (what its `/metrics` serves) go to the
    /// same collector's `/v1/metrics`, through the same client, as OTLP JSON every `interval` and at shutdown,
    /// under `service.instance.id` = the node's instance.
    static func exportMetrics(
        through tracing: Tracing, interval: Duration,
        nodes: [(instance: String, exposition: @Sendable () -> [UInt8])], logger: Logger
    ) throws -> MetricsExport {
        guard let endpoint = tracing.endpoint, let client = tracing.client, !nodes.isEmpty else {
            return MetricsExport(exporters: [])
        }
        let metricsURL = try signalURL(endpoint, path: "/v1/metrics")
        let exporters = nodes.map { node in
            var settings = OTLPMetricsExporter.Settings()
            settings.interval = interval
            settings.resource = resource(instance: node.instance)
            let exporter = OTLPMetricsExporter(
                settings: settings, logger: logger, collect: node.exposition, send: post(to: metricsURL, with: client))
            exporter.start()
            return exporter
        }
        logger.info(
            "exporting metrics over OTLP/HTTP", metadata: ["url": "\(metricsURL)", "interval": "\(interval)"])
        return MetricsExport(exporters: exporters)
    }

    /// `--otlp-metrics-interval`: a duration such as 60s, 500ms or 5m, above zero.
    static func metricsInterval(_ text: String) throws -> Duration {
        let interval: Duration
        do { interval = try ConfigurationLoader.duration(text, key: "otlpMetricsInterval") } catch {
            throw ValidationError("--otlp-metrics-interval: \(error)")
        }
        guard interval > .zero else {
            throw ValidationError("--otlp-metrics-interval: must be above zero, got \(text)")
        }
        return interval
    }

    /// `endpoint` with OTLP/HTTP's traces path appended unless it is there (the
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` convention).
    static func tracesURL(_ endpoint: String) throws -> String { try signalURL(endpoint, path: "/v1/traces") }

    /// `endpoint` with one signal's OTLP/HTTP path (`/v1/traces`, `/v1/metrics`) appended; an endpoint that
    /// already ends in a signal's path has it replaced, so that `…/v1/traces` also sends metrics to the
    /// same collector.
    static func signalURL(_ endpoint: String, path: String) throws -> String {
        guard let url = URL(string: endpoint), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", url.host != nil
        else {
            throw ValidationError(
                "--otlp-endpoint: expected an http(s) URL such as http://127.0.0.1:4318, got \(endpoint)")
        }
        for signal in ["/v1/traces", "/v1/metrics", "/v1/logs"] where endpoint.hasSuffix(signal) {
            return String(endpoint.dropLast(signal.count)) + path
        }
        return (endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint) + path
    }
}
