/// What an accepted vote changed: the candidate, its group and how many validity votes it now has
/// (the seconder's implicit vote included).
public struct Summary<Digest: Hashable & Sendable, GroupId: Hashable & Sendable>: Hashable, Sendable {
    public let candidate: Digest
    public let groupId: GroupId
    public let validityVotes: Int

    public init(candidate: Digest, groupId: GroupId, validityVotes: Int) {
        self.candidate = candidate
        self.groupId = groupId
        self.validityVotes = validityVotes
    }
}

/// A candidate with enough validity votes for its group, and those votes in the order they arrived.
public struct AttestedCandidate<Context: StatementTableContext>: Sendable {
    public let groupId: Context.GroupId
    public let candidate: Context.Candidate
    public let validityVotes:
        [(authority: Context.AuthorityId, attestation: TableValidityAttestation<Context.Signature>)]

    public init(
        groupId: Context.GroupId, candidate: Context.Candidate,
        validityVotes: [(authority: Context.AuthorityId, attestation: TableValidityAttestation<Context.Signature>)]
    ) {
        self.groupId = groupId
        self.candidate = candidate
        self.validityVotes = validityVotes
    }
}
