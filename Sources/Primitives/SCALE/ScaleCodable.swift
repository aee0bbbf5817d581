/// A type with a SCALE encoding.
public protocol ScaleEncodable {
    /// Appends this value's SCALE encoding.
    func encode(to encoder: inout ScaleEncoder)
}

/// A type that can be decoded from SCALE bytes.
public protocol ScaleDecodable {
    /// Reads one value.
    /// - Throws: ``ScaleDecodingError`` when the bytes are truncated or invalid for this type.
    init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError)
    /// The size of the smallest encoding of a value, used to bound `Vec` lengths before allocating.
    static var minimumEncodedSize: Int { get }
}

extension ScaleDecodable {
    public static var minimumEncodedSize: Int { 1 }
}

public typealias ScaleCodable = ScaleEncodable & ScaleDecodable

extension ScaleEncodable {
    /// The SCALE encoding of this value.
    public var scaleEncoded: [UInt8] { scaleEncoded(reservingCapacity: 64) }

    /// The SCALE encoding of this value, in a buffer of `capacity` bytes from the start.
    public func scaleEncoded(reservingCapacity capacity: Int) -> [UInt8] {
        var encoder = ScaleEncoder(reservingCapacity: capacity)
        encode(to: &encoder)
        return encoder.bytes
    }
}

extension ScaleEncodable where Self: ScaleDecodable {
    /// The SCALE encoding of this value, in a buffer of at least the smallest encoding's size from the start.
    /// Why: a receipt (324 bytes, hashed for its candidate hash) otherwise grew its buffer from 64 bytes to 512
    /// in four allocations, several times per Seconded statement.
    public var scaleEncoded: [UInt8] { scaleEncoded(reservingCapacity: Swift.max(64, Self.minimumEncodedSize)) }
}

extension ScaleDecodable {
    /// Decodes a value that must occupy all of `bytes`.
    /// - Throws: ``ScaleDecodingError`` when the bytes are invalid, truncated, or longer than one value.
    public init(scaleEncoded bytes: some Collection<UInt8>) throws(ScaleDecodingError) {
        var decoder = ScaleDecoder(bytes)
        self = try Self(from: &decoder)
        try decoder.finish()
    }
}

extension UInt32: ScaleCodable {
    public func encode(to encoder: inout ScaleEncoder) { encoder.append(littleEndian: self) }
    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        self = try decoder.read(littleEndian: UInt32.self)
    }
    public static var minimumEncodedSize: Int { 4 }
}

extension UInt64: ScaleCodable {
    public func encode(to encoder: inout ScaleEncoder) { encoder.append(littleEndian: self) }
    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        self = try decoder.read(littleEndian: UInt64.self)
    }
    public static var minimumEncodedSize: Int { 8 }
}

extension UInt8: ScaleCodable {
    public func encode(to encoder: inout ScaleEncoder) { encoder.append(self) }
    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) { self = try decoder.readByte() }
}

extension Bool: ScaleCodable {
    public func encode(to encoder: inout ScaleEncoder) { encoder.append(self) }
    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) { self = try decoder.readBool() }
}

/// Fixed-size byte values encode as their raw bytes.
extension FixedBytes {
    public func encode(to encoder: inout ScaleEncoder) { withUnsafeBytes { encoder.appendRaw($0) } }
    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        try self.init { (bytes) throws(ScaleDecodingError) in try decoder.readRaw(into: bytes) }
    }
    public static var minimumEncodedSize: Int { byteCount }
}
