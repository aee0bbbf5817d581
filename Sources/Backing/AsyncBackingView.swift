public import Primitives
public import ProspectiveParachains
internal import Synchronization

/// Today's backing across the active async-backing leaves: which relay parents each leaf allows (the
/// implicit view) and every para's fragment chains (prospective parachains).
///
/// Shared by the engine and the jobs of every relay parent. Each call takes the lock briefly and never
/// suspends, so a job's turn (import, introduce, sign, commit) stays one atomic step.
public final class AsyncBackingView: Sendable {
    private struct State: Sendable {
        var implicitView = ImplicitView()
        var prospective = ProspectiveParachainsView()
    }

    private let state = Mutex(State())

    public init() {}

    /// Activates `leaf` in prospective parachains (its chains give each para's minimum relay parent),
    /// then in the implicit view (with the headers of its ancestry).
    /// - Returns: the relay parents the leaf allows for any para, leaf first.
    func activate(_ leaf: Leaf) throws(LeafError) -> [Hash] {
        let headers = Dictionary(
            leaf.ancestry.map {
                ($0.hash, BlockHeaderInfo(hash: $0.hash, number: $0.number, parentHash: $0.parentHash))
            },
            uniquingKeysWith: { first, _ in first })
        let result: Result<[Hash], ImplicitView.ActivationError> = state.withLock { state in
            state.prospective.activate(leaf.activatedLeaf)
            let minimum = state.prospective.minimumRelayParents(leaf: leaf.hash)
            do throws(ImplicitView.ActivationError) {
                return .success(
                    try state.implicitView.activate(
                        leaf: BlockHeaderInfo(
                            hash: leaf.hash, number: leaf.number, parentHash: leaf.parentHash ?? .zero),
                        minimumRelayParents: minimum, header: { headers[$0] }))
            } catch {
                state.prospective.deactivate(leaf.hash)
                return .failure(error)
            }
        }
        switch result {
        case .success(let allowed): return allowed
        case .failure(.alreadyKnown): throw .alreadyActive(leaf.hash)
        case .failure(.headerUnavailable(let hash)):
            throw .invalidRuntimeData(
                field: "ancestry", reason: "the header of \(hash), an allowed relay parent, is missing")
        }
    }

    /// Forgets every leaf (the engine stopped every job, to restore them from the journal).
    func reset() { state.withLock { $0 = State() } }

    /// Deactivates a leaf in both views.
    func deactivate(_ leaf: Hash) {
        state.withLock { state in
            state.implicitView.deactivate(leaf)
            state.prospective.deactivate(leaf)
        }
    }

    /// Whether the implicit view still stores `block`: relay-parent states live exactly as long.
    public func stores(_ block: Hash) -> Bool { state.withLock { $0.implicitView.contains(block) } }

    /// The seconding sanity check (`GetHypotheticalMembership` under every leaf that allows the
    /// candidate's relay parent for its para): the leaves whose chain could take the candidate.
    public func membership(
        para: ParaId, relayParent: Hash, candidate: some HypotheticalOrConcreteCandidate & Sendable
    ) -> [Hash] {
        state.withLock { state in
            state.implicitView.activeLeaves.filter { leaf in
                guard state.implicitView.allowedRelayParents(under: leaf, para: para)?.contains(relayParent) ?? false
                else { return false }
                return !state.prospective.hypotheticalMembership(para: para, candidate: candidate, leaf: leaf).isEmpty
            }.sorted { $0.lexicographicallyPrecedes($1) }
        }
    }

    /// `IntroduceSecondedCandidate`: whether some chain of the para took the candidate (or had it).
    public func introduceSeconded(
        para: ParaId, receipt: CommittedCandidateReceipt, persistedValidationData: PersistedValidationData
    ) -> Bool {
        state.withLock {
            $0.prospective.introduceSeconded(
                para: para, receipt: receipt, persistedValidationData: persistedValidationData)
        }
    }

    /// `CandidateBacked`.
    public func candidateBacked(para: ParaId, candidateHash: CandidateHash) {
        state.withLock { $0.prospective.candidateBacked(para: para, candidateHash: candidateHash) }
    }

    /// `GetBackableCandidates` of prospective parachains: up to `count` candidates of `para` at `leaf`
    /// after `ancestors`, in chain order, with their relay parents.
    public func backableCandidates(
        leaf: Hash, para: ParaId, count: Int, ancestors: Set<CandidateHash>
    ) -> [(candidateHash: CandidateHash, relayParent: Hash)] {
        state.withLock {
            $0.prospective.backableCandidates(leaf: leaf, para: para, count: count, ancestors: ancestors).map {
                (candidateHash: $0.0, relayParent: $0.1)
            }
        }
    }

    /// Each para's chain at `leaf`: the best chain in order, and the candidates waiting unconnected.
    public func chains(at leaf: Hash, paras: [ParaId]) -> [ParaId: (
        bestChain: [CandidateHash], unconnected: [CandidateHash]
    )] {
        state.withLock { state in
            var chains: [ParaId: (bestChain: [CandidateHash], unconnected: [CandidateHash])] = [:]
            for para in paras {
                guard let chain = state.prospective.chain(at: leaf, para: para) else { continue }
                chains[para] = (
                    chain.bestChainHashes,
                    chain.unconnectedEntries.map(\.candidateHash).sorted {
                        $0.lexicographicallyPrecedes($1)
                    }
                )
            }
            return chains
        }
    }

    /// The relay parents active leaf `leaf` allows for any para, leaf first (`nil` for a block that is not
    /// an active leaf, a former leaf kept in view included).
    public func allowedRelayParents(under leaf: Hash) -> [Hash]? {
        state.withLock { state in
            guard state.implicitView.activeLeaves.contains(leaf) else { return nil }
            return state.implicitView.allowedRelayParents(under: leaf, para: nil)
        }
    }
}
