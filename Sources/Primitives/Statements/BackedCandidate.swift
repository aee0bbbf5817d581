/// A candidate with enough backing votes for the relay chain (`BackedCandidate`).
///
/// SCALE: candidate, validityVotes Vec<ValidityAttestation>, validatorIndices BitVec<u8, Lsb0>. The i-th
/// set bit of `validatorIndices` (over the backing group's positions) belongs to the i-th vote. Since
/// ElasticScalingMVP the bit vector may end with 8 more bits holding the core index (bit j = bit j of
/// the core index as a u8), which the runtime strips before counting votes.
/// JSON adds `encoded`, the whole SCALE encoding, ready for a `ParachainsInherentData`, and `coreIndex`
/// when the backing core is known.
public struct BackedCandidate: ScaleCodable, Codable, Hashable, Sendable {
    public var candidate: CommittedCandidateReceipt
    public var validityVotes: [ValidityAttestation]
    /// The group bits, followed by the 8 core bits when the core index is injected.
    public var validatorIndices: BitVec
    /// The core the candidate was backed on, when known; JSON only (the encoding carries it only when
    /// injected into ``validatorIndices``).
    public var coreIndex: CoreIndex?

    public init(
        candidate: CommittedCandidateReceipt, validityVotes: [ValidityAttestation], validatorIndices: BitVec,
        coreIndex: CoreIndex? = nil
    ) {
        self.candidate = candidate
        self.validityVotes = validityVotes
        self.validatorIndices = validatorIndices
        self.coreIndex = coreIndex
    }

    /// A backed candidate on `coreIndex` (`BackedCandidate::new`): with `injectingCoreIndex`, the core's
    /// low 8 bits are appended to the group bits (upstream casts the core index to u8).
    public init(
        candidate: CommittedCandidateReceipt, validityVotes: [ValidityAttestation], groupBits: BitVec,
        coreIndex: CoreIndex, injectingCoreIndex: Bool
    ) {
        var bits = groupBits.bits
        if injectingCoreIndex {
            let core = UInt8(truncatingIfNeeded: coreIndex.rawValue)
            bits += (0..<8).map { core & (1 << $0) != 0 }
        }
        self.init(
            candidate: candidate, validityVotes: validityVotes, validatorIndices: BitVec(bits), coreIndex: coreIndex)
    }

    /// The group bits and the injected core index (`validator_indices_and_core_index`): when
    /// `coreIndexEnabled` and the vector is longer than 8 bits, its last 8 bits are the core index.
    public func validatorIndicesAndCoreIndex(coreIndexEnabled: Bool) -> (groupBits: BitVec, coreIndex: CoreIndex?) {
        guard coreIndexEnabled, validatorIndices.count > 8 else { return (validatorIndices, nil) }
        let split = validatorIndices.count - 8
        let coreBits = validatorIndices.bits[split...]
        let core = coreBits.enumerated().reduce(UInt32(0)) { $0 | ($1.element ? 1 << UInt32($1.offset) : 0) }
        return (BitVec(Array(validatorIndices.bits[..<split])), CoreIndex(core))
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
        coreIndex = nil
    }

    enum CodingKeys: String, CodingKey { case candidate, validityVotes, validatorIndices, coreIndex, encoded }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        candidate = try container.decode(CommittedCandidateReceipt.self, forKey: .candidate)
        validityVotes = try container.decode([ValidityAttestation].self, forKey: .validityVotes)
        validatorIndices = try container.decode(BitVec.self, forKey: .validatorIndices)
        coreIndex = try container.decodeIfPresent(CoreIndex.self, forKey: .coreIndex)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(candidate, forKey: .candidate)
        try container.encode(validityVotes, forKey: .validityVotes)
        try container.encode(validatorIndices, forKey: .validatorIndices)
        try container.encodeIfPresent(coreIndex, forKey: .coreIndex)
        try container.encode(Hex.encode(scaleEncoded), forKey: .encoded)
    }
}
