public import Primitives

/// The erasure root's trie (polkadot's `branches(&chunks)`): a Substrate Patricia–Merkle trie, layout V0,
/// mapping each chunk index, SCALE `u32` (4 bytes little-endian), to the blake2b-256 of that chunk.
///
/// It gives the root that candidate descriptors commit to (`erasureRoot`) and, per chunk, the proof an
/// availability store serves with it.
public struct ChunkTree: Sendable {
    /// `blake2b-256(chunk i)` for every chunk, in index order.
    public let chunkHashes: [H256]
    /// The trie root: blake2b-256 of the root node's encoding.
    public let root: H256
    private let trie: SubstrateTrie

    /// Builds the trie over the hashes of `chunks`.
    public init(chunks: [[UInt8]]) {
        self.init(chunkHashes: chunks.map { Blake2b.hash256($0) })
    }

    /// Builds the trie over already computed chunk hashes.
    public init(chunkHashes: [H256]) {
        self.chunkHashes = chunkHashes
        trie = SubstrateTrie(
            pairs: chunkHashes.enumerated().map { (ChunkTree.key(forChunk: $0.offset), $0.element.bytes) })
        root = trie.root
    }

    /// The trie key of chunk `index`: SCALE `u32`, little-endian, not compact.
    static func key(forChunk index: Int) -> [UInt8] { UInt32(truncatingIfNeeded: index).scaleEncoded }

    /// The proof for chunk `index`: the nodes a lookup of its key reads, root first, leaf last (nodes
    /// small enough to sit inline in their parent are not listed separately).
    /// - Throws: ``ErasureCodingError/chunkIndexOutOfRange(_:validators:)`` for an index with no chunk.
    public func proof(forChunk index: Int) throws(ErasureCodingError) -> [[UInt8]] {
        guard chunkHashes.indices.contains(index) else {
            throw .chunkIndexOutOfRange(index, validators: chunkHashes.count)
        }
        return trie.proof(forKey: Self.key(forChunk: index))
    }

    /// Checks that `proof` leads from `root` to the leaf of chunk `index` and returns the chunk hash that
    /// leaf holds (polkadot's `branch_hash`). Nodes are found by hash, so their order does not matter and
    /// unused extra nodes are ignored.
    /// - Throws: ``ErasureCodingError/invalidProof(_:)`` when a node is missing or malformed, or the key is
    ///   not in the trie.
    public static func verifyProof(_ proof: [[UInt8]], root: H256, index: Int) throws(ErasureCodingError) -> H256 {
        guard (0...Int(UInt32.max)).contains(index) else { throw .invalidProof("index \(index) is not a u32") }
        let value = try SubstrateTrie.lookup(key(forChunk: index), root: root, proof: proof)
        guard value.count == 32 else { throw .invalidProof("the leaf holds \(value.count) bytes, not a hash") }
        return H256(unchecked: value)
    }

    /// Checks `chunk` against `root`: the proof must be valid and the chunk's hash the one it proves.
    /// - Throws: ``ErasureCodingError/invalidProof(_:)`` for a bad proof,
    ///   ``ErasureCodingError/chunkHashMismatch(index:proven:actual:)`` for a chunk that is not the committed one.
    public static func verifyChunk(_ chunk: [UInt8], index: Int, proof: [[UInt8]], root: H256)
        throws(ErasureCodingError)
    {
        let proven = try verifyProof(proof, root: root, index: index)
        let actual = Blake2b.hash256(chunk)
        guard proven == actual else { throw .chunkHashMismatch(index: index, proven: proven, actual: actual) }
    }
}
