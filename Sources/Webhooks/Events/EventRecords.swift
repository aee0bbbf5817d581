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
/// A `dispute.statements` record carries its candidate's receipt only the first time in a commit (kind 7);
/// later ones for the same candidate (kind 9) say how many records back the receipt is, and neither carries
/// the candidate hash, which is the receipt's hash. In a v0.9.12 batch of Valid statements a candidate gets
/// four of them, and the receipt is two thirds of such a record: this halves what the log writes for it.
/// The outbox makes one ``EventRecords`` per group commit, so requests committed together share receipts too.
struct EventRecords: Sendable {
    private var encoder = ScaleEncoder(reservingCapacity: 0)
    /// How many records ``bytes`` holds.
    private(set) var count = 0
    /// The index of the record holding each candidate's receipt in full.
    private var receiptRecords: [CandidateHash: Int] = [:]

    init() {}

    /// The records, back to back.
    var bytes: [UInt8] { encoder.bytes }

    var isEmpty: Bool { count == 0 }

    /// Appends `message`'s record.
    mutating func append(_ message: OutboundMessage) {
        let lengthAt = encoder.count
        encoder.append(littleEndian: UInt32(0))
        if case .disputeStatements(let imported) = message, let earlier = receiptRecords[imported.candidateHash] {
            encoder.append(UInt8(9))
            encoder.appendCompact(UInt64(count - earlier))
            imported.encodeStatementsRecord(to: &encoder)
        } else {
            if case .disputeStatements(let imported) = message { receiptRecords[imported.candidateHash] = count }
            message.encodeRecord(to: &encoder)
        }
        encoder.overwrite(littleEndian: UInt32(encoder.count - lengthAt - 4), at: lengthAt)
        count += 1
    }

    /// One record as read back: its event name, and its message on demand.
    struct Record {
        let event: String
        let bytes: ArraySlice<UInt8>
        /// For a `dispute.statements` record without its receipt, the record that has it.
        var receiptRecord: ArraySlice<UInt8>? = nil

        /// The message the record was made from.
        /// - Throws: ``ScaleDecodingError`` when the record's fields do not decode.
        func message() throws(ScaleDecodingError) -> OutboundMessage {
            var decoder = ScaleDecoder(bytes)
            let message: OutboundMessage
            if let receiptRecord {
                var receiptDecoder = ScaleDecoder(receiptRecord.dropFirst())
                let receipt: CandidateReceipt = try receiptDecoder.read()
                _ = try decoder.readByte()
                _ = try decoder.readCompact()
                message = .disputeStatements(try DisputeStatementImport(receipt: receipt, statementsRecord: &decoder))
            } else {
                message = try OutboundMessage(recordFrom: &decoder)
            }
            try decoder.finish()
            return message
        }
    }

    /// The `count` records of `bytes`, in order (only their names are read: a record's fields are decoded by
    /// ``Record/message()``).
    /// - Throws: ``EventRecordError`` when `bytes` are not `count` records of known kinds.
    static func records(in bytes: [UInt8], count: Int) throws(EventRecordError) -> [Record] {
        var records: [Record] = []
        guard count >= 0 else { throw .trailingBytes(count: bytes.count) }
        // A record takes 5 bytes at least: a damaged count cannot make this reserve more than the bytes allow.
        records.reserveCapacity(min(count, bytes.count / 5))
        var offset = 0
        for index in 0..<count {
            guard bytes.count - offset >= 5 else { throw .truncated(record: index) }
            var lengthDecoder = ScaleDecoder(bytes[offset..<offset + 4])
            // Safe because: four bytes are there (checked above).
            let length = Int(try! lengthDecoder.read(littleEndian: UInt32.self))
            let start = offset + 4
            guard length >= 1, bytes.count - start >= length else { throw .truncated(record: index) }
            let kind = Int(bytes[start])
            guard kind < OutboundMessage.recordEvents.count else {
                throw .unknownKind(record: index, kind: bytes[start])
            }
            var record = Record(event: OutboundMessage.recordEvents[kind], bytes: bytes[start..<start + length])
            if kind == 9 {
                var decoder = ScaleDecoder(record.bytes.dropFirst())
                guard let distance = try? decoder.readCompact(), distance >= 1, distance <= UInt64(index),
                    case let earlier = records[index - Int(distance)], earlier.bytes.first == 7
                else { throw .missingReceipt(record: index) }
                record.receiptRecord = earlier.bytes
            }
            records.append(record)
            offset = start + length
        }
        guard offset == bytes.count else { throw .trailingBytes(count: bytes.count - offset) }
        return records
    }
}

/// A logged record that does not decode: the log was written by something else, or damaged.
enum EventRecordError: Error, Equatable, CustomStringConvertible {
    case truncated(record: Int)
    case unknownKind(record: Int, kind: UInt8)
    case trailingBytes(count: Int)
    case missingReceipt(record: Int)

    var description: String {
        switch self {
        case .truncated(let record): "event record \(record) is truncated"
        case .unknownKind(let record, let kind): "event record \(record) has the unknown kind \(kind)"
        case .trailingBytes(let count): "\(count) bytes follow the last event record"
        case .missingReceipt(let record): "event record \(record) refers to a receipt no earlier record has"
        }
    }
}

/// A message's record after its length: the kind (its case), then its fields in SCALE.
extension OutboundMessage {
    /// The event name of each kind, by kind byte.
    static let recordEvents = [
        "statement.share", "statement.share", "statement.backed", "collator.seconded", "collator.invalid",
        "provisioner.backed", "provisioner.misbehavior", "dispute.statements", "availability.stored",
        "dispute.statements",
    ]

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
