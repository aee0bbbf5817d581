import Backing
import Crypto
import Foundation
import Primitives
import TestSupport
import Testing
import Validation
import Webhooks

/// One statement followed from a harness through two real `backingd serve` nodes by its W3C trace context,
/// with both nodes exporting spans over OTLP/HTTP (JSON) to a collector on loopback.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct TracingOverHTTPTests {
    @Test func aStatementsTraceRunsFromTheHarnessThroughNodeAToNodeB() async throws {
        let alice = Sr25519Keypair.dev("Alice").publicKey
        let bob = Sr25519Keypair.dev("Bob").publicKey
        let collector = try TestPeer()
        let hook = try TestPeer()
        let (portA, portB) = (try await TwoNodeBackingTests.freePort(), try await TwoNodeBackingTests.freePort())
        let urlA = "http://127.0.0.1:\(portA)"
        let urlB = "http://127.0.0.1:\(portB)"
        // A shares its statements with B and fetches PoVs from B; B shares its own with the test's hook.
        let nodeA = BackingdProcess(arguments: [
            "--dev", "--validator-seed", "//Alice", "--webhook", "statement.share=\(urlB)/v1/statements", "--peer",
            "\(bob.hex)=\(urlB)", "--otlp-endpoint", collector.url, "--log-format", "json",
        ])
        let nodeB = BackingdProcess(arguments: [
            "--dev", "--validator-seed", "//Bob", "--webhook", "statement.share=\(hook.url)/hook", "--peer",
            "\(alice.hex)=\(urlA)", "--otlp-endpoint", collector.url + "/v1/traces",
        ])
        try await nodeA.start(listen: "127.0.0.1:\(portA)")
        try await nodeB.start(listen: "127.0.0.1:\(portB)")
        let curl = CurlClient()
        defer { curl.shutdown() }
        let apiA = APIClient(baseURL: urlA, client: curl)
        let apiB = APIClient(baseURL: urlB, client: curl)

        let relayParent = H256(repeating: 0x43)
        let genesis = AdderParachain.Head.genesis().headData
        let leaf = Scenario.aliceAndBobAdderLeaf(hash: relayParent)
        for api in [apiA, apiB] {
            let activated = try await api.send("POST", "/v1/leaves", body: try Scenario.json(leaf))
            #expect(activated.status == 201, "\(activated.text)")
        }

        // Bob seconds a candidate (untraced); his signed Seconded statement reaches the test's hook.
        let collation = try AdderCollator.collate(
            parentHead: genesis, block: AdderParachain.Block(state: 0, add: 3),
            context: AdderCollator.Context(relayParent: relayParent, relayParentNumber: 10, validatorCount: 2),
            collator: Sr25519Keypair.dev("Two"))
        let second = try await apiB.send(
            "POST", "/v1/second",
            body: try Scenario.json(
                Scenario.SecondBody(relayParent: relayParent, candidate: collation.candidate, pov: collation.pov)))
        #expect(second.object?["accepted"] as? Bool == true, "\(second.text)")
        let shared = try #require(await hook.waitFor(1, to: "/hook").first, "\(nodeB.logs.value)")

        // The harness posts Bob's statement to Alice inside its own trace.
        let traceId = "0af7651916cd43dd8448eb211c80319c"
        let harnessSpan = "b7ad6b7169203331"
        let posted = try await apiA.send(
            "POST", "/v1/statements", body: shared.body,
            headers: [("traceparent", "00-\(traceId)-\(harnessSpan)-01"), ("tracestate", "harness=1")])
        #expect(posted.status == 200, "\(posted.text)")

        // Alice validates (fetching the PoV from Bob) and her Valid statement reaches Bob's /v1/statements.
        var spans: [ExportedSpan] = []
        let complete = await eventually(within: .seconds(60)) {
            spans = collector.requests(to: "/v1/traces").flatMap { ExportedSpan.decode($0.body) }.filter {
                $0.traceId == traceId
            }
            return spans.contains { $0.instance.hasSuffix(":\(portB)") && $0.name == "POST /v1/statements" }
                && spans.contains { $0.instance.hasSuffix(":\(portB)") && $0.name == "GET /v1/povs/{candidateHash}" }
                && spans.contains { $0.name == "PVF validation" }
        }
        #expect(complete, "spans in the trace: \(spans)\n\(nodeA.logs.value)\n\(nodeB.logs.value)")
        let inA = spans.filter { $0.instance.hasSuffix(":\(portA)") }
        let inB = spans.filter { $0.instance.hasSuffix(":\(portB)") }
        func one(_ spans: [ExportedSpan], _ name: String) throws -> ExportedSpan {
            try #require(spans.first { $0.name == name }, "no \(name) among \(spans)")
        }

        // Node A: the request span is the harness span's child; checks, import and commit are its children.
        let request = try one(inA, "POST /v1/statements")
        #expect(request.parentSpanId == harnessSpan)
        #expect(request.kind == 2)
        #expect(request.attributes["http.response.status_code"] == "200")
        for name in ["verify signature", "import statement", "commit outbox"] {
            #expect(try one(inA, name).parentSpanId == request.spanId, "\(name)")
        }
        // The validation the import started, its PoV fetch from B and its PVF run.
        let validation = try one(inA, "validate candidate")
        #expect(validation.parentSpanId == (try one(inA, "import statement")).spanId)
        let fetch = try one(inA, "fetch PoV")
        #expect(fetch.parentSpanId == validation.spanId)
        #expect(fetch.kind == 3)
        #expect(try one(inA, "PVF validation").parentSpanId == validation.spanId)
        // The web-hook delivery, a child of the span that made the statement, carried its traceparent to B.
        let delivery = try one(inA, "webhook statement.share")
        #expect(delivery.parentSpanId == validation.spanId)
        #expect(delivery.attributes["http.response.status_code"] == "200")

        // Node B: both requests A made are in the harness's trace, each under the span that sent it.
        #expect(try one(inB, "GET /v1/povs/{candidateHash}").parentSpanId == fetch.spanId)
        #expect(try one(inB, "POST /v1/statements").parentSpanId == delivery.spanId)
        #expect(Set(spans.map(\.spanId)).count == spans.count)

        // A's JSON log lines written inside the trace carry its ids.
        let logLines = nodeA.logs.value.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(!logLines.isEmpty)
        #expect(logLines.contains { $0["trace_id"] as? String == traceId && $0["span_id"] is String })

        #expect(await nodeA.stop() == 0)
        #expect(await nodeB.stop() == 0)
        await collector.stop()
        await hook.stop()
    }

    /// `serve --otlp-endpoint` sends the metrics `/metrics` serves to the collector's `/v1/metrics` every
    /// `--otlp-metrics-interval`, and once more as it stops, with the totals it stopped with.
    @Test func serveExportsWhatItsMetricsEndpointServesOverOTLPAndTheLastTotalsAsItStops() async throws {
        let collector = try TestPeer()
        let port = try await TwoNodeBackingTests.freePort()
        let node = BackingdProcess(arguments: [
            "--dev", "--validator-seed", "//Alice", "--otlp-endpoint", collector.url, "--otlp-metrics-interval",
            "200ms",
        ])
        try await node.start(listen: "127.0.0.1:\(port)")
        let curl = CurlClient()
        defer { curl.shutdown() }
        let api = APIClient(baseURL: "http://127.0.0.1:\(port)", client: curl)
        let activated = try await api.send(
            "POST", "/v1/leaves", body: try Scenario.json(Scenario.aliceAndBobAdderLeaf(hash: H256(repeating: 0x44))))
        #expect(activated.status == 201, "\(activated.text)")
        let periodic = await collector.waitFor(2, to: "/v1/metrics")
        #expect(periodic.count >= 2, "\(node.logs.value)")
        let served = try await api.send("GET", "/metrics")
        let line = try #require(
            served.text.split(separator: "\n").first {
                $0.hasPrefix("backingd_http_requests_total{") && $0.contains(#"route="/v1/leaves""#)
                    && $0.contains(#"status="201""#)
            }, "\(served.text)")
        #expect(line.hasSuffix(" 1"))
        #expect(await node.stop() == 0)

        // The last export, sent as the node stopped, has what /metrics said (nothing activated since).
        let last = try #require(collector.requests(to: "/v1/metrics").last)
        #expect(last.headers["content-type"] == "application/json")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(last.body)) as? [String: Any])
        let resourceMetrics = try #require((root["resourceMetrics"] as? [[String: Any]])?.first)
        let resource = try #require(
            (resourceMetrics["resource"] as? [String: Any])?["attributes"] as? [[String: Any]])
        #expect(
            resource.contains {
                $0["key"] as? String == "service.instance.id"
                    && ($0["value"] as? [String: Any])?["stringValue"] as? String == "127.0.0.1:\(port)"
            })
        let metrics = try #require(
            (resourceMetrics["scopeMetrics"] as? [[String: Any]])?.first?["metrics"] as? [[String: Any]])
        let requests = try #require(metrics.first { $0["name"] as? String == "backingd_http_requests_total" })
        let points = try #require((requests["sum"] as? [String: Any])?["dataPoints"] as? [[String: Any]])
        func attributes(_ point: [String: Any]) -> [String: String] {
            Dictionary(
                uniqueKeysWithValues: (point["attributes"] as? [[String: Any]] ?? []).map {
                    ($0["key"] as? String ?? "", ($0["value"] as? [String: Any])?["stringValue"] as? String ?? "")
                })
        }
        let leaves = try #require(points.first { attributes($0)["route"] == "/v1/leaves" })
        #expect(attributes(leaves) == ["method": "POST", "route": "/v1/leaves", "status": "201"])
        #expect(leaves["asInt"] as? String == "1")
        let durations = try #require(
            metrics.first { $0["name"] as? String == "backingd_http_request_duration_seconds" }?["histogram"]
                as? [String: Any])
        let durationPoints = try #require(durations["dataPoints"] as? [[String: Any]])
        for point in durationPoints {
            let buckets = (point["bucketCounts"] as? [String] ?? []).compactMap { UInt64($0) }
            #expect(String(buckets.reduce(0, +)) == point["count"] as? String)
            #expect(buckets.count == (point["explicitBounds"] as? [Double] ?? []).count + 1)
        }
        await collector.stop()
    }

    /// `devnet --otlp-endpoint` exports each in-process node's metrics under its own `service.instance.id`,
    /// the last time as the devnet stops.
    @Test func anInProcessDevnetExportsEveryNodesMetricsUnderItsOwnAddress() async throws {
        let collector = try TestPeer()
        let basePort = try await TwoNodeBackingTests.freeConsecutivePorts(2)
        let process = Process()
        process.executableURL = BackingdProcess.executable
        process.arguments = [
            "devnet", "--validators", "2", "--paras", "1", "--blocks", "2", "--block-time", "0.5", "--base-port",
            String(basePort), "--otlp-endpoint", collector.url, "--otlp-metrics-interval", "1h",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try launchSerially(process)
        while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(process.terminationStatus == 0)

        // The interval is an hour: each node's one export is the one sent as the devnet stopped.
        let exports = collector.requests(to: "/v1/metrics")
        let instances = try exports.map { request -> String in
            let root = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
            let resource = try #require(
                ((root["resourceMetrics"] as? [[String: Any]])?.first?["resource"] as? [String: Any])?["attributes"]
                    as? [[String: Any]])
            let names = try #require(
                ((root["resourceMetrics"] as? [[String: Any]])?.first?["scopeMetrics"] as? [[String: Any]])?.first?[
                    "metrics"] as? [[String: Any]]
            ).compactMap { $0["name"] as? String }
            #expect(names.contains("backingd_http_requests_total"), "\(names)")
            return resource.first { $0["key"] as? String == "service.instance.id" }.flatMap {
                ($0["value"] as? [String: Any])?["stringValue"] as? String
            } ?? ""
        }
        #expect(instances.sorted() == ["127.0.0.1:\(basePort)", "127.0.0.1:\(basePort + 1)"])
        await collector.stop()
    }
}
