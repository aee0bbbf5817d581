import Backing
import Foundation
import Primitives
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

    @Test func availabilityBodyIsExact() throws {
        let text = String(decoding: try Messages.all[6].webhookBody(), as: UTF8.self)
        #expect(
            text
                == "{\"candidateHash\":\"\(Messages.receipt.hash.hex)\",\"erasureRoot\":\"0x\(String(repeating: "ee", count: 32))\",\"nValidators\":6}"
        )
    }
}
