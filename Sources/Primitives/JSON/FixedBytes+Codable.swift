/// JSON for fixed-size bytes: `0x` hex of exactly `byteCount` bytes.
extension FixedBytes where Self: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        self = try Self.parse(text, in: container)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }

    static func parse(_ text: String, in container: any SingleValueDecodingContainer) throws -> Self {
        guard let bytes = Hex.decode(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected 0x-prefixed hex")
        }
        do {
            return try Self(bytes)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }
}

extension H256: Codable {}
extension Sr25519Signature: Codable {}

/// Public keys are hex on output; on input, hex or an SS58 address of any network prefix.
extension Sr25519Public: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            self = try Self.parse(text, in: container)
            return
        }
        do {
            let address = try SS58.decode(text)
            self = try Self(address.accountId)
        } catch {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected 0x hex or an SS58 address: \(error)")
        }
    }
}
