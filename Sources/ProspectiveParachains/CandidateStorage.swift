public import Primitives

/// Where a candidate stands: seconded by someone, or backed.
public enum CandidateState: Hashable, Sendable {
    case seconded
    case backed
}

/// What prospective parachains needs to know of a candidate, complete or not (a hypothetical candidate
/// of the collator protocol has no outputs yet).
public protocol HypotheticalOrConcreteCandidate {
    var candidateHash: CandidateHash { get }
    var parentHeadDataHash: Hash { get }
    /// `nil` for a candidate whose outputs are not known yet.
    var outputHeadDataHash: Hash? { get }
    var relayParent: Hash { get }
    /// The outputs, validation data and code hash, when known.
    var prospective: ProspectiveCandidate? { get }
}

/// A candidate known only by its hash, para's parent head and relay parent (`HypotheticalCandidate::
/// Incomplete`): what the collator protocol asks about before fetching a collation.
public struct IncompleteCandidate: HypotheticalOrConcreteCandidate, Hashable, Sendable {
    public let candidateHash: CandidateHash
    public let parentHeadDataHash: Hash
    public let relayParent: Hash
    public var outputHeadDataHash: Hash? { nil }
    public var prospective: ProspectiveCandidate? { nil }

    public init(candidateHash: CandidateHash, parentHeadDataHash: Hash, relayParent: Hash) {
        self.candidateHash = candidateHash
        self.parentHeadDataHash = parentHeadDataHash
        self.relayParent = relayParent
    }
}

/// A candidate in a fragment chain's storage (`CandidateEntry`).
public struct CandidateEntry: HypotheticalOrConcreteCandidate, Hashable, Sendable {
    public let candidateHash: CandidateHash
    public let parentHeadDataHash: Hash
    public let outputHead: Hash
    public let relayParent: Hash
    public let candidate: ProspectiveCandidate
    public internal(set) var state: CandidateState

    public var outputHeadDataHash: Hash? { outputHead }
    public var prospective: ProspectiveCandidate? { candidate }

    /// An entry for `receipt` built on `persistedValidationData`.
    /// - Throws: `persistedValidationDataMismatch` when the data is not what the descriptor commits to;
    ///   `zeroLengthCycle` when the candidate's head is its parent's.
    public init(
        candidateHash: CandidateHash, receipt: CommittedCandidateReceipt,
        persistedValidationData: PersistedValidationData, state: CandidateState
    ) throws(FragmentChainError) {
        guard persistedValidationData.hash == receipt.descriptor.persistedValidationDataHash else {
            throw .persistedValidationDataMismatch
        }
        let parent = persistedValidationData.parentHead.hash
        let output = receipt.commitments.headData.hash
        guard parent != output else { throw .zeroLengthCycle }
        self.candidateHash = candidateHash
        parentHeadDataHash = parent
        outputHead = output
        relayParent = receipt.descriptor.relayParent
        candidate = ProspectiveCandidate(
            commitments: receipt.commitments, persistedValidationData: persistedValidationData,
            povHash: receipt.descriptor.povHash, validationCodeHash: receipt.descriptor.validationCodeHash)
        self.state = state
    }

    init(_ node: FragmentNode) {
        candidateHash = node.candidateHash
        parentHeadDataHash = node.parentHeadDataHash
        outputHead = node.outputHeadDataHash
        relayParent = node.fragment.relayParent.hash
        candidate = node.fragment.candidate
        state = .backed
    }
}

/// Candidates indexed by hash, parent head and output head (`CandidateStorage`).
public struct CandidateStorage: Sendable {
    private(set) var byCandidateHash: [CandidateHash: CandidateEntry] = [:]
    private(set) var byParentHead: [Hash: Set<CandidateHash>] = [:]
    private(set) var byOutputHead: [Hash: Set<CandidateHash>] = [:]

    public init() {}

    public var count: Int { byCandidateHash.count }
    public var entries: [CandidateEntry] { Array(byCandidateHash.values) }

    public func contains(_ hash: CandidateHash) -> Bool { byCandidateHash[hash] != nil }
    public func entry(_ hash: CandidateHash) -> CandidateEntry? { byCandidateHash[hash] }

    /// Adds a new entry. - Throws: `candidateAlreadyKnown` for a hash it holds.
    public mutating func add(_ entry: CandidateEntry) throws(FragmentChainError) {
        guard byCandidateHash[entry.candidateHash] == nil else { throw .candidateAlreadyKnown }
        byParentHead[entry.parentHeadDataHash, default: []].insert(entry.candidateHash)
        byOutputHead[entry.outputHead, default: []].insert(entry.candidateHash)
        byCandidateHash[entry.candidateHash] = entry
    }

    /// Adds a candidate (`add_pending_availability_candidate` and the like).
    public mutating func add(
        candidateHash: CandidateHash, receipt: CommittedCandidateReceipt,
        persistedValidationData: PersistedValidationData, state: CandidateState
    ) throws(FragmentChainError) {
        try add(
            CandidateEntry(
                candidateHash: candidateHash, receipt: receipt, persistedValidationData: persistedValidationData,
                state: state))
    }

    @discardableResult
    public mutating func remove(_ hash: CandidateHash) -> CandidateEntry? {
        guard let entry = byCandidateHash.removeValue(forKey: hash) else { return nil }
        Self.unlink(hash, from: entry.parentHeadDataHash, in: &byParentHead)
        Self.unlink(hash, from: entry.outputHead, in: &byOutputHead)
        return entry
    }

    private static func unlink(_ hash: CandidateHash, from head: Hash, in index: inout [Hash: Set<CandidateHash>]) {
        index[head]?.remove(hash)
        if index[head]?.isEmpty == true { index[head] = nil }
    }

    public mutating func markBacked(_ hash: CandidateHash) { byCandidateHash[hash]?.state = .backed }

    /// The hashes of the candidates building on `parentHead`.
    public func children(of parentHead: Hash) -> Set<CandidateHash> { byParentHead[parentHead] ?? [] }

    /// The backed candidates building on `parentHead` (`possible_backed_para_children`).
    public func backedChildren(of parentHead: Hash) -> [CandidateEntry] {
        children(of: parentHead).compactMap { byCandidateHash[$0] }.filter { $0.state == .backed }
    }

    /// The head data with this hash, from a candidate's output or, failing that, its parent.
    public func headData(by hash: Hash) -> HeadData? {
        if let output = byOutputHead[hash]?.first, let entry = byCandidateHash[output] {
            return entry.candidate.commitments.headData
        }
        if let child = byParentHead[hash]?.first, let entry = byCandidateHash[child] {
            return entry.candidate.persistedValidationData.parentHead
        }
        return nil
    }
}

/// Why prospective parachains refuses a candidate (`fragment_chain::Error`).
public enum FragmentChainError: Error, Hashable, Sendable {
    case candidateAlreadyKnown
    case introduceBackedCandidate
    case cycle
    case multiplePaths
    case zeroLengthCycle
    case relayParentNotInScope(Hash)
    case relayParentPrecedesCandidatePendingAvailability(Hash, Hash)
    case forkWithCandidatePendingAvailability(CandidateHash)
    case forkChoiceRule(CandidateHash)
    case parentCandidateNotFound
    case computeConstraints(ModificationError)
    case checkAgainstConstraints(FragmentValidityError)
    case relayParentMovedBackwards
    case persistedValidationDataMismatch
}
