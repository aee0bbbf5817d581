/// A proof of validity (node-primitives `PoV { block_data }`).
///
/// SCALE: the block data as `Vec<u8>`. JSON: `{"blockData": "0x…"}`.
public struct PoV: ScaleCodable, Codable, Hashable, Sendable {
    public var blockData: BlockData

    public init(blockData: BlockData) { self.blockData = blockData }
    public init(_ bytes: [UInt8]) { blockData = BlockData(bytes: bytes) }

    /// blake2b-256 of the SCALE encoding, so the length prefix is covered (what `povHash` must equal).
    public var hash: H256 { Blake2b.hash256(scaleEncoded) }

    public func encode(to encoder: inout ScaleEncoder) { encoder.append(blockData) }
    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) { blockData = try decoder.read() }
}
