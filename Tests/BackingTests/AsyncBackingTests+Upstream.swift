import Backing
import CoreMetrics
import Crypto
import Primitives
import ProspectiveParachains
import Synchronization
import Testing

/// The rest of polkadot-sdk's backing tests in prospective-parachains mode, with upstream's names and
/// assertions. Upstream mocks prospective parachains (hypothetical membership, introduce → true/false);
/// here it is the real module, so each test builds the leaf data that makes it answer as upstream's
/// mock does, and says how in its doc comment.
extension AsyncBackingTests {
    // MARK: Validation outcomes

    /// Upstream: the first candidate's validation answers Invalid → `CollatorProtocol::Invalid` and nothing
    /// is signed; a second candidate at the same relay parent is then validated and seconded
    /// (`Share`, `Collator::Seconded`).
    @Test func backingDoesntSecondInvalid() async throws {
        let h = try await AsyncHarness()
        let invalid = try Self.candidate(head: [1, 1], pov: [42, 43, 44])
        let valid = try Self.candidate(pov: [45, 46, 47])
        let first = try await h.job().second(
            invalid.receipt.plainReceipt, pov: PoV([42, 43, 44]), persistedValidationData: invalid.pvd)
        #expect(first.accepted, "\(first.reason ?? "")")
        let call = try #require(await h.validator.calls.next())
        #expect(call.request.candidate.descriptor == invalid.receipt.descriptor)
        #expect(call.request.persistedValidationData == invalid.pvd)
        call.reply(.invalid(.badReturn))
        #expect(
            try await h.next() == .collatorInvalid(relayParent: Self.leafHash, candidate: invalid.receipt.plainReceipt))

