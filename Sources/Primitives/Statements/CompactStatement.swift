/// A statement about a candidate by hash only (`CompactStatement`, primitives v0), what validators sign.
///
/// SCALE (custom codec): the magic `BKNG`, then the variant byte (1 Seconded, 2 Valid), then the
/// 32-byte candidate hash: always 37 bytes.
public enum CompactStatement: ScaleCodable, Hashable, Sendable {
    case seconded(CandidateHash)
    case valid(CandidateHash)

    /// `b"BKNG"`, which keeps backing signatures apart from every other signed payload.
    public static let magic: [UInt8] = Array("BKNG".utf8)

    public var candidateHash: CandidateHash {
        switch self {
        case .seconded(let hash), .valid(let hash): hash
        }
    }

    /// The 73 bytes signed for this statement in `context`: SCALE((statement, context)).
    public func signingPayload(_ context: SigningContext) -> [UInt8] {
        var encoder = ScaleEncoder(reservingCapacity: 73)
        encoder.append(self)
        encoder.append(context)
        return encoder.bytes
    }

    public static var minimumEncodedSize: Int { 37 }

    public func encode(to encoder: inout ScaleEncoder) {
        encoder.appendRaw(Self.magic)
        switch self {
        case .seconded(let hash):
            encoder.append(UInt8(1))
            encoder.append(hash)
        case .valid(let hash):
            encoder.append(UInt8(2))
            encoder.append(hash)
        }
    }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        let start = decoder.offset
        guard try decoder.readRaw(4) == Self.magic else {
            throw .invalidValue(type: "CompactStatement", offset: start, reason: "invalid magic string")
        }
        let tagOffset = decoder.offset
        switch try decoder.readByte() {
        case 1: self = .seconded(try decoder.read())
        case 2: self = .valid(try decoder.read())
        case let tag: throw .invalidTag(type: "CompactStatement", tag: tag, offset: tagOffset)
        }
    }
}
