public import Primitives

/// A candidate pending availability at a leaf, as the runtime lists it (`CandidatePendingAvailability`):
/// its receipt, the number of its relay parent and the PoV limit it was built under.
public struct PendingCandidate: Hashable, Sendable {
    public let receipt: CommittedCandidateReceipt
    public let relayParentNumber: BlockNumber
    public let maxPovSize: UInt32

    public init(receipt: CommittedCandidateReceipt, relayParentNumber: BlockNumber, maxPovSize: UInt32) {
        self.receipt = receipt
        self.relayParentNumber = relayParentNumber
        self.maxPovSize = maxPovSize
    }
}

/// A para's backing state at a leaf (`ParaBackingState` / `BackingConstraints` +
/// `CandidatesPendingAvailability`).
public struct ParaBackingState: Hashable, Sendable {
    public let constraints: Constraints
    /// In order: the first builds on `constraints.requiredParent`, each next on the one before.
    public let pendingAvailability: [PendingCandidate]

    public init(constraints: Constraints, pendingAvailability: [PendingCandidate] = []) {
        self.constraints = constraints
        self.pendingAvailability = pendingAvailability
    }
}

/// What prospective parachains needs of a new leaf: its header, its ancestors in its session (descending,
/// each the parent of the one before), every tracked para's backing state, and the chains' depth.
public struct ActivatedLeaf: Sendable {
    public let block: RelayChainBlockInfo
    public let parentHash: Hash
    public let ancestors: [RelayChainBlockInfo]
    public let paras: [ParaId: ParaBackingState]
    public let maxDepth: Int

    public init(
        block: RelayChainBlockInfo, parentHash: Hash, ancestors: [RelayChainBlockInfo],
        paras: [ParaId: ParaBackingState], maxDepth: Int
    ) {
        self.block = block
        self.parentHash = parentHash
        self.ancestors = ancestors
        self.paras = paras
        self.maxDepth = maxDepth
    }
}

/// Prospective parachains for all active leaves (the `prospective-parachains` subsystem's state): a
/// fragment chain per leaf and para, kept for previous leaves while they are an active leaf's ancestor so
/// that new leaves inherit their candidates.
///
/// Pure: the caller feeds leaves and candidates and asks questions; no I/O, no clock.
public struct ProspectiveParachainsView: Sendable {
    /// Fragment chains by relay parent (active leaves and previous leaves still in view), then para.
    private var chains: [Hash: [ParaId: FragmentChain]] = [:]
    /// The active leaves and the ancestors each keeps in view.
    private var activeLeaves: [Hash: [Hash]] = [:]

    public init() {}

    public var activeLeafHashes: Set<Hash> { Set(activeLeaves.keys) }

    /// Activates `leaf`: for every para with a backing state, a scope down to the para's minimum relay
    /// parent, the chain of its pending-availability candidates (replayed in order; stopping at one whose
    /// relay parent is not in view), then the candidates of the parent leaf's chain.
    /// - Returns: the paras whose scope was refused (ancestors not contiguous); they get no chain.
    @discardableResult
    public mutating func activate(_ leaf: ActivatedLeaf) -> [ParaId] {
        var refused: [ParaId] = []
        var byPara: [ParaId: FragmentChain] = [:]
        let known = [leaf.block] + leaf.ancestors
        for (para, state) in leaf.paras.sorted(by: { $0.key < $1.key }) {
            var pending: [PendingAvailability] = []
            var storage = CandidateStorage()
            var requiredParent = state.constraints.requiredParent
            for candidate in state.pendingAvailability {
                let relayParentHash = candidate.receipt.descriptor.relayParent
                guard let relayParent = known.first(where: { $0.hash == relayParentHash }) else { break }
                let pvd = PersistedValidationData(
                    parentHead: requiredParent, relayParentNumber: candidate.relayParentNumber,
                    relayParentStorageRoot: relayParent.storageRoot, maxPovSize: candidate.maxPovSize)
                let hash = candidate.receipt.hash
                guard
                    (try? storage.add(
                        candidateHash: hash, receipt: candidate.receipt, persistedValidationData: pvd, state: .backed))
                        != nil
                else { break }
                pending.append(PendingAvailability(candidateHash: hash, relayParent: relayParent))
                requiredParent = candidate.receipt.commitments.headData
            }
            let scope: Scope
            do {
                scope = try Scope(
                    relayParent: leaf.block, baseConstraints: state.constraints, pendingAvailability: pending,
                    maxDepth: leaf.maxDepth, ancestors: leaf.ancestors)
            } catch {
                refused.append(para)
                continue
            }
            var chain = FragmentChain(scope: scope, pendingAvailability: storage)
            if let previous = chains[leaf.parentHash]?[para] { chain.populate(from: previous) }
            byPara[para] = chain
        }
        chains[leaf.block.hash] = byPara
        activeLeaves[leaf.block.hash] = leaf.ancestors.map(\.hash)
        return refused
    }

    /// Deactivates a leaf; chains of blocks no active leaf keeps in view are dropped.
    public mutating func deactivate(_ hash: Hash) {
        activeLeaves[hash] = nil
        let inView = Set(activeLeaves.keys).union(activeLeaves.values.joined())
        chains = chains.filter { inView.contains($0.key) }
    }

