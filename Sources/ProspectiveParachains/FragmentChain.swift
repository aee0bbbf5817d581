public import Primitives

/// A backed candidate in a best chain, with the modifications of the chain up to and including it.
public struct FragmentNode: Hashable, Sendable {
    public let fragment: Fragment
    public let candidateHash: CandidateHash
    public let cumulativeModifications: ConstraintModifications
    public let parentHeadDataHash: Hash
    public let outputHeadDataHash: Hash
}

/// The best chain of backed candidates, with indexes by parent and output head (`BackedChain`).
struct BackedChain: Sendable {
    private(set) var nodes: [FragmentNode] = []
    private(set) var byParentHead: [Hash: CandidateHash] = [:]
    private(set) var byOutputHead: [Hash: CandidateHash] = [:]
    private(set) var hashes: Set<CandidateHash> = []

    mutating func push(_ node: FragmentNode) {
        hashes.insert(node.candidateHash)
        byParentHead[node.parentHeadDataHash] = node.candidateHash
        byOutputHead[node.outputHeadDataHash] = node.candidateHash
        nodes.append(node)
    }

    /// Empties the chain. - Returns: its nodes.
    mutating func clear() -> [FragmentNode] {
        defer { self = BackedChain() }
        return nodes
    }

    /// Drops the nodes after the one whose output is `parentHead`. - Returns: the dropped nodes.
    mutating func revert(toParentHead parentHead: Hash) -> [FragmentNode] {
        guard let keep = nodes.firstIndex(where: { $0.outputHeadDataHash == parentHead }) else { return [] }
        let removed = Array(nodes[(keep + 1)...])
        for node in removed {
            hashes.remove(node.candidateHash)
            byParentHead[node.parentHeadDataHash] = nil
            byOutputHead[node.outputHeadDataHash] = nil
        }
        nodes.removeLast(removed.count)
        return removed
    }

    func contains(_ hash: CandidateHash) -> Bool { hashes.contains(hash) }
}

/// The fork choice rule: of two candidates on the same parent, the lower hash (byte-wise) wins.
func forkChoicePrefers(_ a: CandidateHash, over b: CandidateHash) -> Bool {
    a.lexicographicallyPrecedes(b)
}

/// One para's candidates at one relay parent (`FragmentChain`): the best chain of backed candidates
/// that can be included one after another (at most `maxDepth + 1`, those pending availability first),
/// and the unconnected storage of candidates that may still join it.
///
/// Pure: no I/O, no clock. The inclusion emulator's checks (``Fragment``) decide what fits.
public struct FragmentChain: Sendable {
    public let scope: Scope
    private var bestChain = BackedChain()
    private var unconnected = CandidateStorage()

    /// A chain in `scope` made of the candidates pending availability (which must form a chain from the
    /// latest included head).
    public init(scope: Scope, pendingAvailability: CandidateStorage) {
        self.scope = scope
        var storage = pendingAvailability
        populateChain(&storage)
    }

    /// The best chain's candidate hashes, in order.
    public var bestChainHashes: [CandidateHash] { bestChain.nodes.map(\.candidateHash) }
    public var bestChainLength: Int { bestChain.nodes.count }
    /// The candidates that are not in the best chain but may still join it.
    public var unconnectedEntries: [CandidateEntry] { unconnected.entries }
    public var unconnectedCount: Int { unconnected.count }
    public func containsUnconnected(_ hash: CandidateHash) -> Bool { unconnected.contains(hash) }

    /// Whether the candidate is in the best chain or backed in storage.
    public func isBacked(_ hash: CandidateHash) -> Bool {
        bestChain.contains(hash) || unconnected.entry(hash)?.state == .backed
    }

    public func contains(_ hash: CandidateHash) -> Bool { bestChain.contains(hash) || unconnected.contains(hash) }

