import Foundation
import HTTPServer
import Telemetry
import TestSupport
import Testing
import Tracing
import W3CTraceContext
import Webhooks

/// W3C `traceparent`/`tracestate` in and out: parsing, the server adapter's extraction and libcurl's injection.
@Suite struct TraceContextTests {
    static let parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test func aValidTraceparentGivesItsTraceIdSpanIdAndSampledFlag() throws {
        let context = try #require(W3CTraceHeaders.parse(traceParent: Self.parent, traceState: "congo=t61rcWkgMzE"))
        #expect(context.traceID.description == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(context.spanID.description == "00f067aa0ba902b7")
        #expect(context.flags.contains(.sampled))
        #expect(context.traceStateHeaderValue == "congo=t61rcWkgMzE")
        #expect(context.traceParentHeaderValue == Self.parent)
    }

    @Test(arguments: [
        "", "garbage", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",  // no flags
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // version ff is forbidden
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // all-zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // all-zero span id
        "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",  // not hex
        "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",  // wrong delimiters
    ])
    func anInvalidTraceparentIsIgnored(header: String) {
        #expect(W3CTraceHeaders.parse(traceParent: header, traceState: nil) == nil)
    }

    @Test func anInvalidTracestateIsDroppedAndTheTraceparentKept() throws {
        let context = try #require(W3CTraceHeaders.parse(traceParent: Self.parent, traceState: "=,=no vendor"))
        #expect(context.spanID.description == "00f067aa0ba902b7")
        #expect(context.traceStateHeaderValue == nil)
    }

    @Test func theServerHandsTheCallersTraceparentToTheHandlerAndIgnoresAnInvalidOne() async throws {
        SharedInstrument.installed
        let recorder = try Recorder()
        let client = CurlClient()
        defer { client.shutdown() }
        let valid = try await client.send(
            CurlRequest(
                url: recorder.url + "/a", headers: [("traceparent", Self.parent), ("tracestate", "a=1")],
                timeout: Recorder.patience))
        let invalid = try await client.send(
            CurlRequest(
                url: recorder.url + "/b", headers: [("traceparent", "00-not-a-trace-01")], timeout: Recorder.patience))
        let none = try await client.send(CurlRequest(url: recorder.url + "/c", timeout: Recorder.patience))
        #expect([valid.status, invalid.status, none.status] == [Int](repeating: 200, count: 3))
        let requests = await recorder.waitFor(3)
        #expect(requests.first { $0.path == "/a" }?.handlerTrace == Self.parent)
        #expect(requests.first { $0.path == "/b" }?.handlerTrace == nil)
        #expect(requests.first { $0.path == "/c" }?.handlerTrace == nil)
        await recorder.stop()
    }

    @Test func curlRequestsCarryTheCallingTasksTraceContextUnlessTheyNameTheirOwn() async throws {
        SharedInstrument.installed
        let recorder = try Recorder()
        let client = CurlClient()
        defer { client.shutdown() }
        var context = ServiceContext.topLevel
        context.traceContext = W3CTraceHeaders.parse(traceParent: Self.parent, traceState: "congo=t61rcWkgMzE")
        let own = "00-11111111111111111111111111111111-2222222222222222-00"
        try await ServiceContext.withValue(context) {
            _ = try await client.send(CurlRequest(url: recorder.url + "/inherited", timeout: Recorder.patience))
            _ = try await client.send(
                CurlRequest(url: recorder.url + "/own", headers: [("traceparent", own)], timeout: Recorder.patience))
        }
        _ = try await client.send(CurlRequest(url: recorder.url + "/outside", timeout: Recorder.patience))
        let requests = await recorder.waitFor(3)
        let inherited = try #require(requests.first { $0.path == "/inherited" })
        #expect(inherited.headers["traceparent"] == Self.parent)
        #expect(inherited.headers["tracestate"] == "congo=t61rcWkgMzE")
        #expect(requests.first { $0.path == "/own" }?.headers["traceparent"] == own)
        #expect(requests.first { $0.path == "/outside" }?.headers["traceparent"] == nil)
        await recorder.stop()
    }

    @Test func aClientSpanRequestCarriesTheSpansOwnTraceparentInTheCallersTrace() async throws {
        SharedInstrument.installed
        let recorder = try Recorder()
        let collector = try Recorder()
        let client = CurlClient()
        defer { client.shutdown() }
        let exporter = OTLPSpanExporter(logger: .init(label: "test")) { body in
            try await client.send(
                CurlRequest(method: "POST", url: collector.url + "/v1/traces", body: body, timeout: Recorder.patience)
            ).status
        }
        let tracer = OTLPTracer(exporter: exporter)
        var caller = ServiceContext.topLevel
        caller.traceContext = W3CTraceHeaders.parse(traceParent: Self.parent, traceState: nil)
        let spanID = try await tracer.withSpan("outer", context: caller) { span in
            // The client span is a child of `outer`; the peer sees the client span's id.
            _ = try await ServiceContext.withValue(span.context) {
                try await client.send(CurlRequest(url: recorder.url + "/peer", timeout: Recorder.patience))
            }
            return span.trace.spanID.description
        }
        await exporter.shutdown()
        let sent = try #require(await recorder.waitFor(1).first?.headers["traceparent"])
        #expect(sent == "00-4bf92f3577b34da6a3ce929d0e0e4736-\(spanID)-01")
        let spans = ExportedSpan.decode(try #require(await collector.waitFor(1).first?.body))
        #expect(spans.map(\.name) == ["outer"])
        #expect(spans.first?.parentSpanId == "00f067aa0ba902b7")
        await recorder.stop()
        await collector.stop()
    }
}

extension TraceContextTests {
    @Test func aTracestateWithAWellFormedMultiTenantKeyIsKept() throws {
        let context = try #require(
            W3CTraceHeaders.parse(traceParent: Self.parent, traceState: "fw529a3039@dt=abc, rojo=00f067aa0ba902b7"))
        #expect(context.traceStateHeaderValue == "fw529a3039@dt=abc, rojo=00f067aa0ba902b7")
    }
}
