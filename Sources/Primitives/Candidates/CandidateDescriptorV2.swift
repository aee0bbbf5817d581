/// Which layout a descriptor's 292 bytes are in (`CandidateDescriptorVersion`, primitives v9).
///
/// The bytes carry no tag: a descriptor is V1 when any reserved byte of the V2 layout is non-zero (a
/// collator key and signature fill them), V2 when they are all zero and the version byte is 0, and
/// of an unknown later version otherwise.
public enum CandidateDescriptorVersion: Hashable, Sendable, CustomStringConvertible {
    case v1
    case v2
    case unknown(UInt8)

    /// `"v1"`, `"v2"` or `"unknown"`, as the tools answer it.
    public var description: String {
        switch self {
        case .v1: "v1"
        case .v2: "v2"
        case .unknown: "unknown"
        }
    }
}

/// The descriptor of today's Polkadot (`CandidateDescriptorV2`): the same 292 bytes as the v1
/// ``CandidateDescriptor``, with the collator key read as version ‖ core index ‖ session index ‖
/// reserved1 and the collator signature as reserved2.
///
/// SCALE: paraId u32, relayParent [32], version u8, coreIndex **u16**, sessionIndex u32, reserved1 [25],
/// persistedValidationDataHash [32], povHash [32], erasureRoot [32], reserved2 [64], paraHead [32],
/// validationCodeHash [32]. Both views encode to the same bytes and give the same candidate hash, so the
/// engine keeps one descriptor type and reads the version from its bytes.
public struct CandidateDescriptorV2: ScaleCodable, Hashable, Sendable {
    public static let reserved1Count = 25
    public static let reserved2Count = 64

    public var paraId: ParaId
    public var relayParent: Hash
    public var version: UInt8
    /// A `CoreIndex` kept in 16 bits, as upstream stores it.
    public var coreIndex: UInt16
    public var sessionIndex: SessionIndex
    /// 25 bytes, zero in a V2 descriptor.
    public var reserved1: [UInt8]
    public var persistedValidationDataHash: Hash
    public var povHash: Hash
    public var erasureRoot: Hash
    /// 64 bytes, zero in a V2 descriptor.
    public var reserved2: [UInt8]
    public var paraHead: Hash
    public var validationCodeHash: ValidationCodeHash

    /// A V2 descriptor as upstream's constructor builds it: version 0, both reserved fields zero.
    public init(
        paraId: ParaId, relayParent: Hash, coreIndex: CoreIndex, sessionIndex: SessionIndex,
        persistedValidationDataHash: Hash, povHash: Hash, erasureRoot: Hash, paraHead: Hash,
        validationCodeHash: ValidationCodeHash
    ) {
        self.paraId = paraId
        self.relayParent = relayParent
        version = 0
        self.coreIndex = UInt16(truncatingIfNeeded: coreIndex.rawValue)
        self.sessionIndex = sessionIndex
        reserved1 = [UInt8](repeating: 0, count: Self.reserved1Count)
        self.persistedValidationDataHash = persistedValidationDataHash
        self.povHash = povHash
        self.erasureRoot = erasureRoot
        reserved2 = [UInt8](repeating: 0, count: Self.reserved2Count)
        self.paraHead = paraHead
        self.validationCodeHash = validationCodeHash
    }

    /// The same bytes read in the V2 layout.
    public init(_ descriptor: CandidateDescriptor) {
        let collator = descriptor.collator.bytes
        paraId = descriptor.paraId
        relayParent = descriptor.relayParent
        version = collator[0]
        coreIndex = descriptor.rawCoreIndex
        sessionIndex = descriptor.rawSessionIndex
        reserved1 = Array(collator[7...])
        persistedValidationDataHash = descriptor.persistedValidationDataHash
        povHash = descriptor.povHash
        erasureRoot = descriptor.erasureRoot
        reserved2 = descriptor.signature.bytes
        paraHead = descriptor.paraHead
        validationCodeHash = descriptor.validationCodeHash
    }

    /// Which layout these bytes are in (see ``CandidateDescriptorVersion``).
    public var descriptorVersion: CandidateDescriptorVersion {
        if reserved1.contains(where: { $0 != 0 }) || reserved2.contains(where: { $0 != 0 }) { return .v1 }
        return version == 0 ? .v2 : .unknown(version)
    }

    public static var minimumEncodedSize: Int { CandidateDescriptor.encodedSize }

    public func encode(to encoder: inout ScaleEncoder) { encoder.append(CandidateDescriptor(self)) }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        self.init(try CandidateDescriptor(from: &decoder))
    }
}

extension CandidateDescriptor {
    /// The same bytes read in the v1 layout. The reserved fields must have their sizes (25 and 64 bytes).
    public init(_ v2: CandidateDescriptorV2) {
        precondition(
            v2.reserved1.count == CandidateDescriptorV2.reserved1Count
                && v2.reserved2.count == CandidateDescriptorV2.reserved2Count,
            "reserved fields of a V2 descriptor have 25 and 64 bytes")
        var collator: [UInt8] = [v2.version, UInt8(v2.coreIndex & 0xff), UInt8(v2.coreIndex >> 8)]
        collator += (0..<4).map { UInt8(truncatingIfNeeded: v2.sessionIndex >> (8 * $0)) }
        collator += v2.reserved1
        self.init(
            paraId: v2.paraId, relayParent: v2.relayParent, collator: CollatorId(unchecked: collator),
            persistedValidationDataHash: v2.persistedValidationDataHash, povHash: v2.povHash,
            erasureRoot: v2.erasureRoot, signature: CollatorSignature(unchecked: v2.reserved2), paraHead: v2.paraHead,
            validationCodeHash: v2.validationCodeHash)
    }

    /// These bytes in the V2 layout.
    public var v2: CandidateDescriptorV2 { CandidateDescriptorV2(self) }

    /// Which layout these bytes are in: V1 when a reserved byte of the V2 layout is set (collator bytes
    /// 7..<32 or the signature), else V2 for version 0, else unknown.
    public var version: CandidateDescriptorVersion {
        collator.withUnsafeBytes { collator in
            if collator[7...].contains(where: { $0 != 0 }) || signature.withUnsafeBytes({ $0.contains { $0 != 0 } }) {
                return .v1
            }
            return collator[0] == 0 ? .v2 : .unknown(collator[0])
        }
    }

    /// The core index field; `nil` for a V1 descriptor (upstream answers it for V2 and unknown versions).
    public var coreIndex: CoreIndex? { version == .v1 ? nil : CoreIndex(UInt32(rawCoreIndex)) }

    /// The session index field; `nil` for a V1 descriptor.
    public var sessionIndex: SessionIndex? { version == .v1 ? nil : rawSessionIndex }

    /// Collator bytes 1..<3 read as the V2 layout's u16 core index, whatever the version.
    var rawCoreIndex: UInt16 { collator.withUnsafeBytes { UInt16($0[1]) | UInt16($0[2]) << 8 } }

    /// Collator bytes 3..<7 read as the V2 layout's u32 session index, whatever the version.
    var rawSessionIndex: SessionIndex {
        collator.withUnsafeBytes { collator in (3..<7).reduce(0) { $0 | UInt32(collator[$1]) << (8 * ($1 - 3)) } }
    }
}
