import Backing
import Crypto
import Primitives
import StatementTable
import Testing

/// Polkadot's 12 backing tests (`node/core/backing/src/tests.rs`, v0.9.12), with the same fixture, real
/// sr25519 signatures, real erasure roots, and the same ordered outgoing messages. Validation results and
/// fetched PoVs are scripted, as the originals script them.
@Suite(.timeLimit(.minutes(1)))
struct SeedScenarioTests {
    @Test func backingSecondWorks() async throws {
        let h = try await Harness()
        let candidate = try h.state.candidate(pov: [42, 43, 44], head: [4, 5, 6])
        let outcome = await h.job.second(candidate.plainReceipt, pov: PoV([42, 43, 44]))
        #expect(outcome.accepted)
        try await h.answerValidation(of: candidate, pov: [42, 43, 44], with: h.state.validOutcome)
        try await h.expectStored(candidate)
        try await h.expectDisputeImport(candidate.hash, by: 0)
        let share = try await h.nextMessage()
        guard case .statementShare(let parent, let signed) = share else { throw Unexpected(share) }
        #expect(parent == h.state.relayParent)
        #expect(signed.payload == .seconded(candidate))
        #expect(signed.validatorIndex == 0)
        #expect(signed.isSignatureValid(context: h.state.signingContext, validator: h.state.keys[0].publicKey))
        #expect(try await h.nextMessage() == .collatorSeconded(relayParent: h.state.relayParent, statement: signed))
        await h.subsystem.stopAll()
        #expect(h.sink.history.count == 4)  // one vote of three: nothing for the provisioner
    }

