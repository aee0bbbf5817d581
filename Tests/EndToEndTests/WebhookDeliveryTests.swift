import Backing
import CSodium
import Foundation
import HTTPServer
import Primitives
import Synchronization
import Testing
import Webhooks

/// Web-hooks from the real binary to a real receiver: the seed's `backing_second_works` over HTTP with an
/// external validator, signatures, retries, and kill -9.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct WebhookDeliveryTests {
    static func hmac(_ body: [UInt8], secret: String) -> String {
        var out = [UInt8](repeating: 0, count: Int(crypto_auth_hmacsha256_BYTES))
        var state = crypto_auth_hmacsha256_state()
        let key = Array(secret.utf8)
        crypto_auth_hmacsha256_init(&state, key, key.count)
        crypto_auth_hmacsha256_update(&state, body, UInt64(body.count))
        crypto_auth_hmacsha256_final(&state, &out)
        return "sha256=" + Hex.encode(out, prefix: false)
    }

    @Test func secondingOverHTTPDeliversTheSeedsMessagesInOrderSignedAndRetried() async throws {
        let peer = try TestPeer()
        defer { Task { await peer.stop() } }
        // The first web-hook attempt fails with 500; the retry succeeds.
        let attempts = AttemptCounter()
        peer.on("/hooks") { _ in attempts.next() == 1 ? HTTPResponse(status: 500) : HTTPResponse(status: 204) }
        let valid = try Scenario.validAnswer()
        peer.on("/validate") { _ in
            HTTPResponse(status: 200, headers: ["content-type": "application/json"], body: valid)
        }

        let node = BackingdProcess(arguments: [
            "--validator-seed", "//Alice", "--validation-url", "\(peer.url)/validate", "--webhook",
            "*=\(peer.url)/hooks",
            "--webhook-secret", "hook-secret",
        ])
        try await node.start()
        let curl = CurlClient()
        defer { curl.shutdown() }
        let api = APIClient(baseURL: node.baseURL, client: curl)
        #expect(try await api.send("POST", "/v1/leaves", body: try Scenario.json(Scenario.leaf())).status == 201)

        let candidate = try Scenario.candidate(pov: [42, 43, 44], head: [4, 5, 6])
        let second = try await api.send(
            "POST", "/v1/second",
            body: try Scenario.json(
                Scenario.SecondBody(
                    relayParent: Scenario.relayParent, candidate: candidate.plainReceipt, pov: PoV([42, 43, 44]))))
        #expect(second.status == 202)
        #expect(second.object?["accepted"] as? Bool == true)

        // The validator got the candidate, the PoV and the 2 s timeout.
        let validation = try #require(await peer.waitFor(1, to: "/validate").first?.json)
        #expect(validation["executionTimeoutMs"] as? Int == 2000)

        // availability.stored, dispute.statements, statement.share, collator.seconded — plus one retry.
        let hooks = await peer.waitFor(5, to: "/hooks")
        #expect(hooks.count == 5)
        // The retry keeps its id.
        #expect(hooks[0].headers["x-backing-delivery"] == hooks[1].headers["x-backing-delivery"])
        let delivered = Array(hooks.dropFirst())
        #expect(
            delivered.map(\.event) == [
                "availability.stored", "dispute.statements", "statement.share", "collator.seconded",
            ])
        for hook in hooks {
            #expect(hook.headers["x-backing-signature"] == Self.hmac(hook.body, secret: "hook-secret"))
            #expect(hook.headers["content-type"]?.hasPrefix("application/json") == true)
        }
        let share = try #require(delivered[2].json)
        #expect(share["relayParent"] as? String == Scenario.relayParent.hex)
        let statement = try #require(share["statement"] as? [String: Any])
        #expect(statement["validatorIndex"] as? Int == 0)

        // A statement.share body is postable unchanged to a node's /v1/statements: the same node already
        // has it, so it changes nothing but is accepted.
        let reposted = try await api.send("POST", "/v1/statements", body: delivered[2].body)
        #expect(reposted.status == 200, "\(reposted.text)")
        #expect(reposted.object?["candidateHash"] as? String == candidate.hash.hex)

        // Re-posting told the dispute coordinator again (allowed, contract §7.7): one more delivery.
        await peer.waitFor(6, to: "/hooks")
        // The receiver has the sixth POST before the node has its answer and records the delivery, so
        // the listing is read until it shows all five (or for at most 5 s).
        var deliveredEvents: [String] = []
        for _ in 0..<100 {
            let listing = try await api.get("/v1/webhooks/deliveries?status=delivered")
            deliveredEvents = (listing.json as? [[String: Any]])?.compactMap { $0["event"] as? String } ?? []
            if deliveredEvents.count >= 5 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(
            deliveredEvents.sorted()
                == [
                    "availability.stored", "collator.seconded", "dispute.statements", "dispute.statements",
                    "statement.share",
                ])
        #expect(await node.stop() == 0)
    }

    @Test func killMinus9WhileTheReceiverIsDownLosesNothing() async throws {
        // Reserve a port for the receiver, then leave it down.
        let probe = try TestPeer()
        let port = UInt16(probe.url.split(separator: ":").last!)!
        await probe.stop()

        let data = BackingdProcess.temporaryDirectory()
        let arguments = ["--webhook", "*=http://127.0.0.1:\(port)/hooks"]
        let first = BackingdProcess(arguments: arguments, dataDirectory: data)
        try await first.start()
        let curl = CurlClient()
        defer { curl.shutdown() }
        var api = APIClient(baseURL: first.baseURL, client: curl)
        #expect(try await api.send("POST", "/v1/leaves", body: try Scenario.json(Scenario.leaf())).status == 201)
        let candidate = try Scenario.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        for (statement, index) in [
            (Statement.seconded(candidate), UInt32(0)), (.valid(candidate.hash), 5), (.valid(candidate.hash), 2),
        ] {
            let answer = try await api.send(
                "POST", "/v1/statements",
                body: try Scenario.json(
                    Scenario.StatementBody(
                        relayParent: Scenario.relayParent, statement: Scenario.sign(statement, by: index))))
            #expect(answer.status == 200)
        }
        // Answered, hence committed: DC(0), DC(5), DC(2) and the backed candidate. Now kill -9.
        await first.kill()

        let receiver = try TestPeer(port: port)
        defer { Task { await receiver.stop() } }
        let second = BackingdProcess(arguments: arguments, dataDirectory: data)
        try await second.start()
        api = APIClient(baseURL: second.baseURL, client: curl)
        let hooks = await receiver.waitFor(4, to: "/hooks")
        let ids = Set(hooks.compactMap { $0.headers["x-backing-delivery"] })
        #expect(ids.count == 4)
        #expect(Set(hooks.compactMap(\.event)) == ["dispute.statements", "provisioner.backed"])
        let backed = hooks.first { $0.event == "provisioner.backed" }?.json
        #expect(backed?["candidateHash"] as? String == candidate.hash.hex)
        // The receiver sees a delivery before the node records its 2xx: wait for the outbox to catch up.
        var listedIds = Set<String>()
        let deadline = ContinuousClock.now + .seconds(20)
        while listedIds.count < 4, ContinuousClock.now < deadline {
            let listed = try await api.get("/v1/webhooks/deliveries?status=delivered&limit=10")
            listedIds = Set(
                ((listed.json as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }.map { $0.lowercased() })
            if listedIds.count < 4 { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(listedIds == Set(ids.map { $0.lowercased() }))
        #expect(await second.stop() == 0)
    }
}

/// Counts calls from any thread.
final class AttemptCounter: Sendable {
    private let count = Mutex(0)
    func next() -> Int {
        count.withLock {
            $0 += 1; return $0
        }
    }
}
