/// A backing vote as the relay chain receives it (`ValidityAttestation`, primitives v1).
///
/// SCALE: index 1 Implicit (the voter seconded the candidate), index 2 Explicit (it sent Valid), then the
/// 64-byte signature; there is no index 0. JSON: `{"implicit": sig}` or `{"explicit": sig}`.
public enum ValidityAttestation: ScaleCodable, Codable, Hashable, Sendable {
    case implicit(ValidatorSignature)
    case explicit(ValidatorSignature)

    public var signature: ValidatorSignature {
        switch self {
        case .implicit(let s), .explicit(let s): s
        }
    }

    /// The compact statement whose payload this vote's signature covers.
    public func compactStatement(for candidate: CandidateHash) -> CompactStatement {
        switch self {
        case .implicit: .seconded(candidate)
        case .explicit: .valid(candidate)
        }
    }

    public static var minimumEncodedSize: Int { 65 }

    public func encode(to encoder: inout ScaleEncoder) {
        switch self {
        case .implicit(let s):
            encoder.append(UInt8(1))
            encoder.append(s)
        case .explicit(let s):
            encoder.append(UInt8(2))
            encoder.append(s)
        }
    }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        let start = decoder.offset
        switch try decoder.readByte() {
        case 1: self = .implicit(try decoder.read())
        case 2: self = .explicit(try decoder.read())
        case let tag: throw .invalidTag(type: "ValidityAttestation", tag: tag, offset: start)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        let key = try TaggedEnum.variant(in: container, of: ["implicit", "explicit"])
        let signature = try container.decode(ValidatorSignature.self, forKey: key)
        self = key.stringValue == "implicit" ? .implicit(signature) : .explicit(signature)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        switch self {
        case .implicit(let s): try container.encode(s, forKey: AnyCodingKey("implicit"))
        case .explicit(let s): try container.encode(s, forKey: AnyCodingKey("explicit"))
        }
    }
}
