/// SS58 addresses (Substrate's account encoding): prefix ‖ account id ‖ 2-byte checksum, in Base58.
///
/// The checksum is the first two bytes of BLAKE2b-512(`"SS58PRE"` ‖ prefix ‖ account id). Prefixes 0–63
/// take one byte, 64–16383 two bytes.
public enum SS58 {
    /// The generic Substrate prefix (addresses starting with 5).
    public static let genericPrefix: UInt16 = 42
    /// Polkadot's prefix (addresses starting with 1).
    public static let polkadotPrefix: UInt16 = 0

    /// A decoded address.
    public struct Address: Equatable, Sendable {
        public let prefix: UInt16
        public let accountId: [UInt8]

        public init(prefix: UInt16, accountId: [UInt8]) {
            self.prefix = prefix
            self.accountId = accountId
        }
    }

    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        case invalidBase58
        case invalidLength(Int)
        case invalidPrefix
        case badChecksum

        public var description: String {
            switch self {
            case .invalidBase58: "not Base58"
            case .invalidLength(let n): "unexpected address length \(n)"
            case .invalidPrefix: "invalid SS58 prefix"
            case .badChecksum: "bad SS58 checksum"
            }
        }
    }

    private static let checksumPreimage = Array("SS58PRE".utf8)

    /// Encodes a 32-byte account id (a public key) with `prefix` (0...16383).
    public static func encode(_ accountId: [UInt8], prefix: UInt16 = genericPrefix) -> String {
        precondition(prefix < 16_384, "SS58 prefixes are 14-bit")
        var data: [UInt8]
        if prefix < 64 {
            data = [UInt8(prefix)]
        } else {
            data = [
                UInt8((prefix & 0b1111_1100) >> 2) | 0b0100_0000,
                UInt8(prefix >> 8) | UInt8(prefix & 0b11) << 6,
            ]
        }
        data += accountId
        data += checksum(data)
        return Base58.encode(data)
    }

    /// Decodes an address carrying a 32-byte account id.
    /// - Throws: ``Error`` when the text is not Base58, has the wrong length or prefix, or its checksum fails.
    public static func decode(_ text: String) throws(Error) -> Address {
        guard let data = Base58.decode(text) else { throw .invalidBase58 }
        guard let first = data.first else { throw .invalidLength(0) }
        let prefixLength: Int
        let prefix: UInt16
        switch first {
        case 0...63:
            prefixLength = 1
            prefix = UInt16(first)
        case 64...127:
            guard data.count > 1 else { throw .invalidLength(data.count) }
            let lower = UInt16((first << 2) | (data[1] >> 6))
            let upper = UInt16(data[1] & 0b0011_1111)
            prefixLength = 2
            prefix = lower | upper << 8
        default:
            throw .invalidPrefix
        }
        guard data.count == prefixLength + 32 + 2 else { throw .invalidLength(data.count) }
        let body = Array(data[..<(prefixLength + 32)])
        guard checksum(body) == Array(data[(prefixLength + 32)...]) else { throw .badChecksum }
        return Address(prefix: prefix, accountId: Array(body[prefixLength...]))
    }

    private static func checksum(_ body: [UInt8]) -> [UInt8] {
        Array(Blake2b.hash(checksumPreimage + body, outputLength: 64).prefix(2))
    }
}
