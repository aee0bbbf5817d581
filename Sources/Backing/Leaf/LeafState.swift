public import Primitives

/// What a leaf's job knows, as `GET /v1/leaves/{hash}` shows it.
public struct LeafState: Codable, Sendable, Equatable {
    public struct Assignment: Codable, Sendable, Equatable {
        public let paraId: ParaId
        public let requiredCollator: CollatorId?

        public init(paraId: ParaId, requiredCollator: CollatorId?) {
            self.paraId = paraId
            self.requiredCollator = requiredCollator
        }

        enum CodingKeys: String, CodingKey { case paraId, requiredCollator }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(paraId, forKey: .paraId)
            try c.encode(requiredCollator, forKey: .requiredCollator)
        }
    }

    public struct Candidate: Codable, Sendable, Equatable {
        public let candidateHash: CandidateHash
        public let paraId: ParaId
        public let validityVotes: Int
        public let backed: Bool

        public init(candidateHash: CandidateHash, paraId: ParaId, validityVotes: Int, backed: Bool) {
            self.candidateHash = candidateHash
            self.paraId = paraId
            self.validityVotes = validityVotes
            self.backed = backed
        }
    }

    public struct MisbehaviorReport: Codable, Sendable, Equatable {
        public let validatorIndex: ValidatorIndex
        public let misbehavior: Misbehavior
    }

    public let hash: Hash
    public let number: BlockNumber
    public let sessionIndex: SessionIndex
    /// Our index in the validator set; `nil` when this node only observes.
    public let validatorIndex: ValidatorIndex?
    public let assignment: Assignment?
    /// The backing group of each scheduled para, keyed by para id.
    public let groups: [String: [ValidatorIndex]]
    public let seconded: CandidateHash?
    public let candidates: [Candidate]
    public let misbehaviours: [MisbehaviorReport]

    enum CodingKeys: String, CodingKey {
        case hash, number, sessionIndex, validatorIndex, assignment, groups, seconded, candidates, misbehaviours
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
        try c.encode(seconded, forKey: .seconded)
        try c.encode(candidates, forKey: .candidates)
        try c.encode(misbehaviours, forKey: .misbehaviours)
    }
}
