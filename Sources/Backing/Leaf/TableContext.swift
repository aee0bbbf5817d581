public import Primitives
public import StatementTable

/// Binds the generic statement table to Polkadot's types for one leaf: validators vote by index on
/// candidates (by hash) of paras, whose groups come from the leaf's scheduled cores.
public struct TableContext: StatementTableContext, Sendable {
    public typealias AuthorityId = ValidatorIndex
    public typealias Digest = CandidateHash
    public typealias GroupId = ParaId
    public typealias Signature = ValidatorSignature
    public typealias Candidate = CommittedCandidateReceipt

    /// The backing group of each para with a scheduled core.
    public let groups: [ParaId: [ValidatorIndex]]
    /// When set, the votes a candidate needs are min(group size, this) instead of a strict majority.
    public let minimumBackingVotes: UInt32?

    public init(groups: [ParaId: [ValidatorIndex]], minimumBackingVotes: UInt32? = nil) {
        self.groups = groups
        self.minimumBackingVotes = minimumBackingVotes
    }

    public func candidateDigest(_ candidate: CommittedCandidateReceipt) -> CandidateHash { candidate.hash }
    public func candidateGroup(_ candidate: CommittedCandidateReceipt) -> ParaId { candidate.descriptor.paraId }

    public func isMember(_ authority: ValidatorIndex, of group: ParaId) -> Bool {
        groups[group]?.contains(authority) ?? false
    }

    public func requisiteVotes(for group: ParaId) -> Int {
        guard let members = groups[group]?.count else { return Int.max }
        if let minimum = minimumBackingVotes { return min(members, max(1, Int(minimum))) }
        return members / 2 + 1
    }
}

public typealias BackingTable = StatementTable<TableContext>
