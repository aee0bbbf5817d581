import Backing
import Foundation
import Primitives
import Testing

@testable import Webhooks

/// The event log's compact records: each message's record gives back a message whose web-hook body is the
/// original's byte for byte, and damaged records are refused by name, never misread.
struct EventRecordsTests {
    /// Every kind of message, with the variants a record must tell apart.
    static var messages: [OutboundMessage] {
        let seconded = Messages.statement(1)
        let valid = Messages.valid(2)
        let data = PersistedValidationData(
            parentHead: HeadData(bytes: [7, 7]), relayParentNumber: 9, relayParentStorageRoot: H256(repeating: 0x51),
            maxPovSize: 5_000_000)
        return Messages.all + [
            .statementShareWithPVD(
                relayParent: Messages.relayParent, statement: seconded, persistedValidationData: data),
            .statementShareWithPVD(relayParent: Messages.relayParent, statement: valid, persistedValidationData: nil),
            .statementBacked(
                relayParent: Messages.relayParent, paraId: 2, coreIndex: nil, candidateHash: Messages.receipt.hash),
            .provisionerMisbehavior(
                relayParent: Messages.relayParent, validatorIndex: 1,
                misbehavior: .multipleCandidates(first: seconded, second: Messages.statement(3))),
            .provisionerMisbehavior(
                relayParent: Messages.relayParent, validatorIndex: 1, misbehavior: .unauthorizedStatement(valid)),
            .provisionerMisbehavior(
                relayParent: Messages.relayParent, validatorIndex: 1,
                misbehavior: .doubleSign(.seconded, first: seconded, second: seconded)),
            .provisionerMisbehavior(
                relayParent: Messages.relayParent, validatorIndex: 2,
                misbehavior: .doubleSign(.validity, first: valid, second: valid)),
            .disputeStatements(
                DisputeStatementImport(
                    candidateHash: Messages.receipt.hash, candidateReceipt: Messages.receipt, session: 3,
                    statements: [
                        SignedDisputeStatement(
                            statement: .valid(.backingValid(Messages.relayParent)), validatorIndex: 4,
                            validatorPublic: Sr25519Public(repeating: 1), signature: Sr25519Signature(repeating: 2)),
                        SignedDisputeStatement(
                            statement: .invalid(.explicit), validatorIndex: 5,
                            validatorPublic: Sr25519Public(repeating: 3), signature: Sr25519Signature(repeating: 4)),
                    ])),
            .availabilityStored(candidateHash: Messages.receipt.hash, nValidators: 1000, erasureRoot: .zero),
        ]
    }

    /// Records of `messages` made in one commit, and the values they added.
    static func encode(_ messages: [OutboundMessage], values: inout EventLogValues) -> EventRecords {
        values.beginCommit(firstEventID: 1)
        return messages.reduce(into: EventRecords()) { $0.append($1, values: &values) }
    }

    /// A reader of the values that commits added.
    static func source(_ written: [EventLogValues.Written]) throws -> EventValueSource {
        var known: [Int64: ArraySlice<UInt8>] = [:]
        for row in written {
            for (index, value) in try EventLogValues.values(
                in: row.bytes[...], count: row.count, firstID: row.firstID
            ).enumerated() {
                known[row.firstID + Int64(index)] = value
            }
        }
        return EventValueSource { known[$0] }
    }

    @Test func everyMessageComesBackWithItsNameAndExactlyItsWebhookBody() throws {
        var values = EventLogValues(nextID: 1, epochLength: .seconds(60))
        let records = Self.encode(Self.messages, values: &values)
        #expect(records.count == Self.messages.count)

        let read = try EventRecords.records(in: records.bytes, count: records.count)
        let source = try Self.source([values.writtenValues])
        #expect(read.map(\.event) == Self.messages.map(\.event))
        for (record, message) in zip(read, Self.messages) {
            #expect(try record.message(values: source) == message)
            #expect(try record.message(values: source).webhookBody() == (try message.webhookBody()))
        }
    }

    /// `dispute.statements` for `receipt`, one statement by `validator` (a Valid backing statement in the
    /// receipt's relay parent unless `statement` is given).
    static func dispute(
        _ receipt: CandidateReceipt, by validator: UInt32, statement: DisputeStatement? = nil
    ) -> OutboundMessage {
        .disputeStatements(
            DisputeStatementImport(
                candidateHash: receipt.hash, candidateReceipt: receipt, session: 3,
                statements: [
                    SignedDisputeStatement(
                        statement: statement ?? .valid(.backingValid(receipt.descriptor.relayParent)),
                        validatorIndex: ValidatorIndex(validator),
                        validatorPublic: Sr25519Public(repeating: UInt8(validator)),
                        signature: Sr25519Signature(repeating: 2))
                ]))
    }

