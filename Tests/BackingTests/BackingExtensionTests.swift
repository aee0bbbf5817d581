import Backing
import Crypto
import Foundation
import Primitives
import StatementTable
import Testing

/// What backingd does beyond the seed: signature checks on inbound statements, `minimumBackingVotes`,
/// disabled validators, bounded validation, the backing timeout, and leaf lifecycle.
@Suite(.timeLimit(.minutes(1)))
struct BackingExtensionTests {
    @Test func forgedStatementIsRejectedAndChangesNothing() async throws {
        let h = try await Harness()
        let candidate = try h.state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        var forged = h.state.sign(.seconded(candidate), by: 2)
        forged.validatorIndex = 3  // Charlie's signature claimed as Dave's
        await #expect(throws: StatementRejection.badSignature(3)) { try await h.job.receive(forged) }
        let wrongContext = SignedFullStatement.sign(
            .seconded(candidate), validatorIndex: 2,
            context: SigningContext(sessionIndex: 2, parentHash: h.state.relayParent),
            keypair: h.state.keys[2])
        await #expect(throws: StatementRejection.badSignature(2)) { try await h.job.receive(wrongContext) }
        let state = await h.job.state()
        #expect(state.candidates.isEmpty)
        #expect(h.sink.history.isEmpty)
        #expect(h.fetcher.calls.pending.isEmpty)
    }

