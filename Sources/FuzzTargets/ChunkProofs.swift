import ErasureCoding
import Primitives

/// The trie node codec and chunk-proof verification. The first byte's low bit picks the mode.
///
/// Invariants: a trie node that decodes re-encodes to exactly its bytes (one encoding per node); a
/// proof of arbitrary nodes for any chunk index never traps, and a hash it proves is a leaf value that
/// one of its nodes carries.
public enum ChunkProofs {
    @Sendable public static func check(_ data: [UInt8]) {
        var input = FuzzInput(data)
        if input.byte() & 1 == 0 {
            let node = input.rest()
            if let again = try? TrieNodeEncoding.reencoded(node) {
                precondition(again == node, "a trie node does not re-encode to its bytes")
            }
            return
        }
        // Nodes as slices with a two-byte length; the root is the first node's hash so that lookups get going.
        let index = input.int(in: 0...65_535)
        var proof: [[UInt8]] = []
        while !input.isAtEnd { proof.append(input.bytes(input.int(in: 0...1023))) }
        guard let first = proof.first else { return }
        if let proven = try? ChunkTree.verifyProof(proof, root: Blake2b.hash256(first), index: index) {
            let found = proof.contains { node in
                node.count >= 32 && (0...(node.count - 32)).contains { Array(node[$0..<$0 + 32]) == proven.bytes }
            }
            precondition(found, "a proof proves a hash none of its nodes holds")
        }
    }
}
