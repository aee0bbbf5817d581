import Backing
import Crypto
import Foundation
import Primitives
import Testing
import Validation
import Webhooks

/// Two backingd processes wired as a network back an adder candidate with embedded validation:
/// Alice seconds it, her `statement.share` web-hook reaches Bob's `/v1/statements`, Bob fetches the PoV
/// from Alice, validates the PVF himself and his Valid statement comes back the same way.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct TwoNodeBackingTests {
    /// A port that is free now (bound to 0 and released).
    static func freePort() async throws -> UInt16 {
        let probe = try TestPeer()
        // Safe because: the URL always ends in :PORT.
        let port = UInt16(probe.url.split(separator: ":").last!)!
        await probe.stop()
        return port
    }

    /// The first of `count` consecutive ports that are free now, below the kernel's ephemeral range (32768 and
    /// up). Why not ``freePort()`` and the ports after it: that one comes from the ephemeral range, and the port
    /// right after it is where the kernel puts the next outgoing connection, so a devnet's second node found it
    /// taken about once in six runs.
    static func freeConsecutivePorts(_ count: Int) async throws -> UInt16 {
        while true {
            let base = UInt16.random(in: 20000...(32767 - UInt16(count)))
            var probes: [TestPeer] = []
            for offset in 0..<count {
                guard let probe = try? TestPeer(port: base + UInt16(offset)) else { break }
                probes.append(probe)
            }
            for probe in probes { await probe.stop() }
            if probes.count == count { return base }
        }
    }

    @Test func aliceAndBobBackAnAdderCandidateBetweenThem() async throws {
        let alice = Sr25519Keypair.dev("Alice").publicKey
        let bob = Sr25519Keypair.dev("Bob").publicKey
        let (portA, portB) = (try await Self.freePort(), try await Self.freePort())
        let urlA = "http://127.0.0.1:\(portA)"
        let urlB = "http://127.0.0.1:\(portB)"
        let nodeA = BackingdProcess(arguments: [
            "--dev", "--validator-seed", "//Alice", "--webhook", "statement.share=\(urlB)/v1/statements", "--peer",
            "\(bob.hex)=\(urlB)",
        ])
        let nodeB = BackingdProcess(arguments: [
            "--dev", "--validator-seed", "//Bob", "--webhook", "statement.share=\(urlA)/v1/statements", "--peer",
            "\(alice.hex)=\(urlA)",
        ])
        try await nodeA.start(listen: "127.0.0.1:\(portA)")
        try await nodeB.start(listen: "127.0.0.1:\(portB)")
        let curl = CurlClient()
        defer { curl.shutdown() }
        let apiA = APIClient(baseURL: urlA, client: curl)
        let apiB = APIClient(baseURL: urlB, client: curl)

        let relayParent = H256(repeating: 0x42)
        let genesis = AdderParachain.Head.genesis().headData
        let leaf = Scenario.aliceAndBobAdderLeaf(hash: relayParent)
        for api in [apiA, apiB] {
            let activated = try await api.send("POST", "/v1/leaves", body: try Scenario.json(leaf))
            #expect(activated.status == 201, "\(activated.text)")
        }

        let collation = try AdderCollator.collate(
            parentHead: genesis, block: AdderParachain.Block(state: 0, add: 7),
            context: AdderCollator.Context(relayParent: relayParent, relayParentNumber: 10, validatorCount: 2),
            collator: Sr25519Keypair.dev("Two"))
        let second = try await apiA.send(
            "POST", "/v1/second",
            body: try Scenario.json(
                Scenario.SecondBody(relayParent: relayParent, candidate: collation.candidate, pov: collation.pov)))
        #expect(second.object?["accepted"] as? Bool == true, "\(second.text)")

        struct Query: Encodable {
            let relayParent: Hash
            let candidateHashes: [CandidateHash]
        }
        let query = try Scenario.json(Query(relayParent: relayParent, candidateHashes: [collation.candidateHash]))
        for (name, api) in [("Alice", apiA), ("Bob", apiB)] {
            var backed: [[String: Any]] = []
            let deadline = ContinuousClock.now + .seconds(60)
            while backed.isEmpty, ContinuousClock.now < deadline {
                let answer = try await api.send("POST", "/v1/backed-candidates", body: query)
                backed = answer.object?["backedCandidates"] as? [[String: Any]] ?? []
                if backed.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
            }
            let candidate = try #require(
                backed.first, "\(name)'s node never backed the candidate:\n\(nodeA.logs.value)\n\(nodeB.logs.value)")
            #expect((candidate["validityVotes"] as? [Any])?.count == 2, "\(name)")
            #expect(candidate["validatorIndices"] as? String == "0x0803", "\(name)")
        }
        // Bob validated with his own PVF run on the PoV fetched from Alice, and stored it.
        let stored = try await apiB.get("/v1/availability/\(collation.candidateHash.hex)")
        #expect(stored.status == 200)
        #expect(stored.object?["erasureRoot"] as? String == collation.candidate.descriptor.erasureRoot.hex)
        #expect(await nodeA.stop() == 0)
        #expect(await nodeB.stop() == 0)
    }
}
