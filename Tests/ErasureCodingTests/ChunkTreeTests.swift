import Primitives
import TestSupport
import Testing

@testable import ErasureCoding

/// The Substrate trie's node format, its root, and the chunk proofs an availability store serves.
struct ChunkTreeTests {
    @Test func spTrieUnitVectorsEncodeAsSubstrateDoes() {
        let single = SubstrateTrie(pairs: [([0xaa], [0xbb])])
        #expect(single.proof(forKey: [0xaa]).map(hex) == ["0x42aa04bb"])
        let two = SubstrateTrie(pairs: [([0x48, 0x19], [0xfe]), ([0x13, 0x14], [0xff])])
        #expect(two.proof(forKey: [0x48, 0x19]).map(hex) == ["0x8012001443031404ff144308190" + "4fe"])
    }

    @Test func emptyTrieRootIsTheHashOfZero() {
        #expect(
            ChunkTree(chunkHashes: []).root.hex == "0x03170a2e7597b7b7e3d84c05391d139a62b157e78786d8c082f29dcf4c111314")
    }

    @Test func longPartialKeysUseContinuationBytes() throws {
        let key = [UInt8](repeating: 0x11, count: 40)  // 80 nibbles: 63 in the header byte, 17 after it
        let encoded = TrieNodeCodec.encode(.leaf(partial: SubstrateTrie.nibbles(of: key), value: [1]))
        #expect(Array(encoded.prefix(2)) == [0x7f, 17])
        #expect(try TrieNodeCodec.decode(encoded) == .leaf(partial: SubstrateTrie.nibbles(of: key), value: [1]))
        let exact = TrieNodeCodec.encode(.leaf(partial: [UInt8](repeating: 1, count: 63 + 255), value: []))
        #expect(Array(exact.prefix(3)) == [0x7f, 255, 0])
    }

    @Test func aKeyThatPrefixesAnotherSitsInABranchWithValue() throws {
        let trie = SubstrateTrie(pairs: [([0x12], [0x01]), ([0x12, 0x34], [0x02])])
        let proof = trie.proof(forKey: [0x12, 0x34])
        #expect(proof.first?.first.map { $0 & 0xC0 } == 0xC0)
        #expect(try SubstrateTrie.lookup([0x12], root: trie.root, proof: proof) == [0x01])
        #expect(try SubstrateTrie.lookup([0x12, 0x34], root: trie.root, proof: proof) == [0x02])
    }

    @Test(arguments: [2, 6, 16, 17, 100, 257, 1000, 4097, 10_000])
    func everyChunkProofVerifiesAgainstTheRoot(n: Int) throws {
        let chunks = (0..<n).map { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }
        let tree = ChunkTree(chunks: chunks)
        for index in Set([0, 1, n / 2, n - 1, 15, 16, 255, 256].filter { $0 < n }) {
            let proof = try tree.proof(forChunk: index)
            #expect(proof.count >= 2 && proof.count <= 8)
            #expect(proof.allSatisfy { $0.count <= 612 })
            #expect(try ChunkTree.verifyProof(proof, root: tree.root, index: index) == Blake2b.hash256(chunks[index]))
            try ChunkTree.verifyChunk(chunks[index], index: index, proof: proof, root: tree.root)
        }
    }

    @Test func sixteenOrFewerChunksProveWithRootAndLeaf() throws {
        let tree = ChunkTree(chunks: (0..<16).map { [UInt8($0)] })
        #expect(try tree.proof(forChunk: 9).count == 2)
    }

    @Test func aTamperedNodeOrChunkOrIndexFails() throws {
        let chunks = (0..<300).map { [UInt8(truncatingIfNeeded: $0), 7] }
        let tree = ChunkTree(chunks: chunks)
        let proof = try tree.proof(forChunk: 123)
        for node in proof.indices {
            var tampered = proof
            tampered[node][tampered[node].count - 1] ^= 1
            #expect(throws: ErasureCodingError.self) {
                try ChunkTree.verifyProof(tampered, root: tree.root, index: 123)
            }
        }
        #expect(throws: ErasureCodingError.self) {
            try ChunkTree.verifyProof(Array(proof.dropLast()), root: tree.root, index: 123)
        }
        #expect(throws: ErasureCodingError.self) { try ChunkTree.verifyProof(proof, root: tree.root, index: 124) }
        #expect(throws: ErasureCodingError.self) {
            try ChunkTree.verifyProof(proof, root: H256(repeating: 1), index: 123)
        }
        #expect(
            throws: ErasureCodingError.chunkHashMismatch(
                index: 123, proven: Blake2b.hash256(chunks[123]), actual: Blake2b.hash256(chunks[124]))
        ) {
            try ChunkTree.verifyChunk(chunks[124], index: 123, proof: proof, root: tree.root)
        }
        #expect(throws: ErasureCodingError.chunkIndexOutOfRange(300, validators: 300)) { try tree.proof(forChunk: 300) }
    }

    @Test func malformedNodesAreRejectedWithoutCrashing() {
        var generator = SeededGenerator(seed: 0x7E1E)
        for length in 0..<200 {
            let bytes = generator.bytes(length % 50)
            _ = try? TrieNodeCodec.decode(bytes)
        }
        #expect(throws: ErasureCodingError.self) { try TrieNodeCodec.decode([0x80, 0x00, 0x00]) }  // no children
        #expect(throws: ErasureCodingError.self) { try TrieNodeCodec.decode([0x41, 0x10, 0x00]) }  // bad padding
        #expect(throws: ErasureCodingError.self) { try TrieNodeCodec.decode([0x42, 0xaa, 0x04, 0xbb, 0x00]) }
    }
}
