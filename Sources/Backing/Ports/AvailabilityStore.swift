public import Primitives

/// Keeps the data that makes a candidate available (Polkadot's
/// `AvailabilityStoreMessage::StoreAvailableData`).
public protocol AvailabilityStore: Sendable {
    /// Stores `data` for `candidateHash`, erasure-coded for `nValidators`.
    /// - Throws: ``StorageFailure`` when the data could not be stored; the candidate then gets no statement
    ///   from us until the node has rebuilt its state from the journal (which runs the validation again).
    func storeAvailableData(
        candidateHash: CandidateHash, nValidators: Int, erasureRoot: Hash, data: AvailableData
    ) async throws

    /// The stored data of a candidate, if any.
    func availableData(for candidateHash: CandidateHash) async -> StoredAvailableData?
}

/// What an availability store returns for a candidate.
public struct StoredAvailableData: Sendable, Equatable {
    public let candidateHash: CandidateHash
    public let nValidators: Int
    public let erasureRoot: Hash
    public let data: AvailableData

    public init(candidateHash: CandidateHash, nValidators: Int, erasureRoot: Hash, data: AvailableData) {
        self.candidateHash = candidateHash
        self.nValidators = nValidators
        self.erasureRoot = erasureRoot
        self.data = data
    }
}
