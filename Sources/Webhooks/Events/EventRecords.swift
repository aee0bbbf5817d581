internal import Backing
internal import Primitives

/// The event log's compact form of a commit's events: one record per message, one after the other, each a
/// little-endian `u32` length of the rest, a kind byte, then the message's fields in SCALE.
///
/// Why not the web-hook JSON: the log takes every message whether or not a web-hook wants it, in the
/// commit of the request that made it. A v0.9.12 batch of 250 statements makes 250 `dispute.statements`
/// messages of about 2 KB of JSON each (hex doubles every hash and signature), and encoding and writing
/// them cost a third of the batch import; their SCALE is about a third of the bytes and a copy of the fields.
/// The JSON is made when a record is streamed, by the same ``OutboundMessage/webhookBody()`` the web-hooks
/// use, from the decoded message, so `data:` is the web-hook body byte for byte. The length lets a reader
/// skip a record whose event it does not want without decoding it.
///
/// A `dispute.statements` record (kind 10) does not repeat what other records have: its candidate's receipt
/// and each signer's public key are ``EventLogValues`` that it refers to by number, written once per epoch
/// (`event_log_value`), and a backing statement's relay parent, the receipt's, is a tag. In a v0.9.12 batch
/// that takes a Valid statement's record from about 145 bytes (and a receipt of about 325 in each commit) to
/// about 80; the bytes each commit writes and checkpoints were what the log cost the batch import.
/// Kinds 7 and 9 are the earlier form (a receipt in full, then records that point back to it in the same
/// commit), read in logs written before it.
struct EventRecords: Sendable {
    private var encoder = ScaleEncoder(reservingCapacity: 0)
    /// How many records ``bytes`` holds.
    private(set) var count = 0

    init() {}

    /// The records, back to back.
    var bytes: [UInt8] { encoder.bytes }

    var isEmpty: Bool { count == 0 }

    /// Appends `message`'s record, referring to (and if need be adding) its receipt and keys in `values`.
    mutating func append(_ message: OutboundMessage, values: inout EventLogValues) {
        LengthPrefixed.append(to: &encoder) { encoder in
            if case .disputeStatements(let imported) = message {
                encoder.append(UInt8(10))
                encoder.appendCompact(UInt64(values.id(of: imported.candidateReceipt, hash: imported.candidateHash)))
                encoder.append(littleEndian: imported.session)
                encoder.appendCompact(UInt64(imported.statements.count))
                let relayParent = imported.candidateReceipt.descriptor.relayParent
                for signed in imported.statements {
                    switch signed.statement {
                    case .valid(.backingSeconded(let hash)) where hash == relayParent: encoder.append(UInt8(1))
                    case .valid(.backingValid(let hash)) where hash == relayParent: encoder.append(UInt8(2))
                    default:
                        encoder.append(UInt8(0))
                        encoder.append(signed.statement)
                    }
                    encoder.appendCompact(UInt64(signed.validatorIndex.rawValue))
                    encoder.appendCompact(UInt64(values.id(of: signed.validatorPublic)))
                    encoder.append(signed.signature)
                }
            } else {
                message.encodeRecord(to: &encoder)
            }
        }
        count += 1
    }

    /// One record as read back: its event name, and its message on demand.
    struct Record {
        let event: String
        let bytes: ArraySlice<UInt8>
        /// For an earlier-form `dispute.statements` record without its receipt (kind 9), the record that has it.
        var receiptRecord: ArraySlice<UInt8>? = nil

        /// The message the record was made from, with the values it refers to from `values`.
        /// - Throws: ``ScaleDecodingError`` when the record's fields do not decode, ``EventRecordError`` when
        ///   `values` has no value it refers to.
        func message(values: EventValueSource) throws -> OutboundMessage {
            var decoder = ScaleDecoder(bytes)
            let message: OutboundMessage
            if let receiptRecord {
                var receiptDecoder = ScaleDecoder(receiptRecord.dropFirst())
                let receipt: CandidateReceipt = try receiptDecoder.read()
                _ = try decoder.readByte()
                _ = try decoder.readCompact()
                message = .disputeStatements(try DisputeStatementImport(receipt: receipt, statementsRecord: &decoder))
            } else if bytes.first == 10 {
                _ = try decoder.readByte()
                message = .disputeStatements(try DisputeStatementImport(referencesFrom: &decoder, values: values))
            } else {
                message = try OutboundMessage(recordFrom: &decoder)
            }
            try decoder.finish()
            return message
        }
    }

