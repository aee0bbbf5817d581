import Backing
import Crypto
import MetricsTestKit
import Primitives
import Testing

/// The signing guard never signs what would make the statement table report us, and gives back the
/// signature it made before instead of signing the same statement again.
@Suite(.timeLimit(.minutes(1)))
struct SigningGuardTests {
    let s = TestState()
    var alice: Sr25519Keypair { s.keys[0] }

    func decide(_ guardian: SigningGuard, _ statement: Statement) -> SigningGuard.Decision {
        guardian.sign(statement, validatorIndex: 0, context: s.signingContext, keypair: alice)
    }

    @Test func aSecondSecondedAtOneRelayParentIsRefusedAsMultipleCandidates() throws {
        let guardian = SigningGuard()
        let a = try s.candidate(pov: [1], head: [])
        let b = try s.candidate(pov: [2], head: [])
        guard case .signed(_, let record) = decide(guardian, .seconded(a)) else {
            Issue.record("the first Seconded is signed")
            return
        }
        #expect(record.kind == .seconded && record.candidateHash == a.hash && record.relayParent == s.relayParent)
        guard case .refused(let refusal) = decide(guardian, .seconded(b)) else {
            Issue.record("a second Seconded is refused")
            return
        }
        #expect(refusal == .multipleCandidates(seconded: a.hash))
        #expect(guardian.refusal(ofSeconded: b.hash, validator: alice.publicKey, context: s.signingContext) == refusal)
        // Another relay parent, or another session, is another scope.
        let other = SigningContext(sessionIndex: 1, parentHash: H256(repeating: 6))
        guard case .signed = guardian.sign(.seconded(b), validatorIndex: 0, context: other, keypair: alice) else {
            Issue.record("another relay parent is not a conflict")
            return
        }
    }

    @Test func secondedAndValidForOneCandidateAreRefusedAsAValidityDoubleVote() throws {
        let a = try s.candidate(pov: [1], head: [])
        let first = SigningGuard()
        _ = decide(first, .seconded(a))
        guard case .refused(.validityDoubleVote(a.hash)) = decide(first, .valid(a.hash)) else {
            Issue.record("Valid after our Seconded is refused")
            return
        }
        let second = SigningGuard()
        _ = decide(second, .valid(a.hash))
        guard case .refused(.validityDoubleVote(a.hash)) = decide(second, .seconded(a)) else {
            Issue.record("Seconded after our Valid is refused")
            return
        }
    }

    @Test func aResetForgetsWhatTheDurableHistoryDoesNotHold() throws {
        let guardian = SigningGuard()
        let a = try s.candidate(pov: [1], head: [])
        let b = try s.candidate(pov: [2], head: [])
        guard case .signed(_, let recordA) = decide(guardian, .seconded(a)) else {
            Issue.record("the first Seconded is signed")
            return
        }
        // The history holds nothing (A's record never committed): B may be seconded.
        guardian.reset(to: [])
        guard case .signed(_, let recordB) = decide(guardian, .seconded(b)) else {
            Issue.record("after the reset a Seconded of B is signed")
            return
        }
        // The history holds A: B is refused, A answered with its recorded bytes.
        guardian.reset(to: [recordA])
        guard case .refused = decide(guardian, .seconded(b)) else {
            Issue.record("after a reset to A's record, B is refused")
            return
        }
        guard case .reused(let again) = decide(guardian, .seconded(a)) else {
            Issue.record("after a reset to A's record, A is reused")
            return
        }
        #expect(again.signature == recordA.signature && recordB.signature != recordA.signature)
    }

    @Test func theSameStatementAgainReusesTheStoredSignatureBytes() throws {
        let a = try s.candidate(pov: [1], head: [])
        let b = try s.candidate(pov: [2], head: [])
        let guardian = SigningGuard()
        guard case .signed(let seconded, _) = decide(guardian, .seconded(a)),
            case .signed(let valid, _) = decide(guardian, .valid(b.hash))
        else {
            Issue.record("first signatures are made")
            return
        }
        // A restarted node: the history comes from the durable records.
        let restarted = SigningGuard(records: guardian.records)
        guard case .reused(let again) = decide(restarted, .seconded(a)),
            case .reused(let validAgain) = decide(restarted, .valid(b.hash))
        else {
            Issue.record("signed statements are reused")
            return
        }
        #expect(again == seconded && validAgain == valid)
        #expect(again.signature.bytes == seconded.signature.bytes)
        #expect(alice.publicKey.isValidSignature(again.signature, for: again.signingPayload(s.signingContext)))
    }

    @Test func pruningForgetsOnlyOlderSessionsOfThatValidator() throws {
        let a = try s.candidate(pov: [1], head: [])
        let guardian = SigningGuard()
        _ = decide(guardian, .seconded(a))
        let later = SigningContext(sessionIndex: 9, parentHash: s.relayParent)
        _ = guardian.sign(.valid(a.hash), validatorIndex: 0, context: later, keypair: alice)
        guardian.prune(validator: s.keys[1].publicKey, belowSession: 5)
        #expect(guardian.records.count == 2)
        guardian.prune(validator: alice.publicKey, belowSession: 5)
        #expect(guardian.records.map(\.sessionIndex) == [9])
    }

    @Test func aSecondTheGuardRefusesIsNotAcceptedAndIsCounted() async throws {
        let metrics = TestMetrics()
        let earlier = try s.candidate(pov: [7], head: [])
        let history = SigningGuard()
        _ = decide(history, .seconded(earlier))
        // The journal is gone (the leaf was deactivated and activated again), the history is not.
        let h = try await Harness(metrics: metrics, signingGuard: SigningGuard(records: history.records))
        let c = try s.candidate(pov: [42, 43, 44], head: [4, 5, 6])
        let outcome = await h.job.second(c.plainReceipt, pov: PoV([42, 43, 44]))
        #expect(!outcome.accepted)
        #expect(outcome.reason?.contains("signing guard") == true)
        #expect(
            try metrics.expectCounter("backingd_signing_refused_total", [("reason", "multipleCandidates")]).totalValue
                == 1)
        #expect(h.validator.calls.pending.isEmpty)
    }

    @Test func anAttestationTheGuardRefusesIsNeitherSignedNorShared() async throws {
        let a = try s.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        let history = SigningGuard()
        _ = decide(history, .seconded(a))  // we seconded A before the journal was lost
        let h = try await Harness(signingGuard: SigningGuard(records: history.records))
        _ = try await h.job.receive(s.sign(.seconded(a), by: 2))
        try await h.answerFetch(from: 2, candidate: a, with: [1, 2, 3])
        try await h.answerValidation(of: a, pov: [1, 2, 3], with: s.validOutcome)
        let deadline = ContinuousClock.now + .seconds(5)
        while await h.job.backgroundValidationCount > 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        try await Task.sleep(for: .milliseconds(20))
        #expect(!h.sink.history.contains { if case .statementShare = $0 { true } else { false } })
        #expect(h.signingRecords.isEmpty)
    }
}
