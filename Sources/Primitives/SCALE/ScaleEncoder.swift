/// Accumulates the SCALE encoding of values (parity-scale-codec 2.x rules).
public struct ScaleEncoder: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    public init(reservingCapacity capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// How many bytes are written so far.
    public var count: Int { bytes.count }

    /// Overwrites the 4 bytes at `offset` with `value`, little-endian: for a length prefix that is known
    /// only once what it measures has been appended after it.
    /// - Precondition: `offset + 4 <= count`.
    public mutating func overwrite(littleEndian value: UInt32, at offset: Int) {
        precondition(offset >= 0 && offset + 4 <= bytes.count, "overwrite past the end of the encoding")
        for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }

    /// Appends raw bytes with no length prefix (fixed-size arrays, hashes, the `BKNG` magic).
    public mutating func appendRaw(_ raw: some Sequence<UInt8>) { bytes.append(contentsOf: raw) }

    public mutating func append(_ value: UInt8) { bytes.append(value) }

    /// Appends a little-endian fixed-width integer.
    public mutating func append<T: FixedWidthInteger & UnsignedInteger>(littleEndian value: T) {
        var v = value
        for _ in 0..<(T.bitWidth / 8) {
            bytes.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }

    public mutating func append(_ value: Bool) { bytes.append(value ? 1 : 0) }

    /// Appends a compact integer in the narrowest of the four modes.
    public mutating func appendCompact(_ value: UInt64) {
        switch value {
        case 0..<(1 << 6): bytes.append(UInt8(value << 2))
        case (1 << 6)..<(1 << 14): append(littleEndian: UInt16(value << 2 | 0b01))
        case (1 << 14)..<(1 << 30): append(littleEndian: UInt32(value << 2 | 0b10))
        default:
            let byteCount = (64 - value.leadingZeroBitCount + 7) / 8
            bytes.append(UInt8((byteCount - 4) << 2 | 0b11))
            var v = value
            for _ in 0..<byteCount {
                bytes.append(UInt8(truncatingIfNeeded: v))
                v >>= 8
            }
        }
    }

    /// Appends a `Vec<u8>`: compact length, then the bytes.
    public mutating func appendBytes(_ value: some Collection<UInt8>) {
        appendCompact(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Appends any encodable value.
    public mutating func append(_ value: some ScaleEncodable) { value.encode(to: &self) }

    /// Appends a `Vec<T>`: compact element count, then each element.
    public mutating func append<T: ScaleEncodable>(_ values: [T]) {
        appendCompact(UInt64(values.count))
        for value in values { value.encode(to: &self) }
    }

    /// Appends an `Option<T>`: `00`, or `01` followed by the value.
    public mutating func append<T: ScaleEncodable>(_ value: T?) {
        if let value {
            bytes.append(1)
            value.encode(to: &self)
        } else {
            bytes.append(0)
        }
    }
}
