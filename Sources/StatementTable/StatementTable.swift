/// The statement table of one relay parent: who seconded what, the validity votes per candidate, and
/// the misbehaviour found along the way.
///
/// Import rules (Polkadot's `statement-table`, v0.9.12):
/// - Seconded by a non-member of the candidate's group → `unauthorizedStatement`.
/// - Seconding a second, different candidate → `multipleCandidates`; the new candidate is not imported.
/// - Valid for an unknown candidate → silently dropped (not stored, not remembered).
/// - Valid by a non-member → `unauthorizedStatement`.
/// - The same vote twice → no effect. Seconded + Valid by one authority → `validityDoubleVote`; the same
///   statement with two signatures → `doubleSignSeconded` / `doubleSignValidity`. The first vote stays.
///
/// Unlike the Rust crate, misbehaviours drain in the order they were detected (Rust leaves the order
/// across authorities unspecified), which keeps the outgoing reports deterministic.
///
/// Isolation: a value type; the owning backing job serialises access.
public struct StatementTable<Context: StatementTableContext>: Sendable {
    public typealias Statement = TableSignedStatement<Context>
    public typealias Misbehavior = TableMisbehavior<Context>

    struct CandidateData: Sendable {
        let groupId: Context.GroupId
        let candidate: Context.Candidate
        /// Votes by authority, plus the arrival order for stable output.
        var votes: [Context.AuthorityId: ValidityVote<Context.Signature>] = [:]
        var voteOrder: [Context.AuthorityId] = []
    }

    /// What each authority seconded (at most one candidate), with the signature.
    private var proposals: [Context.AuthorityId: (digest: Context.Digest, signature: Context.Signature)] = [:]
    private var candidates: [Context.Digest: CandidateData] = [:]
    /// Digests in first-seen order, for listings.
    private var candidateOrder: [Context.Digest] = []
    private var detected: [(authority: Context.AuthorityId, misbehavior: Misbehavior)] = []

    public init() {}

    /// Imports a signed statement.
    ///
    /// - Returns: a ``Summary`` when the statement added a vote; `nil` when it added nothing (a duplicate,
    ///   a Valid for an unknown candidate, or misbehaviour, which is recorded for ``drainMisbehaviors()``).
    public mutating func importStatement(_ signed: Statement, context: Context) -> Summary<
        Context.Digest, Context.GroupId
    >? {
        let result: Result<Summary<Context.Digest, Context.GroupId>?, MisbehaviorFound>
        switch signed.statement {
        case .seconded(let candidate):
            result = importCandidate(candidate, signature: signed.signature, from: signed.sender, context: context)
        case .valid(let digest):
            result = vote(.valid(signed.signature), on: digest, from: signed.sender, context: context)
        }
        switch result {
        case .success(let summary):
            return summary
        case .failure(let found):
            detected.append((signed.sender, found.misbehavior))
            return nil
        }
    }

    /// The candidate with `digest`, if any authority seconded it.
    public func candidate(_ digest: Context.Digest) -> Context.Candidate? { candidates[digest]?.candidate }

    /// The group of the candidate with `digest`.
    public func group(of digest: Context.Digest) -> Context.GroupId? { candidates[digest]?.groupId }

    /// How many validity votes the candidate has.
    public func validityVoteCount(_ digest: Context.Digest) -> Int { candidates[digest]?.votes.count ?? 0 }

    /// Every known candidate's digest, in the order they were first seconded.
    public var candidateDigests: [Context.Digest] { candidateOrder }

    /// The candidate with its votes, if it has at least the requisite number for its group.
    public func attestedCandidate(_ digest: Context.Digest, context: Context) -> AttestedCandidate<Context>? {
        guard let data = candidates[digest], data.votes.count >= context.requisiteVotes(for: data.groupId) else {
            return nil
        }
        let votes = data.voteOrder.compactMap {
            authority -> (Context.AuthorityId, TableValidityAttestation<Context.Signature>)? in
            switch data.votes[authority] {
            case .issued(let signature): (authority, .implicit(signature))
            case .valid(let signature): (authority, .explicit(signature))
            case nil: nil
            }
        }
        return AttestedCandidate(groupId: data.groupId, candidate: data.candidate, validityVotes: votes)
    }

    /// Hands over every misbehaviour found since the last call, in the order found, and forgets them.
    public mutating func drainMisbehaviors() -> [(authority: Context.AuthorityId, misbehavior: Misbehavior)] {
        defer { detected.removeAll() }
        return detected
    }

    struct MisbehaviorFound: Error {
        let misbehavior: Misbehavior
    }

    private mutating func importCandidate(
        _ candidate: Context.Candidate, signature: Context.Signature, from authority: Context.AuthorityId,
        context: Context
    ) -> Result<Summary<Context.Digest, Context.GroupId>?, MisbehaviorFound> {
        let group = context.candidateGroup(candidate)
        guard context.isMember(authority, of: group) else {
            let statement = Statement(statement: .seconded(candidate), signature: signature, sender: authority)
            return .failure(MisbehaviorFound(misbehavior: .unauthorizedStatement(statement)))
        }
        let digest = context.candidateDigest(candidate)
        if let proposal = proposals[authority] {
            if proposal.digest != digest {
                // An existing proposal always has its candidate stored: both are written together below.
                guard let first = candidates[proposal.digest]?.candidate else {
                    preconditionFailure("a recorded proposal's candidate is in the table; qed")
                }
                return .failure(
                    MisbehaviorFound(
                        misbehavior: .multipleCandidates(
                            first: first, firstSignature: proposal.signature, second: candidate,
                            secondSignature: signature)))
            }
        } else {
            proposals[authority] = (digest, signature)
            if candidates[digest] == nil {
                candidates[digest] = CandidateData(groupId: group, candidate: candidate)
                candidateOrder.append(digest)
            }
        }
        return vote(.issued(signature), on: digest, from: authority, context: context)
    }

    private mutating func vote(
        _ vote: ValidityVote<Context.Signature>, on digest: Context.Digest, from authority: Context.AuthorityId,
        context: Context
    ) -> Result<Summary<Context.Digest, Context.GroupId>?, MisbehaviorFound> {
        guard var data = candidates[digest] else { return .success(nil) }
        guard context.isMember(authority, of: data.groupId) else {
            switch vote {
            case .valid(let signature):
                let statement = Statement(statement: .valid(digest), signature: signature, sender: authority)
                return .failure(MisbehaviorFound(misbehavior: .unauthorizedStatement(statement)))
            case .issued:
                preconditionFailure("membership was checked when the candidate was imported; qed")
            }
        }
        if let old = data.votes[authority] {
            switch (old, vote) {
            case _ where old == vote:
                return .success(nil)
            case (.issued(let issued), .valid(let valid)), (.valid(let valid), .issued(let issued)):
                return .failure(
                    MisbehaviorFound(
                        misbehavior: .validityDoubleVote(
                            seconded: data.candidate, secondedSignature: issued, valid: digest, validSignature: valid)))
            case (.issued(let a), .issued(let b)):
                return .failure(MisbehaviorFound(misbehavior: .doubleSignSeconded(data.candidate, a, b)))
            case (.valid(let a), .valid(let b)):
                return .failure(MisbehaviorFound(misbehavior: .doubleSignValidity(digest, a, b)))
            }
        }
        data.votes[authority] = vote
        data.voteOrder.append(authority)
        candidates[digest] = data
        return .success(Summary(candidate: digest, groupId: data.groupId, validityVotes: data.votes.count))
    }
}
