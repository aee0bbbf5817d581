/// Accumulates the SCALE encoding of values (parity-scale-codec 2.x rules).
///
/// Why `@inlinable`: the journal, the event log and the request bodies encode from other modules, and a
/// generic method called across a module boundary runs unspecialized (a witness-table call per integer
/// byte); inlined, an append is a few stores.
public struct ScaleEncoder: Sendable {
    /// The bytes written so far.
    public var bytes: [UInt8] { storage }
    @usableFromInline var storage: [UInt8]

    @inlinable
    public init(reservingCapacity capacity: Int = 64) {
        storage = []
        storage.reserveCapacity(capacity)
    }

    /// How many bytes are written so far.
    @inlinable public var count: Int { storage.count }

    /// Overwrites the 4 bytes at `offset` with `value`, little-endian: for a length prefix that is known
    /// only once what it measures has been appended after it.
    /// - Precondition: `offset + 4 <= count`.
    @inlinable
    public mutating func overwrite(littleEndian value: UInt32, at offset: Int) {
        precondition(offset >= 0 && offset + 4 <= storage.count, "overwrite past the end of the encoding")
        for index in 0..<4 { storage[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }

    /// Appends raw bytes with no length prefix (fixed-size arrays, hashes, the `BKNG` magic).
    @inlinable
    public mutating func appendRaw(_ raw: some Sequence<UInt8>) { storage.append(contentsOf: raw) }

    @inlinable
    public mutating func append(_ value: UInt8) { storage.append(value) }

    /// Appends a little-endian fixed-width integer.
    @inlinable
    public mutating func append<T: FixedWidthInteger & UnsignedInteger>(littleEndian value: T) {
        var v = value
        for _ in 0..<(T.bitWidth / 8) {
            storage.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }

    @inlinable
    public mutating func append(_ value: Bool) { storage.append(value ? 1 : 0) }

    /// Appends a compact integer in the narrowest of the four modes.
    @inlinable
    public mutating func appendCompact(_ value: UInt64) {
        switch value {
        case 0..<(1 << 6): storage.append(UInt8(value << 2))
        case (1 << 6)..<(1 << 14): append(littleEndian: UInt16(value << 2 | 0b01))
        case (1 << 14)..<(1 << 30): append(littleEndian: UInt32(value << 2 | 0b10))
        default:
            let byteCount = (64 - value.leadingZeroBitCount + 7) / 8
            storage.append(UInt8((byteCount - 4) << 2 | 0b11))
            var v = value
            for _ in 0..<byteCount {
                storage.append(UInt8(truncatingIfNeeded: v))
                v >>= 8
            }
        }
    }

    /// Appends a `Vec<u8>`: compact length, then the bytes.
    @inlinable
    public mutating func appendBytes(_ value: some Collection<UInt8>) {
        appendCompact(UInt64(value.count))
        storage.append(contentsOf: value)
    }

    /// Appends any encodable value.
    @inlinable
    public mutating func append(_ value: some ScaleEncodable) { value.encode(to: &self) }

    /// Appends a `Vec<T>`: compact element count, then each element.
    @inlinable
    public mutating func append<T: ScaleEncodable>(_ values: [T]) {
        appendCompact(UInt64(values.count))
        for value in values { value.encode(to: &self) }
    }

    /// Appends an `Option<T>`: `00`, or `01` followed by the value.
    @inlinable
    public mutating func append<T: ScaleEncodable>(_ value: T?) {
        if let value {
            storage.append(1)
            value.encode(to: &self)
        } else {
            storage.append(0)
        }
    }
}
