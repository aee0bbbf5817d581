/// The validation inputs that are persisted on chain (`PersistedValidationData`, primitives v1).
///
/// SCALE: parentHead (bytes), relayParentNumber u32, relayParentStorageRoot [32], maxPovSize u32.
public struct PersistedValidationData: ScaleCodable, Codable, Hashable, Sendable {
    public var parentHead: HeadData
    public var relayParentNumber: BlockNumber
    public var relayParentStorageRoot: H256
    public var maxPovSize: UInt32

    public init(parentHead: HeadData, relayParentNumber: BlockNumber, relayParentStorageRoot: H256, maxPovSize: UInt32) {
        self.parentHead = parentHead
        self.relayParentNumber = relayParentNumber
        self.relayParentStorageRoot = relayParentStorageRoot
        self.maxPovSize = maxPovSize
    }

    /// What `CandidateDescriptor.persistedValidationDataHash` must equal.
    public var hash: H256 { Blake2b.hash256(scaleEncoded) }

    public func encode(to encoder: inout ScaleEncoder) {
        encoder.append(parentHead)
        encoder.append(littleEndian: relayParentNumber)
        encoder.append(relayParentStorageRoot)
        encoder.append(littleEndian: maxPovSize)
    }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        parentHead = try decoder.read()
        relayParentNumber = try decoder.read()
        relayParentStorageRoot = try decoder.read()
        maxPovSize = try decoder.read()
    }
}
