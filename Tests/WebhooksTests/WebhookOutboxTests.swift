import Backing
import CSodium
import Foundation
import MetricsTestKit
import Primitives
import Synchronization
import Testing

@testable import Webhooks

/// The outbox against a real SQLite file and a real HTTP receiver on loopback.
@Suite(.timeLimit(.minutes(1)))
struct WebhookOutboxTests {
    let directory: TemporaryDirectory
    let client = CurlClient()

    init() throws { directory = try TemporaryDirectory() }

    /// Fast retries so that tests run in milliseconds.
    func configuration(
        _ specs: [String], secret: String? = nil, giveUpAfter: Duration = .seconds(60)
    ) throws -> WebhookConfiguration {
        WebhookConfiguration(
            subscriptions: try WebhookConfiguration.subscriptions(parsing: specs), secret: secret,
            giveUpAfter: giveUpAfter, initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(40))
    }

    func outbox(_ configuration: WebhookConfiguration, metrics: TestMetrics? = nil) throws -> WebhookOutbox {
        if let metrics {
            return try WebhookOutbox(
                path: directory.database, configuration: configuration, client: client, metrics: metrics)
        }
        return try WebhookOutbox(path: directory.database, configuration: configuration, client: client)
    }

    static func hmac(_ body: [UInt8], _ secret: String) -> String {
        var state = crypto_auth_hmacsha256_state()
        var mac = [UInt8](repeating: 0, count: 32)
        let key = Array(secret.utf8)
        _ = crypto_auth_hmacsha256_init(&state, key, key.count)
        _ = crypto_auth_hmacsha256_update(&state, body, UInt64(body.count))
        _ = crypto_auth_hmacsha256_final(&state, &mac)
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    @Test func deliversEveryEventInOrderWithSignedHeaders() async throws {
        let receiver = try TestReceiver()
        defer { receiver.stop() }
        let outbox = try outbox(configuration(["*=\(receiver.url)/hook"], secret: "s3cret"))
        outbox.start()

        outbox.submit(Messages.all)
        try await outbox.flush()
        let requests = await receiver.waitForRequests(Messages.all.count)
        await outbox.waitUntilSettled(atLeast: Messages.all.count)
        await outbox.shutdown()

        #expect(requests.map { $0.header("X-Backing-Event") } == WebhookConfiguration.events)
        for (request, message) in zip(requests, Messages.all) {
            let body = try message.webhookBody()
            #expect(request.method == "POST")
            #expect(request.path == "/hook")
            #expect(request.body == body)
            #expect(request.header("Content-Type") == "application/json")
            #expect(UUID(uuidString: request.header("X-Backing-Delivery") ?? "") != nil)
            #expect(request.header("X-Backing-Signature") == Self.hmac(body, "s3cret"))
        }
    }

    @Test func noSignatureWithoutSecret() async throws {
        let receiver = try TestReceiver()
        defer { receiver.stop() }
        let outbox = try outbox(configuration(["availability.stored=\(receiver.url)"]))
        outbox.start()

        outbox.submit([Messages.numbered(1)])
        let request = try #require(await receiver.waitForRequests(1).first)
        await outbox.shutdown()

        #expect(request.header("X-Backing-Signature") == nil)
        #expect(request.header("X-Backing-Event") == "availability.stored")
    }

    @Test func messagesWithoutSubscriberAreNotStored() async throws {
        let outbox = try outbox(configuration(["collator.invalid=http://127.0.0.1:1/"]))
        outbox.submit([Messages.numbered(1), Messages.all[0]])
        try await outbox.flush()

        #expect(await outbox.counts() == (0, 0, 0))
        await outbox.shutdown()
    }

    @Test func serverErrorIsRetriedWithTheSameDeliveryId() async throws {
        let receiver = try TestReceiver(responder: TestReceiver.statuses([500, 200]))
        defer { receiver.stop() }
        let outbox = try outbox(configuration(["availability.stored=\(receiver.url)"]))
        outbox.start()

        outbox.submit([Messages.numbered(1)])
        let requests = await receiver.waitForRequests(2)
        await outbox.waitUntilSettled(atLeast: 1)
        let record = try #require(try await outbox.deliveries(status: .delivered, limit: 10).first)
        await outbox.shutdown()

        #expect(requests.count == 2)
        #expect(requests[0].header("X-Backing-Delivery") == requests[1].header("X-Backing-Delivery"))
        #expect(record.id == requests[0].header("X-Backing-Delivery"))
        #expect(record.attempts == 2)
    }

    @Test func unreachableReceiverIsRetriedUntilItComesUp() async throws {
        // Held, not listening: refused until the receiver starts on it (a freed port could go to another
        // test's receiver, which would take the delivery).
        let reservation = try PortReservation()
        let port = reservation.port
        let outbox = try outbox(configuration(["availability.stored=http://127.0.0.1:\(port)/"]))
        outbox.start()

        outbox.submit([Messages.numbered(1)])
        await outbox.waitForUpdates(atLeast: 1)  // one failed attempt recorded
        let failed = try #require(try await outbox.deliveries(status: .pending, limit: 1).first)
        reservation.release()
        let receiver = try TestReceiver(port: port)
        defer { receiver.stop() }
        let request = try #require(await receiver.waitForRequests(1).first)
        await outbox.waitUntilSettled(atLeast: 1)
        let delivered = try #require(try await outbox.deliveries(status: .delivered, limit: 1).first)
        await outbox.shutdown()

        #expect(failed.attempts >= 1)
        #expect(failed.lastError?.contains("curl error") == true)
        #expect(failed.nextAttemptAt != nil)
        #expect(request.header("X-Backing-Delivery") == failed.id)
        #expect(delivered.id == failed.id)
        #expect(delivered.attempts >= 2)
    }

    @Test func deliveryIsDeadLetteredAtTheGiveUpHorizon() async throws {
        let receiver = try TestReceiver(responder: TestReceiver.statuses([503]))
        defer { receiver.stop() }
        let metrics = TestMetrics()
        let outbox = try outbox(
            configuration(["availability.stored=\(receiver.url)"], giveUpAfter: .seconds(1)), metrics: metrics)
        outbox.start()

        outbox.submit([Messages.numbered(1)])
        await outbox.waitUntilSettled(atLeast: 1)
        let failed = try await outbox.deliveries(status: .failed, limit: 10)
        let counts = await outbox.counts()
        await outbox.shutdown()

        #expect(failed.count == 1)
        #expect(failed.first?.lastError?.hasPrefix("gave up after") == true)
        // At least one attempt; how many fit in the horizon depends on the machine's load.
        #expect((failed.first?.attempts ?? 0) >= 1)
        #expect(counts == (0, 0, 1))
        let dimensions = [("event", "availability.stored"), ("result", "failed")]
        #expect(try metrics.expectCounter("backingd_webhook_deliveries_total", dimensions).totalValue == 1)
    }

    @Test func clientErrorIsDeadLetteredAtOnce() async throws {
        let receiver = try TestReceiver(responder: TestReceiver.statuses([404]))
        defer { receiver.stop() }
        let outbox = try outbox(configuration(["availability.stored=\(receiver.url)"]))
        outbox.start()

        outbox.submit([Messages.numbered(1)])
        await outbox.waitUntilSettled(atLeast: 1)
        let failed = try #require(try await outbox.deliveries(status: .failed, limit: 10).first)
        await outbox.shutdown()

        #expect(failed.attempts == 1)
        #expect(failed.lastError == "HTTP 404")
        #expect(receiver.requests.count == 1)
    }

    @Test func perURLOrderIsKeptUnderRetries() async throws {
        // Every delivery fails on its first attempt and succeeds on its second.
        let seen = Seen()
        let receiver = try TestReceiver { request, _ in
            seen.firstTime(request.header("X-Backing-Delivery") ?? "") ? .status(500) : .status(200)
        }
        defer { receiver.stop() }
        let metrics = TestMetrics()
        let outbox = try outbox(configuration(["availability.stored=\(receiver.url)"]), metrics: metrics)
        outbox.start()

        for n in 0..<20 { outbox.submit([Messages.numbered(n)]) }
        await outbox.waitUntilSettled(atLeast: 20)
        await outbox.shutdown()

        let order = receiver.requests.compactMap { $0.json?["nValidators"] as? Int }
        #expect(order == (0..<20).flatMap { [$0, $0] })
        let delivered = [("event", "availability.stored"), ("result", "delivered")]
        #expect(try metrics.expectCounter("backingd_webhook_deliveries_total", delivered).totalValue == 20)
        #expect(try metrics.expectGauge("backingd_webhook_outbox_pending").lastValue == 0)
    }

    @Test func aFailingURLDoesNotHoldBackAnother() async throws {
        let broken = try TestReceiver(responder: TestReceiver.statuses([500]))
        defer { broken.stop() }
        let healthy = try TestReceiver()
        defer { healthy.stop() }
        let outbox = try outbox(
            configuration(["availability.stored=\(broken.url)", "availability.stored=\(healthy.url)"]))
        outbox.start()

        for n in 0..<5 { outbox.submit([Messages.numbered(n)]) }
        let requests = await healthy.waitForRequests(5)
        await outbox.shutdown()

        #expect(requests.compactMap { $0.json?["nValidators"] as? Int } == [0, 1, 2, 3, 4])
        #expect(broken.requests.allSatisfy { $0.json?["nValidators"] as? Int == 0 })
    }

    @Test func committedDeliveriesSurviveAClose() async throws {
        let receiver = try TestReceiver()
        defer { receiver.stop() }
        let configuration = try configuration(["*=\(receiver.url)"])
        let first = try outbox(configuration)
        first.submit(Messages.all)
        try await first.flush()
        let ids = try await first.deliveries(status: .pending, limit: 100).map(\.id).reversed()
        await first.shutdown()  // never started: nothing was delivered
        #expect(receiver.requests.isEmpty)

        let second = try outbox(configuration)
        second.start()
        let all = Messages.all.count
        let requests = await receiver.waitForRequests(all)
        await second.waitUntilSettled(atLeast: all)
        let counts = await second.counts()
        await second.shutdown()

        #expect(Array(ids).count == all)
        #expect(requests.map { $0.header("X-Backing-Delivery") } == Array(ids))
        #expect(requests.map { $0.header("X-Backing-Event") } == WebhookConfiguration.events)
        #expect(counts == (0, all, 0))
    }

    @Test func aBacklogLargerThanALaneIsDeliveredInOrderPageByPage() async throws {
        let receiver = try TestReceiver()
        defer { receiver.stop() }
        let outbox = try outbox(configuration(["availability.stored=\(receiver.url)"]))
        let total = Lane.capacity * 2 + 500
        outbox.submit((0..<total).map(Messages.numbered))
        try await outbox.flush()

        outbox.start()  // the lane starts empty and pages the backlog in from the table
        outbox.submit([Messages.numbered(total)])  // committed while the backlog overflows the lane
        await outbox.waitUntilSettled(atLeast: total + 1)
        await outbox.shutdown()

        #expect(receiver.requests.compactMap { $0.json?["nValidators"] as? Int } == Array(0...total))
    }

    @Test func flushCoversEverythingSubmittedBeforeIt() async throws {
        let outbox = try outbox(configuration(["*=http://127.0.0.1:1/"]))
        await withTaskGroup(of: Void.self) { group in
            for n in 0..<50 {
                group.addTask { outbox.submit([Messages.numbered(n), Messages.all[0]]) }
            }
        }
        outbox.submit([Messages.numbered(99)])
        try await outbox.flush()

        #expect(await outbox.counts() == (101, 0, 0))
        await outbox.shutdown()
    }

    @Test func deliveriesAreListedNewestFirst() async throws {
        let outbox = try outbox(configuration(["*=http://127.0.0.1:1/"]))
        for message in Messages.all { outbox.submit([message]) }
        try await outbox.flush()

        let all = try await outbox.deliveries(status: nil, limit: 100)
        let three = try await outbox.deliveries(status: .pending, limit: 3)
        await outbox.shutdown()

        #expect(all.map(\.event) == WebhookConfiguration.events.reversed())
        #expect(three.map(\.id) == all.prefix(3).map(\.id))
        #expect(all.allSatisfy { $0.status == .pending && $0.attempts == 0 && $0.lastError == nil })
    }

    @Test func deliveryRecordEncodesISODatesAndNulls() throws {
        let record = DeliveryRecord(
            id: "x", event: "availability.stored", url: "http://a/", status: .failed, attempts: 3, lastError: nil,
            createdAt: Date(timeIntervalSince1970: 1_700_000_000.25), nextAttemptAt: nil, deliveredAt: nil)
        let text = String(decoding: try JSONOutput.encode(record), as: UTF8.self)

        #expect(text.contains("\"createdAt\":\"2023-11-14T22:13:20.250Z\""))
        #expect(text.contains("\"lastError\":null"))
        #expect(text.contains("\"nextAttemptAt\":null"))
        #expect(try JSONDecoder().decode(DeliveryRecord.self, from: Data(text.utf8)) == record)
    }
}

/// Remembers which delivery ids the receiver has seen.
final class Seen: Sendable {
    private let ids = Mutex<Set<String>>([])
    func firstTime(_ id: String) -> Bool { ids.withLock { $0.insert(id).inserted } }
}
