import Primitives
import TestSupport
import Testing

@testable import ErasureCoding

/// The field tables, skew factors and code parameters against the research note's spot values, and the
/// FFT encoder against a slow Lagrange-interpolation encoder that shares nothing with it but the field.
struct FieldAndEncoderTests {
    @Test func logAndExpTablesHaveTheReferenceSpotValues() {
        #expect(
            (0...8).map { GaloisField.log(UInt16($0)) } == [65535, 0, 21845, 43690, 17476, 4369, 34952, 8738, 56797])
        #expect((0...8).map { GaloisField.exp($0) } == [1, 18064, 26072, 25296, 22324, 17904, 21432, 7736, 31918])
    }

    @Test func logAndExpAreInverseOnEveryNonZeroSymbol() {
        #expect((1..<65536).allSatisfy { GaloisField.exp(GaloisField.log(UInt16($0))) == UInt16($0) })
    }

    @Test func skewFactorsHaveTheReferenceSpotValues() {
        let skew = AdditiveFFT.factors.skew
        #expect(
            (0..<16).map { Int(skew[$0]) } == [
                65535, 65535, 21845, 65535, 17476, 21845, 34952, 65535, 56797, 17476, 30583, 21845, 48059, 34952, 13107,
                65535,
            ])
    }

    @Test func codeParametersForKnownValidatorCounts() throws {
        let expected: [(Int, Int, Int)] = [
            (2, 1, 2), (3, 1, 4), (4, 2, 4), (6, 2, 8), (10, 4, 16), (17, 4, 32), (100, 32, 128), (297, 64, 512),
            (300, 64, 512), (1000, 256, 1024), (1024, 256, 1024), (10_000, 2048, 16384),
        ]
        for (n, k, length) in expected {
            let parameters = try CodeParameters(nValidators: n)
            #expect(parameters.k == k && parameters.codewordLength == length, "n = \(n)")
        }
    }

    @Test func oneRunSymbolChecks() throws {
        // k = 2 of 4 and k = 4 of 16, from erasure-coding.md §3.2.
        let four = try ErasureCoding.obtainChunks(nValidators: 4, payload: [0x10, 0x02, 0x02, 0x02])
        #expect(four.map(hex) == ["0x1002", "0x0202", "0x3f60", "0x2d60"])
        let sixteen = try ErasureCoding.obtainChunks(nValidators: 16, payload: [0, 1, 0, 2, 0, 3, 0, 4])
        #expect(sixteen.map { Int($0[0]) << 8 | Int($0[1]) } == [1, 2, 3, 4, 8, 0, 3, 0xf, 9, 0xc, 4, 5, 7, 9, 3, 9])
    }

    @Test func fftEncoderEqualsLagrangeInterpolation() throws {
        var generator = SeededGenerator(seed: 0xFF7)
        for _ in 0..<25 {
            let n = Int.random(in: 2...200, using: &generator)
            let k = try CodeParameters(nValidators: n).k
            let payload = generator.bytes(2 * k)
            let chunks = try ErasureCoding.obtainChunks(nValidators: n, payload: payload)
            let data = (0..<k).map { UInt16(payload[2 * $0]) << 8 | UInt16(payload[2 * $0 + 1]) }
            let expected = (0..<n).map { lagrange(data, at: UInt16($0)) }
            #expect(chunks.map { UInt16($0[0]) << 8 | UInt16($0[1]) } == expected, "n = \(n)")
        }
    }

    /// The polynomial of degree < k through (j, data[j]) evaluated at x, in the symbol representation
    /// (where XOR is addition and the log tables multiply).
    private func lagrange(_ data: [UInt16], at x: UInt16) -> UInt16 {
        var sum: UInt16 = 0
        for j in data.indices {
            var logNumerator = 0
            var logDenominator = 0
            var zero = false
            for m in data.indices where m != j {
                let difference = x ^ UInt16(m)
                if difference == 0 { zero = true }
                logNumerator += GaloisField.log(difference)
                logDenominator += GaloisField.log(UInt16(j ^ m))
            }
            if zero || data[j] == 0 { continue }
            let modulus = GaloisField.modulus
            sum ^= GaloisField.multiply(
                data[j], byLog: (logNumerator % modulus + modulus - logDenominator % modulus) % modulus)
        }
        return sum
    }

    @Test func validatorCountsOutsideTwoToTenThousandAreErrors() {
        let payload: [UInt8] = [1, 2, 3]
        for n in [Int.min, -1, 0, 1] {
            #expect(throws: ErasureCodingError.notEnoughValidators(n)) {
                try ErasureCoding.obtainChunks(nValidators: n, payload: payload)
            }
        }
        for n in [10_001, 65_536, 65_537, Int.max] {
            #expect(throws: ErasureCodingError.tooManyValidators(n, maximum: 10_000)) {
                try ErasureCoding.obtainChunks(nValidators: n, payload: payload)
            }
        }
    }

    @Test func payloadsOutsideTheLimitsAreErrors() {
        #expect(throws: ErasureCodingError.emptyPayload) {
            try ErasureCoding.obtainChunks(nValidators: 10, payload: [])
        }
        let tooLong = [UInt8](repeating: 0, count: ErasureCoding.maximumPayloadSize + 1)
        #expect(throws: ErasureCodingError.payloadTooLarge(tooLong.count, maximum: ErasureCoding.maximumPayloadSize)) {
            try ErasureCoding.obtainChunks(nValidators: 10, payload: tooLong)
        }
        let bigPoV = AvailableData(
            pov: PoV([UInt8](repeating: 1, count: ErasureCoding.maximumPoVSize + 1)),
            validationData: PersistedValidationData(
                parentHead: HeadData(bytes: []), relayParentNumber: 0, relayParentStorageRoot: .zero, maxPovSize: 0))
        #expect(
            throws: ErasureCodingError.povTooLarge(
                ErasureCoding.maximumPoVSize + 1, maximum: ErasureCoding.maximumPoVSize)
        ) {
            try ErasureCoding.obtainChunks(nValidators: 10, availableData: bigPoV)
        }
    }

    @Test func tenThousandValidatorsEncodeAndReconstruct() throws {
        var generator = SeededGenerator(seed: 0x10000)
        let original = randomAvailableData(blockDataSize: 9000, using: &generator)
        let chunks = try ErasureCoding.obtainChunks(nValidators: 10_000, availableData: original)
        #expect(chunks.count == 10_000)
        let k = try CodeParameters(nValidators: 10_000).k
        let chosen = Array((0..<10_000).shuffled(using: &generator).prefix(k))
        #expect(
            try ErasureCoding.reconstruct(
                nValidators: 10_000, chunks: chosen.map { ErasureChunk(index: $0, bytes: chunks[$0]) }) == original)
    }
}