    /// Takes over `previous`'s candidates (its storage, and its best chain except what was pending
    /// availability there) for the chain of a new leaf (`populate_from_previous`).
    public mutating func populate(from previous: FragmentChain) {
        var storage = previous.unconnected
        for node in previous.bestChain.nodes where previous.scope.pending(node.candidateHash) == nil {
            try? storage.add(CandidateEntry(node))
        }
        populateChain(&storage)
        trimIneligibleForks(&storage, from: nil)
        keepPotentialCandidates(of: storage)
    }

    /// Whether `candidate` could join this chain now or later (`can_add_candidate_as_potential`).
    /// - Throws: `candidateAlreadyKnown`, or why it has no potential.
    public func canAddAsPotential(_ candidate: some HypotheticalOrConcreteCandidate) throws(FragmentChainError) {
        guard !contains(candidate.candidateHash) else { throw .candidateAlreadyKnown }
        try checkPotential(candidate)
    }

    /// Adds a seconded candidate to the unconnected storage if it has potential.
    /// - Throws: `introduceBackedCandidate` for an entry marked backed, or why it cannot be added.
    public mutating func addSeconded(_ entry: CandidateEntry) throws(FragmentChainError) {
        guard entry.state != .backed else { throw .introduceBackedCandidate }
        try canAddAsPotential(entry)
        try unconnected.add(entry)
    }

    /// A candidate of this chain's storage was backed: mark it, and let it into the best chain if it
    /// now fits there (the chain is reverted to its parent and populated again; forks that lost their
    /// potential go). Unknown or already chained candidates change nothing.
    public mutating func candidateBacked(_ hash: CandidateHash) {
        guard !bestChain.contains(hash), let entry = unconnected.entry(hash) else { return }
        unconnected.markBacked(hash)
        guard revert(to: entry.parentHeadDataHash) else { return }
        var storage = unconnected
        unconnected = CandidateStorage()
        populateChain(&storage)
        trimIneligibleForks(&storage, from: entry.parentHeadDataHash)
        keepPotentialCandidates(of: storage)
    }

    /// The head data with this hash: the required parent, a chain node's parent or output, or a stored one.
    public func headData(by hash: Hash) -> HeadData? {
        let required = scope.baseConstraints.requiredParent
        if required.hash == hash { return required }
        if bestChain.byParentHead[hash] != nil || bestChain.byOutputHead[hash] != nil {
            for node in bestChain.nodes {
                if node.parentHeadDataHash == hash { return node.fragment.candidate.persistedValidationData.parentHead }
                if node.outputHeadDataHash == hash { return node.fragment.candidate.commitments.headData }
            }
        }
        return unconnected.headData(by: hash)
    }

    /// Up to `count` candidates of the best chain after the longest prefix whose candidates are all in
    /// `ancestors`, stopping at one pending availability (`find_backable_chain`): (hash, relay parent).
    public func findBackableChain(ancestors: Set<CandidateHash>, count: Int) -> [(CandidateHash, Hash)] {
        guard count > 0 else { return [] }
        let base = ancestorPathLength(ancestors)
        let end = min(base + count, bestChain.nodes.count)
        var answer: [(CandidateHash, Hash)] = []
        for node in bestChain.nodes[base..<end] {
            guard scope.pending(node.candidateHash) == nil else { break }
            answer.append((node.candidateHash, node.fragment.relayParent.hash))
        }
        return answer
    }

    /// How many candidates at the start of the best chain are in `ancestors` (`find_ancestor_path`).
    func ancestorPathLength(_ ancestors: Set<CandidateHash>) -> Int {
        var remaining = ancestors
        for (index, node) in bestChain.nodes.enumerated() where remaining.remove(node.candidateHash) == nil {
            return index
        }
        return bestChain.nodes.count
    }

    /// The relay parent of the best chain's last candidate (or of the scope when empty): the chain's
    /// relay parents never move backwards.
    func earliestRelayParent() -> RelayChainBlockInfo? {
        guard let last = bestChain.nodes.last else { return scope.earliestRelayParent }
        return scope.ancestor(last.fragment.relayParent.hash) ?? scope.pending(last.candidateHash)?.relayParent
    }

