/// A newtype around a byte vector (`HeadData`, `ValidationCode`, `BlockData`, an upward message).
///
/// SCALE: compact length, then the bytes. JSON: `0x` hex.
public protocol ByteVector: ScaleCodable, Codable, Hashable, Sendable {
    var bytes: [UInt8] { get }
    init(bytes: [UInt8])
}

extension ByteVector {
    public func encode(to encoder: inout ScaleEncoder) { encoder.appendBytes(bytes) }
    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        self.init(bytes: try decoder.readBytes())
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let bytes = Hex.decode(try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected 0x-prefixed hex")
        }
        self.init(bytes: bytes)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Hex.encode(bytes))
    }
}

/// A plain `Vec<u8>` (an `UpwardMessage`, HRMP message data).
public struct Bytes: ByteVector, CustomStringConvertible {
    public var bytes: [UInt8]
    public init(bytes: [UInt8]) { self.bytes = bytes }
    public var description: String { Hex.encode(bytes) }
}
