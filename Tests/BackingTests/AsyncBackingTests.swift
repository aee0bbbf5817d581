import Backing
import Crypto
import ErasureCoding
import Primitives
import ProspectiveParachains
import Testing

/// polkadot-sdk's backing tests in prospective-parachains mode (`node/core/backing/src/tests/mod.rs`),
/// ported with their names and assertions onto this engine's messages: `Share` is
/// `statementShareWithPVD`, `CandidateBacked` + `StatementDistribution::Backed` is `statementBacked`,
/// the collator protocol's messages are `collatorSeconded` / `collatorInvalid`.
///
/// Fixture (upstream's): Alice, Bob, Charlie, Dave, Ferdie, One (Alice local, index 0); groups
/// [[2,0,3,5],[1]]; rotation {start 0, frequency 100}; claim queue {0: [1], 1: [2]}; session 1; the leaf
/// 0x05… is block 99 and allows blocks 98 and 97 (para 1's minimum relay parent); head data [4,5,6];
/// PVD parent head [7,8,9], max PoV 1024; minimum backing votes 2.
@Suite(.timeLimit(.minutes(1)))
struct AsyncBackingTests {
    static let keys = ["Alice", "Bob", "Charlie", "Dave", "Ferdie", "One"].map { Sr25519Keypair.dev($0) }
    static let leafHash = H256(repeating: 5)
    static func block(_ number: BlockNumber) -> Hash {
        number == 99 ? leafHash : H256(repeating: UInt8(truncatingIfNeeded: 0x60 + number))
    }
    static let parentHead = HeadData(bytes: [7, 8, 9])

    struct Fixture {
        var leafNumber: BlockNumber = 99
        var claimQueue: [CoreIndex: [ParaId]] = [0: [1], 1: [2]]
        var disabledValidators: [ValidatorIndex] = []
        var validationCodeHash: ValidationCodeHash = .zero

        var leaf: Leaf {
            let constraints = Constraints(
                minRelayParentNumber: 97, maxPovSize: 1024, maxCodeSize: 1000, maxHeadDataSize: 1000,
                umpRemaining: 10, umpRemainingBytes: 1000, maxUmpNumPerCandidate: 10, dmpRemainingMessages: [],
                validWatermarks: [], hrmpChannelsOut: [:], maxHrmpNumPerCandidate: 0, requiredParent: parentHead,
                validationCodeHash: validationCodeHash)
            return Leaf(
                hash: AsyncBackingTests.block(leafNumber), number: leafNumber, sessionIndex: 1,
                validators: AsyncBackingTests.keys.map(\.publicKey), validatorGroups: [[2, 0, 3, 5], [1]],
                groupRotationInfo: GroupRotationInfo(
                    sessionStartBlock: 0, groupRotationFrequency: 100, now: leafNumber),
                availabilityCores: [], minimumBackingVotes: 2, disabledValidators: disabledValidators,
                claimQueue: ClaimQueue(claimQueue),
                asyncBackingParams: AsyncBackingParams(
                    maxCandidateDepth: 4, allowedAncestryLen: 2),
                parentHash: AsyncBackingTests.block(leafNumber - 1),
                ancestry: (1...3).map {
                    let n = leafNumber - BlockNumber($0)
                    return AncestorBlock(
                        hash: AsyncBackingTests.block(n), number: n, parentHash: AsyncBackingTests.block(n - 1))
                },
                paraBackingState: [
                    1: ParaBackingStateData(constraints: ConstraintsData(constraints)),
                    2: ParaBackingStateData(constraints: ConstraintsData(constraints)),
                ])
        }
    }

    /// A candidate of `para` at relay parent block `number` building on `parent`, with head `head`.
    static func candidate(
        para: ParaId = 1, at number: BlockNumber = 99, parent: HeadData = parentHead, head: [UInt8] = [4, 5, 6],
        pov: [UInt8]
    ) throws -> (receipt: CommittedCandidateReceipt, pvd: PersistedValidationData) {
        let pvd = PersistedValidationData(
            parentHead: parent, relayParentNumber: number, relayParentStorageRoot: .zero, maxPovSize: 1024)
        let root = try ErasureCoding.erasureRoot(
            nValidators: 6, availableData: AvailableData(pov: PoV(pov), validationData: pvd))
        let commitments = CandidateCommitments(headData: HeadData(bytes: head), hrmpWatermark: number)
        return (
            CommittedCandidateReceipt(
                // A collator key makes the descriptor's reserved bytes non-zero: a v1 descriptor, as upstream's.
                descriptor: CandidateDescriptor(
                    paraId: para, relayParent: block(number), collator: Sr25519Keypair.dev("Two").publicKey,
                    persistedValidationDataHash: pvd.hash,
                    povHash: PoV(pov).hash, erasureRoot: root, paraHead: commitments.headData.hash),
                commitments: commitments),
            pvd
        )
    }

