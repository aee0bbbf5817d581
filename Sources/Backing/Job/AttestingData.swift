import Primitives

/// What the job remembers about a candidate of its para that someone else seconded, so that it can
/// fetch the PoV and validate, and fall back to the other backers if a fetch fails.
struct AttestingData: Sendable {
    let candidate: CandidateReceipt
    let povHash: Hash
    /// The validator we fetch the PoV from now.
    var fromValidator: ValidatorIndex
    /// Backers that voted Valid while a validation was running; tried last-in, first-out.
    var backing: [ValidatorIndex] = []
}

/// Where a background validation gets its PoV.
enum PoVSource: Sendable {
    /// Given with a Second request.
    case ready(PoV)
    /// To be fetched from a backer.
    case fetch(from: ValidatorIndex, povHash: Hash)
}

/// What a background validation reports back to its job (`ValidatedCandidateCommand`).
enum ValidatedCandidateCommand: Sendable {
    /// The outcome of a validation started by a Second request: valid with its commitments, or invalid.
    case second(CandidateHash, Result<ValidatedCandidate, InvalidCandidateReport>)
    /// The outcome of a validation started by someone else's statement.
    case attest(CandidateHash, Result<ValidatedCandidate, InvalidCandidateReport>)
    /// The PoV could not be fetched from the chosen backer.
    case attestNoPoV(CandidateHash)
}

/// A candidate that passed validation, the erasure-root check, and was stored.
struct ValidatedCandidate: Sendable {
    let candidate: CandidateReceipt
    let commitments: CandidateCommitments
}

/// A candidate found invalid, with the reason (for logs and the collator report).
struct InvalidCandidateReport: Error, Sendable {
    let candidate: CandidateReceipt
    let reason: String
}
