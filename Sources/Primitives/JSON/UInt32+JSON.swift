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
