import Backing
import Foundation
import Primitives
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

extension ServiceBasicsTests {
    @Test func toolsAndValidationCodeRegistryAnswerAsTheContractSays() async throws {
        let node = BackingdProcess(arguments: [])
        try await node.start()
        let curl = CurlClient()
        defer { curl.shutdown() }
        let api = APIClient(baseURL: node.baseURL, client: curl)
        // Vector A of the research note: candidate hash 0x5ca19765…, commitments hash 0x1c60d15e….
        let candidate = CommittedCandidateReceipt(
            descriptor: CandidateDescriptor(paraId: 1, relayParent: H256(repeating: 5), povHash: PoV([1, 2, 3]).hash),
            commitments: CandidateCommitments(headData: HeadData(bytes: [4, 5, 6])))
        for body in [
            try Scenario.json(["candidate": candidate]), try Scenario.json(["candidate": candidate.plainReceipt]),
        ] {
            let answer = try await api.send("POST", "/v1/tools/candidate-hash", body: body)
            #expect(
                answer.object?["candidateHash"] as? String
                    == "0x5ca19765ded5cf6d8d8278f439de0fbe57e6a97d94588b2c37643cb70bb9d9ec")
            #expect(
                answer.object?["commitmentsHash"] as? String
                    == "0x1c60d15e03474774fb41adf24a7f7185d72ca7401c79a35b0dcfc3b168565b78")
        }
        struct ErasureBody: Encodable {
            let nValidators: Int
            let availableData: AvailableData
        }
        let root = try await api.send(
            "POST", "/v1/tools/erasure-root",
            body: try Scenario.json(
                ErasureBody(
                    nValidators: 6,
                    availableData: AvailableData(pov: PoV([1, 2, 3]), validationData: Scenario.validationData))))
        #expect(
            root.object?["erasureRoot"] as? String
                == "0x6d18dd3467a2038fd4ec45d0f543de44a5c907c93d6ed2a66bf616abcbc605cb")
        #expect(root.object?["chunkCount"] as? Int == 6)
        let tooFew = try await api.send(
            "POST", "/v1/tools/erasure-root",
            body: try Scenario.json(
                ErasureBody(
                    nValidators: 1, availableData: AvailableData(pov: PoV([1]), validationData: Scenario.validationData)
                )))
        #expect(tooFew.status == 422)

        let wasm: [UInt8] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]
        let first = try await api.send("PUT", "/v1/validation-code", body: wasm, contentType: "application/wasm")
        #expect(first.status == 201)
        #expect(first.object?["validationCodeHash"] as? String == Blake2b.hash256(wasm).hex)
        let again = try await api.send(
            "PUT", "/v1/validation-code", body: try Scenario.json(["code": Bytes(bytes: wasm)]))
        #expect(again.status == 200)
        #expect(await node.stop() == 0)
    }
}

extension ServiceBasicsTests {
    /// Invalid UTF-8 anywhere in a JSON body, even in a field the endpoint does not know, is a 400 naming
    /// its byte offset (it was accepted with 200 before).
    @Test func invalidUTF8AnywhereInAJSONBodyIsA400WithItsByteOffset() async throws {
        let node = BackingdProcess(arguments: [])
        try await node.start()
        let curl = CurlClient()
        let api = APIClient(baseURL: node.baseURL, client: curl)
        let prefix = Array(#"{"candidate":{"descriptor":{},"commitmentsHash":"0x00"},"note":""#.utf8)
        let body = prefix + [0xF0, 0x28, 0x8C, 0x28] + Array(#""}"#.utf8)
        let answer = try await api.send("POST", "/v1/tools/candidate-hash", body: body)
        #expect(answer.status == 400)
        #expect(answer.header("content-type")?.hasPrefix("application/problem+json") == true)
        #expect(answer.text.contains("invalid UTF-8 at byte offset \(prefix.count)"), "\(answer.text)")
        #expect(await node.stop() == 0)
        curl.shutdown()
    }
}
