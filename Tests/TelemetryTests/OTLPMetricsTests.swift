import CoreMetrics
import Foundation
import Logging
import Prometheus
import Synchronization
import Telemetry
import Testing
import Webhooks

/// A node's Prometheus metrics as OTLP/HTTP JSON metrics: the exposition `/metrics` serves, read back into
/// sums, gauges and histograms with their labels, and sent to a real collector on loopback.
@Suite(.timeLimit(.minutes(1)))
struct OTLPMetricsTests {
    /// A registry with a labelled counter, a gauge and a histogram, made through swift-metrics and
    /// swift-prometheus's factory exactly as the node makes its own.
    static func registry() -> (PrometheusCollectorRegistry, CoreMetrics.Counter) {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets["latency_seconds"] = [0.1, 0.5, 1]
        let counter = CoreMetrics.Counter(
            label: "requests_total", dimensions: [("route", "POST /v1/leaves")], factory: factory)
        counter.increment(by: 3)
        CoreMetrics.Gauge(label: "queue_depth", factory: factory).record(2.5)
        let histogram = CoreMetrics.Recorder(
            label: "latency_seconds", dimensions: [("route", "a")], aggregate: true, factory: factory)
        for value in [0.05, 0.3, 0.3, 2.0] { histogram.record(value) }
        return (registry, counter)
    }

    static let client = CurlClient()

    static func post(_ body: [UInt8], to url: String) async throws -> Int {
        try await client.send(
            CurlRequest(
                method: "POST", url: url, headers: [("Content-Type", "application/json")], body: body,
                timeout: Recorder.patience, connectTimeout: .seconds(2))
        ).status
    }

    /// The metrics of one OTLP JSON body, by name.
    static func metrics(_ body: [UInt8]) throws -> [String: [String: Any]] {
        let root = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        let resource = try #require((root["resourceMetrics"] as? [[String: Any]])?.first)
        let scope = try #require((resource["scopeMetrics"] as? [[String: Any]])?.first)
        let metrics = try #require(scope["metrics"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: metrics.map { ($0["name"] as? String ?? "", $0) })
    }

    static func resource(_ body: [UInt8]) throws -> [String: String] {
        let root = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        let resource = try #require((root["resourceMetrics"] as? [[String: Any]])?.first?["resource"] as? [String: Any])
        let attributes = try #require(resource["attributes"] as? [[String: Any]])
        return Dictionary(
            uniqueKeysWithValues: attributes.map {
                ($0["key"] as? String ?? "", ($0["value"] as? [String: Any])?["stringValue"] as? String ?? "")
            })
    }

    static func point(_ metric: [String: Any]?, _ kind: String) throws -> [String: Any] {
        let data = try #require(metric?[kind] as? [String: Any], "\(String(describing: metric))")
        return try #require((data["dataPoints"] as? [[String: Any]])?.first)
    }

