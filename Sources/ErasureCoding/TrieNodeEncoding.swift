/// Trie node bytes as the chunk-proof codec reads and writes them, for the fuzz targets (`FuzzTargets`).
public enum TrieNodeEncoding {
    /// Decodes one node that must fill `bytes` and encodes it again.
    /// - Throws: ``ErasureCodingError/invalidProof(_:)`` for anything that is not a well-formed node.
    public static func reencoded(_ bytes: [UInt8]) throws(ErasureCodingError) -> [UInt8] {
        TrieNodeCodec.encode(try TrieNodeCodec.decode(bytes))
    }
}
