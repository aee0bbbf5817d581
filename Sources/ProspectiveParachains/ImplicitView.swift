public import Primitives

/// A relay-chain block header as the implicit view needs it.
public struct BlockHeaderInfo: Hashable, Sendable {
    public let hash: Hash
    public let number: BlockNumber
    public let parentHash: Hash

    public init(hash: Hash, number: BlockNumber, parentHash: Hash) {
        self.hash = hash
        self.number = number
        self.parentHash = parentHash
    }
}

/// Which relay parents backing accepts under each active leaf (`backing_implicit_view::View`, validator
/// flavour): for a leaf and a para, the leaf and its ancestors down to the para's minimum relay parent.
///
/// Pure: headers come from the caller (the leaf's ancestry), minimum relay parents from prospective
/// parachains.
public struct ImplicitView: Sendable {
    /// Blocks below `leafNumber − minimumRetainLength` are pruned once no leaf needs them.
    public static let minimumRetainLength: BlockNumber = 2

    private struct BlockInfo {
        let number: BlockNumber
        let parentHash: Hash
        /// For leaves: the contiguous ancestry (leaf first) and each para's minimum relay parent.
        var allowed: (ancestry: [Hash], minimumRelayParents: [ParaId: BlockNumber])?
    }

    /// Why a leaf could not be activated.
    public enum ActivationError: Error, Hashable, Sendable {
        case alreadyKnown
        /// A header of the ancestry down to the minimum relay parent was not supplied.
        case headerUnavailable(Hash)
    }

    private var leaves: [Hash: BlockNumber] = [:]
    private var blocks: [Hash: BlockInfo] = [:]

    public init() {}

    public var activeLeaves: Set<Hash> { Set(leaves.keys) }

    /// Activates `leaf` with the minimum relay parent of each para prospective parachains tracks there;
    /// the ancestry down to the smallest minimum is read from known blocks or `header`.
    /// - Returns: the relay parents allowed under the leaf for any para (leaf first).
    @discardableResult
    public mutating func activate(
        leaf: BlockHeaderInfo, minimumRelayParents: [ParaId: BlockNumber], header: (Hash) -> BlockHeaderInfo?
    ) throws(ActivationError) -> [Hash] {
        guard leaves[leaf.hash] == nil else { throw .alreadyKnown }
        let minimum = minimumRelayParents.values.min() ?? leaf.number
        var ancestry = [leaf.hash]
        var learned: [Hash: BlockInfo] = [:]
        if leaf.number > 0 {
            var number = leaf.number - 1
            var hash = leaf.parentHash
            while number >= minimum {
                let parent: Hash
                if let known = blocks[hash] {
                    parent = known.parentHash
                } else {
                    guard let fetched = header(hash) else { throw .headerUnavailable(hash) }
                    learned[hash] = BlockInfo(number: fetched.number, parentHash: fetched.parentHash)
                    parent = fetched.parentHash
                }
                ancestry.append(hash)
                if number == 0 { break }
                number -= 1
                hash = parent
            }
        }
        blocks.merge(learned) { old, _ in old }
        blocks[leaf.hash] = BlockInfo(
            number: leaf.number, parentHash: leaf.parentHash, allowed: (ancestry, minimumRelayParents))
        leaves[leaf.hash] = min(
            minimum, leaf.number >= Self.minimumRetainLength ? leaf.number - Self.minimumRetainLength : 0)
        return ancestry
    }

    /// Deactivates `leaf` and prunes every block below what the remaining leaves retain (everything
    /// when none remains). - Returns: the pruned blocks.
    @discardableResult
    public mutating func deactivate(_ leaf: Hash) -> [Hash] {
        guard leaves.removeValue(forKey: leaf) != nil else { return [] }
        let minimum = leaves.values.min()
        var removed: [Hash] = []
        for (hash, info) in blocks where minimum.map({ info.number < $0 }) ?? true { removed.append(hash) }
        for hash in removed { blocks[hash] = nil }
        return removed
    }

    /// The relay parents allowed under `block` (a leaf, or a former leaf still known) for `para`, or for
    /// any para when `nil`: the leaf and its ancestors down to the para's minimum, leaf first. Empty for a
    /// para without a minimum there or whose minimum is above the block; `nil` for an unknown block or
    /// one that never was a leaf.
    public func allowedRelayParents(under block: Hash, para: ParaId?) -> [Hash]? {
        guard let info = blocks[block], let allowed = info.allowed else { return nil }
        guard let para else { return allowed.ancestry }
        guard let minimum = allowed.minimumRelayParents[para], info.number >= minimum else { return [] }
        return Array(allowed.ancestry.prefix(Int(info.number - minimum) + 1))
    }

    /// Every relay parent allowed under some active leaf, for any para.
    public var allAllowedRelayParents: Set<Hash> {
        Set(leaves.keys.flatMap { allowedRelayParents(under: $0, para: nil) ?? [] })
    }

    /// Whether the view still stores `block` (backing keeps relay-parent states exactly for these).
    public func contains(_ block: Hash) -> Bool { blocks[block] != nil }

    /// The number of a stored block.
    public func number(of block: Hash) -> BlockNumber? { blocks[block]?.number }
}
