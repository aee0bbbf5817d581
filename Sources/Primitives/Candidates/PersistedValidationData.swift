/// The validation inputs that are persisted on chain (`PersistedValidationData`, primitives v1).
///
/// SCALE: parentHead (bytes), relayParentNumber u32, relayParentStorageRoot [32], maxPovSize u32.
public struct PersistedValidationData: ScaleCodable, Codable, Hashable, Sendable {
    public var parentHead: HeadData
    public var relayParentNumber: BlockNumber
    public var relayParentStorageRoot: H256
    public var maxPovSize: UInt32

    public init(parentHead: HeadData, relayParentNumber: BlockNumber, relayParentStorageRoot: H256, maxPovSize: UInt32)
    {
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

    enum CodingKeys: String, CodingKey { case parentHead, relayParentNumber, relayParentStorageRoot, maxPovSize }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        parentHead = try c.decode(HeadData.self, forKey: .parentHead)
        relayParentNumber = try c.decodeU32(forKey: .relayParentNumber)
        relayParentStorageRoot = try c.decode(H256.self, forKey: .relayParentStorageRoot)
        maxPovSize = try c.decodeU32(forKey: .maxPovSize)
    }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        parentHead = try decoder.read()
        relayParentNumber = try decoder.read()
        relayParentStorageRoot = try decoder.read()
        maxPovSize = try decoder.read()
    }
}
