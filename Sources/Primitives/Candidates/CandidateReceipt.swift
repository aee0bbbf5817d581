/// A candidate as the relay chain refers to it (`CandidateReceipt`, primitives v1): the descriptor and
/// the hash of the commitments. 324 bytes in SCALE.
public struct CandidateReceipt: ScaleCodable, Codable, Hashable, Sendable {
    public var descriptor: CandidateDescriptor
    public var commitmentsHash: Hash

    public init(descriptor: CandidateDescriptor, commitmentsHash: Hash) {
        self.descriptor = descriptor
        self.commitmentsHash = commitmentsHash
    }

    /// `CandidateHash`: blake2b-256 of this receipt's SCALE encoding.
    public var hash: CandidateHash { Blake2b.hash256(scaleEncoded) }

    public static var minimumEncodedSize: Int { CandidateDescriptor.encodedSize + 32 }

    public func encode(to encoder: inout ScaleEncoder) {
        encoder.append(descriptor)
        encoder.append(commitmentsHash)
    }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        descriptor = try decoder.read()
        commitmentsHash = try decoder.read()
    }
}

/// A candidate with its full commitments (`CommittedCandidateReceipt`, primitives v1).
public struct CommittedCandidateReceipt: ScaleCodable, Codable, Hashable, Sendable {
    public var descriptor: CandidateDescriptor
    public var commitments: CandidateCommitments

    public init(
        descriptor: CandidateDescriptor = CandidateDescriptor(),
        commitments: CandidateCommitments = CandidateCommitments()
    ) {
        self.descriptor = descriptor
        self.commitments = commitments
    }

    /// The plain receipt: the descriptor and the commitments' hash.
    public var plainReceipt: CandidateReceipt {
        CandidateReceipt(descriptor: descriptor, commitmentsHash: commitments.hash)
    }

    /// The candidate hash, which is the hash of the *plain* receipt, not of this encoding.
    public var hash: CandidateHash { plainReceipt.hash }

    /// Whether `receipt` describes this candidate: same descriptor and matching commitments hash.
    public func corresponds(to receipt: CandidateReceipt) -> Bool {
        descriptor == receipt.descriptor && commitments.hash == receipt.commitmentsHash
    }

    public static var minimumEncodedSize: Int {
        CandidateDescriptor.encodedSize + CandidateCommitments.minimumEncodedSize
    }

    public func encode(to encoder: inout ScaleEncoder) {
        encoder.append(descriptor)
        encoder.append(commitments)
    }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        descriptor = try decoder.read()
        commitments = try decoder.read()
    }
}
