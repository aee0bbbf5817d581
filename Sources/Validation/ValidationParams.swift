public import Primitives

/// What a PVF's `validate_block` receives (`polkadot_parachain::primitives::ValidationParams`).
///
/// SCALE: `parent_head: HeadData, block_data: BlockData, relay_parent_number: u32,
/// relay_parent_storage_root: Hash`.
public struct ValidationParams: ScaleCodable, Hashable, Sendable {
    /// The para's head at the relay parent (from the persisted validation data).
    public var parentHead: HeadData
    /// The PoV's block data.
    public var blockData: BlockData
    /// The relay parent's block number.
    public var relayParentNumber: BlockNumber
    /// The relay parent's storage root.
    public var relayParentStorageRoot: Hash

    public init(
        parentHead: HeadData, blockData: BlockData, relayParentNumber: BlockNumber, relayParentStorageRoot: Hash
    ) {
        self.parentHead = parentHead
        self.blockData = blockData
        self.relayParentNumber = relayParentNumber
        self.relayParentStorageRoot = relayParentStorageRoot
    }

    /// The parameters for validating `pov` on top of `persistedValidationData`.
    public init(persistedValidationData pvd: PersistedValidationData, pov: PoV) {
        self.init(
            parentHead: pvd.parentHead, blockData: pov.blockData, relayParentNumber: pvd.relayParentNumber,
            relayParentStorageRoot: pvd.relayParentStorageRoot)
    }

    public static var minimumEncodedSize: Int { 1 + 1 + 4 + 32 }

    public func encode(to encoder: inout ScaleEncoder) {
        encoder.append(parentHead)
        encoder.append(blockData)
        encoder.append(littleEndian: relayParentNumber)
        encoder.append(relayParentStorageRoot)
    }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        parentHead = try decoder.read()
        blockData = try decoder.read()
        relayParentNumber = try decoder.read()
        relayParentStorageRoot = try decoder.read()
    }
}
