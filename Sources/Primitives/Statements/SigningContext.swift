/// What a backing signature is bound to (`SigningContext`): the session and the relay parent.
///
/// SCALE: sessionIndex u32 first, then parentHash [32].
public struct SigningContext: ScaleCodable, Codable, Hashable, Sendable {
    public var sessionIndex: SessionIndex
    public var parentHash: Hash

    public init(sessionIndex: SessionIndex, parentHash: Hash) {
        self.sessionIndex = sessionIndex
        self.parentHash = parentHash
    }

    enum CodingKeys: String, CodingKey { case sessionIndex, parentHash }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sessionIndex = try c.decodeU32(forKey: .sessionIndex)
        parentHash = try c.decode(Hash.self, forKey: .parentHash)
    }

    public static var minimumEncodedSize: Int { 36 }

    public func encode(to encoder: inout ScaleEncoder) {
        encoder.append(littleEndian: sessionIndex)
        encoder.append(parentHash)
    }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        sessionIndex = try decoder.read()
        parentHash = try decoder.read()
    }
}
