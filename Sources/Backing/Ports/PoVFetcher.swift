public import Primitives

/// Fetches a candidate's PoV from a validator that has it (Polkadot's
/// `AvailabilityDistributionMessage::FetchPoV`).
///
/// A thrown error means "this validator could not give it"; the job then tries the next backer.
/// The job checks the PoV against the descriptor's `povHash` itself.
public protocol PoVFetcher: Sendable {
    func fetchPoV(
        relayParent: Hash, from validator: ValidatorIndex, validatorKey: ValidatorId, candidateHash: CandidateHash,
        povHash: Hash
    ) async throws -> PoV
}
