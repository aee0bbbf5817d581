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
        "paraHead", "validationCodeHash", "version", "coreIndex", "sessionIndex", "reserved1", "reserved2")
    /// The 32-byte hash fields, by their position in ``keys``.
    private static let hashFields: [Int: any WritableKeyPath<CandidateDescriptor, H256> & Sendable] = [
        1: \.relayParent, 3: \.persistedValidationDataHash, 4: \.povHash, 5: \.erasureRoot, 7: \.paraHead,
        8: \.validationCodeHash,
    ]
    /// The keys both field sets share, and each set's own keys.
    private static let sharedKeys: UInt64 = 0b1_1011_1011
    private static let strictV1Keys: UInt64 = sharedKeys | 1 << 2 | 1 << 6
    private static let strictV2Keys: UInt64 = sharedKeys | 0b11111 << 9

    /// Reads the v1 field set (the collator as hex; an SS58 address goes to Foundation) or the whole v2
    /// set, as the writer writes them.
    public init?(strictJSON reader: inout StrictJSONReader) {
        var descriptor = CandidateDescriptor()
        var collator = [UInt8](repeating: 0, count: 32)
        var signature = [UInt8](repeating: 0, count: 64)
        let seen = reader.objectKeys(Self.keys) { reader, key in
            switch key {
            case 0:
                guard let paraId = reader.u32() else { return false }
                descriptor.paraId = ParaId(paraId)
            case 2:
                guard let bytes = reader.hex(count: 32) else { return false }
                collator = bytes
            case 6:
                guard let bytes = reader.hex(count: 64) else { return false }
                signature = bytes
            case 9:
                guard let version = reader.u32(), version <= UInt8.max else { return false }
                collator[0] = UInt8(version)
            case 10:
                guard let core = reader.u32(), core <= UInt16.max else { return false }
                collator[1] = UInt8(core & 0xff)
                collator[2] = UInt8(core >> 8)
            case 11:
                guard let session = reader.u32() else { return false }
                for i in 0..<4 { collator[3 + i] = UInt8(truncatingIfNeeded: session >> (8 * i)) }
            case 12:
                guard let bytes = reader.hex(count: CandidateDescriptorV2.reserved1Count) else { return false }
                collator.replaceSubrange(7..., with: bytes)
            case 13:
                guard let bytes = reader.hex(count: CandidateDescriptorV2.reserved2Count) else { return false }
                signature = bytes
            default:
                // Safe because: every other position of `keys` is in `hashFields`.
                guard let hash = reader.fixed(H256.self) else { return false }
                descriptor[keyPath: Self.hashFields[key]!] = hash
            }
            return true
        }
        guard seen == Self.strictV1Keys || seen == Self.strictV2Keys else { return nil }
        descriptor.collator = CollatorId(unchecked: collator)
        descriptor.signature = CollatorSignature(unchecked: signature)
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