    /// A candidate was seconded (`IntroduceSecondedCandidate`): it joins every chain of its para in view
    /// where it has potential. - Returns: whether at least one chain has it now.
    public mutating func introduceSeconded(
        para: ParaId, receipt: CommittedCandidateReceipt, persistedValidationData: PersistedValidationData
    ) -> Bool {
        guard
            let entry = try? CandidateEntry(
                candidateHash: receipt.hash, receipt: receipt, persistedValidationData: persistedValidationData,
                state: .seconded)
        else { return false }
        var added = false
        // Safe because: `addSeconded` changes nothing when it throws.
        for relayParent in Array(chains.keys) {
            do throws(FragmentChainError) {
                let introduce = { (chain: inout FragmentChain) throws(FragmentChainError) in
                    try chain.addSeconded(entry)
                }
                guard try Self.modifyChain(of: para, at: relayParent, in: &chains, introduce) else { continue }
                added = true
            } catch {
                if error == .candidateAlreadyKnown { added = true }
            }
        }
        return added
    }

    /// A candidate was backed (`CandidateBacked`): every chain of its para takes note.
    public mutating func candidateBacked(para: ParaId, candidateHash: CandidateHash) {
        for relayParent in Array(chains.keys) {
            Self.modifyChain(of: para, at: relayParent, in: &chains) { $0.candidateBacked(candidateHash) }
        }
    }

    /// Changes one para's chain at one relay parent in place. Why: iterating `chains.keys` while writing
    /// into `chains`, or changing a copy of a chain and writing it back, made every backing copy the
    /// relay parent's whole `[ParaId: FragmentChain]` (100 chains) — a third of a batch import's time.
    /// The chain is taken out of its dictionary while it changes, so nothing else holds its storage.
    /// - Returns: whether the para has a chain there.
    @discardableResult
    private static func modifyChain<Failure: Error>(
        of para: ParaId, at relayParent: Hash, in chains: inout [Hash: [ParaId: FragmentChain]],
        _ change: (inout FragmentChain) throws(Failure) -> Void
    ) throws(Failure) -> Bool {
        guard var chain = chains[relayParent]?.removeValue(forKey: para) else { return false }
        defer { chains[relayParent]?[para] = chain }
        try change(&chain)
        return true
    }

    /// The active leaves (only `leaf`, when given) under which the candidate could be part of its para's
    /// chain, now or once its parent arrives (`GetHypotheticalMembership`).
    public func hypotheticalMembership(
        para: ParaId, candidate: some HypotheticalOrConcreteCandidate, leaf: Hash? = nil
    ) -> [Hash] {
        let leaves = leaf.map { activeLeaves[$0] == nil ? [] : [$0] } ?? Array(activeLeaves.keys)
        return leaves.filter { leaf in
            guard let chain = chains[leaf]?[para] else { return false }
            do throws(FragmentChainError) {
                try chain.canAddAsPotential(candidate)
                return true
            } catch {
                return error == .candidateAlreadyKnown
            }
        }.sorted { $0.lexicographicallyPrecedes($1) }
    }

    /// Up to `count` backable candidates of `para` at active leaf `leaf` after `ancestors`
    /// (`GetBackableCandidates`): (candidate hash, relay parent), in chain order.
    public func backableCandidates(
        leaf: Hash, para: ParaId, count: Int, ancestors: Set<CandidateHash> = []
    ) -> [(CandidateHash, Hash)] {
        guard activeLeaves[leaf] != nil, let chain = chains[leaf]?[para] else { return [] }
        return chain.findBackableChain(ancestors: ancestors, count: count)
    }

    /// Each para's earliest relay parent number at active leaf `leaf` (`GetMinimumRelayParents`).
    public func minimumRelayParents(leaf: Hash) -> [ParaId: BlockNumber] {
        guard activeLeaves[leaf] != nil, let byPara = chains[leaf] else { return [:] }
        return byPara.mapValues { $0.scope.earliestRelayParent.number }
    }

    /// The validation data a candidate of `para` at `relayParent` building on the head with hash
    /// `parentHeadHash` must have (`GetProspectiveValidationData`), from the active leaves' chains;
    /// `nil` while the relay parent, the head or the PoV limit is unknown.
    public func validationData(para: ParaId, relayParent: Hash, parentHeadHash: Hash) -> PersistedValidationData? {
        var block: RelayChainBlockInfo?
        var head: HeadData?
        var maxPovSize: UInt32?
        for leaf in activeLeaves.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            guard let chain = chains[leaf]?[para] else { continue }
            if head == nil { head = chain.headData(by: parentHeadHash) }
            if block == nil, let found = chain.scope.ancestor(relayParent) {
                block = found
                maxPovSize = chain.scope.baseConstraints.maxPovSize
            }
            if let block, let head, let maxPovSize {
                return PersistedValidationData(
                    parentHead: head, relayParentNumber: block.number, relayParentStorageRoot: block.storageRoot,
                    maxPovSize: maxPovSize)
            }
        }
        return nil
    }

    /// The fragment chain of `para` at relay parent `hash`, if in view.
    public func chain(at hash: Hash, para: ParaId) -> FragmentChain? { chains[hash]?[para] }
}
