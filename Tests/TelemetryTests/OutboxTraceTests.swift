import Backing
import Foundation
import Primitives
import Telemetry
import Testing
import Tracing
import Webhooks

/// A web-hook's trace context is committed with its delivery, so the POST carries it whenever it is made.
@Suite struct OutboxTraceTests {
    static let traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    @Test func aDeliveryMadeAfterARestartCarriesTheTraceparentOfTheSpanThatCausedIt() async throws {
        SharedInstrument.installed
        let receiver = try Recorder()
        let client = CurlClient()
        defer { client.shutdown() }
        let database = NSTemporaryDirectory() + "outbox-trace-\(UUID().uuidString).sqlite"
        defer { try? FileManager.default.removeItem(atPath: database) }
        let configuration = WebhookConfiguration(
            subscriptions: [.init(event: "availability.stored", url: receiver.url + "/hook")],
            requestTimeout: Recorder.patience)
        let message = OutboundMessage.availabilityStored(
            candidateHash: H256(repeating: 7), nValidators: 6, erasureRoot: H256(repeating: 0xEE))

        // Submitted inside a trace and committed, then the process "stops" before delivering.
        let first = try WebhookOutbox(path: database, configuration: configuration, client: client)
        var context = ServiceContext.topLevel
        context.traceContext = W3CTraceHeaders.parse(traceParent: Self.traceParent, traceState: "congo=t61rcWkgMzE")
        try await ServiceContext.withValue(context) {
            first.submit([message])
            try await first.flush()
        }
        // Outside any trace: no traceparent is stored or sent.
        first.submit([message])
        try await first.flush()
        await first.shutdown()
        #expect(receiver.requests.isEmpty)

        let second = try WebhookOutbox(path: database, configuration: configuration, client: client)
        second.start()
        let requests = await receiver.waitFor(2)
        #expect(requests.count == 2)
        #expect(requests.first?.headers["traceparent"] == Self.traceParent)
        #expect(requests.first?.headers["tracestate"] == "congo=t61rcWkgMzE")
        #expect(requests.last?.headers["traceparent"] == nil)
        await second.shutdown()
        await receiver.stop()
    }
}
