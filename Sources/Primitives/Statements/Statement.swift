/// A full backing statement (`Statement`, node-primitives): Seconded carries the whole committed
/// receipt, Valid only its hash.
///
/// SCALE: index 1 Seconded ‖ receipt, index 2 Valid ‖ hash. JSON: `{"seconded": {...}}` or
/// `{"valid": "0x…"}`.
public enum Statement: ScaleCodable, Codable, Hashable, Sendable {
    /// Indirect: a receipt is about 340 bytes inline, and a Valid statement (the common one) would carry
    /// that much space on every copy; boxed, a statement is a hash and a tag.
    indirect case seconded(CommittedCandidateReceipt)
    case valid(CandidateHash)

    /// The hash of the candidate this statement is about.
    public var candidateHash: CandidateHash {
        switch self {
        case .seconded(let receipt): receipt.hash
        case .valid(let hash): hash
        }
    }

    /// The compact form, which is what gets signed.
    public var compact: CompactStatement {
        switch self {
        case .seconded(let receipt): .seconded(receipt.hash)
        case .valid(let hash): .valid(hash)
        }
    }

    public static var minimumEncodedSize: Int { 33 }

    public func encode(to encoder: inout ScaleEncoder) {
        switch self {
        case .seconded(let receipt):
            encoder.append(UInt8(1))
            encoder.append(receipt)
        case .valid(let hash):
            encoder.append(UInt8(2))
            encoder.append(hash)
        }
    }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        let start = decoder.offset
        switch try decoder.readByte() {
        case 1: self = .seconded(try decoder.read())
        case 2: self = .valid(try decoder.read())
        case let tag: throw .invalidTag(type: "Statement", tag: tag, offset: start)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        let key = try TaggedEnum.variant(in: container, of: ["seconded", "valid"])
        switch key.stringValue {
        case "seconded": self = .seconded(try container.decode(CommittedCandidateReceipt.self, forKey: key))
        default: self = .valid(try container.decode(CandidateHash.self, forKey: key))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        switch self {
        case .seconded(let receipt): try container.encode(receipt, forKey: AnyCodingKey("seconded"))
        case .valid(let hash): try container.encode(hash, forKey: AnyCodingKey("valid"))
        }
    }
}
