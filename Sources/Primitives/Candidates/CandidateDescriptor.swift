/// The fixed-size header of a candidate (`CandidateDescriptor`, primitives v1), 292 bytes in SCALE.
///
/// SCALE field order: paraId u32, relayParent [32], collator [32], persistedValidationDataHash [32],
/// povHash [32], erasureRoot [32], signature [64], paraHead [32], validationCodeHash [32].
///
/// The same bytes are today's ``CandidateDescriptorV2`` when the collator and signature bytes say so
/// (``version``); JSON reads either field set and writes the set of the descriptor's version.
public struct CandidateDescriptor: ScaleCodable, Codable, Hashable, Sendable {
    public var paraId: ParaId
    public var relayParent: Hash
    public var collator: CollatorId
    public var persistedValidationDataHash: Hash
    public var povHash: Hash
    public var erasureRoot: Hash
    public var signature: CollatorSignature
    public var paraHead: Hash
    public var validationCodeHash: ValidationCodeHash

    /// Rust's `Default`: para 0 and every hash, key and signature zero.
    public init(
        paraId: ParaId = 0, relayParent: Hash = .zero, collator: CollatorId = .zero,
        persistedValidationDataHash: Hash = .zero, povHash: Hash = .zero, erasureRoot: Hash = .zero,
        signature: CollatorSignature = .zero, paraHead: Hash = .zero, validationCodeHash: ValidationCodeHash = .zero
    ) {
        self.paraId = paraId
        self.relayParent = relayParent
        self.collator = collator
        self.persistedValidationDataHash = persistedValidationDataHash
        self.povHash = povHash
        self.erasureRoot = erasureRoot
        self.signature = signature
        self.paraHead = paraHead
        self.validationCodeHash = validationCodeHash
    }

    /// The 132 bytes the collator signs: relayParent ‖ paraId (u32 LE) ‖ persistedValidationDataHash ‖
    /// povHash ‖ validationCodeHash. The erasure root and para head are not covered.
    public var collatorSignaturePayload: [UInt8] {
        var encoder = ScaleEncoder(reservingCapacity: 132)
        encoder.append(relayParent)
        encoder.append(paraId)
        encoder.append(persistedValidationDataHash)
        encoder.append(povHash)
        encoder.append(validationCodeHash)
        return encoder.bytes
    }

    public static let encodedSize = 292
    public static var minimumEncodedSize: Int { encodedSize }

    public func encode(to encoder: inout ScaleEncoder) {
        encoder.append(paraId)
        encoder.append(relayParent)
        encoder.append(collator)
        encoder.append(persistedValidationDataHash)
        encoder.append(povHash)
        encoder.append(erasureRoot)
        encoder.append(signature)
        encoder.append(paraHead)
        encoder.append(validationCodeHash)
    }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        paraId = try decoder.read()
        relayParent = try decoder.read()
        collator = try decoder.read()
        persistedValidationDataHash = try decoder.read()
        povHash = try decoder.read()
        erasureRoot = try decoder.read()
        signature = try decoder.read()
        paraHead = try decoder.read()
        validationCodeHash = try decoder.read()
    }
}

// MARK: JSON

extension CandidateDescriptor {
    enum CodingKeys: String, CodingKey {
        case paraId, relayParent, collator, signature, version, coreIndex, sessionIndex, reserved1, reserved2
        case persistedValidationDataHash, povHash, erasureRoot, paraHead, validationCodeHash
    }

    static let v1Keys: [CodingKeys] = [.collator, .signature]
    static let v2Keys: [CodingKeys] = [.version, .coreIndex, .sessionIndex, .reserved1, .reserved2]

