import Primitives
import TestSupport
import Testing

@testable import ErasureCoding

/// The known answers of the reference implementations: upstream novelpoly 1.0.0 and trie-root 0.16.0
/// (erasure-coding.json), gossamer's published roots and the backing-test fixture roots.
struct KnownAnswerTests {
    static let vectors = (try? KnownAnswers.load().vectors) ?? []

    @Test func fixtureHoldsAllFourteenVectors() {
        #expect(Self.vectors.count == 14)
    }

    @Test(arguments: vectors.map(\.name))
    func chunksDigestAndRootMatchTheRustCrates(name: String) throws {
        let vector = try #require(Self.vectors.first { $0.name == name })
        let chunks: [[UInt8]]
        if let data = vector.availableData {
            let availableData = data.availableData
            #expect(hex(availableData.scaleEncoded) == vector.encoded)
            chunks = try ErasureCoding.obtainChunks(nValidators: vector.nValidators, availableData: availableData)
            #expect(
                try ErasureCoding.erasureRoot(nValidators: vector.nValidators, availableData: availableData).hex
                    == vector.erasureRoot)
        } else {
            let payload = [UInt8](hex: try #require(vector.payload))
            chunks = try ErasureCoding.obtainChunks(nValidators: vector.nValidators, payload: payload)
        }
        let parameters = try CodeParameters(nValidators: vector.nValidators)
        #expect(parameters.k == vector.codeParams.k)
        #expect(parameters.codewordLength == vector.codeParams.nPow2)
        #expect(chunks.count == vector.nValidators)
        #expect(chunks.allSatisfy { $0.count == vector.shardLen })
        #expect(chunks.map(hex) == vector.chunks)
        #expect(Blake2b.hash256(chunks.flatMap { $0 }).hex == vector.chunkHashesConcatBlake2)
        #expect(ChunkTree(chunks: chunks).root.hex == vector.erasureRoot)
    }

    @Test func gossamerRootsForTwoToSevenValidators() throws {
        let reference = try ReferenceRoots.load()
        #expect(reference.gossamer.vectors.count == 6)
        for vector in reference.gossamer.vectors {
            let availableData = AvailableData(
                pov: PoV([UInt8](hex: vector.blockData)),
                validationData: PersistedValidationData(
                    parentHead: HeadData(bytes: []), relayParentNumber: 0, relayParentStorageRoot: .zero, maxPovSize: 0)
            )
            let root = try ErasureCoding.erasureRoot(nValidators: vector.nValidators, availableData: availableData)
            #expect(root.hex == vector.erasureRoot, "n = \(vector.nValidators)")
        }
    }

    @Test func backingTestCandidatesHaveTheirFixtureRoots() throws {
        let reference = try ReferenceRoots.load()
        #expect(reference.fixtureCandidates.vectors.count == 5)
        for candidate in reference.fixtureCandidates.vectors {
            let availableData = AvailableData(
                pov: PoV([UInt8](hex: candidate.pov)), validationData: reference.fixtureCandidates.validationData.value)
            let root = try ErasureCoding.erasureRoot(nValidators: 6, availableData: availableData)
            #expect(root.hex == candidate.erasureRoot, "\(candidate.name)")
        }
    }

    @Test func candidateA123ChunksNodesAndRootsForEveryValidatorCount() throws {
        let reference = try ReferenceRoots.load()
        let availableData = try AvailableData(scaleEncoded: [UInt8](hex: reference.a123.encoded))
        #expect(availableData.pov.blockData.bytes == [1, 2, 3])
        let chunks = try ErasureCoding.obtainChunks(nValidators: 6, availableData: availableData)
        #expect(chunks.map(hex) == reference.a123.chunksN6)
        let proof = try ChunkTree(chunks: chunks).proof(forChunk: 0)
        #expect(proof.map(hex) == [reference.a123.rootNodeN6, reference.a123.leafNode0N6])
        #expect(reference.a123.rootsByValidators.count == 9)
        for (n, root) in reference.a123.rootsByValidators {
            let validators = try #require(Int(n))
            #expect(
                try ErasureCoding.erasureRoot(nValidators: validators, availableData: availableData).hex == root,
                "n = \(n)")
        }
    }

    @Test func a1024BytePoVForTenValidators() throws {
        let reference = try ReferenceRoots.load()
        let availableData = AvailableData(
            pov: PoV((0..<1024).map { UInt8($0 % 256) }),
            validationData: reference.fixtureCandidates.validationData.value)
        let chunks = try ErasureCoding.obtainChunks(nValidators: 10, availableData: availableData)
        #expect(chunks.first?.count == reference.range1024N10.chunkLength)
        #expect(ChunkTree(chunks: chunks).root.hex == reference.range1024N10.erasureRoot)
    }

    @Test func the64KiBBaselinePayloadFor300Validators() throws {
        let reference = try ReferenceRoots.load()
        let availableData = xorshiftAvailableData(blockDataSize: 65536)
        #expect(availableData.scaleEncoded.count == reference.xorshift64KiBN300.payloadLength)
        #expect(
            try ErasureCoding.erasureRoot(nValidators: 300, availableData: availableData).hex
                == reference.xorshift64KiBN300.erasureRoot)
    }

    /// The benchmark payload of erasure-coding-rust-baseline.md: xorshift64* block data and a fixed PVD.
    func xorshiftAvailableData(blockDataSize: Int) -> AvailableData {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var bytes = [UInt8]()
        bytes.reserveCapacity(blockDataSize + 8)
        while bytes.count < blockDataSize {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            let output = state &* 0x2545_F491_4F6C_DD1D
            for shift in stride(from: 0, to: 64, by: 8) {
                bytes.append(UInt8(truncatingIfNeeded: output >> UInt64(shift)))
            }
        }
        return AvailableData(
            pov: PoV(Array(bytes.prefix(blockDataSize))),
            validationData: PersistedValidationData(
                parentHead: HeadData(bytes: (0..<32).map { UInt8($0) }), relayParentNumber: 1_234_567,
                relayParentStorageRoot: H256(repeating: 0xab), maxPovSize: 5_242_880))
    }
}
