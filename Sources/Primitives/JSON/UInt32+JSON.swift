/// `u32` fields in JSON, decoded through `Double` so that a negative, fractional or too large number is
/// reported with its field path (Foundation's own `UInt32` decoding reports it as invalid JSON with no path).
extension SingleValueDecodingContainer {
    func decodeU32() throws -> UInt32 {
        let number = try decode(Double.self)
        guard let value = UInt32(exactly: number) else {
            throw DecodingError.dataCorruptedError(
                in: self, debugDescription: "expected an integer from 0 to 4294967295")
        }
        return value
    }
}

extension KeyedDecodingContainer {
    /// Decodes a `u32` field with a precise error.
    public func decodeU32(forKey key: Key) throws -> UInt32 {
        let number = try decode(Double.self, forKey: key)
        guard let value = UInt32(exactly: number) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "expected an integer from 0 to 4294967295")
        }
        return value
    }

    /// Decodes an optional `u32` field with a precise error.
    public func decodeU32IfPresent(forKey key: Key) throws -> UInt32? {
        try contains(key) && !decodeNil(forKey: key) ? decodeU32(forKey: key) : nil
    }
}

extension UInt32 {
    /// A `u32` written as an object key (`{"100": …}` keyed by para id or core index): canonical decimal only,
    /// so `"0100"`, `"+100"` or `" 100"` cannot name the same para as `"100"` (Swift's own `UInt32("+100")`
    /// accepts the sign) and the key pattern openapi.yaml documents is exactly what is accepted.
    public init?(jsonKey text: String) {
        let digits = text.utf8
        guard !digits.isEmpty, digits.count <= 10, digits.allSatisfy({ (48...57).contains($0) }),
            digits.first != 48 || digits.count == 1, let value = UInt32(text)
        else { return nil }
        self = value
    }
}