    /// The relay parent of the last candidate pending availability in the chain, or the scope's earliest.
    func earliestRelayParentPendingAvailability() -> RelayChainBlockInfo {
        for node in bestChain.nodes.reversed() {
            if let pending = scope.pending(node.candidateHash) { return pending.relayParent }
        }
        return scope.earliestRelayParent
    }

    /// Whether a candidate could be part of this chain, now or once its parent arrives (`check_potential`).
    func checkPotential(_ candidate: some HypotheticalOrConcreteCandidate) throws(FragmentChainError) {
        let parentHead = candidate.parentHeadDataHash
        if let output = candidate.outputHeadDataHash, output == parentHead { throw .zeroLengthCycle }
        guard let relayParent = scope.ancestor(candidate.relayParent) else {
            throw .relayParentNotInScope(candidate.relayParent)
        }
        let earliestPending = earliestRelayParentPendingAvailability()
        guard relayParent.number >= earliestPending.number else {
            throw .relayParentPrecedesCandidatePendingAvailability(relayParent.hash, earliestPending.hash)
        }
        if let other = bestChain.byParentHead[parentHead] {
            if scope.pending(other) != nil { throw .forkWithCandidatePendingAvailability(other) }
            if forkChoicePrefers(other, over: candidate.candidateHash) { throw .forkChoiceRule(other) }
        }
        let constraints: Constraints
        var parentRelayParentNumber: BlockNumber?
        if let parentHash = bestChain.byOutputHead[parentHead] {
            guard let parent = bestChain.nodes.first(where: { $0.candidateHash == parentHash }) else {
                throw .parentCandidateNotFound
            }
            do {
                constraints = try scope.baseConstraints.applying(parent.cumulativeModifications)
            } catch {
                throw .computeConstraints(error)
            }
            parentRelayParentNumber = scope.ancestor(parent.fragment.relayParent.hash)?.number
        } else if scope.baseConstraints.requiredParent.hash == parentHead {
            constraints = scope.baseConstraints
        } else {
            // The parent is not known yet: nothing more can be checked now.
            return
        }
        if let output = candidate.outputHeadDataHash { try checkCyclesOrInvalidTree(output) }
        if let prospective = candidate.prospective {
            do {
                try Fragment.check(
                    relayParent: relayParent, constraints: constraints, commitments: prospective.commitments,
                    validationCodeHash: prospective.validationCodeHash,
                    persistedValidationData: prospective.persistedValidationData)
            } catch {
                throw .checkAgainstConstraints(error)
            }
        }
        guard relayParent.number >= constraints.minRelayParentNumber else { throw .relayParentMovedBackwards }
        if let parentRelayParentNumber, relayParent.number < parentRelayParentNumber {
            throw .relayParentMovedBackwards
        }
    }

    /// A candidate whose output is a chain node's parent would close a cycle; one whose output is
    /// already a chain node's output would be a second path to that state.
    func checkCyclesOrInvalidTree(_ outputHead: Hash) throws(FragmentChainError) {
        if bestChain.byParentHead[outputHead] != nil { throw .cycle }
        if bestChain.byOutputHead[outputHead] != nil { throw .multiplePaths }
    }

    /// Reverts the best chain so that a candidate building on `parentHead` may join it: cleared when it
    /// builds on the required parent, cut after the node whose output it is otherwise. The removed nodes
    /// go back to storage. - Returns: `false` when neither applies.
    mutating func revert(to parentHead: Hash) -> Bool {
        let removed: [FragmentNode]
        if scope.baseConstraints.requiredParent.hash == parentHead {
            removed = bestChain.clear()
        } else if bestChain.byOutputHead[parentHead] != nil {
            removed = bestChain.revert(toParentHead: parentHead)
        } else {
            return false
        }
        for node in removed { try? unconnected.add(CandidateEntry(node)) }
        return true
    }

