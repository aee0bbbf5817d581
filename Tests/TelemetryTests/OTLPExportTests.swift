import Foundation
import Telemetry
import TestSupport
import Testing
import Tracing
import Webhooks

/// The tracer's span tree and its OTLP/HTTP JSON export to a real collector on loopback.
@Suite struct OTLPExportTests {
    static func exporter(to collector: Recorder, client: CurlClient) -> OTLPSpanExporter {
        var settings = OTLPSpanExporter.Settings()
        settings.resource = [("service.name", "backingd"), ("service.instance.id", "test")]
        return OTLPSpanExporter(settings: settings, logger: .init(label: "test")) { body in
            try await client.send(
                CurlRequest(
                    method: "POST", url: collector.url + "/v1/traces", headers: [("Content-Type", "application/json")],
                    body: body, timeout: Recorder.patience)
            ).status
        }
    }

    @Test func nestedSpansExportAsOneTreeWithKindsAttributesAndErrorStatus() async throws {
        let collector = try Recorder()
        let client = CurlClient()
        defer { client.shutdown() }
        let exporter = Self.exporter(to: collector, client: client)
        let tracer = OTLPTracer(exporter: exporter)
        struct Refused: Error {}
        tracer.withSpan("POST /v1/statements", ofKind: .server) { request in
            request.attributes["http.response.status_code"] = 200
            tracer.withSpan("verify signature") { _ in }
            _ = try? tracer.withSpan("import statement") { _ in throw Refused() }
        }
        await exporter.shutdown()
        let requests = await collector.waitFor(1)
        #expect(requests.first?.path == "/v1/traces")
        #expect(requests.first?.headers["content-type"] == "application/json")
        let body = try #require(requests.first?.body)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        let resource = ((root["resourceSpans"] as? [[String: Any]])?.first?["resource"] as? [String: Any])
        let resourceKeys = (resource?["attributes"] as? [[String: Any]])?.compactMap { $0["key"] as? String }
        #expect(resourceKeys == ["service.name", "service.instance.id"])

        let spans = ExportedSpan.decode(body)
        let request = try #require(spans.first { $0.name == "POST /v1/statements" })
        let verify = try #require(spans.first { $0.name == "verify signature" })
        let failed = try #require(spans.first { $0.name == "import statement" })
        #expect(request.parentSpanId == nil)
        #expect(request.kind == 2)  // SPAN_KIND_SERVER
        #expect(verify.kind == 1)  // SPAN_KIND_INTERNAL
        #expect(request.attributes["http.response.status_code"] == "200")  // int64 as a decimal string
        #expect(Set(spans.map(\.traceId)) == [request.traceId])
        #expect(request.traceId.count == 32 && request.spanId.count == 16)
        #expect(verify.parentSpanId == request.spanId)
        #expect(failed.parentSpanId == request.spanId)
        #expect(failed.statusCode == 2)  // STATUS_CODE_ERROR
        #expect(verify.statusCode == 0)
        await collector.stop()
    }

    @Test func aSpanUnderAnUnsampledParentIsPropagatedButNotExported() async throws {
        let collector = try Recorder()
        let client = CurlClient()
        defer { client.shutdown() }
        let exporter = Self.exporter(to: collector, client: client)
        let tracer = OTLPTracer(exporter: exporter)
        var caller = ServiceContext.topLevel
        caller.traceContext = W3CTraceHeaders.parse(
            traceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", traceState: nil)
        let span = tracer.startSpan("unsampled", context: caller)
        #expect(!span.isRecording)
        #expect(span.trace.traceID.description == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(span.trace.spanID.description != "00f067aa0ba902b7")
        span.end()
        tracer.withSpan("sampled") { _ in }
        await exporter.shutdown()
        let spans = ExportedSpan.decode(try #require(await collector.waitFor(1).first?.body))
        #expect(spans.map(\.name) == ["sampled"])
        #expect(exporter.counts.exported == 1)
    }

    @Test func spansBeyondTheQueueLimitAreDroppedAndCounted() async throws {
        let collector = try Recorder()
        let client = CurlClient()
        defer { client.shutdown() }
        var settings = OTLPSpanExporter.Settings()
        settings.queueLimit = 3
        settings.batchSize = 100
        let exporter = OTLPSpanExporter(settings: settings, logger: .init(label: "test")) { body in
            try await client.send(
                CurlRequest(method: "POST", url: collector.url + "/v1/traces", body: body, timeout: Recorder.patience)
            ).status
        }
        let tracer = OTLPTracer(exporter: exporter)
        for index in 0..<5 { tracer.withSpan("span \(index)") { _ in } }
        await exporter.shutdown()
        let spans = ExportedSpan.decode(try #require(await collector.waitFor(1).first?.body))
        #expect(spans.map(\.name) == ["span 0", "span 1", "span 2"])
        #expect(exporter.counts.exported == 3)
        #expect(exporter.counts.dropped == 2)
        await collector.stop()
    }
}
