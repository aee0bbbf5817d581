import StatementTable
import Testing

/// The statement-table crate's own tests, ported with the same toy types: authorities map to one group
/// each, a candidate is (group, body) and its digest is the body.
struct StatementTableTests {
    struct Candidate: Hashable, Sendable {
        let group: Int
        let body: Int
        init(_ group: Int, _ body: Int) {
            self.group = group
            self.body = body
        }
    }

    struct TestContext: StatementTableContext {
        typealias AuthorityId = Int
        typealias Digest = Int
        typealias GroupId = Int
        typealias Signature = Int

        let authorities: [Int: Int]  // authority → group

        func candidateDigest(_ candidate: Candidate) -> Int { candidate.body }
        func candidateGroup(_ candidate: Candidate) -> Int { candidate.group }
        func isMember(_ authority: Int, of group: Int) -> Bool { authorities[authority] == group }
        func requisiteVotes(for group: Int) -> Int {
            let members = authorities.values.filter { $0 == group }.count
            return members / 2 + 1
        }
    }

    typealias Table = StatementTable<TestContext>
    typealias Signed = TableSignedStatement<TestContext>

    static func seconded(_ candidate: Candidate, signature: Int, sender: Int) -> Signed {
        Signed(statement: .seconded(candidate), signature: signature, sender: sender)
    }

    static func valid(_ digest: Int, signature: Int, sender: Int) -> Signed {
        Signed(statement: .valid(digest), signature: signature, sender: sender)
    }

