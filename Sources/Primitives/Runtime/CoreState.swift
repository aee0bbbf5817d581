/// A core scheduled for a para (`ScheduledCore`): SCALE paraId u32, collator Option<[32]>.
public struct ScheduledCore: ScaleCodable, Codable, Hashable, Sendable {
    public var paraId: ParaId
    /// The only collator allowed to author for this core, if the runtime requires one.
    public var collator: CollatorId?

    public init(paraId: ParaId, collator: CollatorId? = nil) {
        self.paraId = paraId
        self.collator = collator
    }

    public static var minimumEncodedSize: Int { 5 }

    public func encode(to encoder: inout ScaleEncoder) {
        encoder.append(paraId)
        encoder.append(collator)
    }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        paraId = try decoder.read()
        collator = try decoder.readOptional()
    }

    enum CodingKeys: String, CodingKey { case paraId, collator }

    /// `collator` is written as `null` when absent.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(paraId, forKey: .paraId)
        try container.encode(collator, forKey: .collator)
    }
}

/// A core occupied by a candidate awaiting availability (`OccupiedCore`).
///
/// Backing ignores occupied cores, so in JSON every field is optional (`{"occupied": {}}` is accepted);
/// missing fields take Rust's defaults.
public struct OccupiedCore: ScaleCodable, Codable, Hashable, Sendable {
    public var nextUpOnAvailable: ScheduledCore?
    public var occupiedSince: BlockNumber
    public var timeOutAt: BlockNumber
    public var nextUpOnTimeOut: ScheduledCore?
    public var availability: BitVec
    public var groupResponsible: GroupIndex
    public var candidateHash: CandidateHash
    public var candidateDescriptor: CandidateDescriptor

    public init(
        nextUpOnAvailable: ScheduledCore? = nil, occupiedSince: BlockNumber = 0, timeOutAt: BlockNumber = 0,
        nextUpOnTimeOut: ScheduledCore? = nil, availability: BitVec = BitVec([]), groupResponsible: GroupIndex = 0,
        candidateHash: CandidateHash = .zero, candidateDescriptor: CandidateDescriptor = CandidateDescriptor()
    ) {
        self.nextUpOnAvailable = nextUpOnAvailable
        self.occupiedSince = occupiedSince
        self.timeOutAt = timeOutAt
        self.nextUpOnTimeOut = nextUpOnTimeOut
        self.availability = availability
        self.groupResponsible = groupResponsible
        self.candidateHash = candidateHash
        self.candidateDescriptor = candidateDescriptor
    }

    public static var minimumEncodedSize: Int { 1 + 4 + 4 + 1 + 1 + 4 + 32 + CandidateDescriptor.encodedSize }

    public func encode(to encoder: inout ScaleEncoder) {
        encoder.append(nextUpOnAvailable)
        encoder.append(littleEndian: occupiedSince)
        encoder.append(littleEndian: timeOutAt)
        encoder.append(nextUpOnTimeOut)
        encoder.append(availability)
        encoder.append(groupResponsible)
        encoder.append(candidateHash)
        encoder.append(candidateDescriptor)
    }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        nextUpOnAvailable = try decoder.readOptional()
        occupiedSince = try decoder.read()
        timeOutAt = try decoder.read()
        nextUpOnTimeOut = try decoder.readOptional()
        availability = try decoder.read()
        groupResponsible = try decoder.read()
        candidateHash = try decoder.read()
        candidateDescriptor = try decoder.read()
    }

    enum CodingKeys: String, CodingKey {
        case nextUpOnAvailable, occupiedSince, timeOutAt, nextUpOnTimeOut, availability, groupResponsible
        case candidateHash, candidateDescriptor
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            nextUpOnAvailable: try c.decodeIfPresent(ScheduledCore.self, forKey: .nextUpOnAvailable),
            occupiedSince: try c.decodeU32IfPresent(forKey: .occupiedSince) ?? 0,
            timeOutAt: try c.decodeU32IfPresent(forKey: .timeOutAt) ?? 0,
            nextUpOnTimeOut: try c.decodeIfPresent(ScheduledCore.self, forKey: .nextUpOnTimeOut),
            availability: try c.decodeIfPresent(BitVec.self, forKey: .availability) ?? BitVec([]),
            groupResponsible: try c.decodeIfPresent(GroupIndex.self, forKey: .groupResponsible) ?? 0,
            candidateHash: try c.decodeIfPresent(CandidateHash.self, forKey: .candidateHash) ?? .zero,
            candidateDescriptor: try c.decodeIfPresent(CandidateDescriptor.self, forKey: .candidateDescriptor)
                ?? CandidateDescriptor())
    }
}

/// The state of an availability core (`CoreState`): index 0 Occupied, 1 Scheduled, 2 Free.
///
/// JSON: `{"occupied": {...}}`, `{"scheduled": {"paraId": 100, "collator": null}}`, `{"free": null}`.
public enum CoreState: ScaleCodable, Codable, Hashable, Sendable {
    case occupied(OccupiedCore)
    case scheduled(ScheduledCore)
    case free

    /// The para the core is for: the occupying candidate's or the scheduled one; none when free.
    public var paraId: ParaId? {
        switch self {
        case .occupied(let core): core.candidateDescriptor.paraId
        case .scheduled(let core): core.paraId
        case .free: nil
        }
    }

    public func encode(to encoder: inout ScaleEncoder) {
        switch self {
        case .occupied(let core):
            encoder.append(UInt8(0))
            encoder.append(core)
        case .scheduled(let core):
            encoder.append(UInt8(1))
            encoder.append(core)
        case .free:
            encoder.append(UInt8(2))
        }
    }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        let start = decoder.offset
        switch try decoder.readByte() {
        case 0: self = .occupied(try decoder.read())
        case 1: self = .scheduled(try decoder.read())
        case 2: self = .free
        case let tag: throw .invalidTag(type: "CoreState", tag: tag, offset: start)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        let key = try TaggedEnum.variant(in: container, of: ["occupied", "scheduled", "free"])
        switch key.stringValue {
        case "occupied": self = .occupied(try container.decode(OccupiedCore.self, forKey: key))
        case "scheduled": self = .scheduled(try container.decode(ScheduledCore.self, forKey: key))
        default: self = .free
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        switch self {
        case .occupied(let core): try container.encode(core, forKey: AnyCodingKey("occupied"))
        case .scheduled(let core): try container.encode(core, forKey: AnyCodingKey("scheduled"))
        case .free: try container.encodeNil(forKey: AnyCodingKey("free"))
        }
    }
}
