import Backing
import Crypto
import Primitives
import StatementTable
import TestSupport
import Testing

/// Synchronous backing at a leaf with today's scheduling data: groups from the claim queue, V2
/// descriptors gated by node features, checked for session, core and UMP signals, and backed candidates
/// carrying their core index.
@Suite(.timeLimit(.minutes(1)))
struct ClaimQueueBackingTests {
    /// The seed's fixture with a claim queue (core 0 → para 1, core 1 → para 2, core 2 → para 3) and
    /// no availability cores; groups do not rotate at block 1, so group i backs core i.
    static func modernState(
        features: Set<NodeFeatures.Feature> = [.candidateReceiptV2, .elasticScalingMVP],
        claimQueue: [UInt32: [UInt32]] = [0: [1, 1, 1], 1: [2, 2, 2], 2: [3, 3, 3]]
    ) -> TestState {
        var state = TestState()
        state.availabilityCores = []
        state.claimQueue = ClaimQueue(
            Dictionary(uniqueKeysWithValues: claimQueue.map { (CoreIndex($0.key), $0.value.map { ParaId($0) }) }))
        state.nodeFeatures = NodeFeatures(enabled: features)
        return state
    }

    static let separator = Bytes(bytes: [])
    static func selectCore(_ selector: UInt8, _ offset: UInt8) -> Bytes {
        Bytes(bytes: UMPSignal.selectCore(CoreSelector(selector), ClaimQueueOffset(offset)).scaleEncoded)
    }

    /// Seconds `candidate` as Alice, answers its validation with `outcome` and returns our statement.
    func secondAndValidate(
        _ h: Harness, _ candidate: CommittedCandidateReceipt, pov: [UInt8], outcome: ValidationOutcome
    ) async throws -> SignedFullStatement {
        let outcomeOfSecond = await h.job.second(candidate.plainReceipt, pov: PoV(pov))
        #expect(outcomeOfSecond.accepted, "\(outcomeOfSecond.reason ?? "")")
        let call = try #require(await h.validator.calls.next())
        #expect(call.request.acceptsV2Descriptors == h.state.nodeFeatures!.isEnabled(.candidateReceiptV2))
        call.reply(outcome)
        try await h.expectStored(candidate)
        try await h.expectDisputeImport(candidate.hash, by: 0)
        let share = try await h.nextMessage()
        guard case .statementShare(_, let signed) = share else { throw Unexpected(share) }
        #expect(signed.payload == .seconded(candidate))
        return signed
    }

