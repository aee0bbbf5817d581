import Primitives
import Testing

@testable import Crypto

struct KeccakTests {
    let vectors: Sr25519Vectors

    init() throws { vectors = try Sr25519Vectors.load() }

    @Test func permutationOfZeroStateMatchesReferenceLanes() {
        var state = KeccakState()
        state.permute()
        let lanes = state.laneValues.map { String($0, radix: 16).leftPadded(to: 16) }
        #expect(lanes == vectors.aKeccakF1600ZeroState.lanesHexU64)
        #expect(state.bytes == bytes(vectors.aKeccakF1600ZeroState.bytes))
    }

    @Test func secondPermutationOfZeroStateMatchesReferenceLanes() {
        var state = KeccakState()
        state.permute()
        state.permute()
        let lanes = state.laneValues.prefix(5).map { String($0, radix: 16).leftPadded(to: 16) }
        #expect(lanes == vectors.aKeccakF1600TwiceZeroStateLanes04)
    }

    /// SHA3-256 built on the permutation (rate 136, padding 0x06…0x80) checks it against FIPS 202.
    @Test func sha3OfEmptyInputMatchesFips202() {
        var state = KeccakState()
        state.withUnsafeMutableBytes { bytes in
            bytes[0] ^= 0x06
            bytes[135] ^= 0x80
        }
        state.permute()
        #expect(Array(state.bytes.prefix(32)) == bytes(vectors.aSha3256EmptyViaKeccak))
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