    @Test func aReceiptAndAKeyAreWrittenOncePerEpochAndAValidStatementsRecordIsAboutItsSignature() throws {
        var other = Messages.receipt
        other.commitmentsHash = H256(repeating: 0x77)
        let messages = [
            Self.dispute(Messages.receipt, by: 1), Messages.numbered(1), Self.dispute(other, by: 2),
            Self.dispute(Messages.receipt, by: 2), Self.dispute(other, by: 1),
            // Backing statements in another relay parent, and other kinds: carried in full.
            Self.dispute(Messages.receipt, by: 3, statement: .valid(.backingSeconded(H256(repeating: 0x99)))),
            Self.dispute(other, by: 1, statement: .invalid(.explicit)),
            Self.dispute(other, by: 1, statement: .valid(.backingSeconded(other.descriptor.relayParent))),
        ]
        var values = EventLogValues(nextID: 40, epochLength: .seconds(60))
        let first = Self.encode(Array(messages.prefix(4)), values: &values)
        let firstValues = values.writtenValues
        values.committed()
        let second = Self.encode(Array(messages.dropFirst(4)), values: &values)
        let secondValues = values.writtenValues
        values.committed()

        // Two receipts and two keys in the first commit, numbered from 40; the second adds only key 3.
        #expect(firstValues.firstID == 40 && firstValues.count == 4)
        #expect(secondValues.firstID == 44 && secondValues.count == 1)
        let source = try Self.source([firstValues, secondValues])
        let read =
            try EventRecords.records(in: first.bytes, count: first.count)
            + EventRecords.records(in: second.bytes, count: second.count)
        #expect(read.map(\.event) == messages.map(\.event))
        for (record, message) in zip(read, messages) {
            #expect(try record.message(values: source) == message)
            #expect(try record.message(values: source).webhookBody() == (try message.webhookBody()))
        }
        // A Valid statement's record: length, kind, receipt, session, count, tag, index, key, signature.
        #expect(read[3].bytes.count == 1 + 1 + 4 + 1 + 1 + 1 + 1 + 64)
        #expect(read[3].bytes.count * 10 <= (try messages[3].webhookBody().count), "\(read[3].bytes.count)")
        // A statement carried in full: its 34 bytes after the tag.
        #expect(read[5].bytes.count == read[3].bytes.count + 34)
    }

    @Test func aNewEpochOrARolledBackCommitWritesItsValuesAgainUnderNewIds() throws {
        var values = EventLogValues(nextID: 1, epochLength: .seconds(60))
        let start = ContinuousClock.now
        values.beginCommit(firstEventID: 1, now: start)
        #expect(values.beginning == EventLogValues.Epoch(firstEventID: 1, firstValueID: 1))
        #expect(values.id(of: Messages.receipt, hash: Messages.receipt.hash) == 1)
        values.committed()

        // Within the epoch: known, nothing written, no epoch begun.
        values.beginCommit(firstEventID: 5, now: start + .seconds(59))
        #expect(values.id(of: Messages.receipt, hash: Messages.receipt.hash) == 1)
        #expect(values.writtenValues.count == 0 && values.beginning == nil)
        #expect(values.id(of: Sr25519Public(repeating: 9)) == 2)
        // This commit fails: value 2 is not in the database, so it is not referred to again and its id is
        // handed out again, and the next commit begins an epoch.
        values.rolledBack()
        values.beginCommit(firstEventID: 5, now: start + .seconds(59))
        #expect(values.beginning == EventLogValues.Epoch(firstEventID: 5, firstValueID: 2))
        #expect(values.id(of: Sr25519Public(repeating: 9)) == 2)
        #expect(values.id(of: Messages.receipt, hash: Messages.receipt.hash) == 3)
        values.committed()

        // An epoch later, everything is written again.
        values.beginCommit(firstEventID: 9, now: start + .seconds(120))
        #expect(values.beginning == EventLogValues.Epoch(firstEventID: 9, firstValueID: 4))
        #expect(values.id(of: Messages.receipt, hash: Messages.receipt.hash) == 4)
        #expect(values.writtenValues.firstID == 4 && values.writtenValues.count == 1)
    }

