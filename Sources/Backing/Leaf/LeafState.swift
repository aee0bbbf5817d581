public import Primitives

/// What a leaf's job knows, as `GET /v1/leaves/{hash}` shows it.
public struct LeafState: Codable, Sendable, Equatable {
    public struct Assignment: Codable, Sendable, Equatable {
        public let paraId: ParaId
        public let requiredCollator: CollatorId?
        /// Our group's core, at a leaf with a claim queue.
        public let coreIndex: CoreIndex?

        public init(paraId: ParaId, requiredCollator: CollatorId?, coreIndex: CoreIndex? = nil) {
            self.paraId = paraId
            self.requiredCollator = requiredCollator
            self.coreIndex = coreIndex
        }

        enum CodingKeys: String, CodingKey { case paraId, requiredCollator, coreIndex }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(paraId, forKey: .paraId)
            try c.encode(requiredCollator, forKey: .requiredCollator)
            try c.encodeIfPresent(coreIndex, forKey: .coreIndex)
        }
    }

    /// A core backing a para in the next block, and its group (leaves with a claim queue).
    public struct Core: Codable, Sendable, Equatable {
        public let coreIndex: CoreIndex
        public let paraId: ParaId
        public let group: [ValidatorIndex]

        public init(coreIndex: CoreIndex, paraId: ParaId, group: [ValidatorIndex]) {
            self.coreIndex = coreIndex
            self.paraId = paraId
            self.group = group
        }
    }

    public struct Candidate: Codable, Sendable, Equatable {
        public let candidateHash: CandidateHash
        public let paraId: ParaId
        /// The core the candidate is backed on, at a leaf with a claim queue.
        public let coreIndex: CoreIndex?
        public let validityVotes: Int
        public let backed: Bool

        public init(
            candidateHash: CandidateHash, paraId: ParaId, coreIndex: CoreIndex? = nil, validityVotes: Int, backed: Bool
        ) {
            self.candidateHash = candidateHash
            self.paraId = paraId
            self.coreIndex = coreIndex
            self.validityVotes = validityVotes
            self.backed = backed
        }

        enum CodingKeys: String, CodingKey { case candidateHash, paraId, coreIndex, validityVotes, backed }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(candidateHash, forKey: .candidateHash)
            try c.encode(paraId, forKey: .paraId)
            try c.encodeIfPresent(coreIndex, forKey: .coreIndex)
            try c.encode(validityVotes, forKey: .validityVotes)
            try c.encode(backed, forKey: .backed)
        }
    }

    public struct MisbehaviorReport: Codable, Sendable, Equatable {
        public let validatorIndex: ValidatorIndex
        public let misbehavior: Misbehavior
    }

    /// What async backing adds at a relay parent: the paras our core may back, and at an active leaf the
    /// relay parents it allows and each para's fragment chain.
    public struct AsyncBackingState: Codable, Sendable, Equatable {
        public struct Chain: Codable, Sendable, Equatable {
            /// The best chain from the latest included head, in order.
            public let bestChain: [CandidateHash]
            /// Candidates with potential whose parent is not (yet) in the best chain.
            public let unconnected: [CandidateHash]
        }

        public let maxCandidateDepth: UInt32
        public let allowedAncestryLen: UInt32
        /// Every para of our core's claim queue, at any depth.
        public let claimedParas: [ParaId]
        /// At an active leaf: the relay parents it allows, leaf first; `nil` at an ancestor.
        public let allowedRelayParents: [Hash]?
        /// At an active leaf: each para's chain, keyed by para id.
        public let chains: [String: Chain]?

        enum CodingKeys: String, CodingKey {
            case maxCandidateDepth, allowedAncestryLen, claimedParas, allowedRelayParents, chains
        }

        /// `null` for what an ancestor does not have, so clients see every field.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(maxCandidateDepth, forKey: .maxCandidateDepth)
            try c.encode(allowedAncestryLen, forKey: .allowedAncestryLen)
            try c.encode(claimedParas, forKey: .claimedParas)
            try c.encode(allowedRelayParents, forKey: .allowedRelayParents)
            try c.encode(chains, forKey: .chains)
        }
    }

    public let hash: Hash
    public let number: BlockNumber
    public let sessionIndex: SessionIndex
    /// Our index in the validator set; `nil` when this node only observes.
    public let validatorIndex: ValidatorIndex?
    public let assignment: Assignment?
    /// The backing group of each scheduled para, keyed by para id.
    public let groups: [String: [ValidatorIndex]]
    /// Every core backing a para next, ascending (leaves with a claim queue; `nil` otherwise).
    public let cores: [Core]?
    public let seconded: CandidateHash?
    public let candidates: [Candidate]
    public let misbehaviours: [MisbehaviorReport]
    /// At an async-backing relay parent only.
    public var asyncBacking: AsyncBackingState? = nil

    enum CodingKeys: String, CodingKey {
        case hash, number, sessionIndex, validatorIndex, assignment, groups, cores, seconded, candidates, misbehaviours
        case asyncBacking
    }

    /// Optional fields are written as `null`, so clients see every field.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(hash, forKey: .hash)
        try c.encode(number, forKey: .number)
        try c.encode(sessionIndex, forKey: .sessionIndex)
        try c.encode(validatorIndex, forKey: .validatorIndex)
        try c.encode(assignment, forKey: .assignment)
        try c.encode(groups, forKey: .groups)
        try c.encodeIfPresent(cores, forKey: .cores)
        try c.encode(seconded, forKey: .seconded)
        try c.encode(candidates, forKey: .candidates)
        try c.encode(misbehaviours, forKey: .misbehaviours)
        try c.encodeIfPresent(asyncBacking, forKey: .asyncBacking)
    }
}
