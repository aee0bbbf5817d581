/// Reads SCALE-encoded values from a byte buffer. Every read checks bounds and throws
/// ``ScaleDecodingError``; no input can make it trap.
public struct ScaleDecoder: Sendable {
    private let bytes: [UInt8]
    /// The offset of the next byte to read.
    public private(set) var offset: Int

    public init(_ bytes: some Collection<UInt8>) {
        self.bytes = Array(bytes)
        offset = 0
    }

    /// How many bytes are left.
    public var remaining: Int { bytes.count - offset }

    /// Throws unless every byte has been consumed.
    public func finish() throws(ScaleDecodingError) {
        guard remaining == 0 else { throw .trailingBytes(offset: offset, count: remaining) }
    }

    public mutating func readByte() throws(ScaleDecodingError) -> UInt8 {
        guard remaining >= 1 else { throw .unexpectedEnd(offset: offset, needed: 1) }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Reads exactly `count` raw bytes (no length prefix).
    public mutating func readRaw(_ count: Int) throws(ScaleDecodingError) -> [UInt8] {
        Array(bytes[try take(count)])
    }

    /// Reads exactly `destination.count` raw bytes into `destination` (no length prefix, no array).
    public mutating func readRaw(into destination: UnsafeMutableRawBufferPointer) throws(ScaleDecodingError) {
        let range = try take(destination.count)
        bytes.withUnsafeBytes { destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    /// The positions of the next `count` bytes, which are then read; throws when fewer are left.
    private mutating func take(_ count: Int) throws(ScaleDecodingError) -> Range<Int> {
        guard count >= 0, remaining >= count else {
            throw .unexpectedEnd(offset: offset, needed: count - remaining)
        }
        defer { offset += count }
        return offset..<offset + count
    }

    /// Reads a little-endian fixed-width integer.
    public mutating func read<T: FixedWidthInteger & UnsignedInteger>(
        littleEndian type: T.Type
    ) throws(ScaleDecodingError) -> T {
        let size = T.bitWidth / 8
        guard remaining >= size else { throw .unexpectedEnd(offset: offset, needed: size - remaining) }
        var value: T = 0
        for i in 0..<size { value |= T(bytes[offset + i]) << (8 * i) }
        offset += size
        return value
    }

    public mutating func readBool() throws(ScaleDecodingError) -> Bool {
        let start = offset
        switch try readByte() {
        case 0: return false
        case 1: return true
        case let tag: throw .invalidTag(type: "bool", tag: tag, offset: start)
        }
    }

    /// Reads a compact integer, rejecting encodings wider than needed (as parity-scale-codec does) and
    /// values beyond `UInt64`.
    public mutating func readCompact() throws(ScaleDecodingError) -> UInt64 {
        let start = offset
        let first = try readByte()
        switch first & 0b11 {
        case 0b00:
            return UInt64(first >> 2)
        case 0b01:
            offset = start
            let value = UInt64(try read(littleEndian: UInt16.self) >> 2)
            guard value >= 1 << 6 else { throw .invalidCompact(offset: start, reason: "two-byte mode for \(value)") }
            return value
        case 0b10:
            offset = start
            let value = UInt64(try read(littleEndian: UInt32.self) >> 2)
            guard value >= 1 << 14 else { throw .invalidCompact(offset: start, reason: "four-byte mode for \(value)") }
            return value
        default:
            let byteCount = Int(first >> 2) + 4
            guard byteCount <= 8 else {
                throw .invalidCompact(offset: start, reason: "\(byteCount)-byte integer exceeds 64 bits")
            }
            let raw = try readRaw(byteCount)
            var value: UInt64 = 0
            for (i, byte) in raw.enumerated() { value |= UInt64(byte) << (8 * i) }
            guard value >= 1 << 30, value >> (8 * (byteCount - 1)) != 0 else {
                throw .invalidCompact(offset: start, reason: "big-integer mode wider than \(value) needs")
            }
            return value
        }
    }

    /// Reads a compact length prefix (a `Compact<u32>`), checked against the bytes left so that a hostile
    /// prefix cannot make us allocate. `minimumElementSize` is the smallest encoding of one element.
    public mutating func readLength(minimumElementSize: Int = 1) throws(ScaleDecodingError) -> Int {
        let start = offset
        let length = try readCompact()
        guard length <= UInt64(UInt32.max),
            length.multipliedReportingOverflow(by: UInt64(max(minimumElementSize, 0))).partialValue
                <= UInt64(remaining)
        else {
            throw .lengthTooLarge(offset: start, length: length, remaining: remaining)
        }
        return Int(length)
    }

    /// Reads a `Vec<u8>`.
    public mutating func readBytes() throws(ScaleDecodingError) -> [UInt8] {
        try readRaw(readLength())
    }

    /// Reads any decodable value.
    public mutating func read<T: ScaleDecodable>(_ type: T.Type = T.self) throws(ScaleDecodingError) -> T {
        try T(from: &self)
    }

    /// Reads a `Vec<T>`.
    public mutating func readArray<T: ScaleDecodable>(of type: T.Type = T.self) throws(ScaleDecodingError) -> [T] {
        let count = try readLength(minimumElementSize: T.minimumEncodedSize)
        var values = [T]()
        values.reserveCapacity(count)
        for _ in 0..<count { values.append(try T(from: &self)) }
        return values
    }

    /// Reads an `Option<T>`.
    public mutating func readOptional<T: ScaleDecodable>(_ type: T.Type = T.self) throws(ScaleDecodingError) -> T? {
        let start = offset
        switch try readByte() {
        case 0: return nil
        case 1: return try T(from: &self)
        case let tag: throw .invalidTag(type: "Option", tag: tag, offset: start)
        }
    }
}