    /// Records in the earlier form (a log written before values): a receipt in full (kind 7), then records on
    /// the same candidate that say how many records back it is (kind 9).
    static func earlierFormRecords(_ messages: [OutboundMessage]) -> [UInt8] {
        var encoder = ScaleEncoder()
        var receiptRecords: [CandidateHash: Int] = [:]
        for (index, message) in messages.enumerated() {
            var record = ScaleEncoder()
            if case .disputeStatements(let imported) = message, let earlier = receiptRecords[imported.candidateHash] {
                record.append(UInt8(9))
                record.appendCompact(UInt64(index - earlier))
                imported.encodeStatementsRecord(to: &record)
            } else {
                if case .disputeStatements(let imported) = message { receiptRecords[imported.candidateHash] = index }
                message.encodeRecord(to: &record)
            }
            encoder.append(littleEndian: UInt32(record.count))
            encoder.appendRaw(record.bytes)
        }
        return encoder.bytes
    }

    @Test func recordsInTheEarlierFormStillReadBackWhole() throws {
        let messages = [
            Self.dispute(Messages.receipt, by: 1), Messages.numbered(1), Self.dispute(Messages.receipt, by: 2),
        ]
        let read = try EventRecords.records(in: Self.earlierFormRecords(messages), count: messages.count)
        #expect(read[0].bytes.first == 7 && read[2].bytes.first == 9)
        for (record, message) in zip(read, messages) {
            #expect(try record.message(values: .none).webhookBody() == (try message.webhookBody()))
        }
    }

    @Test func aReceiptReferenceToNoReceiptIsRefused() throws {
        let bytes = Self.earlierFormRecords([
            Self.dispute(Messages.receipt, by: 1), Self.dispute(Messages.receipt, by: 2),
        ])
        let secondStart = 4 + Int(bytes[0]) + Int(bytes[1]) << 8
        // Alone, the second record refers to a record before the first.
        #expect(throws: EventRecordError.missingReceipt(record: 0)) {
            try EventRecords.records(in: Array(bytes[secondStart...]), count: 1)
        }
        // Referring to a record that is not a full dispute record.
        let numbered = Self.earlierFormRecords([Messages.numbered(1)])
        #expect(throws: EventRecordError.missingReceipt(record: 1)) {
            try EventRecords.records(in: numbered + Array(bytes[secondStart...]), count: 2)
        }
    }

    @Test func aRecordReferringToAValueTheLogDoesNotHaveIsRefusedNamingTheValue() throws {
        var values = EventLogValues(nextID: 7, epochLength: .seconds(60))
        let records = Self.encode([Self.dispute(Messages.receipt, by: 1)], values: &values)
        let read = try EventRecords.records(in: records.bytes, count: 1)
        #expect(throws: EventRecordError.missingValue(id: 7)) { try read[0].message(values: .none) }
        // The receipt is there, the key (8) is not.
        let receiptOnly = EventLogValues.Written(
            firstID: 7, count: 1,
            bytes: Array(values.writtenValues.bytes.prefix(4 + Messages.receipt.scaleEncoded.count)))
        #expect(throws: EventRecordError.missingValue(id: 8)) {
            try read[0].message(values: try Self.source([receiptOnly]))
        }
        // A value row whose bytes end early.
        #expect(throws: EventRecordError.missingValue(id: 8)) {
            try EventLogValues.values(in: receiptOnly.bytes[...], count: 2, firstID: 7)
        }
    }

    @Test func damagedRecordsAreRefusedNamingTheRecord() throws {
        var values = EventLogValues(nextID: 1, epochLength: .seconds(60))
        let records = Self.encode([Messages.numbered(1), Messages.numbered(2)], values: &values)
        let bytes = records.bytes
        #expect(throws: EventRecordError.truncated(record: 1)) {
            try EventRecords.records(in: Array(bytes.dropLast()), count: 2)
        }
        #expect(throws: EventRecordError.truncated(record: 2)) { try EventRecords.records(in: bytes, count: 3) }
        #expect(throws: EventRecordError.trailingBytes(count: bytes.count / 2)) {
            try EventRecords.records(in: bytes, count: 1)
        }
        var unknown = bytes
        unknown[4] = 0xFF
        #expect(throws: EventRecordError.unknownKind(record: 0, kind: 0xFF)) {
            try EventRecords.records(in: unknown, count: 2)
        }
        // A record whose length holds but whose fields do not: found when it is decoded.
        let lone = try EventRecords.records(in: [2, 0, 0, 0, 8, 1], count: 1)
        #expect(lone.map(\.event) == ["availability.stored"])
        #expect(throws: ScaleDecodingError.self) { try lone[0].message(values: .none) }
    }
}