    @Test func theClaimQueueAssignsEachCoresGroupTheParaAtPositionZero() async throws {
        var state = Self.modernState(claimQueue: [0: [2, 1], 1: [1, 2], 2: [3]])
        state.nodeFeatures = nil
        let h = try await Harness(state)
        #expect(h.job.assignment == 2)
        #expect(h.job.localCore == 0)
        let leafState = await h.job.state()
        #expect(leafState.assignment?.coreIndex == 0)
        #expect(
            leafState.cores == [
                LeafState.Core(coreIndex: 0, paraId: 2, group: [2, 0, 3, 5]),
                LeafState.Core(coreIndex: 1, paraId: 1, group: [1]),
                LeafState.Core(coreIndex: 2, paraId: 3, group: [4]),
            ])
        #expect(leafState.groups == ["2": [2, 0, 3, 5], "1": [1], "3": [4]])
        // The claim queue replaces the availability cores: para 1 is not ours here.
        let refused = await h.job.second(try h.state.candidate(pov: [1], head: [4, 5, 6]).plainReceipt, pov: PoV([1]))
        #expect(refused.reason == "para 1 is not our assignment")
        await h.subsystem.stopAll()
    }

    @Test func aV2CandidateIsSecondedAndBackedWithItsCoreIndexInjected() async throws {
        let h = try await Harness(Self.modernState())
        let candidate = try h.state.v2Candidate(core: 0, pov: [1, 2, 3])
        let ours = try await secondAndValidate(
            h, candidate, pov: [1, 2, 3],
            outcome: .valid(candidate.commitments, h.state.validationData))
        #expect(try await h.nextMessage() == .collatorSeconded(relayParent: h.state.relayParent, statement: ours))
        _ = try await h.job.receive(h.state.sign(.valid(candidate.hash), by: 2))
        try await h.expectDisputeImport(candidate.hash, by: 2)
        let valid3 = h.state.sign(.valid(candidate.hash), by: 3)
        let summary = try await h.job.receive(valid3).summary
        #expect(summary == Summary(candidate: candidate.hash, groupId: 1, validityVotes: 3))
        try await h.expectDisputeImport(candidate.hash, by: 3)
        #expect(
            try await h.nextMessage()
                == .provisionerBacked(relayParent: h.state.relayParent, candidate: candidate.plainReceipt))
        let backed = try #require(await h.job.backedCandidates([candidate.hash]).first)
        #expect(backed.coreIndex == 0)
        // Group [2, 0, 3, 5]: Alice (0) at position 1, 2 at 0, 3 at 2; then 8 bits of core 0.
        #expect(backed.validatorIndices == BitVec([true, true, true, false] + [Bool](repeating: false, count: 8)))
        #expect(backed.validatorIndicesAndCoreIndex(coreIndexEnabled: true).coreIndex == 0)
        #expect(await h.job.state().candidates.first?.coreIndex == 0)
        await h.subsystem.stopAll()
    }

    @Test func withoutElasticScalingTheBackedCandidateKeepsThePlainGroupBits() async throws {
        let h = try await Harness(Self.modernState(features: [.candidateReceiptV2]))
        let candidate = try h.state.v2Candidate(core: 0, pov: [9])
        _ = try await h.job.receive(h.state.sign(.seconded(candidate), by: 2))
        _ = try await h.job.receive(h.state.sign(.valid(candidate.hash), by: 3))
        _ = try await h.job.receive(h.state.sign(.valid(candidate.hash), by: 5))
        let backed = try #require(await h.job.backedCandidates([candidate.hash]).first)
        #expect(backed.coreIndex == 0)
        #expect(backed.validatorIndices == BitVec([true, false, true, true]))
        await h.subsystem.stopAll()
    }

    @Test func anElasticParaOnTwoCoresIsBackedOnEachCoreByThatCoresGroup() async throws {
        // Para 1 on cores 0 and 1; one candidate selects core 0, the next core 1 (selector 0 and 1).
        let h = try await Harness(Self.modernState(claimQueue: [0: [1, 1], 1: [1, 1], 2: [3]]))
        var first = CandidateCommitments(headData: HeadData(bytes: [1]))
        first.upwardMessages = [Self.separator, Self.selectCore(0, 0)]
        var second = CandidateCommitments(headData: HeadData(bytes: [2]))
        second.upwardMessages = [Self.separator, Self.selectCore(1, 0)]
        let onCore0 = try h.state.v2Candidate(core: 0, pov: [1], commitments: first)
        let onCore1 = try h.state.v2Candidate(core: 1, pov: [2], commitments: second)
        // Core 1's group is [1] alone: its Seconded backs the candidate (a strict majority of one).
        let summary = try await h.job.receive(h.state.sign(.seconded(onCore1), by: 1)).summary
        #expect(summary == Summary(candidate: onCore1.hash, groupId: 1, validityVotes: 1))
        // Core 0's candidate needs its own group's votes; validator 1 is not in it.
        _ = try await h.job.receive(h.state.sign(.seconded(onCore0), by: 2))
        _ = try await h.job.receive(h.state.sign(.valid(onCore0.hash), by: 3))
        _ = try await h.job.receive(h.state.sign(.valid(onCore0.hash), by: 5))
        let backed = await h.job.backedCandidates([onCore0.hash, onCore1.hash])
        #expect(backed.map(\.coreIndex) == [0, 1])
        #expect(backed.map { $0.validatorIndicesAndCoreIndex(coreIndexEnabled: true).coreIndex } == [0, 1])
        #expect(backed[1].validatorIndices.count == 1 + 8)
        // Alice (core 0) validates core 0's candidate only.
        let fetch = try #require(await h.fetcher.calls.next())
        #expect(fetch.candidateHash == onCore0.hash)
        await h.subsystem.stopAll()
        #expect(h.fetcher.calls.pending.isEmpty)
    }

    @Test func aSecondThatBreaksADescriptorRuleIsRefusedAndReportedToTheCollator() async throws {
        let h = try await Harness(Self.modernState())
        var unknown = try h.state.v2Candidate(core: 0, pov: [1]).descriptor.v2
        unknown.version = 1
        let cases: [(CandidateReceipt, String)] = [
            (try h.state.v2Candidate(core: 1, pov: [1]).plainReceipt, "InvalidCoreIndex"),
            (try h.state.v2Candidate(core: 0, session: 2, pov: [1]).plainReceipt, "InvalidSessionIndex"),
            (CandidateReceipt(descriptor: CandidateDescriptor(unknown), commitmentsHash: .zero), "UnknownVersion"),
        ]
        for (receipt, rule) in cases {
            let outcome = await h.job.second(receipt, pov: PoV([1]))
            #expect(!outcome.accepted)
            #expect(outcome.reason?.hasPrefix(rule + ":") == true, "\(outcome.reason ?? "")")
            #expect(try await h.nextMessage() == .collatorInvalid(relayParent: h.state.relayParent, candidate: receipt))
        }
        #expect(h.validator.calls.pending.isEmpty)
        await h.subsystem.stopAll()

        let off = try await Harness(Self.modernState(features: [.elasticScalingMVP]))
        let refused = await off.job.second(try off.state.v2Candidate(core: 0, pov: [1]).plainReceipt, pov: PoV([1]))
        #expect(refused.reason?.hasPrefix("CandidateReceiptV2:") == true)
        await off.subsystem.stopAll()
    }

    @Test func signalsSelectingAnotherCoreMakeTheSecondedCandidateInvalid() async throws {
        let h = try await Harness(Self.modernState(claimQueue: [0: [1, 1], 1: [1, 1], 2: [3]]))
        var commitments = CandidateCommitments(headData: HeadData(bytes: [4, 5, 6]))
        commitments.upwardMessages = [Self.separator, Self.selectCore(1, 0)]
        let candidate = try h.state.v2Candidate(core: 0, pov: [7], commitments: commitments)
        #expect(await h.job.second(candidate.plainReceipt, pov: PoV([7])).accepted)
        try await h.answerValidation(of: candidate, pov: [7], with: .valid(commitments, h.state.validationData))
        #expect(
            try await h.nextMessage()
                == .collatorInvalid(relayParent: h.state.relayParent, candidate: candidate.plainReceipt))
        #expect(h.signingRecords.isEmpty)
        await h.subsystem.stopAll()
    }

    @Test func aSecondedStatementThatBreaksARuleIsRejectedNamingIt() async throws {
        let h = try await Harness(Self.modernState(claimQueue: [0: [1, 1], 1: [1, 1], 2: [3]]))
        var conflicting = CandidateCommitments(headData: HeadData(bytes: [1]))
        conflicting.upwardMessages = [Self.separator, Self.selectCore(1, 0)]
        var v1WithSignals = try h.state.candidate(pov: [1], head: [1])
        v1WithSignals.descriptor.collator = Sr25519Keypair.dev("Two").publicKey
        v1WithSignals.commitments.upwardMessages = [Self.separator, Self.selectCore(0, 0)]
        let cases: [(CommittedCandidateReceipt, CandidateRuleViolation)] = [
            (try h.state.v2Candidate(core: 1, pov: [1]), .coreMismatch(descriptor: 1, group: 0)),
            (try h.state.v2Candidate(core: 0, session: 7, pov: [1]), .sessionMismatch(descriptor: 7, leaf: 1)),
            (
                try h.state.v2Candidate(core: 0, pov: [1], commitments: conflicting),
                .umpSignals(.coreIndexMismatch(descriptor: 0, commitments: 1))
            ),
            (v1WithSignals, .umpSignals(.umpSignalWithV1Descriptor)),
            (try h.state.v2Candidate(para: 9, core: 0, pov: [1]), .umpSignals(.noAssignment)),
        ]
        for (candidate, violation) in cases {
            await #expect(throws: StatementRejection.candidateRule(violation)) {
                try await h.job.receive(h.state.sign(.seconded(candidate), by: 2))
            }
        }
        #expect(await h.job.state().candidates.isEmpty)
        #expect(h.sink.history.isEmpty)
        await h.subsystem.stopAll()
    }

    @Test func aV0912LeafReadsEveryDescriptorAsV1() async throws {
        // The same wrong-core V2 statement a claim-queue leaf rejects is imported at the seed's leaf.
        let h = try await Harness()
        let candidate = try h.state.v2Candidate(core: 1, session: 9, pov: [1])
        let summary = try await h.job.receive(h.state.sign(.seconded(candidate), by: 2)).summary
        #expect(summary == Summary(candidate: candidate.hash, groupId: 1, validityVotes: 1))
        let leafState = await h.job.state()
        #expect(leafState.cores == nil)
        #expect(leafState.assignment?.coreIndex == nil)
        #expect(leafState.candidates.first?.coreIndex == nil)
        await h.subsystem.stopAll()
    }

    /// candidate-validation's backing-only checks (`candidate_validation_ok_is_ok`,
    /// `invalid_session_or_ump_signals`, polkadot-sdk candidate-validation tests, reference §6.5), on the
    /// rules the job applies after validation.
    @Test func candidate_validation_ok_is_ok() throws {
        var state = Self.modernState(claimQueue: [0: [1, 2], 1: [1, 1]])
        var commitments = CandidateCommitments(headData: HeadData(bytes: [1]))
        commitments.upwardMessages = [Bytes(bytes: [1, 2]), Self.separator, Self.selectCore(0, 1)]
        let scheduling = LeafScheduling(state.leaf)
        #expect(throws: Never.self) {
            try scheduling.check(try state.v2Candidate(core: 1, pov: [1], commitments: commitments), expectedCore: 1)
        }
        // A v1 candidate is fine with no signals.
        state.nodeFeatures = NodeFeatures(enabled: [])
        var v1 = try state.candidate(pov: [1], head: [1])
        v1.descriptor.collator = Sr25519Keypair.dev("Two").publicKey
        #expect(throws: Never.self) { try LeafScheduling(state.leaf).check(v1, expectedCore: 0) }
    }

    @Test func invalid_session_or_ump_signals() throws {
        let state = Self.modernState(claimQueue: [0: [1, 2], 1: [1, 2]])
        var commitments = CandidateCommitments(headData: HeadData(bytes: [1]))
        commitments.upwardMessages = [Self.separator, Self.selectCore(1, 0)]
        let candidate = try state.v2Candidate(core: 1, session: 2, pov: [1], commitments: commitments)
        let scheduling = LeafScheduling(state.leaf)
        #expect(throws: CandidateRuleViolation.sessionMismatch(descriptor: 2, leaf: 1)) {
            try scheduling.check(candidate, expectedCore: 1)
        }
        let good = try state.v2Candidate(core: 1, pov: [1], commitments: commitments)
        #expect(throws: Never.self) { try scheduling.check(good, expectedCore: 1) }
        // An empty claim queue assigns nothing.
        var empty = state
        empty.claimQueue = ClaimQueue()
        #expect(throws: CandidateRuleViolation.umpSignals(.noAssignment)) {
            try LeafScheduling(empty.leaf).check(good, expectedCore: nil)
        }
        // ApprovedPeer is accepted.
        var withPeer = commitments
        withPeer.upwardMessages.append(
            Bytes(bytes: UMPSignal.approvedPeer([UInt8](repeating: 3, count: 32)).scaleEncoded))
        #expect(throws: Never.self) {
            try scheduling.check(try state.v2Candidate(core: 1, pov: [1], commitments: withPeer), expectedCore: 1)
        }
    }

    /// `backed-candidates.json`: each vote's signing payload is ours and its signature verifies.
    @Test func backedCandidateVectorSignaturesVerifyOverOurSigningPayloads() throws {
        struct Signer: Decodable {
            let validatorIndex: UInt32
            let uri: String
            let `public`: Sr25519Public
            let kind: String
            let signingPayload: String
            let signature: Sr25519Signature
        }
        struct Vector: Decodable {
            let sessionIndex: UInt32
            let relayParent: Hash
            let candidateHash: CandidateHash
            let signers: [Signer]
        }
        struct File: Decodable { let vectors: [Vector] }
        let vectors = try Fixture.load(File.self, from: "modern/backed-candidates.json").vectors
        #expect(vectors.count == 5)
        for vector in vectors {
            let context = SigningContext(sessionIndex: vector.sessionIndex, parentHash: vector.relayParent)
            for signer in vector.signers {
                let statement: CompactStatement =
                    signer.kind == "seconded" ? .seconded(vector.candidateHash) : .valid(vector.candidateHash)
                let payload = SignedStatement(
                    payload: statement, validatorIndex: ValidatorIndex(signer.validatorIndex),
                    signature: signer.signature
                ).signingPayload(context)
                #expect(Hex.encode(payload) == signer.signingPayload)
                #expect(Sr25519.verify(signer.signature, message: payload, publicKey: signer.public))
            }
        }
    }
}