    /// Reads the v1 field set (`collator`, `signature`) or the v2 one (`version`, `coreIndex`,
    /// `sessionIndex`, and optionally `reserved1` and `reserved2`, zero when left out), never both.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let v2Given = Self.v2Keys.filter(c.contains)
        if let v2Key = v2Given.first {
            if let v1Key = Self.v1Keys.first(where: c.contains) {
                throw DecodingError.dataCorruptedError(
                    forKey: v1Key, in: c,
                    debugDescription:
                        "a descriptor has the v1 fields (collator, signature) or the v2 fields (version, coreIndex, "
                        + "sessionIndex, reserved1, reserved2), not both; \(v2Key.stringValue) is a v2 field")
            }
            func bounded(_ key: CodingKeys, _ limit: UInt32) throws -> UInt32 {
                let value = try c.decodeU32(forKey: key)
                guard value <= limit else {
                    throw DecodingError.dataCorruptedError(
                        forKey: key, in: c, debugDescription: "expected an integer from 0 to \(limit)")
                }
                return value
            }
            func reserved(_ key: CodingKeys, count: Int) throws -> [UInt8] {
                guard let bytes = try c.decodeIfPresent(Bytes.self, forKey: key)?.bytes else {
                    return [UInt8](repeating: 0, count: count)
                }
                guard bytes.count == count else {
                    throw DecodingError.dataCorruptedError(
                        forKey: key, in: c, debugDescription: "expected \(count) bytes, got \(bytes.count)")
                }
                return bytes
            }
            var v2 = CandidateDescriptorV2(
                paraId: try c.decode(ParaId.self, forKey: .paraId),
                relayParent: try c.decode(Hash.self, forKey: .relayParent),
                coreIndex: CoreIndex(try bounded(.coreIndex, UInt32(UInt16.max))),
                sessionIndex: try c.decodeU32(forKey: .sessionIndex),
                persistedValidationDataHash: try c.decode(Hash.self, forKey: .persistedValidationDataHash),
                povHash: try c.decode(Hash.self, forKey: .povHash),
                erasureRoot: try c.decode(Hash.self, forKey: .erasureRoot),
                paraHead: try c.decode(Hash.self, forKey: .paraHead),
                validationCodeHash: try c.decode(ValidationCodeHash.self, forKey: .validationCodeHash))
            v2.version = UInt8(try bounded(.version, UInt32(UInt8.max)))
            v2.reserved1 = try reserved(.reserved1, count: CandidateDescriptorV2.reserved1Count)
            v2.reserved2 = try reserved(.reserved2, count: CandidateDescriptorV2.reserved2Count)
            self.init(v2)
        } else {
            self.init(
                paraId: try c.decode(ParaId.self, forKey: .paraId),
                relayParent: try c.decode(Hash.self, forKey: .relayParent),
                collator: try c.decode(CollatorId.self, forKey: .collator),
                persistedValidationDataHash: try c.decode(Hash.self, forKey: .persistedValidationDataHash),
                povHash: try c.decode(Hash.self, forKey: .povHash),
                erasureRoot: try c.decode(Hash.self, forKey: .erasureRoot),
                signature: try c.decode(CollatorSignature.self, forKey: .signature),
                paraHead: try c.decode(Hash.self, forKey: .paraHead),
                validationCodeHash: try c.decode(ValidationCodeHash.self, forKey: .validationCodeHash))
        }
    }

    /// Writes the v1 field set for a V1 descriptor, the v2 set otherwise (V2 and unknown versions).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(paraId, forKey: .paraId)
        try c.encode(relayParent, forKey: .relayParent)
        if version == .v1 {
            try c.encode(collator, forKey: .collator)
            try c.encode(signature, forKey: .signature)
        } else {
            let v2 = v2
            try c.encode(v2.version, forKey: .version)
            try c.encode(v2.coreIndex, forKey: .coreIndex)
            try c.encode(v2.sessionIndex, forKey: .sessionIndex)
            try c.encode(Bytes(bytes: v2.reserved1), forKey: .reserved1)
            try c.encode(Bytes(bytes: v2.reserved2), forKey: .reserved2)
        }
        try c.encode(persistedValidationDataHash, forKey: .persistedValidationDataHash)
        try c.encode(povHash, forKey: .povHash)
        try c.encode(erasureRoot, forKey: .erasureRoot)
        try c.encode(paraHead, forKey: .paraHead)
        try c.encode(validationCodeHash, forKey: .validationCodeHash)
    }
}