    @Test func backingWorks() async throws {
        let h = try await Harness()
        let candidate = try h.state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        let signedA = h.state.sign(.seconded(candidate), by: 2)
        let signedB = h.state.sign(.valid(candidate.hash), by: 5)

        _ = try await h.job.receive(signedA)
        try await h.expectDisputeImport(candidate.hash, by: 2)
        try await h.answerFetch(from: 2, candidate: candidate, with: [1, 2, 3])
        try await h.answerValidation(of: candidate, pov: [1, 2, 3], with: h.state.validOutcome)
        try await h.expectStored(candidate)
        try await h.expectDisputeImport(candidate.hash, by: 0)
        let share = try await h.nextMessage()
        guard case .statementShare(let parent, let ours) = share else { throw Unexpected(share) }
        #expect(parent == h.state.relayParent)
        #expect(ours.payload == .valid(candidate.hash))

        let summary = try await h.job.receive(signedB).summary
        #expect(summary == Summary(candidate: candidate.hash, groupId: 1, validityVotes: 3))
        try await h.expectDisputeImport(candidate.hash, by: 5)
        #expect(
            try await h.nextMessage()
                == .provisionerBacked(relayParent: h.state.relayParent, candidate: candidate.plainReceipt))
        let backed = try #require(await h.job.backedCandidates([candidate.hash]).first)
        #expect(
            backed.validityVotes == [
                .implicit(signedA.signature), .explicit(ours.signature), .explicit(signedB.signature),
            ])
        #expect(backed.validatorIndices == BitVec([true, true, false, true]))
        await h.subsystem.stopAll()
        #expect(h.fetcher.calls.pending.isEmpty)  // no new fetch after signed_b: the fallback was removed
    }

    @Test func backingWorksWhileValidationOngoing() async throws {
        let h = try await Harness()
        let candidate = try h.state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        let signedA = h.state.sign(.seconded(candidate), by: 2)
        let signedB = h.state.sign(.valid(candidate.hash), by: 5)
        let signedC = h.state.sign(.valid(candidate.hash), by: 3)

        _ = try await h.job.receive(signedA)
        try await h.expectDisputeImport(candidate.hash, by: 2)
        try await h.answerFetch(from: 2, candidate: candidate, with: [1, 2, 3])
        let pending = try #require(await h.validator.calls.next())  // never answered
        #expect(pending.request.candidate.descriptor == candidate.descriptor)

        _ = try await h.job.receive(signedB)
        _ = try await h.job.receive(signedC)
        try await h.expectDisputeImport(candidate.hash, by: 5)
        try await h.expectDisputeImport(candidate.hash, by: 3)
        let message = try await h.nextMessage()
        guard case .provisionerBacked(_, let receipt) = message else { throw Unexpected(message) }
        #expect(receipt.descriptor == candidate.descriptor)

        let backed = await h.job.backedCandidates([candidate.hash])
        #expect(backed.count == 1)
        #expect(
            backed.first?.validityVotes == [
                .implicit(signedA.signature), .explicit(signedC.signature), .explicit(signedB.signature),
            ])
        #expect(backed.first.map { Hex.encode($0.validatorIndices.scaleEncoded) } == "0x100d")
        pending.reply(.failure("test over"))
        await h.subsystem.stopAll()
    }

    @Test func backingMisbehaviorWorks() async throws {
        let h = try await Harness()
        let candidate = try h.state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        let seconded2 = h.state.sign(.seconded(candidate), by: 2)
        let valid2 = h.state.sign(.valid(candidate.hash), by: 2)

        _ = try await h.job.receive(seconded2)
        try await h.expectDisputeImport(candidate.hash, by: 2)
        try await h.answerFetch(from: 2, candidate: candidate, with: [1, 2, 3])
        try await h.answerValidation(of: candidate, pov: [1, 2, 3], with: h.state.validOutcome)
        try await h.expectStored(candidate)
        try await h.expectDisputeImport(candidate.hash, by: 0)
        let share = try await h.nextMessage()
        guard case .statementShare(_, let ours) = share else { throw Unexpected(share) }
        #expect(ours.payload == .valid(candidate.hash))

        _ = try await h.job.receive(valid2)
        try await h.expectDisputeImport(candidate.hash, by: 2)
        let report = try await h.nextMessage()
        guard case .provisionerMisbehavior(let parent, let offender, let misbehavior) = report else {
            throw Unexpected(report)
        }
        #expect(parent == h.state.relayParent)
        #expect(offender == 2)
        #expect(misbehavior == .validityDoubleVote(seconded: seconded2, valid: valid2))
        for evidence in misbehavior.statements {
            #expect(evidence.isSignatureValid(context: h.state.signingContext, validator: h.state.keys[2].publicKey))
        }
        #expect(await h.job.state().misbehaviours.count == 1)
    }

    @Test func backingDontSecondInvalid() async throws {
        let h = try await Harness()
        let invalid = try h.state.candidate(pov: [42, 43, 44], head: [])
        let valid = try h.state.candidate(pov: [45, 46, 47], head: [4, 5, 6])

        #expect(await h.job.second(invalid.plainReceipt, pov: PoV([42, 43, 44])).accepted)
        try await h.answerValidation(of: invalid, pov: [42, 43, 44], with: .invalid(.badReturn))
        #expect(
            try await h.nextMessage()
                == .collatorInvalid(relayParent: h.state.relayParent, candidate: invalid.plainReceipt))

        #expect(await h.job.second(valid.plainReceipt, pov: PoV([45, 46, 47])).accepted)
        try await h.answerValidation(of: valid, pov: [45, 46, 47], with: h.state.validOutcome)
        try await h.expectStored(valid)
        try await h.expectDisputeImport(valid.hash, by: 0)
        let share = try await h.nextMessage()
        guard case .statementShare(let parent, let signed) = share else { throw Unexpected(share) }
        #expect(parent == h.state.relayParent)
        #expect(signed.payload == .seconded(valid))
        #expect(try await h.nextMessage() == .collatorSeconded(relayParent: h.state.relayParent, statement: signed))
        await h.subsystem.stopAll()
    }

    @Test func backingSecondAfterFirstFailsWorks() async throws {
        let h = try await Harness()
        let candidate = try h.state.candidate(pov: [42, 43, 44], head: [])
        let other = try h.state.candidate(pov: [3, 2, 1], head: [])

        _ = try await h.job.receive(h.state.sign(.seconded(candidate), by: 2))
        try await h.expectDisputeImport(candidate.hash, by: 2)
        try await h.answerFetch(from: 2, candidate: candidate, with: [42, 43, 44])
        try await h.answerValidation(of: candidate, pov: [42, 43, 44], with: .invalid(.badReturn))
        while await h.job.backgroundValidationCount > 0 { try await Task.sleep(for: .milliseconds(2)) }

        let refused = await h.job.second(candidate.plainReceipt, pov: PoV([42, 43, 44]))
        #expect(!refused.accepted)
        #expect(await h.job.second(other.plainReceipt, pov: PoV([3, 2, 1])).accepted)
        // The very next validation request is for [3,2,1]: the earlier Second was ignored.
        let call = try #require(await h.validator.calls.next())
        #expect(call.request.pov == PoV([3, 2, 1]))
        #expect(h.sink.history.count == 1)  // only DC(2): no share, no collator message
        call.reply(.failure("test over"))
    }

    @Test func backingWorksAfterFailedValidation() async throws {
        let h = try await Harness()
        let candidate = try h.state.candidate(pov: [42, 43, 44], head: [])
        _ = try await h.job.receive(h.state.sign(.seconded(candidate), by: 2))
        try await h.expectDisputeImport(candidate.hash, by: 2)
        try await h.answerFetch(from: 2, candidate: candidate, with: [42, 43, 44])
        try await h.answerValidation(of: candidate, pov: [42, 43, 44], with: .failure("Internal test error"))
        while await h.job.backgroundValidationCount > 0 { try await Task.sleep(for: .milliseconds(2)) }
        #expect(await h.job.backedCandidates([candidate.hash]).isEmpty)
        #expect(h.sink.history.count == 1)
    }

    @Test func backingDoesntSecondWrongCollator() async throws {
        var state = TestState()
        state.availabilityCores[0] = .scheduled(ScheduledCore(paraId: 1, collator: state.keys[1].publicKey))
        let h = try await Harness(state)
        let candidate = try state.candidate(pov: [42, 43, 44], head: [4, 5, 6])
        let outcome = await h.job.second(candidate.plainReceipt, pov: PoV([42, 43, 44]))
        #expect(!outcome.accepted)
        #expect(
            try await h.nextMessage()
                == .collatorInvalid(relayParent: state.relayParent, candidate: candidate.plainReceipt))
        #expect(h.validator.calls.pending.isEmpty)
        await h.subsystem.stopAll()
    }

    @Test func validationWorkIgnoresWrongCollator() async throws {
        var state = TestState()
        state.availabilityCores[0] = .scheduled(ScheduledCore(paraId: 1, collator: state.keys[1].publicKey))
        let h = try await Harness(state)
        let candidate = try state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        _ = try await h.job.receive(state.sign(.seconded(candidate), by: 2))
        await h.subsystem.stopAll()
        try await h.expectDisputeImport(candidate.hash, by: 2)
        #expect(h.sink.history.count == 1)  // [DC(2)] only: no fetch, no validation
        #expect(h.fetcher.calls.pending.isEmpty)
        #expect(h.validator.calls.pending.isEmpty)
    }

    @Test func candidateBackingReordersVotes() throws {
        let defaultCandidate = CommittedCandidateReceipt()
        #expect(defaultCandidate.hash.hex == "0x70237b778279b3417ea1219cc7e61e51d404a16ac84811e2c1116ca220525b3c")
        func fakeAttestation(_ index: UInt32) -> TableValidityAttestation<ValidatorSignature> {
            var bytes = defaultCandidate.hash.bytes + [UInt8](repeating: 0, count: 32)
            withUnsafeBytes(of: index.littleEndian) { bytes.replaceSubrange(32..<36, with: $0) }
            return .implicit(ValidatorSignature(unchecked: bytes))
        }
        let context = TableContext(groups: [10: [0, 1, 2, 3, 4, 5]])
        let attested = AttestedCandidate<TableContext>(
            groupId: 10, candidate: defaultCandidate,
            validityVotes: [(5, fakeAttestation(5)), (3, fakeAttestation(3)), (1, fakeAttestation(1))])
        let backed = try #require(BackedCandidates.make(from: attested, context: context))
        #expect(Hex.encode(backed.validatorIndices.scaleEncoded) == "0x182a")
        let expected: [ValidityAttestation] = [UInt32(1), 3, 5].map {
            guard case .implicit(let signature) = fakeAttestation($0) else { preconditionFailure("built as implicit") }
            return .implicit(signature)
        }
        #expect(backed.validityVotes == expected)
        #expect(backed.validityVotes.allSatisfy { $0.scaleEncoded.first == 1 })
    }

    @Test func votersOutsideTheGroupMakeNoBackedCandidate() {
        let context = TableContext(groups: [10: [0, 1]])
        let attested = AttestedCandidate<TableContext>(
            groupId: 10, candidate: CommittedCandidateReceipt(), validityVotes: [(7, .implicit(.zero))])
        #expect(BackedCandidates.make(from: attested, context: context) == nil)
        #expect(BackedCandidates.make(from: attested, context: TableContext(groups: [:])) == nil)
    }

    @Test func retryWorks() async throws {
        let h = try await Harness()
        let candidate = try h.state.candidate(pov: [42, 43, 44], head: [])
        let signedA = h.state.sign(.seconded(candidate), by: 2)
        let signedB = h.state.sign(.valid(candidate.hash), by: 3)
        let signedC = h.state.sign(.valid(candidate.hash), by: 5)

        _ = try await h.job.receive(signedA)
        try await h.expectDisputeImport(candidate.hash, by: 2)
        try await h.answerFetch(from: 2, candidate: candidate, with: nil)
        while await h.job.backgroundValidationCount > 0 { try await Task.sleep(for: .milliseconds(2)) }

        _ = try await h.job.receive(signedB)
        try await h.expectDisputeImport(candidate.hash, by: 3)
        try await h.answerFetch(from: 3, candidate: candidate, with: nil)
        while await h.job.backgroundValidationCount > 0 { try await Task.sleep(for: .milliseconds(2)) }

        _ = try await h.job.receive(signedC)
        try await h.expectDisputeImport(candidate.hash, by: 5)
        let message = try await h.nextMessage()
        guard case .provisionerBacked(_, let receipt) = message else { throw Unexpected(message) }
        #expect(receipt.descriptor == candidate.descriptor)
        try await h.answerFetch(from: 5, candidate: candidate, with: [42, 43, 44])
        let call = try #require(await h.validator.calls.next())
        #expect(call.request.candidate.descriptor == candidate.descriptor)
        call.reply(.failure("test over"))
    }

    @Test func observesBackingEvenIfNotValidator() async throws {
        let h = try await Harness(keypair: nil)
        let candidate = try h.state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        _ = try await h.job.receive(h.state.sign(.seconded(candidate), by: 0))
        _ = try await h.job.receive(h.state.sign(.valid(candidate.hash), by: 5))
        _ = try await h.job.receive(h.state.sign(.valid(candidate.hash), by: 2))
        try await h.expectDisputeImport(candidate.hash, by: 0)
        try await h.expectDisputeImport(candidate.hash, by: 5)
        try await h.expectDisputeImport(candidate.hash, by: 2)
        #expect(
            try await h.nextMessage()
                == .provisionerBacked(relayParent: h.state.relayParent, candidate: candidate.plainReceipt))
        #expect(h.fetcher.calls.pending.isEmpty)
        #expect(h.validator.calls.pending.isEmpty)
        #expect(await h.job.state().validatorIndex == nil)
        await h.subsystem.stopAll()
    }
}

/// An outgoing message the scenario did not expect at this point.
struct Unexpected: Error, CustomStringConvertible {
    let message: OutboundMessage
    init(_ message: OutboundMessage) { self.message = message }
    var description: String { "unexpected \(message.event)" }
}