        try await h.secondValid(valid, pov: [45, 46, 47])
        try await h.expectStored(valid)
        let share = try await h.next()
        guard case .statementShareWithPVD(let relayParent, let signed, let pvd) = share else { throw Unexpected(share) }
        #expect(relayParent == Self.leafHash)
        #expect(signed.payload == .seconded(valid.receipt))
        #expect(signed.validatorIndex == 0)
        #expect(pvd == valid.pvd)
        #expect(try await h.next() == .collatorSeconded(relayParent: Self.leafHash, statement: signed))
        // Only the valid candidate was signed, and only it waits in prospective parachains.
        #expect(h.sink.journal.compactMap(\.signedCandidate) == [valid.receipt.hash])
        #expect(try await h.job().state().asyncBacking?.chains?["1"]?.unconnected == [valid.receipt.hash])
        await h.stop()
    }

    /// Upstream: a foreign Seconded is attested and found invalid; a `Second` of that candidate afterwards
    /// does nothing, and the very next validation is of another candidate, which is still validated.
    /// Nothing is sent meanwhile (no statement, no collator message).
    @Test func backingSecondAfterFirstFailsWorks() async throws {
        let h = try await AsyncHarness()
        let a = try Self.candidate(head: [1, 1], pov: [42, 43, 44])
        let b = try Self.candidate(head: [2, 2], pov: [3, 2, 1])
        let job = try await h.job()
        _ = try await job.receive(Self.sign(.seconded(a.receipt), by: 2), persistedValidationData: a.pvd)
        try await h.answerFetch(from: 2, candidate: a.receipt, with: [42, 43, 44])
        try await h.answerValidation(of: a, pov: [42, 43, 44], with: .invalid(.badReturn))
        while await job.backgroundValidationCount > 0 { try await Task.sleep(for: .milliseconds(2)) }

        let refused = await job.second(a.receipt.plainReceipt, pov: PoV([42, 43, 44]), persistedValidationData: a.pvd)
        #expect(!refused.accepted)
        let accepted = await job.second(b.receipt.plainReceipt, pov: PoV([3, 2, 1]), persistedValidationData: b.pvd)
        #expect(accepted.accepted, "\(accepted.reason ?? "")")
        // The very next validation request is for [3,2,1]: the Second of the failed candidate was ignored.
        let call = try #require(await h.validator.calls.next())
        #expect(call.request.pov == PoV([3, 2, 1]))
        #expect(call.request.candidate.descriptor == b.receipt.descriptor)
        #expect(h.sink.history.isEmpty)
        call.reply(.failure("test over"))
        await h.stop()
    }

    /// Upstream: the validation of a foreign Seconded fails internally (`ValidationFailed`): non-fatal,
    /// nothing is sent, and `GetBackableCandidates` still answers — with nothing.
    @Test func backingWorksAfterFailedValidation() async throws {
        let h = try await AsyncHarness()
        let a = try Self.candidate(pov: [42, 43, 44])
        let job = try await h.job()
        _ = try await job.receive(Self.sign(.seconded(a.receipt), by: 2), persistedValidationData: a.pvd)
        try await h.answerFetch(from: 2, candidate: a.receipt, with: [42, 43, 44])
        try await h.answerValidation(of: a, pov: [42, 43, 44], with: .failure("Internal test error"))
        while await job.backgroundValidationCount > 0 { try await Task.sleep(for: .milliseconds(2)) }
        let backable = await h.subsystem.backableCandidates([1: [(a.receipt.hash, Self.leafHash)]])
        #expect(backable.isEmpty)
        #expect(await job.state().candidates.map(\.validityVotes) == [1])
        #expect(h.sink.history.isEmpty)
        #expect(h.fetcher.calls.pending.isEmpty)
        await h.stop()
    }

    // MARK: Votes

    /// Upstream builds a table context with one group of six validators on core 10 and an attested
    /// candidate with votes 5, 3, 1; the backed candidate has them in group order, bits over the group
    /// (`010101`) and core 10 injected. Here with real statements into the real table: a fixture whose
    /// eleventh group (core 10, claim queue {10: [1]}) is the six validators, ElasticScalingMVP on so the
    /// core is injected, no local validator (upstream's `validator: None`); Seconded by 5, Valid by 3 and 1.
    @Test func candidateBackingReordersVotes() async throws {
        var fixture = Fixture()
        fixture.claimQueue = [10: [1]]
        var leaf = fixture.leaf
        leaf.validatorGroups = Array(repeating: [], count: 10) + [[0, 1, 2, 3, 4, 5]]
        leaf.nodeFeatures = NodeFeatures(enabled: [.elasticScalingMVP])
        let h = try await AsyncHarness(leaf: leaf, keypair: nil)
        let job = try await h.job()
        let a = try Self.candidate(pov: [1, 2, 3])
        let by5 = Self.sign(.seconded(a.receipt), by: 5)
        let by3 = Self.sign(.valid(a.receipt.hash), by: 3)
        let by1 = Self.sign(.valid(a.receipt.hash), by: 1)
        _ = try await job.receive(by5, persistedValidationData: a.pvd)
        _ = try await job.receive(by3)
        #expect(
            try await h.next()
                == .statementBacked(relayParent: Self.leafHash, paraId: 1, coreIndex: 10, candidateHash: a.receipt.hash)
        )
        _ = try await job.receive(by1)
        let backed = await h.subsystem.backableCandidates([1: [(a.receipt.hash, Self.leafHash)]])
        let candidate = try #require(backed[1]?.first)
        #expect(
            candidate.validityVotes == [.explicit(by1.signature), .explicit(by3.signature), .implicit(by5.signature)])
        let (bits, core) = candidate.validatorIndicesAndCoreIndex(coreIndexEnabled: true)
        #expect(bits == BitVec([false, true, false, true, false, true]))
        #expect(core == 10)
        #expect(candidate.coreIndex == 10)
        // 6 group bits + 8 core bits: compact(14), 0b10101010, 0b00000010 (modern-backing.md §1.7).
        #expect(Hex.encode(candidate.validatorIndices.scaleEncoded) == "0x38aa02")
        await h.stop()
    }

    /// Upstream: the PoV fetch from the seconder (2) is dropped; Valid from 3 backs the candidate and the
    /// PoV is asked of 3 (dropped too); Valid from 5 makes the job ask 5, whose PoV is validated.
    @Test func retryWorks() async throws {
        let h = try await AsyncHarness()
        let a = try Self.candidate(pov: [42, 43, 44])
        let job = try await h.job()
        _ = try await job.receive(Self.sign(.seconded(a.receipt), by: 2), persistedValidationData: a.pvd)
        try await h.answerFetch(from: 2, candidate: a.receipt, with: nil)
        while await job.backgroundValidationCount > 0 { try await Task.sleep(for: .milliseconds(2)) }

        _ = try await job.receive(Self.sign(.valid(a.receipt.hash), by: 3))
        #expect(
            try await h.next()
                == .statementBacked(relayParent: Self.leafHash, paraId: 1, coreIndex: 0, candidateHash: a.receipt.hash))
        try await h.answerFetch(from: 3, candidate: a.receipt, with: nil)
        while await job.backgroundValidationCount > 0 { try await Task.sleep(for: .milliseconds(2)) }

        _ = try await job.receive(Self.sign(.valid(a.receipt.hash), by: 5))
        try await h.answerFetch(from: 5, candidate: a.receipt, with: [42, 43, 44])
        let call = try #require(await h.validator.calls.next())
        #expect(call.request.candidate.descriptor == a.receipt.descriptor)
        #expect(call.request.pov == PoV([42, 43, 44]))
        #expect(call.request.persistedValidationData == a.pvd)
        #expect(h.fetcher.calls.pending.isEmpty)
        call.reply(.failure("test over"))
        await h.stop()
    }

    /// Upstream: our validation of a foreign Seconded (2) hangs; Valid from 5 backs the candidate, Valid
    /// from 3 adds a vote; `GetBackableCandidates` gives the votes of 2, 3, 5 in group order, bits `1011`,
    /// core 0.
    @Test func backingWorksWhileValidationOngoing() async throws {
        let h = try await AsyncHarness()
        let a = try Self.candidate(pov: [1, 2, 3])
        let job = try await h.job()
        let signedA = Self.sign(.seconded(a.receipt), by: 2)
        let signedB = Self.sign(.valid(a.receipt.hash), by: 5)
        let signedC = Self.sign(.valid(a.receipt.hash), by: 3)
        _ = try await job.receive(signedA, persistedValidationData: a.pvd)
        try await h.answerFetch(from: 2, candidate: a.receipt, with: [1, 2, 3])
        let pending = try #require(await h.validator.calls.next())  // answered only at the end
        #expect(pending.request.candidate.descriptor == a.receipt.descriptor)

        _ = try await job.receive(signedB)
        #expect(
            try await h.next()
                == .statementBacked(relayParent: Self.leafHash, paraId: 1, coreIndex: 0, candidateHash: a.receipt.hash))
        _ = try await job.receive(signedC)
        let backed = await h.subsystem.backableCandidates([1: [(a.receipt.hash, Self.leafHash)]])
        let candidate = try #require(backed[1]?.first)
        #expect(
            candidate.validityVotes == [
                .implicit(signedA.signature), .explicit(signedC.signature), .explicit(signedB.signature),
            ])
        // Group [2, 0, 3, 5], votes of 2, 3 and 5: bits 1011, core 0.
        #expect(
            candidate.validatorIndicesAndCoreIndex(coreIndexEnabled: false).groupBits
                == BitVec([true, false, true, true]))
        #expect(candidate.coreIndex == 0)
        #expect(h.sink.history.count == 1)  // no statement of ours while our validation runs
        pending.reply(.failure("test over"))
        await h.stop()
    }

    // MARK: Seconding sanity check

    /// Upstream: two active leaves, A and its grandchild B, both allowing the candidate's relay parent;
    /// hypothetical membership is asked per leaf and both answer "member"; the candidate is seconded.
    /// Here: leaf 99 and leaf 101 (ancestry 100, 99), same para state; a candidate at relay parent 99
    /// fits both leaves' chains.
    @Test func secondingSanityCheckAllowedOnAll() async throws {
        let h = try await AsyncHarness()
        var leafB = Fixture()
        leafB.leafNumber = 101
        try await h.subsystem.activate(leafB.leaf)
        let a = try Self.candidate(pov: [1, 2, 3])
        let view = try #require(try await h.job().asyncBacking)
        #expect(
            try view.membership(para: 1, relayParent: Self.leafHash, candidate: Self.entry(a))
                == Self.sorted([99, 101]))

        try await h.secondValid(a, pov: [1, 2, 3])
        try await h.expectSeconded(a)
        for leaf: BlockNumber in [99, 101] {
            #expect(view.chains(at: Self.block(leaf), paras: [1])[1]?.unconnected == [a.receipt.hash], "leaf \(leaf)")
        }
        await h.stop()
    }

    /// Upstream: two leaves; leaf B answers hypothetical membership with nothing, leaf A with the
    /// candidate; it is seconded. Here leaf B (101) switched para 1 to other validation code (code hash
    /// 0x2a…), so its chain refuses a candidate naming the old code; leaf 99's chain takes it.
    @Test func secondingSanityCheckAllowedOnAtLeastOneLeaf() async throws {
        let h = try await AsyncHarness()
        var leafB = Fixture()
        leafB.leafNumber = 101
        leafB.validationCodeHash = H256(repeating: 0x2a)
        try await h.subsystem.activate(leafB.leaf)
        let a = try Self.candidate(pov: [1, 2, 3])
        let view = try #require(try await h.job().asyncBacking)
        // Both leaves allow relay parent 99 for para 1; only leaf 99's chain could take the candidate.
        for leaf: BlockNumber in [99, 101] {
            #expect(
                try await h.job(leaf).asyncBacking?.allowedRelayParents(under: Self.block(leaf))?.contains(
                    Self.leafHash) == true)
        }
        #expect(try view.membership(para: 1, relayParent: Self.leafHash, candidate: Self.entry(a)) == [Self.leafHash])

        try await h.secondValid(a, pov: [1, 2, 3])
        try await h.expectSeconded(a)
        #expect(view.chains(at: Self.leafHash, paras: [1])[1]?.unconnected == [a.receipt.hash])
        #expect(view.chains(at: Self.block(101), paras: [1])[1]?.unconnected == [])
        await h.stop()
    }

    /// Upstream: the sanity check passes, `IntroduceSecondedCandidate` is answered `false` → no statement
    /// shared, `Collator::Invalid`; the same candidate seconded later is introduced (`true`): `Share`,
    /// `Collator::Seconded`.
    ///
    /// With real prospective parachains the sanity check runs the introduction's own check just before,
    /// so introduce refuses only if the chains change in between — another group backs a competing
    /// candidate on the same parent with a lower hash, which wins the fork choice. The test makes that
    /// race deterministic: the job's seconded-candidates counter, incremented between the sanity check
    /// and the introduction, backs fork B at that moment. "Later" is a fork leaf 99′ (parent 98, without
    /// B): its chain takes the candidate, whose relay parent 98 both leaves allow (upstream's relay parent
    /// is also the leaf's parent).
    @Test func prospectiveParachainsRejectCandidate() async throws {
        let hook = SecondedCounterHook()
        let h = try await AsyncHarness(leaf: Fixture().leaf, metricsFactory: hook)
        let a = try Self.candidate(at: 98, pov: [1, 2, 3])
        let b = try Self.lowerHashFork(of: a)
        let view = try #require(try await h.job(98).asyncBacking)
        hook.onFirstIncrement {
            defer { view.candidateBacked(para: 1, candidateHash: b.receipt.hash) }
            return view.introduceSeconded(para: 1, receipt: b.receipt, persistedValidationData: b.pvd)
        }
        #expect(try view.membership(para: 1, relayParent: Self.block(98), candidate: Self.entry(a)) == [Self.leafHash])

        try await h.secondValid(a, pov: [1, 2, 3], at: 98)
        try await h.expectStored(a)
        #expect(
            try await h.next() == .collatorInvalid(relayParent: Self.block(98), candidate: a.receipt.plainReceipt))
        #expect(hook.result == true)  // it ran, and prospective parachains took fork B
        #expect(view.chains(at: Self.leafHash, paras: [1])[1]?.bestChain == [b.receipt.hash])
        #expect(view.chains(at: Self.leafHash, paras: [1])[1]?.unconnected == [])
        #expect(!h.sink.history.contains { $0.event == "statement.share" || $0.event == "collator.seconded" })

        // A fork of leaf 99 that has not seen B: the same candidate is seconded there.
        var fork = Fixture().leaf
        fork.hash = H256(repeating: 0xf9)
        try await h.subsystem.activate(fork)
        try await h.secondValid(a, pov: [1, 2, 3], at: 98)
        try await h.expectStored(a)
        let share = try await h.next()
        guard case .statementShareWithPVD(let relayParent, let signed, let pvd) = share else { throw Unexpected(share) }
        #expect(relayParent == Self.block(98))
        #expect(signed.payload == .seconded(a.receipt))
        #expect(pvd == a.pvd)
        #expect(try await h.next() == .collatorSeconded(relayParent: Self.block(98), statement: signed))
        #expect(view.chains(at: fork.hash, paras: [1])[1]?.unconnected == [a.receipt.hash])
        #expect(view.chains(at: Self.leafHash, paras: [1])[1]?.bestChain == [b.receipt.hash])
        await h.stop()
    }

    /// Upstream: our core's claim queue holds paras 1 and 2; a candidate of each at the leaf's parent,
    /// both at depth 0 of their para's chain: both are seconded. Here claim queue {0: [1, 2], 1: [2]};
    /// both candidates build on their para's required parent.
    @Test func secondingSanityCheckOccupySameDepth() async throws {
        var fixture = Fixture()
        fixture.claimQueue = [0: [1, 2], 1: [2]]
        let h = try await AsyncHarness(fixture)
        let a = try Self.candidate(para: 1, at: 98, pov: [1])
        let b = try Self.candidate(para: 2, at: 98, head: [5, 6, 7], pov: [2])
        let view = try #require(try await h.job(98).asyncBacking)
        for (para, candidate, pov) in [(ParaId(1), a, [UInt8(1)]), (2, b, [2])] {
            // Depth 0: it builds on the para's required parent.
            #expect(candidate.pvd.parentHead == Self.parentHead)
            #expect(
                try view.membership(para: para, relayParent: Self.block(98), candidate: Self.entry(candidate))
                    == [Self.leafHash])
            try await h.secondValid(candidate, pov: pov, at: 98)
            try await h.expectSeconded(candidate, at: 98)
        }
        let chains = view.chains(at: Self.leafHash, paras: [1, 2])
        #expect(chains[1]?.unconnected == [a.receipt.hash])
        #expect(chains[2]?.unconnected == [b.receipt.hash])
        await h.stop()
    }

    /// Upstream: availability core 0 is occupied by a para-1 candidate; the validator still seconds a
    /// para-1 candidate at the leaf's parent: the claim queue, not the core state, assigns. Here core 0 is
    /// occupied by candidate P, pending availability in para 1's backing state, and the candidate builds
    /// on P's head.
    @Test func occupiedCoreAssignment() async throws {
        let p = try Self.candidate(at: 97, pov: [9])
        var leaf = Fixture().leaf
        leaf.availabilityCores = [
            .occupied(
                OccupiedCore(
                    occupiedSince: 98, timeOutAt: 200, candidateHash: p.receipt.hash,
                    candidateDescriptor: p.receipt.descriptor)),
            .scheduled(ScheduledCore(paraId: 2)),
        ]
        leaf.paraBackingState[1]?.pendingAvailability = [
            PendingAvailabilityData(
                descriptor: p.receipt.descriptor, commitments: p.receipt.commitments, relayParentNumber: 97,
                maxPovSize: 1024)
        ]
        let h = try await AsyncHarness(leaf: leaf)
        let job = try await h.job(98)
        #expect(job.localCore == 0)
        #expect(job.claimedParas == [1])
        let view = try #require(job.asyncBacking)
        #expect(view.chains(at: Self.leafHash, paras: [1])[1]?.bestChain == [p.receipt.hash])

        let a = try Self.candidate(at: 98, parent: p.receipt.commitments.headData, head: [5, 6, 7], pov: [1, 2, 3])
        try await h.secondValid(a, pov: [1, 2, 3], at: 98)
        try await h.expectSeconded(a, at: 98)
        #expect(view.chains(at: Self.leafHash, paras: [1])[1]?.unconnected == [a.receipt.hash])
        await h.stop()
    }
}