    static func sign(_ statement: Statement, by index: UInt32, at number: BlockNumber = 99) -> SignedFullStatement {
        .sign(
            statement, validatorIndex: ValidatorIndex(index),
            context: SigningContext(sessionIndex: 1, parentHash: block(number)), keypair: keys[Int(index)])
    }

    struct AsyncHarness {
        let sink = RecordingSink()
        let validator = ScriptedValidator()
        let fetcher = ScriptedPoVFetcher()
        let subsystem: BackingSubsystem

        init(_ fixture: Fixture = Fixture(), keypair: Sr25519Keypair? = AsyncBackingTests.keys[0]) async throws {
            subsystem = BackingSubsystem(
                keypair: keypair,
                ports: BackingPorts(
                    validator: validator, povFetcher: fetcher, availabilityStore: InMemoryAvailabilityStore(),
                    sink: sink),
                configuration: Harness.scriptedConfiguration, logger: Harness.quietLogger)
            try await subsystem.activate(fixture.leaf)
        }

        func job(_ number: BlockNumber = 99) async throws -> BackingJob {
            try await subsystem.job(AsyncBackingTests.block(number))
        }

        func next(sourceLocation: SourceLocation = #_sourceLocation) async throws -> OutboundMessage {
            try #require(await sink.next(), "expected an outgoing message", sourceLocation: sourceLocation)
        }

        /// Seconds `candidate` at its relay parent and answers its validation valid.
        func secondValid(
            _ candidate: (receipt: CommittedCandidateReceipt, pvd: PersistedValidationData), pov: [UInt8],
            at number: BlockNumber = 99
        ) async throws {
            let outcome = try await job(number).second(
                candidate.receipt.plainReceipt, pov: PoV(pov), persistedValidationData: candidate.pvd)
            #expect(outcome.accepted, "\(outcome.reason ?? "")")
            let call = try #require(await validator.calls.next())
            #expect(call.request.persistedValidationData == candidate.pvd)
            call.reply(.valid(candidate.receipt.commitments, candidate.pvd))
        }

        func stop() async { await subsystem.stopAll() }
    }

    // MARK: Seconding

    @Test func backingSecondWorks() async throws {
        let h = try await AsyncHarness()
        let a = try Self.candidate(pov: [42, 43, 44])
        try await h.secondValid(a, pov: [42, 43, 44])
        let first = try await h.next()
        guard case .availabilityStored(let stored, _, _) = first else { throw Unexpected(first) }
        #expect(stored == a.receipt.hash)
        let share = try await h.next()
        guard case .statementShareWithPVD(let relayParent, let signed, let pvd) = share else { throw Unexpected(share) }
        #expect(relayParent == Self.leafHash)
        #expect(signed.payload == .seconded(a.receipt))
        #expect(pvd == a.pvd)
        #expect(try await h.next() == .collatorSeconded(relayParent: Self.leafHash, statement: signed))
        // Prospective parachains took it: seconded, not yet backed, it waits outside the best chain.
        let chains = try await h.job().state().asyncBacking?.chains
        #expect(chains?["1"]?.unconnected == [a.receipt.hash])
        #expect(chains?["1"]?.bestChain == [])
        await h.stop()
    }

