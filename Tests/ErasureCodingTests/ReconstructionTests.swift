import Primitives
import TestSupport
import Testing

@testable import ErasureCoding

/// Any `k` chunks give the data back; chunks that cannot come from one encoding are refused by name.
struct ReconstructionTests {
    @Test func anyRandomKOfNChunksRecoverTheOriginal() async throws {
        var generator = SeededGenerator(seed: 0xEC01)
        for round in 0..<40 {
            await Task.yield()  // a long CPU loop hands its cooperative thread back now and then
            let n = round < 6 ? [2, 3, 4, 5, 16, 17][round] : Int.random(in: 2...400, using: &generator)
            let original = randomAvailableData(
                blockDataSize: Int.random(in: 0...3000, using: &generator), using: &generator)
            let chunks = try ErasureCoding.obtainChunks(nValidators: n, availableData: original)
            let k = try CodeParameters(nValidators: n).k
            let chosen = Array(chunks.indices.shuffled(using: &generator).prefix(k))
            let recovered = try ErasureCoding.reconstruct(
                nValidators: n, chunks: chosen.map { ErasureChunk(index: $0, bytes: chunks[$0]) })
            #expect(recovered == original, "n = \(n), chunks \(chosen.sorted())")
        }
    }

    @Test func onlyParityChunksRecoverTheOriginal() throws {
        var generator = SeededGenerator(seed: 0xEC02)
        for n in [4, 10, 100, 1000, 1024] {
            let original = randomAvailableData(blockDataSize: 5000, using: &generator)
            let chunks = try ErasureCoding.obtainChunks(nValidators: n, availableData: original)
            let k = try CodeParameters(nValidators: n).k
            let parity = (k..<n).suffix(k).map { ErasureChunk(index: $0, bytes: chunks[$0]) }
            #expect(try ErasureCoding.reconstruct(nValidators: n, chunks: parity) == original, "n = \(n)")
        }
    }

    @Test func allChunksAndDuplicatesStillRecoverTheOriginal() throws {
        var generator = SeededGenerator(seed: 0xEC03)
        let original = randomAvailableData(blockDataSize: 777, using: &generator)
        let chunks = try ErasureCoding.obtainChunks(nValidators: 7, availableData: original)
        let all = chunks.enumerated().map { ErasureChunk(index: $0.offset, bytes: $0.element) }
        #expect(try ErasureCoding.reconstruct(nValidators: 7, chunks: all + all) == original)
    }

    @Test func rawPayloadComesBackWithZeroPadding() throws {
        let payload: [UInt8] = Array(1...19)
        let chunks = try ErasureCoding.obtainChunks(nValidators: 10, payload: payload)
        let recovered = try ErasureCoding.reconstructPayload(
            nValidators: 10, chunks: [9, 5, 7, 4].map { ErasureChunk(index: $0, bytes: chunks[$0]) })
        #expect(recovered == payload + [UInt8](repeating: 0, count: 5))
    }

    @Test func tooFewChunksAreRefused() throws {
        let chunks = try ErasureCoding.obtainChunks(nValidators: 10, payload: Array(1...40))
        #expect(throws: ErasureCodingError.notEnoughChunks(received: 3, needed: 4)) {
            try ErasureCoding.reconstructPayload(
                nValidators: 10,
                chunks: (0..<3).map { ErasureChunk(index: $0, bytes: chunks[$0]) } + [
                    ErasureChunk(index: 1, bytes: chunks[1])
                ])
        }
        #expect(throws: ErasureCodingError.notEnoughChunks(received: 0, needed: 4)) {
            try ErasureCoding.reconstructPayload(nValidators: 10, chunks: [])
        }
    }

    @Test func chunksOfDifferentLengthsAreInconsistent() throws {
        let chunks = try ErasureCoding.obtainChunks(nValidators: 10, payload: Array(1...40))
        var supplied = (0..<4).map { ErasureChunk(index: $0, bytes: chunks[$0]) }
        supplied[2].bytes += [0, 0]
        #expect(
            throws: ErasureCodingError.inconsistentChunkLengths(
                expected: chunks[0].count, index: 2, length: chunks[0].count + 2)
        ) {
            try ErasureCoding.reconstructPayload(nValidators: 10, chunks: supplied)
        }
    }

    @Test func emptyOddOrOversizedChunksHaveAWrongLength() throws {
        for bytes in [[], [1, 2, 3], [UInt8](repeating: 0, count: 8 * 1024 * 1024)] as [[UInt8]] {
            #expect(throws: ErasureCodingError.invalidChunkLength(index: 0, length: bytes.count)) {
                try ErasureCoding.reconstructPayload(nValidators: 10, chunks: [ErasureChunk(index: 0, bytes: bytes)])
            }
        }
    }

    @Test func outOfRangeAndConflictingChunksAreRefused() throws {
        let chunks = try ErasureCoding.obtainChunks(nValidators: 10, payload: Array(1...40))
        #expect(throws: ErasureCodingError.chunkIndexOutOfRange(10, validators: 10)) {
            try ErasureCoding.reconstructPayload(nValidators: 10, chunks: [ErasureChunk(index: 10, bytes: chunks[0])])
        }
        #expect(throws: ErasureCodingError.chunkIndexOutOfRange(-1, validators: 10)) {
            try ErasureCoding.reconstructPayload(nValidators: 10, chunks: [ErasureChunk(index: -1, bytes: chunks[0])])
        }
        #expect(throws: ErasureCodingError.conflictingChunks(index: 3)) {
            try ErasureCoding.reconstructPayload(
                nValidators: 10,
                chunks: [ErasureChunk(index: 3, bytes: chunks[3]), ErasureChunk(index: 3, bytes: chunks[4])])
        }
    }

    @Test func chunksThatAreNotOneEncodingDoNotDecode() throws {
        var generator = SeededGenerator(seed: 0xEC04)
        let original = randomAvailableData(blockDataSize: 100, using: &generator)
        let chunks = try ErasureCoding.obtainChunks(nValidators: 10, availableData: original)
        // Parity chunks from another payload of the same length recover garbage, not the original.
        let other = try ErasureCoding.obtainChunks(
            nValidators: 10, payload: generator.bytes(original.scaleEncoded.count))
        let mixed =
            [ErasureChunk(index: 1, bytes: chunks[1]), ErasureChunk(index: 2, bytes: chunks[2])]
            + [7, 8].map { ErasureChunk(index: $0, bytes: other[$0]) }
        #expect(throws: ErasureCodingError.self) { try ErasureCoding.reconstruct(nValidators: 10, chunks: mixed) }
    }

    @Test func reconstructionChecksTheValidatorCount() {
        #expect(throws: ErasureCodingError.notEnoughValidators(1)) {
            try ErasureCoding.reconstruct(nValidators: 1, chunks: [ErasureChunk(index: 0, bytes: [0, 0])])
        }
    }
}