    /// The `count` records of `bytes`, in order (only their names are read: a record's fields are decoded by
    /// ``Record/message(values:)``).
    /// - Throws: ``EventRecordError`` when `bytes` are not `count` records of known kinds.
    static func records(in bytes: [UInt8], count: Int) throws(EventRecordError) -> [Record] {
        var records: [Record] = []
        guard count >= 0 else { throw .trailingBytes(count: bytes.count) }
        // A record takes 5 bytes at least: a damaged count cannot make this reserve more than the bytes allow.
        records.reserveCapacity(min(count, bytes.count / 5))
        var offset = 0
        for index in 0..<count {
            guard let frame = LengthPrefixed.frame(in: bytes[...], at: offset), !frame.isEmpty else {
                throw .truncated(record: index)
            }
            let start = frame.lowerBound
            let kind = Int(bytes[start])
            guard kind < OutboundMessage.recordEvents.count else {
                throw .unknownKind(record: index, kind: bytes[start])
            }
            var record = Record(event: OutboundMessage.recordEvents[kind], bytes: bytes[frame])
            if kind == 9 {
                var decoder = ScaleDecoder(record.bytes.dropFirst())
                guard let distance = try? decoder.readCompact(), distance >= 1, distance <= UInt64(index),
                    case let earlier = records[index - Int(distance)], earlier.bytes.first == 7
                else { throw .missingReceipt(record: index) }
                record.receiptRecord = earlier.bytes
            }
            records.append(record)
            offset = frame.upperBound
        }
        guard offset == bytes.count else { throw .trailingBytes(count: bytes.count - offset) }
        return records
    }
}

/// The framing of the log's records and values: each a little-endian `u32` length, then that many bytes.
enum LengthPrefixed {
    /// Appends what `write` writes, after its length.
    static func append(to encoder: inout ScaleEncoder, _ write: (inout ScaleEncoder) -> Void) {
        let lengthAt = encoder.count
        encoder.append(littleEndian: UInt32(0))
        write(&encoder)
        encoder.overwrite(littleEndian: UInt32(encoder.count - lengthAt - 4), at: lengthAt)
    }

    /// The bytes of the frame at `offset` in `bytes`; `nil` when `bytes` end before the frame does.
    static func frame(in bytes: ArraySlice<UInt8>, at offset: Int) -> Range<Int>? {
        guard offset >= bytes.startIndex, bytes.endIndex - offset >= 4 else { return nil }
        let length = (0..<4).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
        guard bytes.endIndex - offset - 4 >= length else { return nil }
        return offset + 4..<offset + 4 + length
    }
}

/// A logged record that does not decode: the log was written by something else, or damaged.
enum EventRecordError: Error, Equatable, CustomStringConvertible {
    case truncated(record: Int)
    case unknownKind(record: Int, kind: UInt8)
    case trailingBytes(count: Int)
    case missingReceipt(record: Int)
    case missingValue(id: Int64)

    var description: String {
        switch self {
        case .truncated(let record): "event record \(record) is truncated"
        case .unknownKind(let record, let kind): "event record \(record) has the unknown kind \(kind)"
        case .trailingBytes(let count): "\(count) bytes follow the last event record"
        case .missingReceipt(let record): "event record \(record) refers to a receipt no earlier record has"
        case .missingValue(let id): "an event record refers to value \(id), which the log does not have"
        }
    }
}

/// A message's record after its length: the kind (its case), then its fields in SCALE.
extension OutboundMessage {
    /// The event name of each kind, by kind byte.
    static let recordEvents = [
        "statement.share", "statement.share", "statement.backed", "collator.seconded", "collator.invalid",
        "provisioner.backed", "provisioner.misbehavior", "dispute.statements", "availability.stored",
        "dispute.statements", "dispute.statements",
    ]

