public import Primitives
import Synchronization

/// An availability store that keeps data in memory (for nodes without a data directory, and tests).
public final class InMemoryAvailabilityStore: AvailabilityStore {
    private let stored = Mutex<[CandidateHash: StoredAvailableData]>([:])

    public init() {}

    public func storeAvailableData(
        candidateHash: CandidateHash, nValidators: Int, erasureRoot: Hash, data: AvailableData
    ) async throws {
        stored.withLock {
            $0[candidateHash] = StoredAvailableData(
                candidateHash: candidateHash, nValidators: nValidators, erasureRoot: erasureRoot, data: data)
        }
    }

    public func availableData(for candidateHash: CandidateHash) async -> StoredAvailableData? {
        stored.withLock { $0[candidateHash] }
    }
}
