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
/// Today's table (asynchronous backing) differs in two ways, both opt-in: the group of a Seconded
/// statement is given per import (the core of the signer's group) instead of derived from the candidate,
/// and with ``Configuration/allowsMultipleSeconded`` an authority may second any number of candidates.
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

    /// How a table treats authorities that second more than one candidate.
    public struct Configuration: Sendable, Equatable {
        /// An authority may second several candidates (asynchronous backing); otherwise a second
        /// candidate is `multipleCandidates` misbehaviour (v0.9.12).
        public var allowsMultipleSeconded: Bool

        public init(allowsMultipleSeconded: Bool = false) { self.allowsMultipleSeconded = allowsMultipleSeconded }
    }

    public let configuration: Configuration
    /// What each authority seconded first, with the signature.
    private var proposals: [Context.AuthorityId: (digest: Context.Digest, signature: Context.Signature)] = [:]
    /// The further candidates each authority seconded, where that is allowed.
    private var furtherProposals: [Context.AuthorityId: Set<Context.Digest>] = [:]
    private var candidates: [Context.Digest: CandidateData] = [:]
    /// Digests in first-seen order, for listings.
    private var candidateOrder: [Context.Digest] = []
    private var detected: [(authority: Context.AuthorityId, misbehavior: Misbehavior)] = []

    public init(configuration: Configuration = Configuration()) { self.configuration = configuration }

    /// Imports a signed statement.
    ///
    /// - Parameter group: the group a Seconded statement's candidate belongs to (today's table: the
    ///   signer's core); `nil` derives it from the candidate (v0.9.12). Valid statements count in the
    ///   group their candidate was stored with.
    /// - Returns: a ``Summary`` when the statement added a vote; `nil` when it added nothing (a duplicate,
    ///   a Valid for an unknown candidate, or misbehaviour, which is recorded for ``drainMisbehaviors()``).
    public mutating func importStatement(_ signed: Statement, context: Context, group: Context.GroupId? = nil)
        -> Summary<Context.Digest, Context.GroupId>?
    {
        let result: Result<Summary<Context.Digest, Context.GroupId>?, MisbehaviorFound>
        switch signed.statement {
        case .seconded(let candidate):
            result = importCandidate(
                candidate, group: group ?? context.candidateGroup(candidate), signature: signed.signature,
                from: signed.sender, context: context)
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
        _ candidate: Context.Candidate, group: Context.GroupId, signature: Context.Signature,
        from authority: Context.AuthorityId, context: Context
    ) -> Result<Summary<Context.Digest, Context.GroupId>?, MisbehaviorFound> {
        guard context.isMember(authority, of: group) else {
            let statement = Statement(statement: .seconded(candidate), signature: signature, sender: authority)
            return .failure(MisbehaviorFound(misbehavior: .unauthorizedStatement(statement)))
        }
        let digest = context.candidateDigest(candidate)
        if let proposal = proposals[authority] {
            if proposal.digest != digest {
                if configuration.allowsMultipleSeconded {
                    if furtherProposals[authority, default: []].insert(digest).inserted, candidates[digest] == nil {
                        candidates[digest] = CandidateData(groupId: group, candidate: candidate)
                        candidateOrder.append(digest)
                    }
                    return vote(.issued(signature), on: digest, from: authority, context: context)
                }
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
        // A Seconded's signer was checked against the group given with it, which need not be the group the
        // candidate is stored under (another signer's core): the stored group decides, as for a Valid.
        guard context.isMember(authority, of: data.groupId) else {
            let statement: Statement =
                switch vote {
                case .valid(let signature):
                    Statement(statement: .valid(digest), signature: signature, sender: authority)
                case .issued(let signature):
                    Statement(statement: .seconded(data.candidate), signature: signature, sender: authority)
                }
            return .failure(MisbehaviorFound(misbehavior: .unauthorizedStatement(statement)))
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
