import Backing
import Foundation
import Primitives
import TestSupport
import Testing

@testable import Webhooks

struct OutboundMessageJSONTests {
    private func object(_ message: OutboundMessage) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(message.webhookBody())) as? [String: Any])
    }

    @Test func everyEventHasItsName() {
        #expect(Messages.all.map(\.event) == WebhookConfiguration.events)
    }

    @Test func statementBodiesArePostableToStatements() throws {
        for message in Messages.all.prefix(2) {
            struct StatementRequest: Decodable {
                let relayParent: Hash
                let statement: SignedFullStatement
            }
            let decoded = try JSONInput.decode(StatementRequest.self, from: Data(message.webhookBody()))
            #expect(decoded.relayParent == Messages.relayParent)
            #expect(decoded.statement == Messages.statement())
            #expect(Set(try object(message).keys) == ["relayParent", "statement"])
        }
    }

    @Test func candidateBodiesCarryTheCandidateHash() throws {
        for message in Messages.all[2...3] {
            let body = try object(message)
            #expect(Set(body.keys) == ["relayParent", "candidate", "candidateHash"])
            #expect(body["candidateHash"] as? String == Messages.receipt.hash.hex)
            #expect(body["relayParent"] as? String == Messages.relayParent.hex)
            let candidate = try #require(body["candidate"] as? [String: Any])
            #expect(candidate["commitmentsHash"] as? String == H256(repeating: 4).hex)
        }
    }

    @Test func misbehaviorBodyHasKindVariantAndEvidence() throws {
        let body = try object(Messages.all[4])
        #expect(body["validatorIndex"] as? Int == 1)
        let misbehavior = try #require(body["misbehavior"] as? [String: Any])
        #expect(misbehavior["kind"] as? String == "validityDoubleVote")
        #expect(misbehavior["variant"] as? String == "issuedAndValidity")
        #expect((misbehavior["statements"] as? [Any])?.count == 2)
    }

    @Test func disputeBodyListsSignedStatements() throws {
        let body = try object(Messages.all[5])
        #expect(Set(body.keys) == ["candidateHash", "candidateReceipt", "session", "statements"])
        #expect(body["session"] as? Int == 7)
        let statement = try #require((body["statements"] as? [[String: Any]])?.first)
        #expect(Set(statement.keys) == ["statement", "validatorIndex", "validatorPublic", "signature"])
        let valid = try #require((statement["statement"] as? [String: Any])?["valid"] as? [String: Any])
        #expect(valid["backingSeconded"] as? String == Messages.relayParent.hex)
    }

    @Test func aSharedSecondedAtAnAsyncBackingRelayParentCarriesItsValidationDataAndIsPostable() throws {
        let data = PersistedValidationData(
            parentHead: HeadData(bytes: [1, 2]), relayParentNumber: 9, relayParentStorageRoot: H256(repeating: 2),
            maxPovSize: 1024)
        let share = OutboundMessage.statementShareWithPVD(
            relayParent: Messages.relayParent, statement: Messages.statement(), persistedValidationData: data)
        #expect(share.event == "statement.share")
        struct StatementRequest: Decodable {
            let relayParent: Hash
            let statement: SignedFullStatement
            let persistedValidationData: PersistedValidationData
        }
        let decoded = try JSONInput.decode(StatementRequest.self, from: Data(share.webhookBody()))
        #expect(decoded.statement == Messages.statement())
        #expect(decoded.persistedValidationData == data)
        #expect(
            try share.webhookBody()
                == [UInt8](
                    try JSONOutput.foundationEncode(
                        StatementBody(
                            relayParent: Messages.relayParent, statement: Messages.statement(),
                            persistedValidationData: data))))
    }

    @Test func backedBodyNamesTheParaTheCoreAndTheCandidate() throws {
        let text = String(decoding: try Messages.all[7].webhookBody(), as: UTF8.self)
        #expect(
            text
                == "{\"candidateHash\":\"\(Messages.receipt.hash.hex)\",\"coreIndex\":0,\"paraId\":1,\"relayParent\":\"\(Messages.relayParent.hex)\"}"
        )
    }

    @Test func availabilityBodyIsExact() throws {
        let text = String(decoding: try Messages.all[6].webhookBody(), as: UTF8.self)
        #expect(
            text
                == "{\"candidateHash\":\"\(Messages.receipt.hash.hex)\",\"erasureRoot\":\"0x\(String(repeating: "ee", count: 32))\",\"nValidators\":6}"
        )
    }
}

/// The bodies with their own JSON writers write what Foundation's encoder writes for them.
struct WebhookBodyWriterTests {
    static func foundation(_ value: some Encodable) throws -> [UInt8] {
        [UInt8](try JSONOutput.foundationEncode(value))
    }

    @Test func everyWrittenBodyIsTheFoundationEncoding() throws {
        var rng = SeededGenerator(seed: 5)
        for round in 0..<100 {
            let relayParent = H256(unchecked: rng.bytes(32))
            var committed = Messages.committed
            committed.commitments.headData = HeadData(bytes: rng.bytes(round))
            committed.commitments.newValidationCode = round % 2 == 0 ? nil : ValidationCode(bytes: rng.bytes(round))
            committed.commitments.horizontalMessages = (0..<round % 3).map {
                OutboundHrmpMessage(recipient: ParaId(UInt32($0) * 1_000_000_007 % UInt32.max), data: rng.bytes(9))
            }
            let statement = SignedFullStatement(
                payload: round % 3 == 0 ? .valid(H256(unchecked: rng.bytes(32))) : .seconded(committed),
                validatorIndex: ValidatorIndex(UInt32(round * 40_000_000)),
                signature: Sr25519Signature(unchecked: rng.bytes(64)))
            let share = OutboundMessage.statementShare(relayParent: relayParent, statement: statement)
            #expect(
                try share.webhookBody()
                    == Self.foundation(StatementBody(relayParent: relayParent, statement: statement)))

            let receipt = committed.plainReceipt
            let backed = OutboundMessage.provisionerBacked(relayParent: relayParent, candidate: receipt)
            #expect(
                try backed.webhookBody()
                    == Self.foundation(
                        CandidateBody(relayParent: relayParent, candidate: receipt, candidateHash: receipt.hash)))

            let kinds: [DisputeStatement] = [
                .valid(.explicit), .valid(.backingSeconded(relayParent)), .valid(.backingValid(relayParent)),
                .valid(.approvalChecking), .invalid(.explicit),
            ]
            let signed = (0..<round % 4).map { i in
                SignedDisputeStatement(
                    statement: kinds[(round + i) % kinds.count], validatorIndex: ValidatorIndex(UInt32(i)),
                    validatorPublic: Sr25519Public(unchecked: rng.bytes(32)),
                    signature: Sr25519Signature(unchecked: rng.bytes(64)))
            }
            let dispute = DisputeStatementImport(
                candidateHash: receipt.hash, candidateReceipt: receipt, session: UInt32(round), statements: signed)
            #expect(
                try OutboundMessage.disputeStatements(dispute).webhookBody()
                    == Self.foundation(
                        DisputeBody(
                            candidateHash: receipt.hash, candidateReceipt: receipt, session: UInt32(round),
                            statements: signed)))
        }
    }
}
