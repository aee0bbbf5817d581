import Backing
import Crypto
import Primitives
import Testing

/// Replaying a job's journal into a fresh job gives back the state of the live job (table, summaries,
/// backed set, misbehaviour reports, our seconded candidate), sends nothing again, and runs again the
/// validations that were in flight.
@Suite(.timeLimit(.minutes(1)))
struct JournalReplayTests {
    /// Polls `condition` (the job's state changes in background tasks) for up to 5 s.
    func eventually(_ condition: () async -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async {
        let deadline = ContinuousClock.now + .seconds(5)
        while await !condition(), ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(5)) }
        #expect(await condition(), "condition not reached within 5 s", sourceLocation: sourceLocation)
    }

    @Test func replayRebuildsTheSameStateForEveryMisbehaviourKindAndSendsNothing() async throws {
        let live = try await Harness()
        let s = live.state
        let a = try s.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        let b = try s.candidate(pov: [7, 8, 9], head: [4, 5, 6])
        let c = try s.candidate(pov: [42, 43, 44], head: [4, 5, 6])

        // Alice seconds C (validated, signed, backed later by 2's and 3's votes).
        #expect(await live.job.second(c.plainReceipt, pov: PoV([42, 43, 44])).accepted)
        try await live.answerValidation(of: c, pov: [42, 43, 44], with: s.validOutcome)
        await eventually { await live.job.state().seconded == c.hash }
        _ = try await live.job.receive(s.sign(.valid(c.hash), by: 2))
        _ = try await live.job.receive(s.sign(.valid(c.hash), by: 3))

        // Charlie (2) seconds A: Alice attests after fetching the PoV from 2.
        _ = try await live.job.receive(s.sign(.seconded(a), by: 2))
        try await live.answerFetch(from: 2, candidate: a, with: [1, 2, 3])
        try await live.answerValidation(of: a, pov: [1, 2, 3], with: s.validOutcome)
        await eventually { await live.job.state().candidates.first { $0.candidateHash == a.hash }?.validityVotes == 2 }
        _ = try await live.job.receive(s.sign(.valid(a.hash), by: 5))

        // Every misbehaviour kind of the table.
        _ = try await live.job.receive(s.sign(.seconded(b), by: 2))  // multipleCandidates
        _ = try await live.job.receive(s.sign(.valid(a.hash), by: 2))  // validityDoubleVote
        _ = try await live.job.receive(s.sign(.valid(a.hash), by: 1))  // unauthorizedStatement
        _ = try await live.job.receive(s.sign(.seconded(a), by: 2))  // doubleSignSeconded
        _ = try await live.job.receive(s.sign(.valid(a.hash), by: 5))  // doubleSignValidity

        // Dave (3) seconds B; Alice's PoV fetch is in flight when the node "crashes".
        _ = try await live.job.receive(s.sign(.seconded(b), by: 3))
        let inFlight = try #require(await live.fetcher.calls.next())
        #expect(inFlight.candidateHash == b.hash)

        let liveState = await live.job.state()
        // Both double signs (Seconded, Valid) are of kind "doubleSign".
        #expect(
            liveState.misbehaviours.map(\.misbehavior.kind) == [
                "multipleCandidates", "validityDoubleVote", "unauthorizedStatement", "doubleSign", "doubleSign",
            ])
        let hashes = [a.hash, b.hash, c.hash]
        let liveBacked = await live.job.backedCandidates(hashes)
        #expect(liveBacked.count == 2)
        await live.job.stop()

        let restored = try await Harness(
            signingGuard: SigningGuard(records: live.signingRecords), restoring: live.journaledEvents)
        #expect(await restored.job.state() == liveState)
        #expect(await restored.job.backedCandidates(hashes) == liveBacked)
        #expect(restored.sink.history.isEmpty, "a replay sends nothing again")
        #expect(restored.sink.journal.isEmpty, "a replay journals nothing again")

        // The validation in flight at the crash runs again: fetch from Dave, validate, sign Valid(B) once.
        try await restored.answerFetch(from: 3, candidate: b, with: [7, 8, 9])
        try await restored.answerValidation(of: b, pov: [7, 8, 9], with: s.validOutcome)
        await eventually {
            restored.sink.history.contains { message in
                if case .statementShare(_, let statement) = message {
                    statement.payload == .valid(b.hash)
                } else {
                    false
                }
            }
        }
        let shares = restored.sink.history.filter { if case .statementShare = $0 { true } else { false } }
        #expect(shares.count == 1)
        #expect(restored.signingRecords.map(\.candidateHash) == [b.hash])
        // And Alice does not second again at this relay parent.
        let d = try s.candidate(pov: [9, 9, 9], head: [4, 5, 6])
        let again = await restored.job.second(d.plainReceipt, pov: PoV([9, 9, 9]))
        #expect(!again.accepted)
    }

    @Test func aSecondInFlightAtTheCrashIsValidatedAgainWithItsJournaledPoVAndSignedOnce() async throws {
        let live = try await Harness()
        let s = live.state
        let c = try s.candidate(pov: [42, 43, 44], head: [4, 5, 6])
        #expect(await live.job.second(c.plainReceipt, pov: PoV([42, 43, 44])).accepted)
        _ = try #require(await live.validator.calls.next())  // never answered: the crash comes first
        await live.job.stop()

        let restored = try await Harness(restoring: live.journaledEvents)
        try await restored.answerValidation(of: c, pov: [42, 43, 44], with: s.validOutcome)
        await eventually { await restored.job.state().seconded == c.hash }
        let seconded = restored.sink.history.filter { if case .collatorSeconded = $0 { true } else { false } }
        #expect(seconded.count == 1)
        #expect(restored.signingRecords.count == 1)
    }

    @Test func anAttestationInFlightAtTheCrashTakesThePoVFromTheAvailabilityStoreWhenItIsThere() async throws {
        let live = try await Harness()
        let s = live.state
        let a = try s.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        _ = try await live.job.receive(s.sign(.seconded(a), by: 2))
        try await live.answerFetch(from: 2, candidate: a, with: [1, 2, 3])
        _ = try #require(await live.validator.calls.next())  // the crash comes before the answer
        await live.job.stop()

        // What the crashed node had stored (the store is the node's database, so it survived).
        let store = InMemoryAvailabilityStore()
        try await store.storeAvailableData(
            candidateHash: a.hash, nValidators: 6, erasureRoot: a.descriptor.erasureRoot,
            data: AvailableData(pov: PoV([1, 2, 3]), validationData: s.validationData))
        let withStore = try await Harness(store: store, restoring: live.journaledEvents)
        try await withStore.answerValidation(of: a, pov: [1, 2, 3], with: s.validOutcome)
        await eventually {
            withStore.sink.history.contains { if case .statementShare = $0 { true } else { false } }
        }
        #expect(withStore.fetcher.calls.pending.isEmpty, "no PoV fetch when the store has the PoV")
    }

    @Test func journalEventsRoundTripThroughSCALE() throws {
        let s = TestState()
        let a = try s.candidate(pov: [1, 2, 3], head: [4, 5, 6])
        let signed = s.sign(.seconded(a), by: 2)
        let events: [JobEvent] = [
            .statementImported(signed), .statementImported(s.sign(.valid(a.hash), by: 3)),
            .secondAccepted(a.plainReceipt, PoV([1, 2, 3])),
            .validationConcluded(.seconded(a.hash, signed)), .validationConcluded(.seconded(a.hash, nil)),
            .validationConcluded(.attested(a.hash, s.sign(.valid(a.hash), by: 0))),
            .validationConcluded(.attested(a.hash, nil)), .validationConcluded(.noPoV(a.hash)),
            .validationConcluded(.ended(a.hash)),
        ]
        for event in events {
            #expect(try JobEvent(scaleEncoded: event.scaleEncoded) == event)
        }
        #expect(throws: ScaleDecodingError.self) { try JobEvent(scaleEncoded: [9]) }
    }
}
