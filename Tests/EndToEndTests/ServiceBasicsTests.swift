import Foundation
import Testing
import Webhooks

/// The node as a user meets it: health, the spec, the error statuses of the contract.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ServiceBasicsTests {
    @Test func healthReadinessSpecAndMetricsAreServed() async throws {
        let node = BackingdProcess(arguments: ["--dev"])
        try await node.start()
        let curl = CurlClient()
        let api = APIClient(baseURL: node.baseURL, client: curl)
        #expect(try await api.get("/healthz").object?["status"] as? String == "ok")
        #expect(try await api.get("/readyz").status == 200)
        let spec = try await api.get("/openapi.yaml")
        #expect(spec.status == 200)
        #expect(spec.text.hasPrefix("openapi: 3.1"))
        let metrics = try await api.get("/metrics")
        #expect(metrics.text.contains("backingd_http_requests_total"))
        #expect(await node.stop() == 0)
        curl.shutdown()
    }
}
