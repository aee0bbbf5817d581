/// What the candidate-hash tools answer about a receipt (`POST /v1/tools/candidate-hash`, `backingd
/// candidate hash`): its hashes and encoding, the descriptor's version and, for V2, its core and session;
/// for a committed receipt, its UMP signals.
public struct CandidateHashReport: Encodable, Sendable, Equatable {
    public let candidateHash: CandidateHash
    public let commitmentsHash: Hash
    public let encoded: String
    /// `"v1"` or `"v2"`.
    public let descriptorVersion: String
    public let coreIndex: CoreIndex?
    public let sessionIndex: SessionIndex?
    /// Present when the commitments were given.
    public let umpSignals: CandidateUMPSignals?

    /// Reports on `receipt`.
    /// - Throws: `unknownVersion` for a descriptor of an unknown version; a signal error (or
    ///   `umpSignalWithV1Descriptor`) for commitments whose UMP signals do not parse.
    public init(_ receipt: AnyCandidateReceipt) throws(CommittedCandidateReceiptError) {
        let descriptor = receipt.descriptor
        if case .unknown(let version) = descriptor.version { throw .unknownVersion(version) }
        candidateHash = receipt.candidateHash
        commitmentsHash = receipt.commitmentsHash
        encoded = Hex.encode(receipt.scaleEncoded)
        descriptorVersion = descriptor.version.description
        coreIndex = descriptor.coreIndex
        sessionIndex = descriptor.sessionIndex
        if case .committed(let committed) = receipt {
            let signals = try committed.commitments.umpSignals()
            if descriptor.version == .v1, !signals.isEmpty { throw .umpSignalWithV1Descriptor }
            umpSignals = signals
        } else {
            umpSignals = nil
        }
    }

    /// The field of the request an error is about: the descriptor's version, or the upward messages.
    public static func field(of error: CommittedCandidateReceiptError) -> String {
        if case .unknownVersion = error { return "descriptor.version" }
        return "commitments.upwardMessages"
    }
}
