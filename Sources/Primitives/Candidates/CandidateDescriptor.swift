/// The fixed-size header of a candidate (`CandidateDescriptor`, primitives v1), 292 bytes in SCALE.
///
/// SCALE field order: paraId u32, relayParent [32], collator [32], persistedValidationDataHash [32],
/// povHash [32], erasureRoot [32], signature [64], paraHead [32], validationCodeHash [32].
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