    /// Moves backed candidates from `storage` into the best chain while one fits
    /// (`populate_chain`): pending availability first, then the lowest hash.
    mutating func populateChain(_ storage: inout CandidateStorage) {
        var cumulative = bestChain.nodes.last?.cumulativeModifications ?? .identity
        guard var earliest = earliestRelayParent() else { return }
        while bestChain.nodes.count <= scope.maxDepth {
            guard let childConstraints = try? scope.baseConstraints.applying(cumulative) else { break }
            let required = childConstraints.requiredParent.hash
            var best: (fragment: Fragment, entry: CandidateEntry, pending: Bool)?
            for entry in storage.backedChildren(of: required) {
                let pending = scope.pending(entry.candidateHash)
                guard let relayParent = pending?.relayParent ?? scope.ancestor(entry.relayParent) else { continue }
                guard (try? checkCyclesOrInvalidTree(entry.outputHead)) != nil else { continue }
                // Only candidates pending availability may have a relay parent out of scope, and the
                // first of them may precede the scope.
                let minimum =
                    pending.map { bestChain.nodes.isEmpty ? $0.relayParent.number : earliest.number } ?? earliest.number
                guard relayParent.number >= minimum, !bestChain.contains(entry.candidateHash) else { continue }
                var constraints = childConstraints
                if let pending { constraints.minRelayParentNumber = pending.relayParent.number }
                guard
                    let fragment = try? Fragment(
                        relayParent: relayParent, operatingConstraints: constraints, candidate: entry.candidate)
                else { continue }
                let isPending = pending != nil
                if let current = best {
                    let better =
                        isPending && !current.pending
                        || (isPending == current.pending
                            && forkChoicePrefers(entry.candidateHash, over: current.entry.candidateHash))
                    if !better { continue }
                }
                best = (fragment, entry, isPending)
            }
            guard let chosen = best else { break }
            storage.remove(chosen.entry.candidateHash)
            cumulative.stack(chosen.fragment.modifications)
            earliest = chosen.fragment.relayParent
            bestChain.push(
                FragmentNode(
                    fragment: chosen.fragment, candidateHash: chosen.entry.candidateHash,
                    cumulativeModifications: cumulative, parentHeadDataHash: chosen.entry.parentHeadDataHash,
                    outputHeadDataHash: chosen.entry.outputHead))
        }
    }

    /// Removes from `storage` every candidate that lost its potential, and its descendants, walking
    /// breadth-first from `start` (or from the chain's parents) (`trim_uneligible_forks`).
    mutating func trimIneligibleForks(_ storage: inout CandidateStorage, from start: Hash?) {
        var queue: [(head: Hash, hasPotential: Bool)]
        if let start {
            queue = [(start, true)]
        } else if bestChain.nodes.isEmpty {
            queue = [(scope.baseConstraints.requiredParent.hash, true)]
        } else {
            queue = bestChain.nodes.map { ($0.parentHeadDataHash, true) }
        }
        var visited: Set<Hash> = []
        var next = 0
        while next < queue.count {
            let (parent, parentHasPotential) = queue[next]
            next += 1
            visited.insert(parent)
            var toRemove: [CandidateHash] = []
            for childHash in storage.children(of: parent) {
                guard let child = storage.entry(childHash), !visited.contains(child.outputHead) else { continue }
                if parentHasPotential, (try? checkPotential(child)) != nil {
                    queue.append((child.outputHead, true))
                } else {
                    toRemove.append(childHash)
                    queue.append((child.outputHead, false))
                }
            }
            for hash in toRemove { storage.remove(hash) }
        }
    }

    /// Keeps in the unconnected storage each candidate of `storage` that still has potential.
    mutating func keepPotentialCandidates(of storage: CandidateStorage) {
        for entry in storage.entries where scope.pending(entry.candidateHash) == nil {
            if (try? canAddAsPotential(entry)) != nil { try? unconnected.add(entry) }
        }
    }
}
