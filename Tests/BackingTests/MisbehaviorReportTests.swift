import Backing
import Crypto
import Primitives
import Testing

/// Every misbehaviour kind reaches the provisioner once, with evidence that verifies on its own.
@Suite(.timeLimit(.minutes(1)))
struct MisbehaviorReportTests {
    /// The next `provisioner.misbehavior` report, skipping dispute notifications.
    func nextReport(_ h: Harness) async throws -> (ValidatorIndex, Misbehavior) {
        while true {
            let message = try await h.nextMessage()
            if case .provisionerMisbehavior(let parent, let offender, let misbehavior) = message {
                #expect(parent == h.state.relayParent)
                return (offender, misbehavior)
            }
        }
    }

    func expectEvidenceVerifies(_ misbehavior: Misbehavior, by offender: Int, _ h: Harness) {
        for statement in misbehavior.statements {
            #expect(statement.validatorIndex == ValidatorIndex(UInt32(offender)))
            #expect(
                statement.isSignatureValid(context: h.state.signingContext, validator: h.state.keys[offender].publicKey)
            )
        }
    }

    @Test func secondingTwoCandidatesIsReportedAsMultipleCandidates() async throws {
        let h = try await Harness(keypair: nil)
        let first = try h.state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        let second = try h.state.candidate(pov: [3, 2, 1], head: [])
        let a = h.state.sign(.seconded(first), by: 3)
        let b = h.state.sign(.seconded(second), by: 3)
        _ = try await h.job.receive(a)
        #expect(try await h.job.receive(b).summary == nil)
        let (offender, misbehavior) = try await nextReport(h)
        #expect(offender == 3)
        #expect(misbehavior == .multipleCandidates(first: a, second: b))
        expectEvidenceVerifies(misbehavior, by: 3, h)
        #expect(await h.job.state().candidates.map(\.candidateHash) == [first.hash])
    }

    @Test func statementOutsideOnesGroupIsReportedAsUnauthorized() async throws {
        let h = try await Harness(keypair: nil)
        let candidate = try h.state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        let bobSeconds = h.state.sign(.seconded(candidate), by: 1)  // Bob backs para 2, not para 1
        _ = try await h.job.receive(bobSeconds)
        var (offender, misbehavior) = try await nextReport(h)
        #expect(offender == 1)
        #expect(misbehavior == .unauthorizedStatement(bobSeconds))
        expectEvidenceVerifies(misbehavior, by: 1, h)

        _ = try await h.job.receive(h.state.sign(.seconded(candidate), by: 2))
        let ferdieVotes = h.state.sign(.valid(candidate.hash), by: 4)
        _ = try await h.job.receive(ferdieVotes)
        (offender, misbehavior) = try await nextReport(h)
        #expect(offender == 4)
        #expect(misbehavior == .unauthorizedStatement(ferdieVotes))
        expectEvidenceVerifies(misbehavior, by: 4, h)
    }

    @Test func signingTheSameStatementTwiceIsReportedAsDoubleSign() async throws {
        let h = try await Harness(keypair: nil)
        let candidate = try h.state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        // sr25519 signatures are randomised: signing twice gives two different valid signatures.
        let seconded1 = h.state.sign(.seconded(candidate), by: 2)
        let seconded2 = h.state.sign(.seconded(candidate), by: 2)
        #expect(seconded1.signature != seconded2.signature)
        _ = try await h.job.receive(seconded1)
        _ = try await h.job.receive(seconded2)
        var (offender, misbehavior) = try await nextReport(h)
        #expect(offender == 2)
        #expect(misbehavior == .doubleSign(.seconded, first: seconded1, second: seconded2))
        expectEvidenceVerifies(misbehavior, by: 2, h)

        let valid1 = h.state.sign(.valid(candidate.hash), by: 5)
        let valid2 = h.state.sign(.valid(candidate.hash), by: 5)
        _ = try await h.job.receive(valid1)
        _ = try await h.job.receive(valid2)
        (offender, misbehavior) = try await nextReport(h)
        #expect(offender == 5)
        #expect(misbehavior == .doubleSign(.validity, first: valid1, second: valid2))
        expectEvidenceVerifies(misbehavior, by: 5, h)
        #expect(await h.job.state().misbehaviours.map(\.validatorIndex) == [2, 5])
    }

    @Test func validThenSecondedIsAlsoAValidityDoubleVote() async throws {
        let h = try await Harness(keypair: nil)
        let candidate = try h.state.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        _ = try await h.job.receive(h.state.sign(.seconded(candidate), by: 2))
        let valid = h.state.sign(.valid(candidate.hash), by: 3)
        let seconded = h.state.sign(.seconded(candidate), by: 3)
        _ = try await h.job.receive(valid)
        _ = try await h.job.receive(seconded)
        let (offender, misbehavior) = try await nextReport(h)
        #expect(offender == 3)
        #expect(misbehavior == .validityDoubleVote(seconded: seconded, valid: valid))
        expectEvidenceVerifies(misbehavior, by: 3, h)
    }
}
