public import Backing
internal import CompactJSON
internal import Foundation
internal import Primitives

extension OutboundMessage {
    /// The web-hook body of this message: exactly the JSON of contract §4, keys sorted, hex lowercase.
    ///
    /// `statement.share` and `collator.seconded` bodies can be posted unchanged to a peer's
    /// `POST /v1/statements`.
    /// - Throws: only if a value cannot be encoded, which the primitives never do.
    public func webhookBody() throws -> [UInt8] {
        let data: [UInt8]
        switch self {
        case .statementShare(let relayParent, let statement), .collatorSeconded(let relayParent, let statement):
            data = try JSONOutput.encodeBytes(StatementBody(relayParent: relayParent, statement: statement))
        case .statementShareWithPVD(let relayParent, let statement, let persistedValidationData):
            data = try JSONOutput.encodeBytes(
                StatementBody(
                    relayParent: relayParent, statement: statement, persistedValidationData: persistedValidationData))
        case .statementBacked(let relayParent, let paraId, let coreIndex, let candidateHash):
            data = try JSONOutput.encodeBytes(
                BackedBody(relayParent: relayParent, paraId: paraId, coreIndex: coreIndex, candidateHash: candidateHash)
            )
        case .collatorInvalid(let relayParent, let candidate), .provisionerBacked(let relayParent, let candidate):
            data = try JSONOutput.encodeBytes(
                CandidateBody(relayParent: relayParent, candidate: candidate, candidateHash: candidate.hash))
        case .provisionerMisbehavior(let relayParent, let validatorIndex, let misbehavior):
            data = try JSONOutput.encodeBytes(
                MisbehaviorBody(relayParent: relayParent, validatorIndex: validatorIndex, misbehavior: misbehavior))
        case .disputeStatements(let import_):
            data = try JSONOutput.encodeBytes(
                DisputeBody(
                    candidateHash: import_.candidateHash, candidateReceipt: import_.candidateReceipt,
                    session: import_.session, statements: import_.statements))
        case .availabilityStored(let candidateHash, let nValidators, let erasureRoot):
            data = try JSONOutput.encodeBytes(
                AvailabilityBody(candidateHash: candidateHash, nValidators: nValidators, erasureRoot: erasureRoot))
        }
        return data
    }
}

/// `statement.share`, `collator.seconded`: the shape `POST /v1/statements` accepts (with the
/// validation data of a Seconded at an async-backing relay parent).
struct StatementBody: JSONWritable {
    let relayParent: Hash
    let statement: SignedFullStatement
    var persistedValidationData: PersistedValidationData? = nil

    func writeJSON(to writer: inout JSONWriter) throws {
        try writer.object { writer in
            if let persistedValidationData {
                writer.field("persistedValidationData")
                try writer.encodable(persistedValidationData)
            }
            writer.field("relayParent")
            writer.hex(relayParent)
            writer.field("statement")
            try writer.value(statement)
        }
    }
}

/// `statement.backed`: which candidate of which para reached its quorum, on which core.
private struct BackedBody: Encodable {
    let relayParent: Hash
    let paraId: ParaId
    let coreIndex: CoreIndex?
    let candidateHash: CandidateHash
}

/// `collator.invalid`, `provisioner.backed`.
struct CandidateBody: JSONWritable {
    let relayParent: Hash
    let candidate: CandidateReceipt
    let candidateHash: CandidateHash

    func writeJSON(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.field("candidate")
            candidate.writeJSON(to: &writer)
            writer.field("candidateHash")
            writer.hex(candidateHash)
            writer.field("relayParent")
            writer.hex(relayParent)
        }
    }
}

/// `provisioner.misbehavior`; `Misbehavior` encodes as `{kind, variant, statements}`.
private struct MisbehaviorBody: Encodable {
    let relayParent: Hash
    let validatorIndex: ValidatorIndex
    let misbehavior: Misbehavior
}

/// `dispute.statements`.
struct DisputeBody: JSONWritable {
    let candidateHash: CandidateHash
    let candidateReceipt: CandidateReceipt
    let session: SessionIndex
    let statements: [SignedDisputeStatement]

    func writeJSON(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.field("candidateHash")
            writer.hex(candidateHash)
            writer.field("candidateReceipt")
            candidateReceipt.writeJSON(to: &writer)
            writer.field("session")
            writer.integer(session)
            writer.field("statements")
            writer.array(statements) { writer, signed in
                writer.object { writer in
                    writer.field("signature")
                    writer.hex(signed.signature)
                    writer.field("statement")
                    signed.statement.writeJSON(to: &writer)
                    writer.field("validatorIndex")
                    writer.integer(signed.validatorIndex.rawValue)
                    writer.field("validatorPublic")
                    writer.hex(signed.validatorPublic)
                }
            }
        }
    }
}

/// `availability.stored`.
private struct AvailabilityBody: Encodable {
    let candidateHash: CandidateHash
    let nValidators: Int
    let erasureRoot: Hash
}
