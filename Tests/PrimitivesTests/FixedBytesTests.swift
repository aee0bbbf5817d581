import CompactJSON
import Foundation
import Primitives
import TestSupport
import Testing

/// Hashes, keys and signatures hold their bytes inline: every way in and out must give back exactly the
/// bytes that went in, and equality, hashing and order must be the bytes' own.
struct FixedBytesTests {
    /// Random values with a few chosen to differ only in their last or first byte, so that a comparison or a
    /// hash that skipped a word would be caught.
    static func samples<Value: FixedBytes>(_ type: Value.Type, count: Int = 200) -> [[UInt8]] {
        var rng = SeededGenerator(seed: 0xF1ED)
        var samples = (0..<count).map { _ in rng.bytes(Value.byteCount) }
        for byte in [0, 7, 8, 15, 16, 31, Value.byteCount - 1] {
            var neighbour = samples[0]
            neighbour[byte] ^= 0x01
            samples.append(neighbour)
        }
        samples.append([UInt8](repeating: 0, count: Value.byteCount))
        return samples
    }

    @Test func aHashGivesBackTheBytesItWasMadeOfEveryWay() throws { try roundTrips(H256.self) }
    @Test func aKeyGivesBackTheBytesItWasMadeOfEveryWay() throws { try roundTrips(Sr25519Public.self) }
    @Test func aSignatureGivesBackTheBytesItWasMadeOfEveryWay() throws { try roundTrips(Sr25519Signature.self) }

    private func roundTrips<Value: FixedBytes>(_ type: Value.Type) throws {
        for bytes in Self.samples(Value.self) {
            let value = Value(unchecked: bytes)
            #expect(value.bytes == bytes)
            #expect(value.withUnsafeBytes { Array($0) } == bytes)
            #expect(try Value(bytes) == value)
            #expect(try Value(bytes[...]) == value)
            #expect(Value(hex: Hex.encode(bytes)) == value)
            #expect(value.hex == Hex.encode(bytes))
            #expect(Value { $0.copyBytes(from: bytes) } == value)
            #expect(value.data == Data(bytes))

            var encoder = ScaleEncoder()
            encoder.append(value)
            #expect(encoder.bytes == bytes, "SCALE is the raw bytes")
            var decoder = ScaleDecoder(bytes + [0xAA])
            #expect(try Value(from: &decoder) == value)
            #expect(decoder.remaining == 1, "decoding reads exactly byteCount bytes")

            var writer = JSONWriter()
            writer.hex(value)
            #expect(writer.bytes == Array("\"\(Hex.encode(bytes))\"".utf8))
        }
    }

    @Test func aValueTooShortToDecodeThrowsWithoutConsumingAnything() throws {
        var decoder = ScaleDecoder([UInt8](repeating: 1, count: 63))
        #expect(throws: ScaleDecodingError.unexpectedEnd(offset: 0, needed: 1)) {
            try Sr25519Signature(from: &decoder)
        }
        #expect(decoder.remaining == 63)
        #expect(throws: FixedBytesLengthError.self) { try H256([UInt8](repeating: 0, count: 33)) }
        #expect(H256(hex: "0x" + String(repeating: "ab", count: 31)) == nil)
    }

    @Test func equalityAndHashingAreTheBytesOwn() {
        for (type, samples) in [(32, Self.samples(H256.self)), (64, Self.samples(Sr25519Signature.self))] {
            for a in samples {
                for b in samples.prefix(20) + samples.suffix(8) {
                    if type == 32 {
                        let (x, y) = (H256(unchecked: a), H256(unchecked: b))
                        #expect((x == y) == (a == b))
                        if a == b { #expect(x.hashValue == y.hashValue) }
                    } else {
                        let (x, y) = (Sr25519Signature(unchecked: a), Sr25519Signature(unchecked: b))
                        #expect((x == y) == (a == b))
                        if a == b { #expect(x.hashValue == y.hashValue) }
                    }
                }
            }
        }
        // A set of every sample keeps each distinct value once.
        let hashes = Self.samples(H256.self)
        #expect(Set(hashes.map { H256(unchecked: $0) }).count == Set(hashes).count)
    }

    @Test func orderIsByteByByteAsRustOrdersHashes() {
        let samples = Self.samples(H256.self)
        for a in samples.prefix(60) {
            for b in samples {
                #expect(
                    H256(unchecked: a).lexicographicallyPrecedes(H256(unchecked: b)) == a.lexicographicallyPrecedes(b))
            }
        }
    }

    @Test func blake2b256WritesTheSameDigestAsTheGeneralFunction() {
        var rng = SeededGenerator(seed: 0xB1A4E)
        for length in [0, 1, 31, 32, 33, 127, 128, 129, 1000] {
            let data = rng.bytes(length)
            #expect(Blake2b.hash256(data).bytes == Blake2b.hash(data, outputLength: 32))
            #expect(Blake2b.hash256(data[...]) == Blake2b.hash256(data))
        }
    }

    @Test func theStrictReaderDecodesHexStraightIntoTheValueAndRefusesBadDigits() {
        for bytes in Self.samples(Sr25519Signature.self).prefix(20) {
            let hex = Hex.encode(bytes)
            let read = StrictJSONReader.read(Array(" \"\(hex)\" ".utf8)) { $0.fixed(Sr25519Signature.self) }
            #expect(read == Sr25519Signature(unchecked: bytes))
            #expect(
                StrictJSONReader.read(Array("\"\(hex.uppercased().replacingOccurrences(of: "0X", with: "0x"))\"".utf8))
                {
                    $0.fixed(Sr25519Signature.self)
                } == Sr25519Signature(unchecked: bytes))
            // A bad digit in either place of any pair, a digit short, a digit long: nothing is read.
            for position in [2, 3, 64, 129] {
                var bad = Array(hex.utf8)
                bad[position] = UInt8(ascii: "g")
                #expect(
                    StrictJSONReader.read(Array("\"".utf8) + bad + Array("\"".utf8)) { $0.fixed(Sr25519Signature.self) }
                        == nil)
            }
            #expect(
                StrictJSONReader.read(Array("\"\(hex.dropLast(2))\"".utf8)) { $0.fixed(Sr25519Signature.self) } == nil)
            #expect(StrictJSONReader.read(Array("\"\(hex)00\"".utf8)) { $0.fixed(Sr25519Signature.self) } == nil)
            // Several in a row: each read leaves the reader just past its string.
            let pair = StrictJSONReader.read(Array("[\"\(hex)\",\"\(hex)\"]".utf8)) { reader -> Int? in
                var count = 0
                let complete = reader.array { reader in
                    guard reader.fixed(Sr25519Signature.self) == Sr25519Signature(unchecked: bytes) else {
                        return false
                    }
                    count += 1
                    return true
                }
                return complete ? count : nil
            }
            #expect(pair == 2)
        }
    }
}