// MARK: Helpers

extension AsyncBackingTests {
    typealias TestCandidate = (receipt: CommittedCandidateReceipt, pvd: PersistedValidationData)

    /// The prospective-parachains entry of a seconded candidate (what the sanity check asks about).
    static func entry(_ candidate: TestCandidate) throws -> CandidateEntry {
        try CandidateEntry(
            candidateHash: candidate.receipt.hash, receipt: candidate.receipt,
            persistedValidationData: candidate.pvd, state: .seconded)
    }

    /// The hashes of blocks `numbers`, in the byte order `membership` sorts leaves in.
    static func sorted(_ numbers: [BlockNumber]) -> [Hash] {
        numbers.map(block).sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
    }

    /// A candidate of the same para, relay parent and parent head as `candidate`, with another head and a
    /// lower candidate hash: the fork that wins the fork choice against it.
    static func lowerHashFork(of candidate: TestCandidate) throws -> TestCandidate {
        let number = candidate.pvd.relayParentNumber
        for byte in UInt8(0)...UInt8.max {
            let fork = try Self.candidate(
                para: candidate.receipt.descriptor.paraId, at: number, parent: candidate.pvd.parentHead,
                head: [0xf0, byte], pov: [0xf0, byte])
            if fork.receipt.hash.bytes.lexicographicallyPrecedes(candidate.receipt.hash.bytes) { return fork }
        }
        throw ForkNotFound()
    }