    static func attributes(_ point: [String: Any]) -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: (point["attributes"] as? [[String: Any]] ?? []).map {
                ($0["key"] as? String ?? "", ($0["value"] as? [String: Any])?["stringValue"] as? String ?? "")
            })
    }

    @Test func aRegistrysCountersGaugesAndHistogramsBecomeCumulativeSumsGaugesAndPerBucketHistograms() async throws {
        let (registry, _) = Self.registry()
        let collector = try Recorder()
        let exporter = OTLPMetricsExporter(logger: Logger(label: "test"), collect: { registry.emitToBuffer() }) {
            body in
            try await Self.post(body, to: collector.url + "/v1/metrics")
        }
        await exporter.shutdown()  // sends once
        let request = try #require(await collector.waitFor(1).first)
        #expect(request.path == "/v1/metrics")
        #expect(request.headers["content-type"] == "application/json")
        let metrics = try Self.metrics(request.body)
        #expect(try Self.resource(request.body)["service.name"] == "backingd")

        let sum = try #require(metrics["requests_total"]?["sum"] as? [String: Any])
        #expect(sum["isMonotonic"] as? Bool == true && sum["aggregationTemporality"] as? Int == 2)
        let counted = try Self.point(metrics["requests_total"], "sum")
        #expect(counted["asInt"] as? String == "3")
        #expect(Self.attributes(counted) == ["route": "POST /v1/leaves"])
        let start = try #require((counted["startTimeUnixNano"] as? String).flatMap(UInt64.init))
        let time = try #require((counted["timeUnixNano"] as? String).flatMap(UInt64.init))
        #expect(start <= time && time - start < 60_000_000_000)

        #expect(try Self.point(metrics["queue_depth"], "gauge")["asDouble"] as? Double == 2.5)

        let histogram = try Self.point(metrics["latency_seconds"], "histogram")
        #expect(histogram["count"] as? String == "4")
        #expect(abs((histogram["sum"] as? Double ?? 0) - 2.65) < 1e-9)
        // 0.05 | 0.3, 0.3 | none in (0.5, 1] | 2.0 above the last bound.
        #expect(histogram["bucketCounts"] as? [String] == ["1", "2", "0", "1"])
        #expect(histogram["explicitBounds"] as? [Double] == [0.1, 0.5, 1])
        #expect(Self.attributes(histogram) == ["route": "a"])
        await collector.stop()
    }

    @Test func theTimerSendsTheMetricsAsTheyAreThenAndShutdownSendsTheLastValues() async throws {
        let (registry, counter) = Self.registry()
        let collector = try Recorder()
        var settings = OTLPMetricsExporter.Settings()
        settings.interval = .milliseconds(50)
        settings.resource = [("service.name", "backingd"), ("service.instance.id", "127.0.0.1:9000")]
        let exporter = OTLPMetricsExporter(
            settings: settings, logger: Logger(label: "test"), collect: { registry.emitToBuffer() }
        ) { body in
            try await Self.post(body, to: collector.url + "/v1/metrics")
        }
        exporter.start()
        let first = await collector.waitFor(2)
        #expect(first.count >= 2)
        counter.increment(by: 4)
        await exporter.shutdown()
        let all = collector.requests
        let last = try #require(all.last)
        #expect(try Self.point(Self.metrics(last.body)["requests_total"], "sum")["asInt"] as? String == "7")
        #expect(try Self.resource(last.body)["service.instance.id"] == "127.0.0.1:9000")
        #expect(exporter.counts.exported == all.count && exporter.counts.failed == 0)
        // Nothing after the shutdown.
        try await Task.sleep(for: .milliseconds(200))
        #expect(collector.requests.count == all.count)
        await collector.stop()
    }

    @Test func aCollectorThatIsDownCountsFailedExportsAndCostsNothingElse() async throws {
        let (registry, _) = Self.registry()
        let exporter = OTLPMetricsExporter(logger: Logger(label: "test"), collect: { registry.emitToBuffer() }) {
            body in
            // Port 9 (discard) on loopback: nothing listens, the connection is refused.
            try await Self.post(body, to: "http://127.0.0.1:9/v1/metrics")
        }
        await exporter.shutdown()
        #expect(exporter.counts.exported == 0 && exporter.counts.failed == 1)
    }

    @Test func theExpositionParserReadsLabelsEscapesSpecialValuesAndNamesTheLineItCannotRead() throws {
        let text = """
            # HELP a_total Requests.\\nAll of them.
            # TYPE a_total counter
            a_total{path="/x\\"y\\\\z",code="200"} 12 1700000000000
            # TYPE b gauge
            b -Inf
            c NaN
            # some other comment
            # TYPE h histogram
            h_bucket{le="1"} 1
            h_bucket{le="+Inf"} 2
            h_sum 3.5
            h_count 2
            """
        let families = try PrometheusExposition.parse(Array(text.utf8))
        #expect(families.map(\.name) == ["a_total", "b", "c", "h"])
        #expect(families.map(\.kind) == [.counter, .gauge, .untyped, .histogram])
        #expect(families[0].help == "Requests.\nAll of them.")
        #expect(families[0].samples.first?.labels.map(\.value) == ["/x\"y\\z", "200"])
        #expect(families[0].samples.first?.integer == 12)
        #expect(families[1].samples.first?.value == -.infinity)
        #expect(families[2].samples.first?.value.isNaN == true)
        #expect(families[3].samples.map(\.name) == ["h_bucket", "h_bucket", "h_sum", "h_count"])

        #expect(throws: PrometheusExposition.SyntaxError(line: 2, reason: "a label value of x is not closed")) {
            try PrometheusExposition.parse(Array("ok 1\nx{a=\"b} 1".utf8))
        }
        #expect(throws: PrometheusExposition.SyntaxError(line: 1, reason: "the value of x is not a number: one")) {
            try PrometheusExposition.parse(Array("x one".utf8))
        }
        #expect(throws: PrometheusExposition.SyntaxError(line: 1, reason: "unknown type meter of x")) {
            try PrometheusExposition.parse(Array("# TYPE x meter".utf8))
        }
    }
}
