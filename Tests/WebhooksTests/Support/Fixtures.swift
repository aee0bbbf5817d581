import Backing
import Foundation
import Primitives

/// A fresh temporary directory per test, removed when the value goes away.
final class TemporaryDirectory: Sendable {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "webhooks-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    var database: String { path + "/outbox.sqlite" }
}

/// Messages of every kind, with recognisable bytes.
enum Messages {
    static let relayParent = H256(repeating: 0xAB)
    static let receipt = CandidateReceipt(
        descriptor: CandidateDescriptor(paraId: 100, relayParent: relayParent, povHash: H256(repeating: 3)),
        commitmentsHash: H256(repeating: 4))
    static let committed = CommittedCandidateReceipt(
        descriptor: receipt.descriptor, commitments: CandidateCommitments(headData: HeadData(bytes: [1, 2, 3])))

    static func statement(_ index: UInt32 = 1) -> SignedFullStatement {
        SignedFullStatement(
            payload: .seconded(committed), validatorIndex: ValidatorIndex(index),
            signature: Sr25519Signature(repeating: 9))
    }

    static func valid(_ index: UInt32) -> SignedFullStatement {
        SignedFullStatement(
            payload: .valid(committed.hash), validatorIndex: ValidatorIndex(index),
            signature: Sr25519Signature(repeating: 8))
    }

    /// One message of each event, in `WebhookConfiguration.events` order.
    static var all: [OutboundMessage] {
        [
            .statementShare(relayParent: relayParent, statement: statement()),
            .collatorSeconded(relayParent: relayParent, statement: statement()),
            .collatorInvalid(relayParent: relayParent, candidate: receipt),
            .provisionerBacked(relayParent: relayParent, candidate: receipt),
            .provisionerMisbehavior(
                relayParent: relayParent, validatorIndex: 1,
                misbehavior: .validityDoubleVote(seconded: statement(1), valid: valid(1))),
            .disputeStatements(
                DisputeStatementImport(
                    candidateHash: receipt.hash, candidateReceipt: receipt, session: 7,
                    statements: [
                        SignedDisputeStatement(
                            statement: .valid(.backingSeconded(relayParent)), validatorIndex: 2,
                            validatorPublic: Sr25519Public(repeating: 5), signature: Sr25519Signature(repeating: 6))
                    ])),
            .availabilityStored(candidateHash: receipt.hash, nValidators: 6, erasureRoot: H256(repeating: 0xEE)),
            .statementBacked(relayParent: relayParent, paraId: 1, coreIndex: 0, candidateHash: receipt.hash),
        ]
    }

    /// `availability.stored` messages numbered by `nValidators`, to check order.
    static func numbered(_ n: Int) -> OutboundMessage {
        .availabilityStored(candidateHash: receipt.hash, nValidators: n, erasureRoot: .zero)
    }
}
