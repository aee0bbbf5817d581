import Backing
import Crypto
import ErasureCoding
import Foundation
import Primitives
import TestSupport
import Testing

/// Today's primitives over HTTP against the real binary: a claim-queue leaf with node features, a V2
/// candidate seconded and backed with its core index injected, the upstream backing vector encoded byte
/// for byte with and without ElasticScalingMVP, and descriptors that break a rule refused.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct ClaimQueueOverHTTPTests {
    static func claimQueueLeaf(
        _ queues: [UInt32: [UInt32]] = [0: [1, 1, 1], 1: [2, 2, 2], 2: [3, 3, 3]],
        features: Set<NodeFeatures.Feature> = [.candidateReceiptV2, .elasticScalingMVP]
    ) -> Leaf {
        var leaf = Scenario.leaf(cores: [])
        leaf.claimQueue = ClaimQueue(
            Dictionary(uniqueKeysWithValues: queues.map { (CoreIndex($0.key), $0.value.map { ParaId($0) }) }))
        leaf.nodeFeatures = NodeFeatures(enabled: features)
        leaf.schedulingLookahead = 3
        return leaf
    }

    /// A V2 candidate of para 1 at the scenario's relay parent whose outputs are the scenario validator's
    /// "valid" answer (head data [4,5,6]) plus `upwardMessages`.
    static func v2Candidate(
        core: CoreIndex, session: SessionIndex = 1, pov: [UInt8], upwardMessages: [Bytes] = []
    ) throws -> CommittedCandidateReceipt {
        var commitments = CandidateCommitments(headData: HeadData(bytes: [4, 5, 6]))
        commitments.upwardMessages = upwardMessages
        let root = try ErasureCoding.erasureRoot(
            nValidators: 6, availableData: AvailableData(pov: PoV(pov), validationData: Scenario.validationData))
        let descriptor = CandidateDescriptorV2(
            paraId: 1, relayParent: Scenario.relayParent, coreIndex: core, sessionIndex: session,
            persistedValidationDataHash: Scenario.validationData.hash, povHash: PoV(pov).hash, erasureRoot: root,
            paraHead: commitments.headData.hash, validationCodeHash: .zero)
        return CommittedCandidateReceipt(descriptor: CandidateDescriptor(descriptor), commitments: commitments)
    }

    @Test func aV2CandidateSecondedAndBackedAtAClaimQueueLeafCarriesItsCoreInjected() async throws {
        let h = try await SeedHarness.start(leaf: Self.claimQueueLeaf())
        let leafState = try await h.api.get("/v1/leaves/\(Scenario.relayParent.hex)").object
        #expect((leafState?["assignment"] as? [String: Any])?["coreIndex"] as? Int == 0)
        #expect((leafState?["cores"] as? [[String: Any]])?.map { $0["paraId"] as? Int } == [1, 2, 3])

        let candidate = try Self.v2Candidate(core: 0, pov: [1, 2, 3])
        h.onValidation(of: [1, 2, 3], .valid)
        let second = try await h.second(candidate, pov: [1, 2, 3])
        #expect(second.object?["accepted"] as? Bool == true, "\(second.text)")
        var hooks = await h.hooks(4)
        #expect(
            hooks.compactMap(\.event) == [
                "availability.stored", "dispute.statements", "statement.share", "collator.seconded",
            ])
        // The descriptor travels in its v2 field set.
        let shared = try #require(hooks[2].json?["statement"] as? [String: Any])
        let seconded = (shared["payload"] as? [String: Any])?["seconded"] as? [String: Any]
        let descriptor = try #require(seconded?["descriptor"] as? [String: Any])
        #expect(descriptor["coreIndex"] as? Int == 0)
        #expect(descriptor["collator"] == nil)
        let aliceSignature = try #require(shared["signature"] as? String)

        let valid2 = Scenario.sign(.valid(candidate.hash), by: 2)
        let valid3 = Scenario.sign(.valid(candidate.hash), by: 3)
        try await h.post(valid2)
        try await h.post(valid3)
        hooks = await h.hooks(7)
        #expect(hooks.last?.event == "provisioner.backed")

        let backed = try #require(await h.backedCandidates([candidate.hash]).first)
        #expect(backed["coreIndex"] as? Int == 0)
        // Group [2, 0, 3, 5]: votes of 2, 0 (ours, implicit) and 3 → bits 1110, then the 8 bits of core 0:
        // compact(12) = 0x30, bytes 0x07 0x00. Votes in group order: 2 explicit, 0 implicit, 3 explicit.
        #expect(backed["validatorIndices"] as? String == "0x300700")
        let votes: [String] = [
            "02" + String(valid2.signature.hex.dropFirst(2)), "01" + String(aliceSignature.dropFirst(2)),
            "02" + String(valid3.signature.hex.dropFirst(2)),
        ]
        let expected: String = Hex.encode(candidate.scaleEncoded) + "0c" + votes.joined() + "300700"
        #expect(backed["encoded"] as? String == expected)
        await h.stop()
    }

    struct VectorFile: Decodable {
        struct Signer: Decodable {
            let validatorIndex: UInt32
            let kind: String
            let signature: Sr25519Signature
        }
        struct Vector: Decodable {
            struct Backed: Decodable { let candidate: CommittedCandidateReceipt }
            let name: String
            let backedCandidate: Backed
            let relayParent: Hash
            let sessionIndex: SessionIndex
            let validatorIndicesEncoded: String
            let validatorIndicesEncodedWithoutCore: String
            let encoded: String
            let signers: [Signer]
        }
        let vectors: [Vector]
    }

    /// `backed-candidates.json` `upstream-backing_works-bits`: the statements of polkadot-sdk's
    /// `backing_works` (group [2,0,3,5], votes of 2, 0 and 5), signed by the vector's dev keys, posted to an
    /// observing node; its backed candidate is the vector's encoding, made by an independent encoder.
    @Test func theUpstreamBackingVectorIsEncodedByteForByteWithAndWithoutElasticScaling() async throws {
        let vector = try #require(
            try Fixture.load(VectorFile.self, from: "modern/backed-candidates.json").vectors.first {
                $0.name == "upstream-backing_works-bits"
            })
        let candidate = vector.backedCandidate.candidate
        var leaf = Self.claimQueueLeaf()
        leaf.hash = vector.relayParent
        leaf.sessionIndex = vector.sessionIndex
        leaf.validators = ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"].map { Sr25519Keypair.dev($0).publicKey }
        let h = try await SeedHarness.start(validator: nil, leaf: leaf)
        let statements = vector.signers.map { signer in
            SignedFullStatement(
                payload: signer.kind == "seconded" ? .seconded(candidate) : .valid(candidate.hash),
                validatorIndex: ValidatorIndex(signer.validatorIndex), signature: signer.signature)
        }
        func postAll() async throws {
            for statement in statements {
                let answer = try await h.api.send(
                    "POST", "/v1/statements",
                    body: try Scenario.json(Scenario.StatementBody(relayParent: leaf.hash, statement: statement)))
                #expect(answer.status == 200, "\(answer.text)")
            }
        }
        func backed() async throws -> [String: Any]? {
            let answer = try await h.api.post(
                "/v1/backed-candidates", json: ["relayParent": leaf.hash.hex, "candidateHashes": [candidate.hash.hex]])
            return (answer.object?["backedCandidates"] as? [[String: Any]])?.first
        }
        try await postAll()
        let injected = try #require(try await backed())
        #expect(injected["encoded"] as? String == vector.encoded)
        #expect(injected["validatorIndices"] as? String == vector.validatorIndicesEncoded)
        #expect(injected["coreIndex"] as? Int == 0)

        // The same leaf with ElasticScalingMVP off: the plain group bits.
        #expect((200..<300).contains(try await h.api.send("DELETE", "/v1/leaves/\(leaf.hash.hex)").status))
        leaf.nodeFeatures = NodeFeatures(enabled: [.candidateReceiptV2])
        #expect(try await h.api.send("POST", "/v1/leaves", body: try Scenario.json(leaf)).status == 201)
        try await postAll()
        let plain = try #require(try await backed())
        let withoutCore =
            String(vector.encoded.dropLast(vector.validatorIndicesEncoded.count - 2))
            + vector.validatorIndicesEncodedWithoutCore.dropFirst(2)
        #expect(plain["encoded"] as? String == withoutCore)
        #expect(plain["validatorIndices"] as? String == vector.validatorIndicesEncodedWithoutCore)
        #expect(plain["coreIndex"] as? Int == 0)
        await h.stop()
    }

    @Test func descriptorsWithTheWrongCoreOrSessionOrConflictingSignalsAreRefusedNamingTheRule() async throws {
        // Para 1 on cores 0 and 1; Alice's group backs core 0.
        let h = try await SeedHarness.start(leaf: Self.claimQueueLeaf([0: [1, 1], 1: [1, 1], 2: [3]]))
        let wrongCore = try Self.v2Candidate(core: 1, pov: [1])
        let refused = try await h.second(wrongCore, pov: [1])
        #expect(refused.status == 202)
        #expect(refused.object?["accepted"] as? Bool == false)
        #expect((refused.object?["reason"] as? String)?.hasPrefix("InvalidCoreIndex:") == true, "\(refused.text)")
        #expect(await h.hooks(1).first?.event == "collator.invalid")

        func postSeconded(_ candidate: CommittedCandidateReceipt) async throws -> APIClient.Answer {
            try await h.api.send(
                "POST", "/v1/statements",
                body: try Scenario.json(
                    Scenario.StatementBody(
                        relayParent: Scenario.relayParent, statement: Scenario.sign(.seconded(candidate), by: 2))))
        }
        let wrongSession = try await postSeconded(try Self.v2Candidate(core: 0, session: 2, pov: [1]))
        #expect(wrongSession.status == 422)
        #expect(wrongSession.text.contains("InvalidSessionIndex"), "\(wrongSession.text)")
        let selectCore1 = Bytes(bytes: UMPSignal.selectCore(CoreSelector(1), ClaimQueueOffset(0)).scaleEncoded)
        let conflicting = try await postSeconded(
            try Self.v2Candidate(core: 0, pov: [1], upwardMessages: [Bytes(bytes: []), selectCore1]))
        #expect(conflicting.status == 422)
        #expect(conflicting.text.contains("CoreIndexMismatch"), "\(conflicting.text)")
        let state = try await h.api.get("/v1/leaves/\(Scenario.relayParent.hex)").object
        #expect((state?["candidates"] as? [Any])?.isEmpty == true)

        // The tool reads the same candidate's signals, and names a duplicate.
        let tool = try await h.api.post(
            "/v1/tools/candidate-hash",
            json: [
                "candidate": try JSONSerialization.jsonObject(
                    with: JSONOutput.encode(
                        try Self.v2Candidate(core: 0, pov: [1], upwardMessages: [Bytes(bytes: []), selectCore1])))
            ])
        #expect(tool.status == 200)
        #expect(tool.object?["descriptorVersion"] as? String == "v2")
        #expect(tool.object?["coreIndex"] as? Int == 0)
        #expect(tool.object?["sessionIndex"] as? Int == 1)
        #expect(
            (tool.object?["umpSignals"] as? [String: Any])?["selectCore"] as? [String: Int] == [
                "coreSelector": 1, "claimQueueOffset": 0,
            ])
        let duplicate = try await h.api.post(
            "/v1/tools/candidate-hash",
            json: [
                "candidate": try JSONSerialization.jsonObject(
                    with: JSONOutput.encode(
                        try Self.v2Candidate(
                            core: 0, pov: [1], upwardMessages: [Bytes(bytes: []), selectCore1, selectCore1])))
            ])
        #expect(duplicate.status == 422)
        #expect(duplicate.text.contains("DuplicateUMPSignal"), "\(duplicate.text)")
        #expect(duplicate.text.contains("candidate.commitments.upwardMessages"))
        await h.stop()
    }
}
