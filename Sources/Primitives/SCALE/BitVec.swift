/// `BitVec<u8, Lsb0>` as parity-scale-codec 2.x with bitvec 0.20 encodes it.
///
/// SCALE: compact bit count, then ceil(count/8) bytes; bit `i` is bit `i % 8` (least significant first)
/// of byte `i / 8`. Unused high bits are written as zero and ignored when read. JSON: the SCALE bytes in hex.
public struct BitVec: ScaleCodable, Codable, Hashable, Sendable, CustomStringConvertible {
    public private(set) var bits: [Bool]

    public init(_ bits: [Bool]) { self.bits = bits }
    public init(count: Int) { bits = [Bool](repeating: false, count: count) }

    public var count: Int { bits.count }

    public subscript(index: Int) -> Bool {
        get { bits[index] }
        set { bits[index] = newValue }
    }

    /// Indices of the set bits, ascending.
    public var setIndices: [Int] { bits.indices.filter { bits[$0] } }

    public var description: String { String(bits.map { $0 ? "1" : "0" }) }

    public func encode(to encoder: inout ScaleEncoder) {
        encoder.appendCompact(UInt64(bits.count))
        var bytes = [UInt8](repeating: 0, count: (bits.count + 7) / 8)
        for (i, bit) in bits.enumerated() where bit { bytes[i / 8] |= 1 << (i % 8) }
        encoder.appendRaw(bytes)
    }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        let start = decoder.offset
        let count = try decoder.readCompact()
        guard count <= UInt64(UInt32.max), (count + 7) / 8 <= UInt64(decoder.remaining) else {
            throw .lengthTooLarge(offset: start, length: count, remaining: decoder.remaining)
        }
        let bytes = try decoder.readRaw(Int((count + 7) / 8))
        bits = (0..<Int(count)).map { bytes[$0 / 8] & (1 << ($0 % 8)) != 0 }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let bytes = Hex.decode(try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected 0x-prefixed hex")
        }
        do {
            self = try BitVec(scaleEncoded: bytes)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "invalid bit vector: \(error)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Hex.encode(scaleEncoded))
    }
}
