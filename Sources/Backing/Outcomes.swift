public import Primitives
public import StatementTable

/// The answer to a Second request. `accepted` means validation started; its outcome arrives as
/// outgoing messages. When not accepted, `reason` says why and nothing changed (except a
/// `collator.invalid` report for a wrong collator, as Polkadot sends one).
public struct SecondOutcome: Codable, Sendable, Equatable {
    public let candidateHash: CandidateHash
    public let accepted: Bool
    public let reason: String?

    public init(candidateHash: CandidateHash, accepted: Bool, reason: String? = nil) {
        self.candidateHash = candidateHash
        self.accepted = accepted
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey { case candidateHash, accepted, reason }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(candidateHash, forKey: .candidateHash)
        try c.encode(accepted, forKey: .accepted)
        try c.encode(reason, forKey: .reason)
    }
}

/// The answer to an imported statement: the candidate and the table's summary, `nil` when the statement
/// added no vote (a duplicate, an unknown candidate, misbehaviour, or an ignored validator).
public struct StatementOutcome: Sendable, Equatable {
    public let candidateHash: CandidateHash
    public let summary: Summary<CandidateHash, ParaId>?
    /// Why the statement was ignored without being imported, if it was.
    public let ignoredReason: String?

    public init(candidateHash: CandidateHash, summary: Summary<CandidateHash, ParaId>?, ignoredReason: String? = nil) {
        self.candidateHash = candidateHash
        self.summary = summary
        self.ignoredReason = ignoredReason
    }
}

/// Why an inbound statement was refused; nothing changed.
public enum StatementRejection: Error, Equatable, Sendable, CustomStringConvertible {
    /// The validator index is not in the session's validator set.
    case validatorIndexOutOfBounds(ValidatorIndex, validatorCount: Int)
    /// The signature is not the validator's over this statement in this leaf's signing context.
    case badSignature(ValidatorIndex)
    /// The seconded candidate breaks a rule of today's descriptors at this leaf (named in the error).
    case candidateRule(CandidateRuleViolation)

    public var description: String {
        switch self {
        case .validatorIndexOutOfBounds(let index, let count):
            "validatorIndex: \(index) is out of bounds for \(count) validators"
        case .badSignature(let index):
            "signature: not a valid signature of validator \(index) over this statement in the leaf's signing context"
        case .candidateRule(let violation):
            "payload.seconded: \(violation)"
        }
    }
}
