import Backing
import BackingService
import Crypto
import Foundation
import HTTPServer
import Logging
import Primitives
import Synchronization
import Webhooks

/// The service over loopback HTTP: statement imports one per request and in batches, last statement →
/// `provisioner.backed` delivered latency, and web-hook deliveries per second. Baselines measured in the
/// same run: a bare libmicrohttpd handler (`backingd-http-bench bare`) driven by the same client, and the
/// single-core sr25519 verify rate.
enum ServiceBenchmarks {
    static let paras = BenchNetwork.paras
    static let groupSize = BenchNetwork.groupSize
    static let concurrency = 32

    /// Counts web-hook deliveries and notes when each `provisioner.backed` arrives.
    final class Receiver: HTTPResponder {
        let delivered = Atomic<Int>(0)
        let backedAt = Mutex<[String: ContinuousClock.Instant]>([:])

        func respond(to request: HTTPRequest) async -> HTTPResponse {
            delivered.add(1, ordering: .relaxed)
            if request.headers["x-backing-event"] == "provisioner.backed",
                let object = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any],
                let hash = object["candidateHash"] as? String
            {
                let now = ContinuousClock.now
                backedAt.withLock { $0[hash] = now }
            }
            return HTTPResponse(status: 204)
        }
    }

    /// Where a request's time goes, outside HTTP: JSON decoding and encoding of one statement request.
    static func jsonCosts(keys: [Sr25519Keypair]) {
        struct Body: Codable {
            let relayParent: Hash
            let statement: SignedFullStatement
        }
        let (all, _) = statements(keys: keys, relayParent: H256(repeating: 0x55))
        let bodies = all.map { body(relayParent: H256(repeating: 0x55), statement: $0) }
        var start = ContinuousClock.now
        for body in bodies { _ = try? JSONInput.decode(Body.self, from: Data(body)) }
        let decode = seconds(since: start) / Double(bodies.count)
        let keys = StrictJSONKeys("relayParent", "statement")
        start = ContinuousClock.now
        for body in bodies {
            precondition(
                StrictJSONReader.read(body) { reader -> SignedFullStatement? in
                    var statement: SignedFullStatement?
                    guard
                        reader.object(
                            keys,
                            { reader, key in
                                if key == 0 { return reader.fixed(Hash.self) != nil }
                                statement = SignedFullStatement(strictJSON: &reader)
                                return statement != nil
                            })
                    else { return nil }
                    return statement
                } != nil)
        }
        let strict = seconds(since: start) / Double(bodies.count)
        start = ContinuousClock.now
        for statement in all {
            _ = try? JSONOutput.encode(Body(relayParent: H256(repeating: 0x55), statement: statement))
        }
        let encode = seconds(since: start) / Double(bodies.count)
        print(
            String(
                format:
                    "JSON per statement request: decode %.1f µs (Foundation), %.1f µs (StrictJSONReader); encode %.1f µs",
                decode * 1e6, strict * 1e6, encode * 1e6))
        struct Batch: Codable {
            let relayParent: Hash
            let statements: [SignedFullStatement]
        }
        let batches = stride(from: 0, to: all.count, by: 250).map {
            batchBody(relayParent: H256(repeating: 0x55), statements: Array(all[$0..<min($0 + 250, all.count)]))
        }
        start = ContinuousClock.now
        for batch in batches { _ = try? JSONInput.decode(Batch.self, from: Data(batch)) }
        print(
            String(
                format: "JSON per statement in batches of 250: decode %.1f µs (one core)",
                seconds(since: start) / Double(all.count) * 1e6))
    }

    static func run() async {
        jsonCosts(keys: BenchNetwork.keys)
        // Every event (2,500 dispute notifications per leaf go through the outbox and out to the receiver),
        // then only provisioner.backed (the import path without the dispute web-hook load).
        await run(subscription: "*")
        await run(subscription: "provisioner.backed")
    }

    static func run(subscription: String) async {
        print(
            "== service over loopback HTTP (100 paras × 5 validators, \(concurrency) concurrent requests; web-hooks: \(subscription)) =="
        )
        let keys = BenchNetwork.keys
        let (node, receiver, receiverServer) = await startNode(subscription: subscription)
        let base = "http://127.0.0.1:\(node.server.port)"
        let curl = CurlClient(maxConnections: concurrency * 2)

        // Baseline 1: the bare libmicrohttpd handler, same client, same concurrency.
        let bareRate = await bareHandlerRate(curl: curl)
        // Baseline 2: single-core verification of the statements.
        let (single, _) = statements(keys: keys, relayParent: H256(repeating: 0x11))
        let verifyRate = measureVerify(single, keys: keys)
        print(
            String(
                format: "baseline: bare libmicrohttpd handler %8.0f req/s; sr25519 verify, 1 core %8.0f/s", bareRate,
                verifyRate))

        // One statement per request.
        await activate(keys: keys, hash: H256(repeating: 0x11), base: base, curl: curl)
        let start = ContinuousClock.now
        let ordered =
            single.filter { if case .seconded = $0.payload { true } else { false } }
            + single.filter { if case .valid = $0.payload { true } else { false } }
        await post(
            ordered.map { body(relayParent: H256(repeating: 0x11), statement: $0) }, to: base + "/v1/statements",
            curl: curl)
        let singleRate = Double(single.count) / seconds(since: start)
        print(
            String(
                format: "one statement per request: %8.0f statements/s  (%.2f × bare handler; target ≥ 0.8)",
                singleRate, singleRate / bareRate))

        let batchRate = await batchImportRate(
            leaves: (0..<4).map { H256(repeating: 0x22 + UInt8($0)) }, base: base, curl: curl)
        print(
            String(
                format: "batches of 250:            %8.0f statements/s  (%.2f × 2 × single-core verify; target ≥ 0.8)",
                batchRate,
                batchRate / (2 * verifyRate)))

        // Let the outbox drain first, so that the latency below is not queued behind earlier deliveries.
        await drain(base: base, curl: curl)

        // Latency: the statement that completes a quorum → its provisioner.backed delivered.
        let latency = await quorumLatencies(
            relayParents: [H256(repeating: 0x33)], base: base, curl: curl, receiver: receiver)
        print(latency.summary)

        // Web-hook deliveries: 2,500 statements into a fresh leaf, then time until every resulting
        // web-hook has been delivered.
        let relayParent4 = H256(repeating: 0x44)
        await activate(keys: keys, hash: relayParent4, base: base, curl: curl)
        let (_, phases4) = statements(keys: keys, relayParent: relayParent4)
        let before = receiver.delivered.load(ordering: .relaxed)
        let hooksStart = ContinuousClock.now
        for phase in phases4 {
            let bodies = stride(from: 0, to: phase.count, by: 250).map { i in
                batchBody(relayParent: relayParent4, statements: Array(phase[i..<min(i + 250, phase.count)]))
            }
            await post(bodies, to: base + "/v1/statements/batch", curl: curl, concurrency: 2)
        }
        await drain(base: base, curl: curl)
        let delivered = receiver.delivered.load(ordering: .relaxed) - before
        print(
            String(
                format:
                    "2,500 statements imported and their %d web-hooks delivered in %.2f s: %.0f deliveries/s (the delivery-rate target is `backingd-bench webhooks`)",
                delivered,
                seconds(since: hooksStart), Double(delivered) / seconds(since: hooksStart)))
        await node.shutdown()
        await receiverServer.shutdown()
        curl.shutdown()
    }

    /// Statements per second imported through `POST /v1/statements/batch` in batches of 250, two requests
    /// in flight: every leaf's Seconded statements, then its Valid ones. Bodies are made before the clock
    /// starts.
    /// With `showWindow`, prints when the posting started and ended, for `perf record -k CLOCK_MONOTONIC`
    /// … `perf report --time START,END`.
    static func batchImportRate(leaves: [Hash], base: String, curl: CurlClient, showWindow: Bool = false) async
        -> Double
    {
        var leafPhases: [[[UInt8]]] = []
        var batchCount = 0
        for relayParent in leaves {
            await activate(keys: BenchNetwork.keys, hash: relayParent, base: base, curl: curl)
            for phase in statements(keys: BenchNetwork.keys, relayParent: relayParent).1 {
                batchCount += phase.count
                leafPhases.append(
                    stride(from: 0, to: phase.count, by: 250).map { i in
                        batchBody(relayParent: relayParent, statements: Array(phase[i..<min(i + 250, phase.count)]))
                    })
            }
        }
        let windowStart = monotonicSeconds()
        for bodies in leafPhases {
            await post(bodies, to: base + "/v1/statements/batch", curl: curl, concurrency: 2)
        }
        let windowEnd = monotonicSeconds()
        if showWindow { print(String(format: "posting window: CLOCK_MONOTONIC %.6f,%.6f", windowStart, windowEnd)) }
        return Double(batchCount) / (windowEnd - windowStart)
    }

    /// The batch import alone, over `leafCount` leaves (`backingd-bench service-batch`): a longer sample
    /// of the batch figure, and a run to profile it in.
    static func runBatchOnly(leafCount: Int = 16, subscription: String = "provisioner.backed") async {
        print(
            "== batch import over loopback HTTP (\(leafCount) leaves × 2,500 statements; web-hooks: \(subscription)) =="
        )
        let (node, _, receiverServer) = await startNode(subscription: subscription)
        let base = "http://127.0.0.1:\(node.server.port)"
        let curl = CurlClient(maxConnections: 4)
        let (single, _) = statements(keys: BenchNetwork.keys, relayParent: H256(repeating: 0x11))
        let before = measureVerify(single, keys: BenchNetwork.keys)
        let rate = await batchImportRate(
            leaves: (0..<leafCount).map { H256(repeating: 0x80 + UInt8($0)) }, base: base, curl: curl, showWindow: true)
        // The deliveries the batches caused go on after the last answer; the second baseline waits for them.
        await drain(base: base, curl: curl)
        let after = measureVerify(single, keys: BenchNetwork.keys)
        let verifyRate = (before + after) / 2
        print(
            String(
                format:
                    "batches of 250: %8.0f statements/s; sr25519 verify, 1 core %8.0f/s (before %.0f, after %.0f) → %.2f × 2 × single-core verify; target ≥ 0.8",
                rate, verifyRate, before, after, rate / (2 * verifyRate)))
        await node.shutdown()
        await receiverServer.shutdown()
        curl.shutdown()
    }

    /// Latencies in milliseconds of the statement that completes a quorum: until its answer, and until
    /// its `provisioner.backed` reached the receiver.
    struct QuorumLatencies {
        var answered: [Double] = []
        var delivered: [Double] = []

        static func percentile(_ values: [Double], _ p: Int) -> Double {
            let sorted = values.sorted()
            return sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, sorted.count * p / 100)]
        }

        var summary: String {
            String(
                format:
                    "last statement → provisioner.backed delivered: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms (%d candidates; target p99 ≤ 2 ms); answered: p50 %.2f ms, p99 %.2f ms",
                Self.percentile(delivered, 50), Self.percentile(delivered, 90), Self.percentile(delivered, 99),
                delivered.max() ?? .nan, delivered.count, Self.percentile(answered, 50),
                Self.percentile(answered, 99))
        }
    }

    /// Per para and leaf: the first candidate's Seconded and one Valid, then the second Valid (quorum 3
    /// of 5) is timed, one request at a time.
    static func quorumLatencies(relayParents: [Hash], base: String, curl: CurlClient, receiver: Receiver) async
        -> QuorumLatencies
    {
        var latencies = QuorumLatencies()
        for relayParent in relayParents {
            await activate(keys: BenchNetwork.keys, hash: relayParent, base: base, curl: curl)
            let (all, _) = statements(keys: BenchNetwork.keys, relayParent: relayParent)
            for p in 0..<paras {
                let group = all.filter { Int($0.validatorIndex.rawValue) / groupSize == p }
                guard let seconded = group.first(where: { if case .seconded = $0.payload { true } else { false } })
                else { continue }
                let hash = seconded.payload.candidateHash
                let votes = group.filter { $0.payload == .valid(hash) }.prefix(2)
                await post(
                    [body(relayParent: relayParent, statement: seconded)]
                        + votes.dropLast().map { body(relayParent: relayParent, statement: $0) },
                    to: base + "/v1/statements", curl: curl, concurrency: 1)
                guard let last = votes.last else { continue }
                let sent = ContinuousClock.now
                await post(
                    [body(relayParent: relayParent, statement: last)], to: base + "/v1/statements", curl: curl,
                    concurrency: 1)
                latencies.answered.append(milliseconds(ContinuousClock.now - sent))
                let deadline = sent + .seconds(5)
                while receiver.backedAt.withLock({ $0[hash.hex] }) == nil, ContinuousClock.now < deadline {
                    try? await Task.sleep(for: .microseconds(100))
                }
                if let arrived = receiver.backedAt.withLock({ $0[hash.hex] }) {
                    latencies.delivered.append(milliseconds(arrived - sent))
                }
            }
        }
        return latencies
    }

    /// The quorum latency alone over `leafCount` leaves (`backingd-bench service-latency`): a p99 from
    /// enough samples to mean something.
    static func runLatencyOnly(leafCount: Int = 5) async {
        print(
            "== quorum latency over loopback HTTP (\(leafCount) leaves × 100 candidates; web-hooks: provisioner.backed) =="
        )
        let (node, receiver, receiverServer) = await startNode(subscription: "provisioner.backed")
        let curl = CurlClient(maxConnections: 4)
        let latency = await quorumLatencies(
            relayParents: (0..<leafCount).map { H256(repeating: 0xA0 + UInt8($0)) },
            base: "http://127.0.0.1:\(node.server.port)", curl: curl, receiver: receiver)
        print(latency.summary)
        await node.shutdown()
        await receiverServer.shutdown()
        curl.shutdown()
    }

    /// A `backingd` node in this process, its web-hooks for `subscription` going to a `Receiver` on
    /// loopback; the caller shuts both down.
    static func startNode(subscription: String) async -> (BackingNode, Receiver, HTTPServer) {
        var quiet = Logger(label: "bench")
        quiet.logLevel = .error
        let receiver = Receiver()
        let receiverServer = HTTPServer(
            configuration: HTTPServerConfiguration(port: 0, threadPoolSize: 2), responder: receiver, logger: quiet)
        do { try receiverServer.start() } catch { fatalError("receiver: \(error)") }
        var configuration = ServiceConfiguration()
        configuration.listen = "127.0.0.1:0"
        configuration.dataDirectory =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("backingd-bench-\(UUID().uuidString)").path
        configuration.webhooks = ["\(subscription)=http://127.0.0.1:\(receiverServer.port)/hooks"]
        do {
            let node = try BackingNode(configuration: configuration, logger: quiet)
            try await node.start()
            return (node, receiver, receiverServer)
        } catch { fatalError("node: \(error)") }
    }

    /// Waits until the outbox has nothing pending.
    static func drain(base: String, curl: CurlClient) async {
        let start = ContinuousClock.now
        var pending = 1
        while pending > 0, ContinuousClock.now < start + .seconds(120) {
            let answer = try? await curl.send(CurlRequest(url: base + "/v1/webhooks/deliveries?status=pending&limit=1"))
            pending =
                ((answer.flatMap { try? JSONSerialization.jsonObject(with: Data($0.body)) } as? [Any])?.count) ?? 0
            if pending > 0 { try? await Task.sleep(for: .milliseconds(5)) }
        }
    }

    /// The benchmark network's statements for `relayParent`: all of them (Seconded first) and the
    /// [Seconded, Valid] phases.
    static func statements(keys: [Sr25519Keypair], relayParent: Hash) -> (
        [SignedFullStatement], [[SignedFullStatement]]
    ) {
        let (seconded, valid) = BenchNetwork.statements(relayParent)
        return (seconded + valid, [seconded, valid])
    }

    static func leaf(keys: [Sr25519Keypair], hash: Hash) -> Leaf { BenchNetwork.leaf(hash) }

    static func activate(keys: [Sr25519Keypair], hash: Hash, base: String, curl: CurlClient) async {
        // Safe because: the benchmark's leaf always encodes.
        let body = Array(try! JSONOutput.encode(leaf(keys: keys, hash: hash)))
        _ = try? await curl.send(
            CurlRequest(
                method: "POST", url: base + "/v1/leaves", headers: [("Content-Type", "application/json")], body: body))
    }

    static func body(relayParent: Hash, statement: SignedFullStatement) -> [UInt8] {
        struct Body: Encodable {
            let relayParent: Hash
            let statement: SignedFullStatement
        }
        // Safe because: statements always encode.
        return Array(try! JSONOutput.encode(Body(relayParent: relayParent, statement: statement)))
    }

    static func batchBody(relayParent: Hash, statements: [SignedFullStatement]) -> [UInt8] {
        struct Body: Encodable {
            let relayParent: Hash
            let statements: [SignedFullStatement]
        }
        // Safe because: statements always encode.
        return Array(try! JSONOutput.encode(Body(relayParent: relayParent, statements: statements)))
    }

    /// Posts every body, `concurrency` requests in flight; within one worker, order is kept.
    static func post(_ bodies: [[UInt8]], to url: String, curl: CurlClient, concurrency: Int = concurrency) async {
        let workers = max(1, min(concurrency, bodies.count))
        await withTaskGroup(of: Void.self) { group in
            for w in 0..<workers {
                group.addTask {
                    for i in stride(from: w, to: bodies.count, by: workers) {
                        _ = try? await curl.send(
                            CurlRequest(
                                method: "POST", url: url, headers: [("Content-Type", "application/json")],
                                body: bodies[i],
                                timeout: .seconds(60)))
                    }
                }
            }
        }
    }

    static func bareHandlerRate(curl: CurlClient) async -> Double {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
            "backingd-http-bench")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["bare", "0", "4"]
        let output = Pipe()
        process.standardOutput = output
        do { try process.run() } catch {
            print("bare handler baseline unavailable (build backingd-http-bench): \(error)")
            return .nan
        }
        defer { process.terminate() }
        let line = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        guard
            let port = line.split(separator: " ").last.flatMap({
                UInt16($0.trimmingCharacters(in: .whitespacesAndNewlines))
            })
        else {
            return .nan
        }
        let body = Array(#"{"hello":"backingd bench"}"#.utf8)
        let count = 20_000
        let start = ContinuousClock.now
        await post([[UInt8]](repeating: body, count: count), to: "http://127.0.0.1:\(port)/echo", curl: curl)
        return Double(count) / seconds(since: start)
    }

    static func measureVerify(_ statements: [SignedFullStatement], keys: [Sr25519Keypair]) -> Double {
        let context = SigningContext(sessionIndex: 1, parentHash: H256(repeating: 0x11))
        let start = ContinuousClock.now
        for statement in statements {
            precondition(
                statement.isSignatureValid(
                    context: context, validator: keys[Int(statement.validatorIndex.rawValue)].publicKey))
        }
        return Double(statements.count) / seconds(since: start)
    }

    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = (ContinuousClock.now - start).components
        return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let c = duration.components
        return Double(c.seconds) * 1000 + Double(c.attoseconds) / 1e15
    }
}
