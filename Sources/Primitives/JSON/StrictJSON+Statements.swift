// The strict forms (see `StrictJSONReader`) of a signed statement and what it carries: the shapes
// `JSONOutput` writes, with every key present. `nil` means "decode with Foundation instead".

extension UncheckedSigned: StrictJSONDecodable where Payload == Statement {
    private static let keys = StrictJSONKeys("payload", "validatorIndex", "signature")

    /// Reads `{"payload", "validatorIndex", "signature"}`.
    public init?(strictJSON reader: inout StrictJSONReader) {
        var payload: Statement?
        var validatorIndex: UInt32?
        var signature: Sr25519Signature?
        let complete = reader.object(Self.keys) { reader, key in
            switch key {
            case 0:
                payload = Statement(strictJSON: &reader)
                return payload != nil
            case 1:
                validatorIndex = reader.u32()
                return validatorIndex != nil
            default:
                signature = reader.fixed(Sr25519Signature.self)
                return signature != nil
            }
        }
        guard complete, let payload, let validatorIndex, let signature else { return nil }
        self.init(payload: payload, validatorIndex: ValidatorIndex(validatorIndex), signature: signature)
    }
}

extension Statement: StrictJSONDecodable {
    private static let variants = StrictJSONKeys("seconded", "valid")

    /// Reads `{"seconded": receipt}` or `{"valid": hash}`, the one key alone.
    public init?(strictJSON reader: inout StrictJSONReader) {
        var statement: Statement?
        let complete = reader.variant(Self.variants) { reader, key in
            if key == 0 {
                statement = CommittedCandidateReceipt(strictJSON: &reader).map(Statement.seconded)
            } else {
                statement = reader.fixed(CandidateHash.self).map(Statement.valid)
            }
            return statement != nil
        }
        guard complete, let statement else { return nil }
        self = statement
    }
}

extension CommittedCandidateReceipt: StrictJSONDecodable {
    private static let keys = StrictJSONKeys("descriptor", "commitments")

    /// Reads `{"descriptor", "commitments"}`.
    public init?(strictJSON reader: inout StrictJSONReader) {
        var descriptor: CandidateDescriptor?
        var commitments: CandidateCommitments?
        let complete = reader.object(Self.keys) { reader, key in
            if key == 0 {
                descriptor = CandidateDescriptor(strictJSON: &reader)
                return descriptor != nil
            }
            commitments = CandidateCommitments(strictJSON: &reader)
            return commitments != nil
        }
        guard complete, let descriptor, let commitments else { return nil }
        self.init(descriptor: descriptor, commitments: commitments)
    }
}

extension CandidateDescriptor: StrictJSONDecodable {
    private static let keys = StrictJSONKeys(
        "paraId", "relayParent", "collator", "persistedValidationDataHash", "povHash", "erasureRoot", "signature",
        "paraHead", "validationCodeHash")
    /// The 32-byte hash fields, by their position in ``keys``.
    private static let hashFields: [Int: any WritableKeyPath<CandidateDescriptor, H256> & Sendable] = [
        1: \.relayParent, 3: \.persistedValidationDataHash, 4: \.povHash, 5: \.erasureRoot, 7: \.paraHead,
        8: \.validationCodeHash,
    ]

    /// Reads the descriptor's nine keys; the collator as hex (an SS58 address goes to Foundation).
    public init?(strictJSON reader: inout StrictJSONReader) {
        var descriptor = CandidateDescriptor()
        let complete = reader.object(Self.keys) { reader, key in
            switch key {
            case 0:
                guard let paraId = reader.u32() else { return false }
                descriptor.paraId = ParaId(paraId)
            case 2:
                guard let collator = reader.fixed(CollatorId.self) else { return false }
                descriptor.collator = collator
            case 6:
                guard let signature = reader.fixed(CollatorSignature.self) else { return false }
                descriptor.signature = signature
            default:
                // Safe because: every other position of `keys` is in `hashFields`.
                guard let hash = reader.fixed(H256.self) else { return false }
                descriptor[keyPath: Self.hashFields[key]!] = hash
            }
            return true
        }
        guard complete else { return nil }
        self = descriptor
    }
}

extension CandidateCommitments: StrictJSONDecodable {
    private static let keys = StrictJSONKeys(
        "upwardMessages", "horizontalMessages", "newValidationCode", "headData", "processedDownwardMessages",
        "hrmpWatermark")
    private static let messageKeys = StrictJSONKeys("recipient", "data")

    /// Reads the commitments' six keys (`newValidationCode` hex or `null`).
    public init?(strictJSON reader: inout StrictJSONReader) {
        var commitments = CandidateCommitments()
        let complete = reader.object(Self.keys) { reader, key in
            switch key {
            case 0:
                return reader.array { reader in
                    guard let message = reader.hex() else { return false }
                    commitments.upwardMessages.append(Bytes(bytes: message))
                    return true
                }
            case 1:
                return reader.array { reader in
                    var recipient: UInt32?
                    var data: [UInt8]?
                    let complete = reader.object(Self.messageKeys) { reader, key in
                        if key == 0 {
                            recipient = reader.u32()
                            return recipient != nil
                        }
                        data = reader.hex()
                        return data != nil
                    }
                    guard complete, let recipient, let data else { return false }
                    commitments.horizontalMessages.append(OutboundHrmpMessage(recipient: ParaId(recipient), data: data))
                    return true
                }
            case 2:
                if reader.null() { return true }
                guard let code = reader.hex() else { return false }
                commitments.newValidationCode = ValidationCode(bytes: code)
            case 3:
                guard let head = reader.hex() else { return false }
                commitments.headData = HeadData(bytes: head)
            case 4:
                guard let count = reader.u32() else { return false }
                commitments.processedDownwardMessages = count
            default:
                guard let watermark = reader.u32() else { return false }
                commitments.hrmpWatermark = watermark
            }
            return true
        }
        guard complete else { return nil }
        self = commitments
    }
}