    /// Writes the message's self-contained record. For `dispute.statements` that is the earlier form (kind 7,
    /// the receipt in full), which ``EventRecords/append(_:values:)`` no longer writes (it writes kind 10); it
    /// is how the tests write a log of the earlier form.
    func encodeRecord(to encoder: inout ScaleEncoder) {
        switch self {
        case .statementShare(let relayParent, let statement):
            encoder.append(UInt8(0))
            encoder.append(relayParent)
            encoder.append(statement)
        case .statementShareWithPVD(let relayParent, let statement, let persistedValidationData):
            encoder.append(UInt8(1))
            encoder.append(relayParent)
            encoder.append(statement)
            encoder.append(persistedValidationData)
        case .statementBacked(let relayParent, let paraId, let coreIndex, let candidateHash):
            encoder.append(UInt8(2))
            encoder.append(relayParent)
            encoder.append(paraId)
            encoder.append(coreIndex)
            encoder.append(candidateHash)
        case .collatorSeconded(let relayParent, let statement):
            encoder.append(UInt8(3))
            encoder.append(relayParent)
            encoder.append(statement)
        case .collatorInvalid(let relayParent, let candidate):
            encoder.append(UInt8(4))
            encoder.append(relayParent)
            encoder.append(candidate)
        case .provisionerBacked(let relayParent, let candidate):
            encoder.append(UInt8(5))
            encoder.append(relayParent)
            encoder.append(candidate)
        case .provisionerMisbehavior(let relayParent, let validatorIndex, let misbehavior):
            encoder.append(UInt8(6))
            encoder.append(relayParent)
            encoder.append(validatorIndex)
            misbehavior.encodeRecord(to: &encoder)
        case .disputeStatements(let imported):
            encoder.append(UInt8(7))
            encoder.append(imported.candidateReceipt)
            imported.encodeStatementsRecord(to: &encoder)
        case .availabilityStored(let candidateHash, let nValidators, let erasureRoot):
            encoder.append(UInt8(8))
            encoder.append(candidateHash)
            encoder.append(littleEndian: UInt64(nValidators))
            encoder.append(erasureRoot)
        }
    }

    init(recordFrom decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        let start = decoder.offset
        switch try decoder.readByte() {
        case 0: self = .statementShare(relayParent: try decoder.read(), statement: try decoder.read())
        case 1:
            self = .statementShareWithPVD(
                relayParent: try decoder.read(), statement: try decoder.read(),
                persistedValidationData: try decoder.readOptional())
        case 2:
            self = .statementBacked(
                relayParent: try decoder.read(), paraId: try decoder.read(), coreIndex: try decoder.readOptional(),
                candidateHash: try decoder.read())
        case 3: self = .collatorSeconded(relayParent: try decoder.read(), statement: try decoder.read())
        case 4: self = .collatorInvalid(relayParent: try decoder.read(), candidate: try decoder.read())
        case 5: self = .provisionerBacked(relayParent: try decoder.read(), candidate: try decoder.read())
        case 6:
            self = .provisionerMisbehavior(
                relayParent: try decoder.read(), validatorIndex: try decoder.read(),
                misbehavior: try Misbehavior(recordFrom: &decoder))
        case 7:
            let receipt: CandidateReceipt = try decoder.read()
            self = .disputeStatements(try DisputeStatementImport(receipt: receipt, statementsRecord: &decoder))
        case 8:
            let candidateHash: CandidateHash = try decoder.read()
            let nValidators = try decoder.read(littleEndian: UInt64.self)
            guard let count = Int(exactly: nValidators) else {
                throw .invalidValue(type: "nValidators", offset: start, reason: "\(nValidators) is too large")
            }
            self = .availabilityStored(
                candidateHash: candidateHash, nValidators: count, erasureRoot: try decoder.read())
        case let tag: throw .invalidTag(type: "OutboundMessage", tag: tag, offset: start)
        }
    }
}

/// A `dispute.statements` record after its receipt (or its reference to one): the session, then the signed
/// statements. The candidate hash is not recorded: it is the receipt's hash.
extension DisputeStatementImport {
    func encodeStatementsRecord(to encoder: inout ScaleEncoder) {
        encoder.append(littleEndian: session)
        encoder.appendCompact(UInt64(statements.count))
        for signed in statements {
            encoder.append(signed.statement)
            encoder.append(signed.validatorIndex)
            encoder.append(signed.validatorPublic)
            encoder.append(signed.signature)
        }
    }

