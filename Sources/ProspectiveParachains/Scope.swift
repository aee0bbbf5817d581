public import Primitives

/// A candidate pending availability on the relay chain, with its relay parent.
public struct PendingAvailability: Hashable, Sendable {
    public let candidateHash: CandidateHash
    public let relayParent: RelayChainBlockInfo

    public init(candidateHash: CandidateHash, relayParent: RelayChainBlockInfo) {
        self.candidateHash = candidateHash
        self.relayParent = relayParent
    }
}

/// The relay-chain view a para's fragment chain is built in (`fragment_chain::Scope`): the leaf, its
/// ancestors down to the para's minimum relay parent, the candidates pending availability, the base
/// constraints and the chain's maximum depth.
public struct Scope: Sendable {
    public let relayParent: RelayChainBlockInfo
    /// Ancestors ascending by number.
    public let ancestors: [RelayChainBlockInfo]
    private let ancestorsByHash: [Hash: RelayChainBlockInfo]
    public let pendingAvailability: [PendingAvailability]
    public let baseConstraints: Constraints
    public let maxDepth: Int

    /// An ancestor that is not the previous block of the one before it.
    public struct UnexpectedAncestor: Error, Hashable, Sendable {
        public let number: BlockNumber
        public let prev: BlockNumber

        public init(number: BlockNumber, prev: BlockNumber) {
            self.number = number
            self.prev = prev
        }
    }

    /// A scope for the leaf `relayParent`; `ancestors` in descending order, each the parent of the one
    /// before, taken until the base constraints' minimum relay parent is reached.
    /// - Throws: ``UnexpectedAncestor`` when an ancestor is not the block before the previous one (or the
    ///   previous one is block 0).
    public init(
        relayParent: RelayChainBlockInfo, baseConstraints: Constraints, pendingAvailability: [PendingAvailability],
        maxDepth: Int, ancestors: [RelayChainBlockInfo]
    ) throws(UnexpectedAncestor) {
        var kept: [RelayChainBlockInfo] = []
        var prev = relayParent.number
        for ancestor in ancestors {
            guard prev != 0, ancestor.number == prev - 1 else {
                throw UnexpectedAncestor(number: ancestor.number, prev: prev)
            }
            if prev == baseConstraints.minRelayParentNumber { break }
            prev = ancestor.number
            kept.append(ancestor)
        }
        self.relayParent = relayParent
        self.ancestors = kept.reversed()
        ancestorsByHash = Dictionary(kept.map { ($0.hash, $0) }, uniquingKeysWith: { first, _ in first })
        self.pendingAvailability = pendingAvailability
        self.baseConstraints = baseConstraints
        self.maxDepth = maxDepth
    }

    /// The earliest relay parent a candidate may use: the oldest ancestor kept, or the leaf.
    public var earliestRelayParent: RelayChainBlockInfo { ancestors.first ?? relayParent }

    /// The leaf or an ancestor in scope with this hash.
    public func ancestor(_ hash: Hash) -> RelayChainBlockInfo? {
        hash == relayParent.hash ? relayParent : ancestorsByHash[hash]
    }

    public func pending(_ candidateHash: CandidateHash) -> PendingAvailability? {
        pendingAvailability.first { $0.candidateHash == candidateHash }
    }
}
