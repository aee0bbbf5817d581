import Backing
import CompactJSON
import Primitives
import StatementTable

/// The statement table's summary as JSON: `{candidate, groupId, validityVotes}`.
struct SummaryBody: JSONWritable {
    let candidate: CandidateHash
    let groupId: ParaId
    let validityVotes: Int

    init(_ summary: Summary<CandidateHash, ParaId>) {
        candidate = summary.candidate
        groupId = summary.groupId
        validityVotes = summary.validityVotes
    }

    func writeJSON(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.field("candidate")
            writer.hex(candidate)
            writer.field("groupId")
            writer.integer(groupId.rawValue)
            writer.field("validityVotes")
            writer.integer(validityVotes)
        }
    }
}

/// The answer to one imported statement: `{candidateHash, summary}` (summary `null` when no vote was added).
struct StatementResponse: JSONWritable {
    let candidateHash: CandidateHash
    let summary: SummaryBody?
    let ignored: String?

    init(_ outcome: StatementOutcome) {
        candidateHash = outcome.candidateHash
        summary = outcome.summary.map(SummaryBody.init)
        ignored = outcome.ignoredReason
    }

    enum CodingKeys: String, CodingKey { case candidateHash, summary, ignored }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(candidateHash, forKey: .candidateHash)
        try c.encode(summary, forKey: .summary)
        try c.encodeIfPresent(ignored, forKey: .ignored)
    }

    func writeJSON(to writer: inout JSONWriter) {
        writer.object { writer in
            writer.field("candidateHash")
            writer.hex(candidateHash)
            if let ignored {
                writer.field("ignored")
                writer.string(ignored)
            }
            writer.field("summary")
            if let summary { summary.writeJSON(to: &writer) } else { writer.null() }
        }
    }
}

/// `{erasureRoot, chunkCount, chunkLength}`.
struct ErasureRootResponse: Encodable {
    let erasureRoot: Hash
    let chunkCount: Int
    let chunkLength: Int
}

/// `GET /v1/availability/{hash}`.
struct AvailabilityResponse: Encodable {
    let candidateHash: CandidateHash
    let nValidators: Int
    let availableData: AvailableData
    let erasureRoot: Hash
}

struct StatusResponse: Encodable {
    let status: String
}

/// `POST /v1/backable-candidates`: `{"candidates": {"<paraId>": [BackedCandidate, …]}}`, each para's
/// candidates in chain order; paras with none are left out.
struct BackableCandidatesResponse: Encodable {
    let candidates: [String: [BackedCandidate]]

    init(_ backed: [ParaId: [BackedCandidate]]) {
        candidates = Dictionary(uniqueKeysWithValues: backed.map { (String($0.key.rawValue), $0.value) })
    }
}

/// `GET /readyz` while the node is not ready: `restoring` or `storage failure`, and why in words.
struct ReadinessResponse: Encodable {
    let status: String
    let reason: String
}
