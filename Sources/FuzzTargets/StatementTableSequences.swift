import StatementTable

/// The statement table fed statement sequences over toy types: 8 authorities, 3 groups whose members
/// and quorums the input's first bytes set, candidates named by a byte.
///
/// Invariants, after every import: no sequence traps; a summary's vote count and group are the table's;
/// a candidate's votes come from distinct members of its group; a candidate is attested exactly when it
/// has its group's quorum, with one attestation per vote; misbehaviour is charged to the sender of the
/// statement that revealed it, and a statement that added a vote revealed none.
public enum StatementTableSequences {
    struct Candidate: Hashable, Sendable {
        let group: UInt8
        let body: UInt8
    }

    struct Context: StatementTableContext {
        typealias AuthorityId = UInt8
        typealias Digest = Candidate
        typealias GroupId = UInt8
        typealias Signature = UInt8
        typealias Candidate = StatementTableSequences.Candidate

        /// Bit `a` of `members[g]`: authority `a` belongs to group `g`.
        let members: [UInt8]
        let quorums: [Int]

        func candidateDigest(_ candidate: Candidate) -> Candidate { candidate }
        func candidateGroup(_ candidate: Candidate) -> UInt8 { candidate.group }
        func isMember(_ authority: UInt8, of group: UInt8) -> Bool {
            Int(group) < members.count && authority < 8 && members[Int(group)] & (1 << authority) != 0
        }
        func requisiteVotes(for group: UInt8) -> Int {
            Int(group) < members.count && members[Int(group)] != 0 ? quorums[Int(group)] : Int.max
        }
        func memberCount(_ group: UInt8) -> Int { Int(group) < members.count ? members[Int(group)].nonzeroBitCount : 0 }
    }

    @Sendable public static func check(_ data: [UInt8]) {
        var input = FuzzInput(data)
        let allowsMultipleSeconded = input.byte() & 1 == 1
        let members = [input.byte(), input.byte(), input.byte()]
        let quorums = (0..<3).map { _ in input.int(in: 1...4) }
        let context = Context(members: members, quorums: quorums)
        var table = StatementTable<Context>(
            configuration: .init(allowsMultipleSeconded: allowsMultipleSeconded))
        var counts: [Candidate: Int] = [:]

        while !input.isAtEnd {
            let control = input.byte()
            let sender = control & 7
            // Groups 0...3: group 3 has no members and is not in the context.
            let candidate = Candidate(group: input.byte() & 3, body: input.byte() & 3)
            let signature = input.byte() & 3
            let statement: TableStatement<Candidate, Candidate> =
                control & 8 == 0 ? .seconded(candidate) : .valid(candidate)
            let group: UInt8? = control & 16 == 0 ? nil : (control >> 5) & 3
            let summary = table.importStatement(
                TableSignedStatement(statement: statement, signature: signature, sender: sender), context: context,
                group: group)
            let misbehaviors = table.drainMisbehaviors()
            precondition(
                misbehaviors.allSatisfy { $0.authority == sender }, "misbehaviour charged to another authority")
            if let summary {
                precondition(misbehaviors.isEmpty, "a statement both added a vote and revealed misbehaviour")
                precondition(
                    summary.validityVotes == table.validityVoteCount(summary.candidate),
                    "a summary's vote count is not the table's")
                precondition(
                    summary.groupId == table.group(of: summary.candidate), "a summary's group is not the table's")
            }
            for digest in table.candidateDigests {
                guard let group = table.group(of: digest) else {
                    preconditionFailure("a listed candidate has no group")
                }
                let votes = table.validityVoteCount(digest)
                precondition(votes >= counts[digest, default: 0], "a candidate lost votes")
                counts[digest] = votes
                precondition(votes <= context.memberCount(group), "more votes than members of the group")
                let attested = table.attestedCandidate(digest, context: context)
                precondition(
                    (attested != nil) == (votes >= context.requisiteVotes(for: group)),
                    "attested without its quorum, or not attested with it")
                if let attested {
                    let voters = attested.validityVotes.map { $0.authority }
                    precondition(voters.count == votes && Set(voters).count == votes, "attestations are not the votes")
                    precondition(voters.allSatisfy { context.isMember($0, of: group) }, "a non-member's vote counted")
                    precondition(attested.candidate == table.candidate(digest), "attested another candidate")
                }
            }
        }
    }
}
