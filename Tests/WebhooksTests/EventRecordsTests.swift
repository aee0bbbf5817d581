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

    @Test func everyMessageComesBackWithItsNameAndExactlyItsWebhookBody() throws {
        var records = EventRecords()
        for message in Self.messages { records.append(message) }
        #expect(records.count == Self.messages.count)

        let read = try EventRecords.records(in: records.bytes, count: records.count)
        #expect(read.map(\.event) == Self.messages.map(\.event))
        for (record, message) in zip(read, Self.messages) {
            #expect(try record.message() == message)
            #expect(try record.message().webhookBody() == (try message.webhookBody()))
        }
    }

    @Test func aDisputeStatementsRecordIsAtMostTwoFifthsOfItsJSON() throws {
        let message = Messages.all[5]
        var records = EventRecords()
        records.append(message)
        let json = try message.webhookBody().count
        #expect(records.bytes.count * 5 <= json * 2, "\(records.bytes.count) bytes, JSON \(json)")
    }

    /// `dispute.statements` for `receipt`, one Valid statement by `validator`.
    static func dispute(_ receipt: CandidateReceipt, by validator: UInt32) -> OutboundMessage {
        .disputeStatements(
            DisputeStatementImport(
                candidateHash: receipt.hash, candidateReceipt: receipt, session: 3,
                statements: [
                    SignedDisputeStatement(
                        statement: .valid(.backingValid(Messages.relayParent)),
                        validatorIndex: ValidatorIndex(validator),
                        validatorPublic: Sr25519Public(repeating: UInt8(validator)),
                        signature: Sr25519Signature(repeating: 2))
                ]))
    }

    @Test func aCandidatesReceiptIsRecordedOnceInACommitAndEveryDisputeMessageReadsBackWhole() throws {
        var other = Messages.receipt
        other.commitmentsHash = H256(repeating: 0x77)
        let messages = [
            Self.dispute(Messages.receipt, by: 1), Messages.numbered(1), Self.dispute(other, by: 2),
            Self.dispute(Messages.receipt, by: 3), Self.dispute(other, by: 4), Self.dispute(Messages.receipt, by: 5),
        ]
        var records = EventRecords()
        var sizes: [Int] = []
        for message in messages {
            let before = records.bytes.count
            records.append(message)
            sizes.append(records.bytes.count - before)
        }
        let receiptSize = Messages.receipt.scaleEncoded.count
        // In place of the receipt, a reference of one byte.
        #expect(sizes[3] + receiptSize == sizes[0] + 1 && sizes[4] + receiptSize == sizes[2] + 1, "\(sizes)")

        let read = try EventRecords.records(in: records.bytes, count: records.count)
        #expect(read.map(\.event) == messages.map(\.event))
        for (record, message) in zip(read, messages) {
            #expect(try record.message() == message)
            #expect(try record.message().webhookBody() == (try message.webhookBody()))
        }
    }

    @Test func aReceiptReferenceToNoReceiptIsRefused() throws {
        var records = EventRecords()
        records.append(Self.dispute(Messages.receipt, by: 1))
        records.append(Self.dispute(Messages.receipt, by: 2))
        let bytes = records.bytes
        let secondStart = 4 + Int(bytes[0]) + Int(bytes[1]) << 8
        // Alone, the second record refers to a record before the first.
        #expect(throws: EventRecordError.missingReceipt(record: 0)) {
            try EventRecords.records(in: Array(bytes[secondStart...]), count: 1)
        }
        // Referring to a record that is not a full dispute record.
        var numbered = EventRecords()
        numbered.append(Messages.numbered(1))
        #expect(throws: EventRecordError.missingReceipt(record: 1)) {
            try EventRecords.records(in: numbered.bytes + Array(bytes[secondStart...]), count: 2)
        }
    }

    @Test func damagedRecordsAreRefusedNamingTheRecord() throws {
        var records = EventRecords()
        records.append(Messages.numbered(1))
        records.append(Messages.numbered(2))
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
        #expect(throws: ScaleDecodingError.self) { try lone[0].message() }
    }
}