    @Test func outOfRangeValidatorIndexIsRejected() async throws {
        let h = try await Harness()
        let candidate = try h.state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        var statement = h.state.sign(.seconded(candidate), by: 2)
        statement.validatorIndex = 6
        await #expect(throws: StatementRejection.validatorIndexOutOfBounds(6, validatorCount: 6)) {
            try await h.job.receive(statement)
        }
        #expect(h.sink.history.isEmpty)
    }

    @Test func identicalStatementTwiceChangesNothingButTellsDisputesAgain() async throws {
        let h = try await Harness(keypair: nil)
        let candidate = try h.state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        let seconded = h.state.sign(.seconded(candidate), by: 2)
        let first = try await h.job.receive(seconded)
        let second = try await h.job.receive(seconded)
        #expect(first.summary?.validityVotes == 1)
        #expect(second.summary == nil)
        try await h.expectDisputeImport(candidate.hash, by: 2)
        try await h.expectDisputeImport(candidate.hash, by: 2)
        #expect(h.sink.history.count == 2)
        #expect(await h.job.state().misbehaviours.isEmpty)
    }

    @Test func minimumBackingVotesReplacesTheMajorityRule() async throws {
        var state = TestState()
        state.minimumBackingVotes = 2
        let h = try await Harness(state, keypair: nil)
        let candidate = try state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        _ = try await h.job.receive(state.sign(.seconded(candidate), by: 2))
        let summary = try await h.job.receive(state.sign(.valid(candidate.hash), by: 3)).summary
        #expect(summary?.validityVotes == 2)
        #expect(
            h.sink.history.contains(
                .provisionerBacked(relayParent: state.relayParent, candidate: candidate.plainReceipt)))
        #expect(
            await h.job.backedCandidates([candidate.hash]).first?.validatorIndices
                == BitVec([true, false, true, false]))
    }

    @Test func minimumBackingVotesIsCappedAtTheGroupSize() async throws {
        var state = TestState()
        state.minimumBackingVotes = 10
        let h = try await Harness(state, keypair: nil)
        let candidate = try state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        _ = try await h.job.receive(state.sign(.seconded(candidate), by: 2))
        for voter: UInt32 in [0, 3] { _ = try await h.job.receive(state.sign(.valid(candidate.hash), by: voter)) }
        #expect(await h.job.backedCandidates([candidate.hash]).isEmpty)
        _ = try await h.job.receive(state.sign(.valid(candidate.hash), by: 5))
        #expect(await h.job.backedCandidates([candidate.hash]).count == 1)
    }

    @Test func statementsFromDisabledValidatorsAreIgnored() async throws {
        var state = TestState()
        state.disabledValidators = [3]
        let h = try await Harness(state, keypair: nil)
        let candidate = try state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        _ = try await h.job.receive(state.sign(.seconded(candidate), by: 2))
        let ignored = try await h.job.receive(state.sign(.valid(candidate.hash), by: 3))
        #expect(ignored.summary == nil)
        #expect(ignored.ignoredReason != nil)
        #expect(await h.job.state().candidates.first?.validityVotes == 1)
        #expect(h.sink.history.count == 1)  // DC(2) only
    }

    @Test func aDisabledLocalValidatorNeitherSecondsNorAttests() async throws {
        var state = TestState()
        state.disabledValidators = [0]
        let h = try await Harness(state)
        let candidate = try state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        let refused = await h.job.second(candidate.plainReceipt, pov: PoV([1, 2, 3]))
        #expect(!refused.accepted)
        _ = try await h.job.receive(state.sign(.seconded(candidate), by: 2))
        try await h.expectDisputeImport(candidate.hash, by: 2)
        #expect(await h.job.backgroundValidationCount == 0)
        #expect(h.fetcher.calls.pending.isEmpty)
    }

    @Test func secondIsRefusedOutsideTheAssignmentAfterSecondingAndWhileValidating() async throws {
        let h = try await Harness()
        let first = try h.state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        var otherPara = try h.state.candidate(pov: [9], head: [])
        otherPara.descriptor.paraId = 2
        #expect(await h.job.second(otherPara.plainReceipt, pov: PoV([9])).accepted == false)
        #expect(await h.job.second(first.plainReceipt, pov: PoV([1, 2, 3])).accepted)
        let again = await h.job.second(first.plainReceipt, pov: PoV([1, 2, 3]))
        #expect(!again.accepted)
        #expect(again.reason == "the candidate is already being validated")
        try await h.answerValidation(of: first, pov: [1, 2, 3], with: h.state.validOutcome)
        try await h.expectStored(first)
        let next = try h.state.candidate(pov: [3, 2, 1], head: [4, 5, 6])
        _ = try await h.nextMessage()  // DC(0)
        _ = try await h.nextMessage()  // share
        _ = try await h.nextMessage()  // collator seconded
        let refused = await h.job.second(next.plainReceipt, pov: PoV([3, 2, 1]))
        #expect(refused.reason == "already seconded a candidate at this leaf")
        #expect(await h.job.state().seconded == first.hash)
    }

    @Test func commitmentsThatDoNotMatchTheReceiptMakeTheCandidateInvalid() async throws {
        let h = try await Harness()
        let candidate = try h.state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        #expect(await h.job.second(candidate.plainReceipt, pov: PoV([1, 2, 3])).accepted)
        let otherCommitments = CandidateCommitments(headData: HeadData(bytes: [9]))
        try await h.answerValidation(
            of: candidate, pov: [1, 2, 3], with: .valid(otherCommitments, h.state.validationData))
        #expect(
            try await h.nextMessage()
                == .collatorInvalid(relayParent: h.state.relayParent, candidate: candidate.plainReceipt))
        #expect(await h.store.availableData(for: candidate.hash) == nil)
    }

    @Test func aWrongErasureRootMakesTheCandidateInvalidAndStoresNothing() async throws {
        let h = try await Harness()
        var candidate = try h.state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        candidate.descriptor.erasureRoot = H256(repeating: 0xee)
        #expect(await h.job.second(candidate.plainReceipt, pov: PoV([1, 2, 3])).accepted)
        try await h.answerValidation(of: candidate, pov: [1, 2, 3], with: h.state.validOutcome)
        #expect(
            try await h.nextMessage()
                == .collatorInvalid(relayParent: h.state.relayParent, candidate: candidate.plainReceipt))
        #expect(await h.store.availableData(for: candidate.hash) == nil)
    }

    @Test func aFetchedPoVWithTheWrongHashCountsAsAFailedFetch() async throws {
        let h = try await Harness()
        let candidate = try h.state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        _ = try await h.job.receive(h.state.sign(.seconded(candidate), by: 2))
        try await h.answerFetch(from: 2, candidate: candidate, with: [6, 6, 6])
        _ = try await h.job.receive(h.state.sign(.valid(candidate.hash), by: 3))
        // The failed fetch from 2 freed the candidate; Dave's Valid triggers a fetch from 3.
        try await h.answerFetch(from: 3, candidate: candidate, with: [1, 2, 3])
        let call = try #require(await h.validator.calls.next())
        #expect(call.request.pov == PoV([1, 2, 3]))
        call.reply(.failure("test over"))
    }

    @Test func theDefaultBackingTimeoutIsPolkadotsTwoSecondsAndEveryValidationRequestCarriesIt() async throws {
        #expect(BackingConfiguration().backingTimeout == .seconds(2))  // BACKING_EXECUTION_TIMEOUT
        let h = try await Harness(configuration: BackingConfiguration())
        let candidate = try h.state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        #expect(await h.job.second(candidate.plainReceipt, pov: PoV([1, 2, 3])).accepted)
        let call = try #require(await h.validator.calls.next())
        #expect(call.request.executionTimeout == .seconds(2))
        call.reply(.failure("test over"))
    }

    @Test func aValidationOutlivingTheBackingTimeoutIsAFailure() async throws {
        let h = try await Harness(configuration: BackingConfiguration(backingTimeout: .milliseconds(50)))
        let candidate = try h.state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        #expect(await h.job.second(candidate.plainReceipt, pov: PoV([1, 2, 3])).accepted)
        let call = try #require(await h.validator.calls.next())  // never answered in time
        while await h.job.backgroundValidationCount > 0 { try await Task.sleep(for: .milliseconds(2)) }
        call.reply(h.state.validOutcome)  // too late
        #expect(h.sink.history.isEmpty)  // failure: no statement, no collator report
        #expect(await h.job.state().seconded == nil)
        #expect(await h.job.second(candidate.plainReceipt, pov: PoV([1, 2, 3])).accepted == false)
    }

    @Test func deactivatingALeafCancelsItsValidationAndIssuesNothing() async throws {
        let h = try await Harness()
        let candidate = try h.state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        #expect(await h.job.second(candidate.plainReceipt, pov: PoV([1, 2, 3])).accepted)
        let call = try #require(await h.validator.calls.next())
        try await h.subsystem.deactivate(h.state.relayParent)
        call.reply(h.state.validOutcome)
        while await h.job.backgroundValidationCount > 0 { try await Task.sleep(for: .milliseconds(2)) }
        try await Task.sleep(for: .milliseconds(20))
        #expect(h.sink.history.filter { $0.event == "statement.share" || $0.event == "collator.seconded" }.isEmpty)
        await #expect(throws: LeafError.unknownLeaf(h.state.relayParent)) {
            try await h.subsystem.job(h.state.relayParent)
        }
        #expect(await h.job.second(candidate.plainReceipt, pov: PoV([1, 2, 3])).accepted == false)
    }

    @Test func validationConcurrencyIsBoundedAndTheQueueIsObservable() async throws {
        var state = TestState()
        state.availabilityCores = [.scheduled(ScheduledCore(paraId: 1))]
        state.disabledValidators = []
        let sink = RecordingSink()
        let validator = ScriptedValidator()
        let subsystem = BackingSubsystem(
            keypair: Sr25519Keypair.dev("Alice"),
            ports: BackingPorts(
                validator: validator, povFetcher: ScriptedPoVFetcher(), availabilityStore: InMemoryAvailabilityStore(),
                sink: sink),
            configuration: BackingConfiguration(backingTimeout: .seconds(60), validationConcurrency: 1),
            logger: Harness.quietLogger)
        // Two leaves, one Second each: the second validation waits for the first one's slot.
        let leafA = state.leaf
        var leafB = state.leaf
        leafB.hash = H256(repeating: 6)
        let jobA = try await subsystem.activate(leafA)
        let jobB = try await subsystem.activate(leafB)
        let candidateA = try state.candidate(pov: [1], head: [])
        var candidateB = try state.candidate(pov: [2], head: [])
        candidateB.descriptor.relayParent = leafB.hash
        #expect(await jobA.second(candidateA.plainReceipt, pov: PoV([1])).accepted)
        #expect(await jobB.second(candidateB.plainReceipt, pov: PoV([2])).accepted)
        let first = try #require(await validator.calls.next())
        while await subsystem.limiter.queueLength < 1 { try await Task.sleep(for: .milliseconds(2)) }
        #expect(await subsystem.limiter.runningCount == 1)
        #expect(validator.calls.pending.isEmpty)
        first.reply(.failure("done"))
        let second = try #require(await validator.calls.next())
        #expect(await subsystem.limiter.queueLength == 0)
        second.reply(.failure("done"))
    }

    @Test func leafLifecycleErrorsNameTheProblem() async throws {
        let h = try await Harness()
        // The same runtime data again finds the active job; different data under the hash is a conflict.
        let again = try await h.subsystem.activation(of: h.state.leaf)
        #expect(again.job === h.job && !again.created)
        var different = h.state.leaf
        different.number = 2
        await #expect(throws: LeafError.alreadyActive(h.state.relayParent)) {
            try await h.subsystem.activate(different)
        }
        var bad = h.state.leaf
        bad.hash = H256(repeating: 9)
        bad.validatorGroups = [[0, 6]]
        await #expect(
            throws: LeafError.invalidRuntimeData(
                field: "validatorGroups[0][1]", reason: "validator index 6 out of bounds for 6 validators")
        ) {
            try await h.subsystem.activate(bad)
        }
        await #expect(throws: LeafError.unknownLeaf(H256(repeating: 9))) {
            try await h.subsystem.deactivate(H256(repeating: 9))
        }
        #expect(await h.subsystem.activeJobs.count == 1)
    }

    @Test func leafStateShowsAssignmentGroupsCandidatesAndVotes() async throws {
        let h = try await Harness()
        let candidate = try h.state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        _ = try await h.job.receive(h.state.sign(.seconded(candidate), by: 2))
        let state = await h.job.state()
        #expect(state.validatorIndex == 0)
        #expect(state.assignment == LeafState.Assignment(paraId: 1, requiredCollator: nil))
        #expect(state.groups == ["1": [2, 0, 3, 5], "2": [1], "3": [4]])
        #expect(
            state.candidates == [
                LeafState.Candidate(candidateHash: candidate.hash, paraId: 1, validityVotes: 1, backed: false)
            ])
        let json = String(decoding: try JSONOutput.encode(state), as: UTF8.self)
        #expect(json.contains("\"seconded\":null"))
    }

    @Test func leafJSONTakesParaIdsAsObjectKeysAndNamesBadOnes() throws {
        let state = TestState()
        var leaf = state.leaf
        leaf.paras = [
            100: Leaf.ParaState(persistedValidationData: state.validationData, validationCodeHash: H256(repeating: 1))
        ]
        let json = try JSONOutput.encode(leaf)
        #expect(try JSONInput.decode(Leaf.self, from: json) == leaf)
        let text = String(decoding: json, as: UTF8.self).replacingOccurrences(of: "\"100\"", with: "\"x\"")
        #expect(throws: JSONInputError(field: "paras.x", reason: "expected a para id (u32) as the key")) {
            try JSONInput.decode(Leaf.self, from: Data(text.utf8))
        }
    }
}

extension BackingExtensionTests {
    @Test func aVerifiedBatchImportsInOrderLikeSingleStatements() async throws {
        let h = try await Harness(keypair: nil)
        let candidate = try h.state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        let statements = [
            h.state.sign(.valid(candidate.hash), by: 3),  // before its candidate: dropped, as one at a time
            h.state.sign(.seconded(candidate), by: 2), h.state.sign(.valid(candidate.hash), by: 3),
            h.state.sign(.valid(candidate.hash), by: 5),
        ]
        for statement in statements { try h.job.verify(statement) }
        let outcomes = await h.job.receiveVerified(statements)
        #expect(outcomes.map { $0.summary?.validityVotes } == [nil, 1, 2, 3])
        #expect(
            h.sink.history.last
                == .provisionerBacked(relayParent: h.state.relayParent, candidate: candidate.plainReceipt))
    }
}