    @Test func submittingTwoCandidatesIsMisbehavior() {
        let context = TestContext(authorities: [1: 2])
        var table = Table()
        _ = table.importStatement(Self.seconded(Candidate(2, 100), signature: 1, sender: 1), context: context)
        #expect(table.drainMisbehaviors().isEmpty)
        _ = table.importStatement(Self.seconded(Candidate(2, 999), signature: 1, sender: 1), context: context)
        let found = table.drainMisbehaviors()
        #expect(found.count == 1)
        #expect(found.first?.authority == 1)
        #expect(
            found.first?.misbehavior
                == .multipleCandidates(
                    first: Candidate(2, 100), firstSignature: 1, second: Candidate(2, 999), secondSignature: 1))
        #expect(table.candidate(999) == nil)
    }

    @Test func submittingCandidateFromWrongGroupIsMisbehavior() {
        let context = TestContext(authorities: [1: 3])
        var table = Table()
        _ = table.importStatement(Self.seconded(Candidate(2, 100), signature: 1, sender: 1), context: context)
        let found = table.drainMisbehaviors()
        #expect(found.map(\.authority) == [1])
        #expect(
            found.first?.misbehavior
                == .unauthorizedStatement(Self.seconded(Candidate(2, 100), signature: 1, sender: 1)))
    }

    @Test func unauthorizedVotes() {
        let context = TestContext(authorities: [1: 2, 2: 3])
        var table = Table()
        _ = table.importStatement(Self.seconded(Candidate(2, 100), signature: 1, sender: 1), context: context)
        #expect(table.drainMisbehaviors().isEmpty)
        _ = table.importStatement(Self.valid(100, signature: 2, sender: 2), context: context)
        let found = table.drainMisbehaviors()
        #expect(found.map(\.authority) == [2])
        #expect(found.first?.misbehavior == .unauthorizedStatement(Self.valid(100, signature: 2, sender: 2)))
    }

    @Test func candidateDoubleSignatureIsMisbehavior() {
        let context = TestContext(authorities: [1: 2, 2: 2])
        var table = Table()
        _ = table.importStatement(Self.seconded(Candidate(2, 100), signature: 1, sender: 1), context: context)
        #expect(table.drainMisbehaviors().isEmpty)
        _ = table.importStatement(Self.seconded(Candidate(2, 100), signature: 999, sender: 1), context: context)
        let found = table.drainMisbehaviors()
        #expect(found.first?.misbehavior == .doubleSignSeconded(Candidate(2, 100), 1, 999))
        _ = table.importStatement(Self.valid(100, signature: 2, sender: 2), context: context)
        _ = table.importStatement(Self.valid(100, signature: 3, sender: 2), context: context)
        #expect(table.drainMisbehaviors().first?.misbehavior == .doubleSignValidity(100, 2, 3))
    }

    @Test func issueAndVoteIsMisbehavior() {
        let context = TestContext(authorities: [1: 2])
        var table = Table()
        _ = table.importStatement(Self.seconded(Candidate(2, 100), signature: 1, sender: 1), context: context)
        _ = table.importStatement(Self.valid(100, signature: 1, sender: 1), context: context)
        let found = table.drainMisbehaviors()
        #expect(found.map(\.authority) == [1])
        #expect(
            found.first?.misbehavior
                == .validityDoubleVote(seconded: Candidate(2, 100), secondedSignature: 1, valid: 100, validSignature: 1)
        )
    }

    @Test func voteThenSecondIsAlsoMisbehaviorAndRecordsTheProposal() {
        let context = TestContext(authorities: [1: 2, 2: 2])
        var table = Table()
        _ = table.importStatement(Self.seconded(Candidate(2, 100), signature: 1, sender: 1), context: context)
        _ = table.importStatement(Self.valid(100, signature: 2, sender: 2), context: context)
        #expect(
            table.importStatement(Self.seconded(Candidate(2, 100), signature: 22, sender: 2), context: context) == nil)
        #expect(
            table.drainMisbehaviors().first?.misbehavior
                == .validityDoubleVote(
                    seconded: Candidate(2, 100), secondedSignature: 22, valid: 100, validSignature: 2))
        // The proposal was recorded before the error: seconding another candidate now is MultipleCandidates.
        _ = table.importStatement(Self.seconded(Candidate(2, 101), signature: 23, sender: 2), context: context)
        #expect(
            table.drainMisbehaviors().first?.misbehavior
                == .multipleCandidates(
                    first: Candidate(2, 100), firstSignature: 22, second: Candidate(2, 101), secondSignature: 23))
    }

    @Test func candidateAttestedWorks() {
        // Threshold 6: a group of 10 authorities.
        let context = TestContext(authorities: Dictionary(uniqueKeysWithValues: (1...10).map { ($0, 2) }))
        var table = Table()
        #expect(context.requisiteVotes(for: 2) == 6)
        _ = table.importStatement(Self.seconded(Candidate(2, 100), signature: 1, sender: 1), context: context)
        for voter in 2...5 {
            _ = table.importStatement(Self.valid(100, signature: voter, sender: voter), context: context)
        }
        #expect(table.attestedCandidate(100, context: context) == nil)
        _ = table.importStatement(Self.valid(100, signature: 6, sender: 6), context: context)
        #expect(table.attestedCandidate(100, context: context)?.validityVotes.count == 6)
        _ = table.importStatement(Self.valid(100, signature: 7, sender: 7), context: context)
        let attested = table.attestedCandidate(100, context: context)
        #expect(attested?.validityVotes.count == 7)
        #expect(attested?.validityVotes.first.map { $0.attestation } == .implicit(1))
        #expect(attested?.validityVotes.last.map { $0.attestation } == .explicit(7))
    }

    @Test func includabilityWorks() {
        let context = TestContext(authorities: [1: 2, 2: 2, 3: 2])
        var table = Table()
        _ = table.importStatement(Self.seconded(Candidate(2, 100), signature: 1, sender: 1), context: context)
        #expect(table.attestedCandidate(100, context: context) == nil)
        _ = table.importStatement(Self.valid(100, signature: 2, sender: 2), context: context)
        #expect(table.attestedCandidate(100, context: context) != nil)
    }

    @Test func candidateImportGivesSummary() {
        let context = TestContext(authorities: [1: 2])
        var table = Table()
        let summary = table.importStatement(Self.seconded(Candidate(2, 100), signature: 1, sender: 1), context: context)
        #expect(summary == Summary(candidate: 100, groupId: 2, validityVotes: 1))
    }

    @Test func candidateVoteGivesSummary() {
        let context = TestContext(authorities: [1: 2, 2: 2])
        var table = Table()
        _ = table.importStatement(Self.seconded(Candidate(2, 100), signature: 1, sender: 1), context: context)
        let summary = table.importStatement(Self.valid(100, signature: 2, sender: 2), context: context)
        #expect(summary == Summary(candidate: 100, groupId: 2, validityVotes: 2))
    }

    @Test func validForUnknownCandidateIsDroppedAndNotRemembered() {
        let context = TestContext(authorities: [1: 2, 2: 2])
        var table = Table()
        #expect(table.importStatement(Self.valid(100, signature: 2, sender: 2), context: context) == nil)
        _ = table.importStatement(Self.seconded(Candidate(2, 100), signature: 1, sender: 1), context: context)
        #expect(table.validityVoteCount(100) == 1)
        #expect(table.drainMisbehaviors().isEmpty)
    }

    @Test func identicalStatementTwiceChangesNothing() {
        let context = TestContext(authorities: [1: 2, 2: 2])
        var table = Table()
        _ = table.importStatement(Self.seconded(Candidate(2, 100), signature: 1, sender: 1), context: context)
        #expect(
            table.importStatement(Self.seconded(Candidate(2, 100), signature: 1, sender: 1), context: context) == nil)
        _ = table.importStatement(Self.valid(100, signature: 2, sender: 2), context: context)
        #expect(table.importStatement(Self.valid(100, signature: 2, sender: 2), context: context) == nil)
        #expect(table.validityVoteCount(100) == 2)
        #expect(table.drainMisbehaviors().isEmpty)
    }

    @Test func drainingEmptiesTheListInDetectionOrder() {
        let context = TestContext(authorities: [1: 2, 2: 3, 3: 3])
        var table = Table()
        _ = table.importStatement(Self.seconded(Candidate(2, 100), signature: 1, sender: 3), context: context)
        _ = table.importStatement(Self.seconded(Candidate(2, 100), signature: 1, sender: 2), context: context)
        #expect(table.drainMisbehaviors().map(\.authority) == [3, 2])
        #expect(table.drainMisbehaviors().isEmpty)
    }

    // MARK: Today's table (polkadot-sdk `polkadot/statement-table/src/generic.rs` @ 0669c628, reference §6.5)

    @Test func submitting_two_candidates_can_be_misbehavior() {
        let context = TestContext(authorities: [1: 2])
        var table = Table(configuration: .init(allowsMultipleSeconded: false))
        _ = table.importStatement(Self.seconded(Candidate(2, 100), signature: 1, sender: 1), context: context, group: 2)
        _ = table.importStatement(Self.seconded(Candidate(2, 999), signature: 1, sender: 1), context: context, group: 2)
        let found = table.drainMisbehaviors()
        #expect(found.map(\.authority) == [1])
        #expect(
            found.first?.misbehavior
                == .multipleCandidates(
                    first: Candidate(2, 100), firstSignature: 1, second: Candidate(2, 999), secondSignature: 1))
    }

    @Test func submitting_two_candidates_can_be_allowed() {
        let context = TestContext(authorities: [1: 2])
        var table = Table(configuration: .init(allowsMultipleSeconded: true))
        let first = table.importStatement(
            Self.seconded(Candidate(2, 100), signature: 1, sender: 1), context: context, group: 2)
        let second = table.importStatement(
            Self.seconded(Candidate(2, 999), signature: 1, sender: 1), context: context, group: 2)
        #expect(table.drainMisbehaviors().isEmpty)
        #expect(first == Summary(candidate: 100, groupId: 2, validityVotes: 1))
        #expect(second == Summary(candidate: 999, groupId: 2, validityVotes: 1))
        #expect(table.candidateDigests == [100, 999])
        // Seconding one of them again changes nothing.
        #expect(
            table.importStatement(Self.seconded(Candidate(2, 999), signature: 1, sender: 1), context: context, group: 2)
                == nil)
        #expect(table.drainMisbehaviors().isEmpty)
    }

    @Test func submitting_candidate_from_wrong_group_is_misbehavior_when_the_group_is_given() {
        // The group comes with the import (the signer's core), not from the candidate.
        let context = TestContext(authorities: [1: 3])
        var table = Table()
        _ = table.importStatement(Self.seconded(Candidate(3, 100), signature: 1, sender: 1), context: context, group: 2)
        let found = table.drainMisbehaviors()
        #expect(found.map(\.authority) == [1])
        #expect(
            found.first?.misbehavior
                == .unauthorizedStatement(Self.seconded(Candidate(3, 100), signature: 1, sender: 1)))
        // The same candidate given the signer's group is imported under that group.
        #expect(
            table.importStatement(Self.seconded(Candidate(3, 100), signature: 1, sender: 1), context: context, group: 3)
                == Summary(candidate: 100, groupId: 3, validityVotes: 1))
    }

    @Test func unauthorized_votes_count_against_the_stored_group() {
        let context = TestContext(authorities: [1: 2, 2: 3])
        var table = Table()
        _ = table.importStatement(Self.seconded(Candidate(9, 100), signature: 1, sender: 1), context: context, group: 2)
        #expect(table.drainMisbehaviors().isEmpty)
        // A Valid is checked against the candidate's stored group (2), whatever group is passed.
        _ = table.importStatement(Self.valid(100, signature: 2, sender: 2), context: context, group: 3)
        let found = table.drainMisbehaviors()
        #expect(found.map(\.authority) == [2])
        #expect(found.first?.misbehavior == .unauthorizedStatement(Self.valid(100, signature: 2, sender: 2)))
    }

    @Test func secondingACandidateStoredUnderAnotherGroupIsUnauthorizedInsteadOfATrap() {
        // Found by the statement-table fuzz target: authority 2 belongs to group 3, seconds with group 3 a
        // candidate authority 1 stored under group 2. This trapped ("membership was checked…").
        let context = TestContext(authorities: [1: 2, 2: 3])
        var table = Table()
        #expect(
            table.importStatement(Self.seconded(Candidate(9, 100), signature: 1, sender: 1), context: context, group: 2)
                == Summary(candidate: 100, groupId: 2, validityVotes: 1))
        #expect(
            table.importStatement(Self.seconded(Candidate(9, 100), signature: 2, sender: 2), context: context, group: 3)
                == nil)
        let found = table.drainMisbehaviors()
        #expect(found.map(\.authority) == [2])
        #expect(
            found.first?.misbehavior
                == .unauthorizedStatement(Self.seconded(Candidate(9, 100), signature: 2, sender: 2)))
        #expect(table.validityVoteCount(100) == 1)
    }
}
