import Backing
import Foundation
import Primitives
import Webhooks

/// The web-hook outbox: durable submits per second (submit + flush into a real SQLite file, group
/// commit) and end-to-end deliveries per second to a loopback receiver. Target: ≥ 10,000 durable
/// deliveries per second.
enum WebhookBenchmarks {
    static func run() async {
        print("== webhooks: durable outbox and delivery ==")
        let relayParent = H256(repeating: 7)
        let candidate = CommittedCandidateReceipt(
            descriptor: CandidateDescriptor(paraId: 100, relayParent: relayParent),
            commitments: CandidateCommitments(headData: HeadData(bytes: [UInt8](repeating: 1, count: 64))))
        let message = OutboundMessage.statementShare(
            relayParent: relayParent,
            statement: SignedFullStatement(payload: .seconded(candidate), validatorIndex: 3, signature: .zero))
        // Safe because: encoding a fixed message cannot fail.
        print("body: \(try! message.webhookBody().count) bytes (statement.share)")

        let body = StatementShareBody(relayParent: relayParent, statement: message)
        let foundationStart = ContinuousClock.now
        for _ in 0..<20_000 { _ = try? JSONOutput.foundationEncode(body) }
        let foundation = report(
            "body encoding, Foundation JSONEncoder (baseline)", count: 20_000, since: foundationStart)
        let encodeStart = ContinuousClock.now
        for _ in 0..<20_000 { _ = try? message.webhookBody() }
        let compact = report("body encoding, webhookBody (its JSONWritable writer)", count: 20_000, since: encodeStart)
        print(String(format: "  → %.1f× Foundation's rate", compact / foundation))

        for full in [true, false] {
            let sync = full ? "synchronous=FULL" : "synchronous=NORMAL"
            await durableBatches(message, total: 50_000, batch: 100, synchronousFull: full, label: sync)
            await durableConcurrent(message, total: 20_000, writers: 32, synchronousFull: full, label: sync)
        }
        for urls in [1, 4] {
            await endToEnd(message, total: 20_000, urls: urls)
        }
    }

    /// A fresh outbox in a fresh directory, subscribed to `urls`.
    static func makeOutbox(
        urls: [String], synchronousFull: Bool, client: CurlClient
    ) -> (WebhookOutbox, String) {
        let directory = NSTemporaryDirectory() + "backingd-bench-" + UUID().uuidString
        // Safe because: a fresh path in the temporary directory; a benchmark may crash on a broken machine.
        try! FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let configuration = WebhookConfiguration(
            subscriptions: urls.map { .init(event: "statement.share", url: $0) })
        // Safe because: the directory was just created; opening a new SQLite file there cannot fail on a sane machine.
        let outbox = try! WebhookOutbox(
            path: directory + "/outbox.sqlite", configuration: configuration, client: client,
            synchronousFull: synchronousFull)
        return (outbox, directory)
    }

    /// Flushes `outbox`; a benchmark whose database fails has no figure to give.
    static func mustFlush(_ outbox: WebhookOutbox) async {
        do { try await outbox.flush() } catch { fatalError("outbox flush failed: \(error)") }
    }

    /// One caller: `submit` `batch` messages, `flush`, repeat.
    static func durableBatches(_ message: OutboundMessage, total: Int, batch: Int, synchronousFull: Bool, label: String)
        async
    {
        let client = CurlClient()
        let (outbox, directory) = makeOutbox(
            urls: ["http://127.0.0.1:1/"], synchronousFull: synchronousFull, client: client)
        let start = ContinuousClock.now
        for _ in 0..<(total / batch) {
            outbox.submit([OutboundMessage](repeating: message, count: batch))
            await mustFlush(outbox)
        }
        report("durable submit, batches of \(batch), \(label)", count: total, since: start)
        await outbox.shutdown()
        client.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `writers` concurrent callers, each `submit` one message then `flush` (one HTTP request each).
    static func durableConcurrent(
        _ message: OutboundMessage, total: Int, writers: Int, synchronousFull: Bool, label: String
    ) async {
        let client = CurlClient()
        let (outbox, directory) = makeOutbox(
            urls: ["http://127.0.0.1:1/"], synchronousFull: synchronousFull, client: client)
        let start = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<writers {
                group.addTask {
                    for _ in 0..<(total / writers) {
                        outbox.submit([message])
                        await mustFlush(outbox)
                    }
                }
            }
        }
        report("durable submit, \(writers) concurrent submit+flush of 1, \(label)", count: total, since: start)
        await outbox.shutdown()
        client.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Submit `total` messages spread over `urls` URLs and time until all are delivered and recorded.
    static func endToEnd(_ message: OutboundMessage, total: Int, urls: Int) async {
        // Safe because: binding to a free loopback port only fails on a broken machine.
        let receiver = try! BenchReceiver()
        let client = CurlClient()
        let targets = (0..<urls).map { "http://127.0.0.1:\(receiver.port)/hook\($0)" }
        let (outbox, directory) = makeOutbox(urls: targets, synchronousFull: true, client: client)
        outbox.start()
        let perURL = total / urls
        let start = ContinuousClock.now
        for _ in 0..<(perURL / 100) {
            outbox.submit([OutboundMessage](repeating: message, count: 100))
        }
        await mustFlush(outbox)
        let committed = ContinuousClock.now - start
        await outbox.waitUntilSettled(atLeast: perURL * urls)
        report(
            "end-to-end delivery to \(urls) URL(s) on loopback (committed in \(committed.formatted(.units(allowed: [.milliseconds]))))",
            count: perURL * urls, since: start)
        await outbox.shutdown()
        client.shutdown()
        receiver.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Prints and returns the rate.
    @discardableResult
    static func report(_ label: String, count: Int, since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("\(label): \(count) in \(String(format: "%.3f", seconds)) s = \(Int(Double(count) / seconds)) /s")
        return Double(count) / seconds
    }
}

/// The `statement.share` body's shape, for timing Foundation's encoder on the same value.
private struct StatementShareBody: Encodable {
    let relayParent: H256
    let statement: SignedFullStatement

    init(relayParent: H256, statement message: OutboundMessage) {
        self.relayParent = relayParent
        guard case .statementShare(_, let statement) = message else { preconditionFailure("a statement.share message") }
        self.statement = statement
    }
}
