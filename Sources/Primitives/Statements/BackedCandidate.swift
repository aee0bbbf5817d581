/// A candidate with enough backing votes for the relay chain (`BackedCandidate`, primitives v1).
///
/// SCALE: candidate, validityVotes Vec<ValidityAttestation>, validatorIndices BitVec<u8, Lsb0>. The i-th
/// set bit of `validatorIndices` (over the backing group's positions) belongs to the i-th vote.
/// JSON adds `encoded`, the whole SCALE encoding, ready for a `ParachainsInherentData`.
public struct BackedCandidate: ScaleCodable, Codable, Hashable, Sendable {
    public var candidate: CommittedCandidateReceipt
    public var validityVotes: [ValidityAttestation]
    public var validatorIndices: BitVec

    public init(candidate: CommittedCandidateReceipt, validityVotes: [ValidityAttestation], validatorIndices: BitVec) {
        self.candidate = candidate
        self.validityVotes = validityVotes
        self.validatorIndices = validatorIndices
    }

    public static var minimumEncodedSize: Int { CommittedCandidateReceipt.minimumEncodedSize + 2 }

    public func encode(to encoder: inout ScaleEncoder) {
        encoder.append(candidate)
        encoder.append(validityVotes)
        encoder.append(validatorIndices)
    }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        candidate = try decoder.read()
        validityVotes = try decoder.readArray()
        validatorIndices = try decoder.read()
    }

    enum CodingKeys: String, CodingKey { case candidate, validityVotes, validatorIndices, encoded }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        candidate = try container.decode(CommittedCandidateReceipt.self, forKey: .candidate)
        validityVotes = try container.decode([ValidityAttestation].self, forKey: .validityVotes)
        validatorIndices = try container.decode(BitVec.self, forKey: .validatorIndices)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(candidate, forKey: .candidate)
        try container.encode(validityVotes, forKey: .validityVotes)
        try container.encode(validatorIndices, forKey: .validatorIndices)
        try container.encode(Hex.encode(scaleEncoded), forKey: .encoded)
    }
}