    struct ForkNotFound: Error {}
}

extension AsyncBackingTests.AsyncHarness {
    /// A harness on `leaf` as given (for fixtures `Fixture` does not describe), with `metricsFactory`.
    init(
        leaf: Leaf, keypair: Sr25519Keypair? = AsyncBackingTests.keys[0],
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) async throws {
        subsystem = BackingSubsystem(
            keypair: keypair,
            ports: BackingPorts(
                validator: validator, povFetcher: fetcher, availabilityStore: InMemoryAvailabilityStore(), sink: sink),
            configuration: Harness.scriptedConfiguration, metricsFactory: metricsFactory, logger: Harness.quietLogger)
        try await subsystem.activate(leaf)
    }

    /// Expects the availability store's report for `candidate` (six validators, its erasure root).
    func expectStored(
        _ candidate: AsyncBackingTests.TestCandidate, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        #expect(
            try await next(sourceLocation: sourceLocation)
                == .availabilityStored(
                    candidateHash: candidate.receipt.hash, nValidators: 6,
                    erasureRoot: candidate.receipt.descriptor.erasureRoot),
            sourceLocation: sourceLocation)
    }

    /// Expects our Seconded of `candidate` at relay parent block `number`: stored, `Share` with its
    /// validation data, `Collator::Seconded`, in that order.
    func expectSeconded(
        _ candidate: AsyncBackingTests.TestCandidate, at number: BlockNumber = 99,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await expectStored(candidate, sourceLocation: sourceLocation)
        let relayParent = AsyncBackingTests.block(number)
        let share = try await next(sourceLocation: sourceLocation)
        guard case .statementShareWithPVD(relayParent, let signed, let pvd) = share else { throw Unexpected(share) }
        #expect(signed.payload == .seconded(candidate.receipt), sourceLocation: sourceLocation)
        #expect(signed.validatorIndex == 0, sourceLocation: sourceLocation)
        #expect(
            signed.isSignatureValid(
                context: SigningContext(sessionIndex: 1, parentHash: relayParent),
                validator: AsyncBackingTests.keys[0].publicKey),
            sourceLocation: sourceLocation)
        #expect(pvd == candidate.pvd, sourceLocation: sourceLocation)
        #expect(
            try await next(sourceLocation: sourceLocation)
                == .collatorSeconded(relayParent: relayParent, statement: signed),
            sourceLocation: sourceLocation)
    }

    /// Answers the next PoV fetch, checking it asks `validator` for `candidate` at its relay parent
    /// (`nil` drops it).
    func answerFetch(
        from validator: UInt32, candidate: CommittedCandidateReceipt, with pov: [UInt8]?,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let call = try #require(await fetcher.calls.next(), "expected a PoV fetch", sourceLocation: sourceLocation)
        #expect(call.relayParent == candidate.descriptor.relayParent, sourceLocation: sourceLocation)
        #expect(call.validator == ValidatorIndex(validator), sourceLocation: sourceLocation)
        #expect(call.candidateHash == candidate.hash, sourceLocation: sourceLocation)
        #expect(call.povHash == candidate.descriptor.povHash, sourceLocation: sourceLocation)
        call.reply(pov.map(PoV.init))
    }

    /// Answers the next validation request, checking it is for `candidate` with its validation data.
    func answerValidation(
        of candidate: AsyncBackingTests.TestCandidate, pov: [UInt8], with outcome: ValidationOutcome,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let call = try #require(
            await validator.calls.next(), "expected a validation request", sourceLocation: sourceLocation)
        #expect(call.request.candidate.descriptor == candidate.receipt.descriptor, sourceLocation: sourceLocation)
        #expect(call.request.pov == PoV(pov), sourceLocation: sourceLocation)
        #expect(call.request.persistedValidationData == candidate.pvd, sourceLocation: sourceLocation)
        call.reply(outcome)
    }
}