    @Test func backingWorks() async throws {
        let h = try await AsyncHarness()
        let a = try Self.candidate(pov: [1, 2, 3])
        let job = try await h.job()
        let seconded = Self.sign(.seconded(a.receipt), by: 2)
        _ = try await job.receive(seconded, persistedValidationData: a.pvd)
        let fetch = try #require(await h.fetcher.calls.next())
        #expect(fetch.validator == 2)
        #expect(fetch.candidateHash == a.receipt.hash)
        fetch.reply(PoV([1, 2, 3]))
        let call = try #require(await h.validator.calls.next())
        call.reply(.valid(a.receipt.commitments, a.pvd))
        let stored = try await h.next()
        guard case .availabilityStored = stored else { throw Unexpected(stored) }
        let share = try await h.next()
        guard case .statementShareWithPVD(_, let ours, nil) = share else { throw Unexpected(share) }
        #expect(ours.payload == .valid(a.receipt.hash))
        // Share before Backed: two votes (2's Seconded, our Valid) back it on core 0.
        #expect(
            try await h.next()
                == .statementBacked(relayParent: Self.leafHash, paraId: 1, coreIndex: 0, candidateHash: a.receipt.hash))
        _ = try await job.receive(Self.sign(.valid(a.receipt.hash), by: 5))
        let backed = await h.subsystem.backableCandidates([1: [(a.receipt.hash, Self.leafHash)]])
        let candidate = try #require(backed[1]?.first)
        #expect(candidate.validityVotes.count == 3)
        // Group [2, 0, 3, 5], votes of 2, 0 and 5: bits 1101, core 0.
        #expect(
            candidate.validatorIndicesAndCoreIndex(coreIndexEnabled: false).groupBits
                == BitVec([true, true, false, true]))
        #expect(candidate.coreIndex == 0)
        // Today's backing tells neither the provisioner nor the dispute coordinator.
        #expect(!h.sink.history.contains { ["provisioner.backed", "dispute.statements"].contains($0.event) })
        await h.stop()
    }

    @Test func getBackedCandidatePreservesOrder() async throws {
        // Para 1 on cores 0 and 1, para 2 on core 1 as well.
        var fixture = Fixture()
        fixture.claimQueue = [0: [1], 1: [1, 2]]
        let h = try await AsyncHarness(fixture, keypair: nil)
        let job = try await h.job()
        let a = try Self.candidate(pov: [1])
        let b = try Self.candidate(parent: a.receipt.commitments.headData, head: [5, 6, 7], pov: [2])
        let c = try Self.candidate(para: 2, head: [6, 7, 8], pov: [3])
        _ = try await job.receive(Self.sign(.seconded(a.receipt), by: 2), persistedValidationData: a.pvd)
        _ = try await job.receive(Self.sign(.valid(a.receipt.hash), by: 3))
        // Core 1's group is validator 1 alone: one vote backs.
        _ = try await job.receive(Self.sign(.seconded(b.receipt), by: 1), persistedValidationData: b.pvd)
        _ = try await job.receive(Self.sign(.seconded(c.receipt), by: 1), persistedValidationData: c.pvd)
        let rp = Self.leafHash
        let both = await h.subsystem.backableCandidates([
            1: [(a.receipt.hash, rp), (b.receipt.hash, rp)], 2: [(c.receipt.hash, rp)],
        ])
        #expect(both[1]?.map(\.candidate.hash) == [a.receipt.hash, b.receipt.hash])
        #expect(both[1]?.map(\.coreIndex) == [0, 1])
        #expect(both[2]?.map(\.candidate.hash) == [c.receipt.hash])
        // A wrong first entry gives nothing for the para; a wrong second only the first.
        let wrongFirst = await h.subsystem.backableCandidates([1: [(H256(repeating: 9), rp), (b.receipt.hash, rp)]])
        #expect(wrongFirst[1] == nil)
        let wrongSecond = await h.subsystem.backableCandidates([
            1: [(a.receipt.hash, rp), (b.receipt.hash, Self.block(98))]
        ])
        #expect(wrongSecond[1]?.map(\.candidate.hash) == [a.receipt.hash])
        await h.stop()
    }

    @Test func extractCoreIndexFromStatementWorks() async throws {
        let h = try await AsyncHarness(keypair: nil)
        let job = try await h.job()
        let para1 = try Self.candidate(pov: [1])
        let para2 = try Self.candidate(para: 2, head: [9], pov: [2])
        // Signer 2 (group 0) → core 0.
        let fromGroup0 = try await job.receive(
            Self.sign(.seconded(para1.receipt), by: 2), persistedValidationData: para1.pvd)
        #expect(fromGroup0.summary != nil)
        #expect(await job.state().candidates.first?.coreIndex == 0)
        // Signer 1 (group 1, core 1) with a para-1 candidate: core 1 does not claim para 1.
        let other = try Self.candidate(head: [4, 4], pov: [4])
        let refused = try await job.receive(
            Self.sign(.seconded(other.receipt), by: 1), persistedValidationData: other.pvd)
        #expect(refused.summary == nil)
        #expect(
            refused.ignoredReason?.contains("not in the claim queue of core 1") == true,
            "\(refused.ignoredReason ?? "")")
        // Signer 1 with para 2 → core 1.
        let fromGroup1 = try await job.receive(
            Self.sign(.seconded(para2.receipt), by: 1), persistedValidationData: para2.pvd)
        #expect(fromGroup1.summary != nil)
        #expect(await job.state().candidates.last?.coreIndex == 1)
        await h.stop()
    }

    @Test func aCandidateSecondedOnASecondCoreIsAnUnauthorizedStatementNotATrap() async throws {
        // Para 1 on cores 0 and 1: a v1 candidate (its descriptor names no core) seconded by validator 2
        // (core 0) and then by validator 1 (core 1) belongs to core 0's group; the second is reported.
        var fixture = Fixture()
        fixture.claimQueue = [0: [1], 1: [1]]
        let h = try await AsyncHarness(fixture, keypair: nil)
        let job = try await h.job()
        let a = try Self.candidate(pov: [1])
        #expect(
            try await job.receive(Self.sign(.seconded(a.receipt), by: 2), persistedValidationData: a.pvd).summary != nil
        )
        let second = try await job.receive(Self.sign(.seconded(a.receipt), by: 1), persistedValidationData: a.pvd)
        #expect(second.summary == nil)
        let report = try await h.next()
        guard case .provisionerMisbehavior(_, 1, let misbehavior) = report else { throw Unexpected(report) }
        #expect(misbehavior.kind == "unauthorizedStatement")
        #expect(await job.state().candidates.map(\.coreIndex) == [0])
        await h.stop()
    }

    @Test func backingMisbehaviorWorks() async throws {
        let h = try await AsyncHarness(keypair: nil)
        let job = try await h.job()
        let a = try Self.candidate(pov: [1])
        let seconded = Self.sign(.seconded(a.receipt), by: 2)
        let valid = Self.sign(.valid(a.receipt.hash), by: 2)
        _ = try await job.receive(seconded, persistedValidationData: a.pvd)
        _ = try await job.receive(valid)
        let report = try await h.next()
        guard case .provisionerMisbehavior(let relayParent, 2, .validityDoubleVote(let first, let second)) = report
        else { throw Unexpected(report) }
        #expect(relayParent == Self.leafHash)
        // Both signatures verify on their own, in the relay parent's signing context.
        let context = SigningContext(sessionIndex: 1, parentHash: Self.leafHash)
        #expect(Self.keys[2].publicKey.isValidSignature(first.signature, for: first.signingPayload(context)))
        #expect(Self.keys[2].publicKey.isValidSignature(second.signature, for: second.signingPayload(context)))
        await h.stop()
    }

    // MARK: Relay parents and leaves

    @Test func newLeafViewDoesntClobberOld() async throws {
        let h = try await AsyncHarness(keypair: nil)
        let a = try Self.candidate(at: 98, pov: [1])
        _ = try await h.job(98).receive(Self.sign(.seconded(a.receipt), by: 2, at: 98), persistedValidationData: a.pvd)
        // A second leaf (block 100, child of 99) shares blocks 99 and 98: their states stay.
        var next = Fixture()
        next.leafNumber = 100
        try await h.subsystem.activate(next.leaf)
        let kept = try await h.job(98)
        #expect(await kept.state().candidates.map(\.candidateHash) == [a.receipt.hash])
        #expect(try await h.job(100).asyncBacking != nil)
        await h.stop()
    }

    @Test func secondMultipleCandidatesPerRelayParent() async throws {
        let h = try await AsyncHarness()
        // Two candidates at the leaf's parent and grandparent, and a third at the leaf: all seconded.
        let a = try Self.candidate(at: 98, pov: [1])
        let b = try Self.candidate(at: 97, head: [1, 1], pov: [2])
        let c = try Self.candidate(at: 99, head: [2, 2], pov: [3])
        for (candidate, number, pov) in [(a, 98, [UInt8(1)]), (b, 97, [2]), (c, 99, [3])]
            as [((receipt: CommittedCandidateReceipt, pvd: PersistedValidationData), BlockNumber, [UInt8])]
        {
            try await h.secondValid(candidate, pov: pov, at: number)
        }
        var seconded: [CandidateHash] = []
        while seconded.count < 3, let message = await h.sink.next() {
            if case .collatorSeconded(_, let statement) = message, case .seconded(let receipt) = statement.payload {
                seconded.append(receipt.hash)
            }
        }
        #expect(Set(seconded) == Set([a, b, c].map(\.receipt.hash)))
        await h.stop()
    }

    @Test func secondingSanityCheckDisallowed() async throws {
        // The candidate names validation code the para does not have: no leaf's chain can take it.
        var fixture = Fixture()
        fixture.validationCodeHash = H256(repeating: 0x2a)
        let h = try await AsyncHarness(fixture)
        let a = try Self.candidate(pov: [1])
        try await h.secondValid(a, pov: [1])
        let stored = try await h.next()
        guard case .availabilityStored = stored else { throw Unexpected(stored) }
        try await Task.sleep(for: .milliseconds(200))
        #expect(!h.sink.history.contains { $0.event == "statement.share" || $0.event == "collator.seconded" })
        #expect(h.sink.journal.allSatisfy { if case .signed = $0 { false } else { true } })
        await h.stop()
    }

    @Test func concurrentDependentCandidates() async throws {
        let h = try await AsyncHarness()
        let a = try Self.candidate(at: 98, pov: [1])
        let b = try Self.candidate(at: 99, parent: a.receipt.commitments.headData, head: [5, 6, 7], pov: [2])
        _ = try await h.job(98).receive(Self.sign(.seconded(a.receipt), by: 2, at: 98), persistedValidationData: a.pvd)
        _ = try await h.job(99).receive(Self.sign(.seconded(b.receipt), by: 2), persistedValidationData: b.pvd)
        for _ in 0..<2 {
            let fetch = try #require(await h.fetcher.calls.next())
            fetch.reply(PoV(fetch.candidateHash == a.receipt.hash ? [1] : [2]))
        }
        for _ in 0..<2 {
            let call = try #require(await h.validator.calls.next())
            let which = call.request.candidate.descriptor == a.receipt.descriptor ? a : b
            call.reply(.valid(which.receipt.commitments, which.pvd))
        }
        var order: [String] = []
        while order.filter({ $0 == "statement.backed" }).count < 2, let message = await h.sink.next() {
            order.append(message.event)
        }
        // Each candidate: our Valid is shared before it is backed.
        #expect(order.filter { $0 == "statement.share" }.count == 2)
        #expect(order.firstIndex(of: "statement.share")! < order.firstIndex(of: "statement.backed")!)
        let chain = try await h.job().state().asyncBacking?.chains?["1"]?.bestChain
        #expect(chain == [a.receipt.hash, b.receipt.hash])
        await h.stop()
    }

    @Test func observesBackingEvenIfNotValidator() async throws {
        let h = try await AsyncHarness(keypair: nil)
        let job = try await h.job()
        let a = try Self.candidate(pov: [1])
        _ = try await job.receive(Self.sign(.seconded(a.receipt), by: 2), persistedValidationData: a.pvd)
        _ = try await job.receive(Self.sign(.valid(a.receipt.hash), by: 0))
        #expect(
            try await h.next()
                == .statementBacked(relayParent: Self.leafHash, paraId: 1, coreIndex: 0, candidateHash: a.receipt.hash))
        await h.stop()
    }

    // MARK: Disabled validators

    @Test func disabledValidatorDoesntDistributeStatementOnReceivingSecond() async throws {
        var fixture = Fixture()
        fixture.disabledValidators = [0]
        let h = try await AsyncHarness(fixture)
        let a = try Self.candidate(pov: [1])
        let outcome = try await h.job().second(a.receipt.plainReceipt, pov: PoV([1]), persistedValidationData: a.pvd)
        #expect(!outcome.accepted)
        try await Task.sleep(for: .milliseconds(100))
        #expect(h.sink.history.isEmpty)
        await h.stop()
    }

    @Test func disabledValidatorDoesntDistributeStatementOnReceivingStatement() async throws {
        var fixture = Fixture()
        fixture.disabledValidators = [0]
        let h = try await AsyncHarness(fixture)
        let a = try Self.candidate(pov: [1])
        let imported = try await h.job().receive(Self.sign(.seconded(a.receipt), by: 2), persistedValidationData: a.pvd)
        #expect(imported.summary != nil)
        try await Task.sleep(for: .milliseconds(100))
        #expect(try await h.job().backgroundValidationCount == 0)
        #expect(h.sink.history.isEmpty)
        await h.stop()
    }

    @Test func validatorIgnoresStatementsFromDisabledValidators() async throws {
        var fixture = Fixture()
        fixture.disabledValidators = [2]
        let h = try await AsyncHarness(fixture)
        let a = try Self.candidate(pov: [1])
        let fromDisabled = try await h.job().receive(
            Self.sign(.seconded(a.receipt), by: 2), persistedValidationData: a.pvd)
        #expect(fromDisabled.summary == nil)
        let fromHonest = try await h.job().receive(
            Self.sign(.seconded(a.receipt), by: 3), persistedValidationData: a.pvd)
        #expect(fromHonest.summary != nil)
        let fetch = try #require(await h.fetcher.calls.next())
        #expect(fetch.validator == 3)
        await h.stop()
    }
}