    init(receipt: CandidateReceipt, statementsRecord decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        let session = try decoder.read(littleEndian: UInt32.self)
        let count = try decoder.readLength(minimumElementSize: 1 + 4 + 32 + 64)
        var statements: [SignedDisputeStatement] = []
        statements.reserveCapacity(count)
        for _ in 0..<count {
            statements.append(
                SignedDisputeStatement(
                    statement: try decoder.read(), validatorIndex: try decoder.read(),
                    validatorPublic: try decoder.read(), signature: try decoder.read()))
        }
        self.init(candidateHash: receipt.hash, candidateReceipt: receipt, session: session, statements: statements)
    }
}

extension DisputeStatementImport {
    /// Reads a kind 10 record after its kind: its receipt's value id, the session, then each statement (a tag:
    /// 1 and 2 for Seconded and Valid backing statements in the receipt's relay parent, 0 for a statement in
    /// full), its validator index, its public key's value id and its signature.
    init(referencesFrom decoder: inout ScaleDecoder, values: EventValueSource) throws {
        let (receipt, candidateHash) = try values.receipt(try decoder.readCompact())
        let session = try decoder.read(littleEndian: UInt32.self)
        let count = try decoder.readLength(minimumElementSize: 1 + 1 + 1 + 64)
        let relayParent = receipt.descriptor.relayParent
        var statements: [SignedDisputeStatement] = []
        statements.reserveCapacity(count)
        for _ in 0..<count {
            let offset = decoder.offset
            let statement: DisputeStatement
            switch try decoder.readByte() {
            case 0: statement = try decoder.read()
            case 1: statement = .valid(.backingSeconded(relayParent))
            case 2: statement = .valid(.backingValid(relayParent))
            case let tag: throw ScaleDecodingError.invalidTag(type: "DisputeStatementRecord", tag: tag, offset: offset)
            }
            let index = try decoder.readCompact()
            guard let validatorIndex = UInt32(exactly: index) else {
                throw ScaleDecodingError.invalidValue(
                    type: "ValidatorIndex", offset: offset, reason: "\(index) is too large")
            }
            statements.append(
                SignedDisputeStatement(
                    statement: statement, validatorIndex: ValidatorIndex(validatorIndex),
                    validatorPublic: try values.key(try decoder.readCompact()), signature: try decoder.read()))
        }
        self.init(candidateHash: candidateHash, candidateReceipt: receipt, session: session, statements: statements)
    }
}

/// A misbehaviour in a record: its kind (0 validity double vote, 1 multiple candidates, 2 unauthorized
/// statement, 3 and 4 double sign of a Seconded and of a Valid), then its statements.
extension Misbehavior {
    func encodeRecord(to encoder: inout ScaleEncoder) {
        switch self {
        case .validityDoubleVote(let seconded, let valid):
            encoder.append(UInt8(0))
            encoder.append(seconded)
            encoder.append(valid)
        case .multipleCandidates(let first, let second):
            encoder.append(UInt8(1))
            encoder.append(first)
            encoder.append(second)
        case .unauthorizedStatement(let statement):
            encoder.append(UInt8(2))
            encoder.append(statement)
        case .doubleSign(let kind, let first, let second):
            encoder.append(UInt8(kind == .seconded ? 3 : 4))
            encoder.append(first)
            encoder.append(second)
        }
    }

    init(recordFrom decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        let start = decoder.offset
        switch try decoder.readByte() {
        case 0: self = .validityDoubleVote(seconded: try decoder.read(), valid: try decoder.read())
        case 1: self = .multipleCandidates(first: try decoder.read(), second: try decoder.read())
        case 2: self = .unauthorizedStatement(try decoder.read())
        case 3: self = .doubleSign(.seconded, first: try decoder.read(), second: try decoder.read())
        case 4: self = .doubleSign(.validity, first: try decoder.read(), second: try decoder.read())
        case let tag: throw .invalidTag(type: "Misbehavior", tag: tag, offset: start)
        }
    }
}