extension JournalRecord {
    /// The candidate of a signing record (`nil` for other records).
    var signedCandidate: CandidateHash? {
        guard case .signed(let record) = self else { return nil }
        return record.candidateHash
    }
}

/// Metrics that do nothing, except that the first increment of the seconded-candidates counter runs a
/// hook (the job increments it between the seconding sanity check and `IntroduceSecondedCandidate`).
final class SecondedCounterHook: MetricsFactory, Sendable {
    private let state = Mutex<(hook: (@Sendable () -> Bool)?, result: Bool?)>((nil, nil))

    func onFirstIncrement(_ hook: @escaping @Sendable () -> Bool) { state.withLock { $0.hook = hook } }
    /// What the hook returned; `nil` until it ran.
    var result: Bool? { state.withLock { $0.result } }

    fileprivate func increment() {
        let hook = state.withLock { state -> (@Sendable () -> Bool)? in
            defer { state.hook = nil }
            return state.hook
        }
        guard let hook else { return }
        let result = hook()
        state.withLock { $0.result = result }
    }

    final class Counter: CounterHandler, Sendable {
        let owner: SecondedCounterHook
        init(_ owner: SecondedCounterHook) { self.owner = owner }
        func increment(by: Int64) { owner.increment() }
        func reset() {}
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        label == "parachain_candidate_backing_candidates_seconded_total" ? Counter(self) : NOOPMetricsHandler.instance
    }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        NOOPMetricsHandler.instance
    }
    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler { NOOPMetricsHandler.instance }
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
}
