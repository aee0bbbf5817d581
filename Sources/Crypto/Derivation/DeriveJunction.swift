import Primitives

/// One step of a Substrate derivation path: `//name` (hard) or `/name` (soft), with its 32-byte
/// chain code.
public enum DeriveJunction: Hashable, Sendable {
    /// Derivable from the public key alone (`/name`).
    case soft([UInt8])
    /// Needs the secret key (`//name`).
    case hard([UInt8])

    /// Parses one junction as it appears after the first `/` of a path element: `"/name"` is hard,
    /// `"name"` is soft (Substrate's `DeriveJunction::from(&str)`).
    public init(_ text: some StringProtocol) {
        if text.hasPrefix("/") {
            self = .hard(Self.chainCode(for: text.dropFirst()))
        } else {
            self = .soft(Self.chainCode(for: text))
        }
    }

    /// The 32-byte chain code.
    public var chainCode: [UInt8] {
        switch self {
        case .soft(let code), .hard(let code): code
        }
    }

    /// The chain code of a junction name: a decimal `u64` becomes its 8 little-endian bytes, any other
    /// text its SCALE encoding (compact length ‖ UTF-8); data longer than 32 bytes is replaced by its
    /// BLAKE2b-256 hash, shorter data is padded with zeros.
    public static func chainCode(for name: some StringProtocol) -> [UInt8] {
        var data: [UInt8]
        if let number = parseUInt64(name) {
            data = withUnsafeBytes(of: number.littleEndian) { Array($0) }
        } else {
            let utf8 = Array(name.utf8)
            data = compactLength(utf8.count) + utf8
        }
        if data.count > 32 { return Blake2b.hash(data, outputLength: 32) }
        return data + [UInt8](repeating: 0, count: 32 - data.count)
    }

    /// Rust's `str::parse::<u64>`: an optional `+`, then one or more ASCII digits, value below 2^64.
    private static func parseUInt64(_ text: some StringProtocol) -> UInt64? {
        var digits = Substring(text).utf8[...]
        if digits.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
        guard !digits.isEmpty else { return nil }
        var value: UInt64 = 0
        for digit in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return value
    }

    /// SCALE's compact encoding of a length (the prefix of an encoded string).
    private static func compactLength(_ length: Int) -> [UInt8] {
        let value = UInt64(length)
        switch value {
        case 0..<(1 << 6):
            return [UInt8(value << 2)]
        case (1 << 6)..<(1 << 14):
            return withUnsafeBytes(of: UInt16(value << 2 | 1).littleEndian) { Array($0) }
        case (1 << 14)..<(1 << 30):
            return withUnsafeBytes(of: UInt32(value << 2 | 2).littleEndian) { Array($0) }
        default:
            var bytes = withUnsafeBytes(of: value.littleEndian) { Array($0) }
            while bytes.count > 4, bytes.last == 0 { bytes.removeLast() }
            return [UInt8((bytes.count - 4) << 2 | 3)] + bytes
        }
    }
}
