import Primitives
import TestSupport
import Testing

struct ScaleCodecTests {
    static let compactCases: [(UInt64, String)] = [
        (0, "00"), (1, "04"), (42, "a8"), (63, "fc"),
        (64, "0101"), (69, "1501"), (16383, "fdff"),
        (16384, "02000100"), (1 << 30 - 1, "feffffff"),
        (1 << 30, "0300000040"), (UInt64(UInt32.max), "03ffffffff"),
        (1 << 32, "070000000001"), (UInt64.max, "13ffffffffffffffff"),
    ]

    @Test func compactIntegersUseAllFourModes() throws {
        for (value, hex) in Self.compactCases {
            var encoder = ScaleEncoder()
            encoder.appendCompact(value)
            #expect(Hex.encode(encoder.bytes, prefix: false) == hex, "\(value)")
            var decoder = ScaleDecoder([UInt8](hex: hex))
            #expect(try decoder.readCompact() == value)
            #expect(decoder.remaining == 0)
        }
    }

    @Test(arguments: ["0100", "03ffff0000", "0300000000", "07ffffffff00", "17000000000000000001"])
    func nonCanonicalOrOversizedCompactIsRejected(hex: String) {
        var decoder = ScaleDecoder([UInt8](hex: hex))
        #expect(throws: ScaleDecodingError.self) { try decoder.readCompact() }
    }

    @Test func truncatedInputReportsWhereItEnded() {
        let bytes = Array(CandidateDescriptor().scaleEncoded.prefix(100))
        #expect(throws: ScaleDecodingError.unexpectedEnd(offset: 100, needed: 32)) {
            try CandidateDescriptor(scaleEncoded: bytes)
        }
    }

    @Test func trailingBytesAreRejected() {
        #expect(throws: ScaleDecodingError.trailingBytes(offset: 4, count: 1)) {
            try ParaId(scaleEncoded: [1, 0, 0, 0, 9])
        }
    }

    @Test func invalidOptionAndEnumTagsAreRejected() {
        #expect(throws: ScaleDecodingError.invalidTag(type: "Option", tag: 2, offset: 4)) {
            try ScheduledCore(scaleEncoded: [1, 0, 0, 0, 2])
        }
        #expect(throws: ScaleDecodingError.invalidTag(type: "ValidityAttestation", tag: 0, offset: 0)) {
            try ValidityAttestation(scaleEncoded: [0] + [UInt8](repeating: 0, count: 64))
        }
        #expect(throws: ScaleDecodingError.invalidTag(type: "CoreState", tag: 3, offset: 0)) {
            try CoreState(scaleEncoded: [3])
        }
    }

    @Test func hugeLengthPrefixFailsWithoutAllocating() {
        // A Vec<Vec<u8>> claiming 2^32 - 1 elements in 5 bytes.
        #expect(throws: ScaleDecodingError.lengthTooLarge(offset: 0, length: UInt64(UInt32.max), remaining: 0)) {
            try CandidateCommitments(scaleEncoded: [UInt8](hex: "03ffffffff"))
        }
        #expect(throws: ScaleDecodingError.self) { try BitVec(scaleEncoded: [UInt8](hex: "13ffffffffffffffff")) }
    }

    struct BitVecVector: Decodable {
        let bits: [Bool]
        let encoded: String
    }

    struct BitVecFile: Decodable { let vectors: [BitVecVector] }

    @Test func bitVecMatchesParityScaleCodec() throws {
        let vectors = try Fixture.load(BitVecFile.self, from: "bitvec.json").vectors
        #expect(!vectors.isEmpty)
        for v in vectors {
            #expect(Hex.encode(BitVec(v.bits).scaleEncoded) == v.encoded)
            #expect(try BitVec(scaleEncoded: [UInt8](hex: v.encoded)).bits == v.bits)
        }
        #expect(Hex.encode(BitVec([true, false, true, true]).scaleEncoded, prefix: false) == "100d")
        #expect(
            Hex.encode(
                BitVec([true, false, false, false, false, false, false, false, true]).scaleEncoded, prefix: false)
                == "240101")
        #expect(Hex.encode(BitVec([]).scaleEncoded, prefix: false) == "00")
        #expect(Hex.encode(BitVec([false, true, false, true, false, true]).scaleEncoded, prefix: false) == "182a")
    }

    @Test func bitVecIgnoresUnusedHighBitsWhenDecoding() throws {
        #expect(try BitVec(scaleEncoded: [0x0c, 0xff]).bits == [true, true, true])
    }
}
