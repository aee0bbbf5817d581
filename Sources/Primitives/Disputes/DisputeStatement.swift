/// Why a validator's statement counts as "valid" in a dispute (`ValidDisputeStatementKind`).
///
/// SCALE: 0 Explicit, 1 BackingSeconded(relay parent), 2 BackingValid(relay parent), 3 ApprovalChecking.
/// JSON: `{"explicit": null}`, `{"backingSeconded": "0x…"}`, `{"backingValid": "0x…"}`, `{"approvalChecking": null}`.
public enum ValidDisputeStatementKind: ScaleCodable, Codable, Hashable, Sendable {
    case explicit
    case backingSeconded(Hash)
    case backingValid(Hash)
    case approvalChecking

    public func encode(to encoder: inout ScaleEncoder) {
        switch self {
        case .explicit: encoder.append(UInt8(0))
        case .backingSeconded(let hash):
            encoder.append(UInt8(1))
            encoder.append(hash)
        case .backingValid(let hash):
            encoder.append(UInt8(2))
            encoder.append(hash)
        case .approvalChecking: encoder.append(UInt8(3))
        }
    }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        let start = decoder.offset
        switch try decoder.readByte() {
        case 0: self = .explicit
        case 1: self = .backingSeconded(try decoder.read())
        case 2: self = .backingValid(try decoder.read())
        case 3: self = .approvalChecking
        case let tag: throw .invalidTag(type: "ValidDisputeStatementKind", tag: tag, offset: start)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        let key = try TaggedEnum.variant(
            in: container, of: ["explicit", "backingSeconded", "backingValid", "approvalChecking"])
        switch key.stringValue {
        case "explicit": self = .explicit
        case "backingSeconded": self = .backingSeconded(try container.decode(Hash.self, forKey: key))
        case "backingValid": self = .backingValid(try container.decode(Hash.self, forKey: key))
        default: self = .approvalChecking
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        switch self {
        case .explicit: try container.encodeNil(forKey: AnyCodingKey("explicit"))
        case .backingSeconded(let hash): try container.encode(hash, forKey: AnyCodingKey("backingSeconded"))
        case .backingValid(let hash): try container.encode(hash, forKey: AnyCodingKey("backingValid"))
        case .approvalChecking: try container.encodeNil(forKey: AnyCodingKey("approvalChecking"))
        }
    }
}

/// Why a validator's statement counts as "invalid" in a dispute (`InvalidDisputeStatementKind`): only
/// Explicit (index 0).
public enum InvalidDisputeStatementKind: ScaleCodable, Codable, Hashable, Sendable {
    case explicit

    public func encode(to encoder: inout ScaleEncoder) { encoder.append(UInt8(0)) }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        let start = decoder.offset
        let tag = try decoder.readByte()
        guard tag == 0 else { throw .invalidTag(type: "InvalidDisputeStatementKind", tag: tag, offset: start) }
        self = .explicit
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        _ = try TaggedEnum.variant(in: container, of: ["explicit"])
        self = .explicit
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        try container.encodeNil(forKey: AnyCodingKey("explicit"))
    }
}

/// A statement in a dispute (`DisputeStatement`): index 0 Valid(kind), 1 Invalid(kind).
public enum DisputeStatement: ScaleCodable, Codable, Hashable, Sendable {
    case valid(ValidDisputeStatementKind)
    case invalid(InvalidDisputeStatementKind)

    private static let explicitMagic: [UInt8] = Array("DISP".utf8)
    private static let approvalMagic: [UInt8] = Array("APPR".utf8)

    /// The bytes a validator signs for this statement about `candidate` in `session`.
    ///
    /// Backing kinds reuse the 73-byte backing payload, so a backing signature doubles as dispute evidence.
    public func payloadData(candidate: CandidateHash, session: SessionIndex) -> [UInt8] {
        var encoder = ScaleEncoder(reservingCapacity: 73)
        switch self {
        case .valid(.explicit):
            encoder.appendRaw(Self.explicitMagic)
            encoder.append(true)
            encoder.append(candidate)
            encoder.append(littleEndian: session)
        case .invalid(.explicit):
            encoder.appendRaw(Self.explicitMagic)
            encoder.append(false)
            encoder.append(candidate)
            encoder.append(littleEndian: session)
        case .valid(.backingSeconded(let parent)):
            return CompactStatement.seconded(candidate)
                .signingPayload(SigningContext(sessionIndex: session, parentHash: parent))
        case .valid(.backingValid(let parent)):
            return CompactStatement.valid(candidate)
                .signingPayload(SigningContext(sessionIndex: session, parentHash: parent))
        case .valid(.approvalChecking):
            encoder.appendRaw(Self.approvalMagic)
            encoder.append(candidate)
            encoder.append(littleEndian: session)
        }
        return encoder.bytes
    }

    public func encode(to encoder: inout ScaleEncoder) {
        switch self {
        case .valid(let kind):
            encoder.append(UInt8(0))
            encoder.append(kind)
        case .invalid(let kind):
            encoder.append(UInt8(1))
            encoder.append(kind)
        }
    }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        let start = decoder.offset
        switch try decoder.readByte() {
        case 0: self = .valid(try decoder.read())
        case 1: self = .invalid(try decoder.read())
        case let tag: throw .invalidTag(type: "DisputeStatement", tag: tag, offset: start)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        let key = try TaggedEnum.variant(in: container, of: ["valid", "invalid"])
        if key.stringValue == "valid" {
            self = .valid(try container.decode(ValidDisputeStatementKind.self, forKey: key))
        } else {
            self = .invalid(try container.decode(InvalidDisputeStatementKind.self, forKey: key))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        switch self {
        case .valid(let kind): try container.encode(kind, forKey: AnyCodingKey("valid"))
        case .invalid(let kind): try container.encode(kind, forKey: AnyCodingKey("invalid"))
        }
    }
}
