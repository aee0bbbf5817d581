import Foundation
import Testing
import Webhooks

/// `serve --devnet-dashboard` (a node of `devnet --processes`): it keeps the network description the
/// devnet PUTs to `/v1/devnet` and answers it; a plain node has no such resource.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct DevnetDocumentTests {
    @Test func aDevnetNodeAnswersTheLastDescriptionPutAndRefusesOneThatIsNotAJSONObject() async throws {
        let node = BackingdProcess(arguments: ["--devnet-dashboard", "--auth-token", "sesame"])
        try await node.start()
        let curl = CurlClient()
        defer { curl.shutdown() }
        var api = APIClient(baseURL: node.baseURL, client: curl)

        #expect(try await api.get("/v1/devnet").status == 404, "nothing described yet")
        let description = Array(#"{"nodes":[{"index":0,"name":"Alice","pid":4242}],"processes":true}"#.utf8)
        #expect(
            try await api.send("PUT", "/v1/devnet", body: description).status == 401, "mutating: needs the token")
        api.token = "sesame"
        let refused = try await api.send("PUT", "/v1/devnet", body: Array("[1, 2]".utf8))
        #expect(refused.status == 400)
        #expect(refused.header("content-type") == "application/problem+json")
        #expect((refused.object?["detail"] as? String)?.hasPrefix("body:") == true, "\(refused.text)")
        #expect(try await api.send("PUT", "/v1/devnet", body: description).status == 204)
        let answered = try await api.get("/v1/devnet")
        #expect(answered.status == 200)
        #expect(answered.body == description)
        #expect(await node.stop() == 0)
    }

    @Test func aPlainNodeHasNoDevnetDescriptionAndTakesNone() async throws {
        let node = BackingdProcess(arguments: [])
        try await node.start()
        let curl = CurlClient()
        defer { curl.shutdown() }
        let api = APIClient(baseURL: node.baseURL, client: curl)
        #expect(try await api.get("/v1/devnet").status == 404)
        // The dashboard's static-file fallback takes the path, and refuses a PUT (405).
        let put = try await api.send("PUT", "/v1/devnet", body: Array("{}".utf8))
        #expect(put.status == 405, "\(put.status) \(put.text)")
        #expect(await node.stop() == 0)
    }
}
