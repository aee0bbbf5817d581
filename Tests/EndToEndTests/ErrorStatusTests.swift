import Backing
import Foundation
import HTTPServer
import Primitives
import Testing
import Webhooks

/// Every error status of the contract, from the real binary: a problem+json body naming the field,
/// and nothing changed.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ErrorStatusTests {
    static func problem(_ answer: APIClient.Answer, _ status: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(answer.status == status, "\(answer.text)", sourceLocation: sourceLocation)
        #expect(
            answer.header("content-type")?.hasPrefix("application/problem+json") == true, sourceLocation: sourceLocation
        )
        #expect(answer.object?["status"] as? Int == status, sourceLocation: sourceLocation)
        #expect((answer.object?["detail"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
    }

    @Test func everyContractErrorStatusIsAProblemAndChangesNothing() async throws {
        let node = BackingdProcess(arguments: [
            "--validator-seed", "//Alice", "--auth-token", "sesame", "--max-body", "65536",
        ])
        try await node.start()
        let curl = CurlClient()
        defer { curl.shutdown() }
        let anonymous = APIClient(baseURL: node.baseURL, client: curl)
        var api = anonymous
        api.token = "sesame"
        let leaf = try Scenario.json(Scenario.leaf())

        // 401: mutating without (or with a wrong) token; reading needs none.
        Self.problem(try await anonymous.send("POST", "/v1/leaves", body: leaf), 401)
        var wrong = anonymous
        wrong.token = "open"
        Self.problem(try await wrong.send("POST", "/v1/leaves", body: leaf), 401)
        #expect(try await anonymous.get("/v1/leaves").status == 200)

        // 400: malformed JSON, a bad field (named), a malformed hash in the path, nesting too deep.
        Self.problem(try await api.send("POST", "/v1/leaves", body: Array("{\"hash\":".utf8)), 400)
        let shortHash = String(decoding: leaf, as: UTF8.self).replacingOccurrences(
            of: "\"hash\":\"0x05050505", with: "\"hash\":\"0x050505")
        let badField = try await api.send("POST", "/v1/leaves", body: Array(shortHash.utf8))
        Self.problem(badField, 400)
        #expect(
            (badField.object?["detail"] as? String)?.hasPrefix("hash: expected 32 bytes, got 31") == true,
            "\(badField.text)")
        Self.problem(try await api.get("/v1/leaves/0x1234"), 400)
        Self.problem(
            try await api.send(
                "POST", "/v1/leaves",
                body: Array((String(repeating: "[", count: 70) + String(repeating: "]", count: 70)).utf8)), 400)

        // 415 and 413.
        Self.problem(try await api.send("POST", "/v1/leaves", body: leaf, contentType: "text/plain"), 415)
        Self.problem(try await api.send("POST", "/v1/leaves", body: [UInt8](repeating: 0x20, count: 70_000)), 413)

        // 201, 200 for the same leaf again (idempotent), 409 for other runtime data under its hash; 422
        // for runtime data that cannot be.
        #expect(try await api.send("POST", "/v1/leaves", body: leaf).status == 201)
        #expect(try await api.send("POST", "/v1/leaves", body: leaf).status == 200)
        var renumbered = Scenario.leaf()
        renumbered.number += 1
        Self.problem(try await api.send("POST", "/v1/leaves", body: try Scenario.json(renumbered)), 409)
        var impossible = Scenario.leaf(hash: H256(repeating: 9))
        impossible.validatorGroups = [[0, 6]]
        let unprocessable = try await api.send("POST", "/v1/leaves", body: try Scenario.json(impossible))
        Self.problem(unprocessable, 422)
        #expect((unprocessable.object?["detail"] as? String)?.contains("validatorGroups[0][1]") == true)

        // 404: an unknown leaf, for reads and for messages to it; an unknown path.
        Self.problem(try await api.get("/v1/leaves/\(H256(repeating: 9).hex)"), 404)
        let candidate = try Scenario.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        let statement = Scenario.sign(.seconded(candidate), by: 2)
        Self.problem(
            try await api.send(
                "POST", "/v1/statements",
                body: try Scenario.json(Scenario.StatementBody(relayParent: H256(repeating: 9), statement: statement))),
            404)
        Self.problem(try await api.get("/v1/nothing-here"), 404)
        Self.problem(try await api.get("/v1/povs/\(candidate.hash.hex)"), 404)

        // 405 with Allow.
        let wrongMethod = try await api.send("PUT", "/v1/leaves", body: leaf)
        Self.problem(wrongMethod, 405)
        #expect(wrongMethod.header("allow")?.contains("POST") == true)

        // 422: a forged signature and an out-of-range validator index; nothing is imported.
        var forged = statement
        forged.validatorIndex = 3
        Self.problem(
            try await api.send(
                "POST", "/v1/statements",
                body: try Scenario.json(Scenario.StatementBody(relayParent: Scenario.relayParent, statement: forged))),
            422)
        var outOfRange = statement
        outOfRange.validatorIndex = 6
        Self.problem(
            try await api.send(
                "POST", "/v1/statements",
                body: try Scenario.json(
                    Scenario.StatementBody(relayParent: Scenario.relayParent, statement: outOfRange))), 422)
        let state = try await api.get("/v1/leaves/\(Scenario.relayParent.hex)")
        #expect((state.object?["candidates"] as? [Any])?.isEmpty == true)

        // A batch: each entry answered in order; a bad entry gets its own error.
        struct Batch: Encodable {
            let relayParent: Hash
            let statements: [SignedFullStatement]
        }
        let batch = try await api.send(
            "POST", "/v1/statements/batch",
            body: try Scenario.json(
                Batch(
                    relayParent: Scenario.relayParent,
                    statements: [statement, forged, Scenario.sign(.valid(candidate.hash), by: 3)])))
        #expect(batch.status == 200)
        let results = try #require(batch.object?["results"] as? [[String: Any]])
        #expect(results.count == 3)
        #expect((results[0]["summary"] as? [String: Any])?["validityVotes"] as? Int == 1)
        #expect((results[1]["error"] as? [String: Any])?["status"] as? Int == 422)
        #expect((results[2]["summary"] as? [String: Any])?["validityVotes"] as? Int == 2)
        let malformedEntry =
            "{\"relayParent\":\"\(Scenario.relayParent.hex)\",\"statements\":[{\"payload\":{\"valid\":\"0x00\"},\"validatorIndex\":0,\"signature\":\"0x00\"}]}"
        let entryError = try await api.send("POST", "/v1/statements/batch", body: Array(malformedEntry.utf8))
        #expect(entryError.status == 200)
        let entryProblem = ((entryError.object?["results"] as? [[String: Any]])?.first?["error"] as? [String: Any])
        #expect(
            entryProblem?["detail"] as? String == "statements[0].payload.valid: expected 32 bytes, got 1",
            "\(entryError.text)")
        Self.problem(try await api.send("POST", "/v1/statements/batch", body: Array("{\"relayParent\": [".utf8)), 400)

        #expect(await node.stop() == 0)
    }
}
