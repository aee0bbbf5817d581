/// A payload whose signature covers its compact statement (`EncodeAs<CompactStatement>`).
public protocol StatementPayload: ScaleCodable, Codable, Hashable, Sendable {
    /// The compact statement the signature covers.
    var compact: CompactStatement { get }
}

extension Statement: StatementPayload {}

extension CompactStatement: StatementPayload {
    public var compact: CompactStatement { self }
}

/// A statement with the signer's validator index and signature, not yet checked
/// (`UncheckedSigned<Payload, CompactStatement>`).
///
/// SCALE: payload ‖ validatorIndex u32 ‖ signature [64]. JSON: `{payload, validatorIndex, signature}`.
/// The signature is sr25519 over ``signingPayload(_:)``; checking it needs the validator's key (Crypto).
public struct UncheckedSigned<Payload: StatementPayload>: ScaleCodable, Codable, Hashable, Sendable {
    public var payload: Payload
    public var validatorIndex: ValidatorIndex
    public var signature: ValidatorSignature

    public init(payload: Payload, validatorIndex: ValidatorIndex, signature: ValidatorSignature) {
        self.payload = payload
        self.validatorIndex = validatorIndex
        self.signature = signature
    }

    /// The 73 bytes the signature covers in `context`.
    public func signingPayload(_ context: SigningContext) -> [UInt8] { payload.compact.signingPayload(context) }

    public static var minimumEncodedSize: Int { Payload.minimumEncodedSize + 68 }

    public func encode(to encoder: inout ScaleEncoder) {
        encoder.append(payload)
        encoder.append(validatorIndex)
        encoder.append(signature)
    }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        payload = try decoder.read()
        validatorIndex = try decoder.read()
        signature = try decoder.read()
    }
}

/// A signed full statement, as gossiped between validators and posted to `/v1/statements`
/// (`UncheckedSignedFullStatement`).
public typealias SignedFullStatement = UncheckedSigned<Statement>
/// A signed compact statement, the on-chain form (`SignedStatement` of primitives v1).
public typealias SignedStatement = UncheckedSigned<CompactStatement>

extension CompactStatement: Codable {
    /// JSON mirrors ``Statement``: `{"seconded": hash}` or `{"valid": hash}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyCodingKey.self)
        let key = try TaggedEnum.variant(in: container, of: ["seconded", "valid"])
        let hash = try container.decode(CandidateHash.self, forKey: key)
        self = key.stringValue == "seconded" ? .seconded(hash) : .valid(hash)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: AnyCodingKey.self)
        switch self {
        case .seconded(let hash): try container.encode(hash, forKey: AnyCodingKey("seconded"))
        case .valid(let hash): try container.encode(hash, forKey: AnyCodingKey("valid"))
        }
    }
}
