public import CompactJSON

// Direct JSON writers (see `JSONWritable`) for the values the hot messages carry. Keys in UTF-8 byte
// order, as Foundation sorts them; `JSONWritableTests` compares every one with Foundation's encoder.

extension H256: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) { writer.hex(self) }
}

extension Sr25519Public: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) { writer.hex(self) }
}

extension Sr25519Signature: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) { writer.hex(self) }
}

extension CandidateDescriptor: JSONWritable {
    /// The v1 field set for a V1 descriptor, the v2 set otherwise (as ``encode(to:)``); keys in sorted order.
    public func writeJSON(to writer: inout JSONWriter) {
        let v2 = version == .v1 ? nil : v2
        writer.object { writer in
            if let v2 {
                writer.field("coreIndex")
                writer.integer(UInt32(v2.coreIndex))
            } else {
                writer.field("collator")
                writer.hex(collator)
            }
            writer.field("erasureRoot")
            writer.hex(erasureRoot)
            writer.field("paraHead")
            writer.hex(paraHead)
            writer.field("paraId")
            writer.integer(paraId.rawValue)
            writer.field("persistedValidationDataHash")
            writer.hex(persistedValidationDataHash)
            writer.field("povHash")
            writer.hex(povHash)
            writer.field("relayParent")
            writer.hex(relayParent)
            if let v2 {
                writer.field("reserved1")
                writer.hex(v2.reserved1)
                writer.field("reserved2")
                writer.hex(v2.reserved2)
                writer.field("sessionIndex")
                writer.integer(v2.sessionIndex)
            } else {
                writer.field("signature")
                writer.hex(signature)
            }
            writer.field("validationCodeHash")
            writer.hex(validationCodeHash)
            if let v2 {
                writer.field("version")
                writer.integer(UInt32(v2.version))
            }
        }
    }
}

extension CandidateReceipt: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.field("commitmentsHash")
            writer.hex(commitmentsHash)
            writer.field("descriptor")
            descriptor.writeJSON(to: &writer)
        }
    }
}

extension CandidateCommitments: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.field("headData")
            writer.hex(headData.bytes)
            writer.field("horizontalMessages")
            writer.array(horizontalMessages) { writer, message in
                writer.object { writer in
                    writer.field("data")
                    writer.hex(message.data.bytes)
                    writer.field("recipient")
                    writer.integer(message.recipient.rawValue)
                }
            }
            writer.field("hrmpWatermark")
            writer.integer(hrmpWatermark)
            writer.field("newValidationCode")
            if let newValidationCode { writer.hex(newValidationCode.bytes) } else { writer.null() }
            writer.field("processedDownwardMessages")
            writer.integer(processedDownwardMessages)
            writer.field("upwardMessages")
            writer.array(upwardMessages) { writer, message in writer.hex(message.bytes) }
        }
    }
}

extension CommittedCandidateReceipt: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.field("commitments")
            commitments.writeJSON(to: &writer)
            writer.field("descriptor")
            descriptor.writeJSON(to: &writer)
        }
    }
}

extension Statement: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) {
        writer.object { writer in
            switch self {
            case .seconded(let receipt):
                writer.field("seconded")
                receipt.writeJSON(to: &writer)
            case .valid(let hash):
                writer.field("valid")
                writer.hex(hash)
            }
        }
    }
}

extension CompactStatement: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) {
        writer.object { writer in
            switch self {
            case .seconded(let hash):
                writer.field("seconded")
                writer.hex(hash)
            case .valid(let hash):
                writer.field("valid")
                writer.hex(hash)
            }
        }
    }
}

extension UncheckedSigned: JSONWritable where Payload: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) throws {
        try writer.object { writer in
            writer.field("payload")
            try writer.value(payload)
            writer.field("signature")
            writer.hex(signature)
            writer.field("validatorIndex")
            writer.integer(validatorIndex.rawValue)
        }
    }
}

extension ValidDisputeStatementKind: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) {
        writer.object { writer in
            switch self {
            case .explicit:
                writer.field("explicit")
                writer.null()
            case .backingSeconded(let hash):
                writer.field("backingSeconded")
                writer.hex(hash)
            case .backingValid(let hash):
                writer.field("backingValid")
                writer.hex(hash)
            case .approvalChecking:
                writer.field("approvalChecking")
                writer.null()
            }
        }
    }
}

extension InvalidDisputeStatementKind: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.field("explicit")
            writer.null()
        }
    }
}

extension DisputeStatement: JSONWritable {
    public func writeJSON(to writer: inout JSONWriter) {
        writer.object { writer in
            switch self {
            case .valid(let kind):
                writer.field("valid")
                kind.writeJSON(to: &writer)
            case .invalid(let kind):
                writer.field("invalid")
                kind.writeJSON(to: &writer)
            }
        }
    }
}

extension JSONWriter {
    /// `"0x…"`: lowercase hex of a hash, key or signature, read in place.
    public mutating func hex(_ value: some FixedBytes) { value.withUnsafeBytes { hex($0) } }
}
