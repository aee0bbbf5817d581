import HTTPServer
import Logging
import Synchronization
import Telemetry
import Tracing
import Webhooks

/// The tracing set-up a benchmark run measures, as `serve` bootstraps it; with OTLP, a collector on
/// loopback in this process that answers 200 and counts what it received.
struct BenchTracing {
    /// What the collector received.
    final class Received: Sendable {
        let counts = Mutex((requests: 0, bytes: 0))
    }

    let exporter: OTLPSpanExporter?
    let collector: HTTPServer?
    let received: Received?
    let client: CurlClient?

    static func bootstrap(otlp: Bool) -> BenchTracing {
        guard otlp else {
            InstrumentationSystem.bootstrap(TraceContextPropagator())
            return BenchTracing(exporter: nil, collector: nil, received: nil, client: nil)
        }
        var quiet = Logger(label: "bench.collector")
        quiet.logLevel = .error
        let received = Received()
        let collector = HTTPServer(
            configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0), responder: Sink(received: received),
            logger: quiet)
        // Safe because: a loopback port 0 always binds on the benchmark machine.
        try! collector.start()
        let client = CurlClient(maxConnections: 4)
        let url = "http://127.0.0.1:\(collector.port)/v1/traces"
        let exporter = OTLPSpanExporter(logger: quiet) { body in
            try await client.send(
                CurlRequest(method: "POST", url: url, headers: [("Content-Type", "application/json")], body: body)
            ).status
        }
        exporter.start()
        InstrumentationSystem.bootstrap(OTLPTracer(exporter: exporter))
        print("tracing: OTLP/HTTP JSON export to a collector in this process")
        return BenchTracing(exporter: exporter, collector: collector, received: received, client: client)
    }

    struct Sink: HTTPResponder {
        let received: Received
        func respond(to request: HTTPRequest) async -> HTTPResponse {
            received.counts.withLock {
                $0.requests += 1
                $0.bytes += request.body.count
            }
            return HTTPResponse(status: 200)
        }
    }

    func finish() async {
        guard let exporter, let collector, let received else { return }
        await exporter.shutdown()
        let counts = exporter.counts
        let (requests, bytes) = received.counts.withLock { ($0.requests, $0.bytes) }
        print(
            "tracing: \(counts.exported) spans exported (\(counts.dropped) dropped) in \(requests) requests, \(bytes / 1024) KiB"
        )
        await collector.shutdown()
        client?.shutdown()
    }
}
