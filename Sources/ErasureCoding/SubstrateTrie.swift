import Primitives

/// An immutable Substrate trie (no extension nodes, layout V0, blake2b-256) over a set of key/value pairs,
/// built in closed form: a branch's partial key is the longest common prefix of the keys below it, and a
/// single remaining key becomes a leaf. Keeps every node so that it can produce lookup proofs.
struct SubstrateTrie: Sendable {
    private struct Node: Sendable {
        var encoding: [UInt8]
        var partial: [UInt8]
        /// Child node indices by nibble; empty for a leaf.
        var children: [Int?]
    }

    private var nodes: [Node] = []
    private var rootIndex: Int?
    /// blake2b-256 of the root node's encoding (of `00` for an empty trie).
    private(set) var root: H256 = .zero

    /// Builds the trie; a key given twice keeps its last value.
    init(pairs: [([UInt8], [UInt8])]) {
        var latest = [[UInt8]: [UInt8]]()
        for (key, value) in pairs { latest[key] = value }
        let items = latest.map { (nibbles: Self.nibbles(of: $0.key), value: $0.value) }
            .sorted { $0.nibbles.lexicographicallyPrecedes($1.nibbles) }
        if items.isEmpty {
            root = Blake2b.hash256(TrieNodeCodec.encode(.empty))
        } else {
            let index = build(items[...], depth: 0)
            rootIndex = index
            root = Blake2b.hash256(nodes[index].encoding)
        }
    }

    static func nibbles(of key: [UInt8]) -> [UInt8] { key.flatMap { [$0 >> 4, $0 & 0x0F] } }

    /// Builds the subtrie of `items` (sorted, sharing their first `depth` nibbles) and returns its index.
    private mutating func build(_ items: ArraySlice<(nibbles: [UInt8], value: [UInt8])>, depth: Int) -> Int {
        let first = items[items.startIndex]
        if items.count == 1 {
            let partial = Array(first.nibbles[depth...])
            return append(
                Node(
                    encoding: TrieNodeCodec.encode(.leaf(partial: partial, value: first.value)), partial: partial,
                    children: []))
        }
        let last = items[items.endIndex - 1]
        var end = depth
        while end < first.nibbles.count && end < last.nibbles.count && first.nibbles[end] == last.nibbles[end] {
            end += 1
        }
        var rest = items
        var value: [UInt8]?
        // Sorted order puts a key that ends at the branch (a prefix of the others) first.
        if first.nibbles.count == end {
            value = first.value
            rest = items.dropFirst()
        }
        var children = [Int?](repeating: nil, count: 16)
        var start = rest.startIndex
        while start < rest.endIndex {
            let nibble = rest[start].nibbles[end]
            var stop = start + 1
            while stop < rest.endIndex && rest[stop].nibbles[end] == nibble { stop += 1 }
            children[Int(nibble)] = build(rest[start..<stop], depth: end + 1)
            start = stop
        }
        let partial = Array(first.nibbles[depth..<end])
        let references = children.map { $0.map { TrieNodeCodec.reference(to: nodes[$0].encoding) } }
        return append(
            Node(
                encoding: TrieNodeCodec.encode(.branch(partial: partial, value: value, children: references)),
                partial: partial, children: children))
    }

    private mutating func append(_ node: Node) -> Int {
        nodes.append(node)
        return nodes.count - 1
    }

    /// The nodes read when looking `key` up, root first; inline nodes travel inside their parent.
    func proof(forKey key: [UInt8]) -> [[UInt8]] {
        guard var index = rootIndex else { return [TrieNodeCodec.encode(.empty)] }
        let nibbles = Self.nibbles(of: key)
        var proof = [nodes[index].encoding]
        var offset = 0
        while true {
            let node = nodes[index]
            guard nibbles.count >= offset + node.partial.count,
                Array(nibbles[offset..<(offset + node.partial.count)]) == node.partial
            else { return proof }
            offset += node.partial.count
            guard offset < nibbles.count, !node.children.isEmpty, let child = node.children[Int(nibbles[offset])] else {
                return proof
            }
            offset += 1
            index = child
            if nodes[index].encoding.count >= 32 { proof.append(nodes[index].encoding) }
        }
    }

    /// Looks `key` up in the trie with root `root`, using only the nodes in `proof` (found by hash).
    /// - Throws: ``ErasureCodingError/invalidProof(_:)`` when a needed node is missing or malformed, or the
    ///   key is not in the trie.
    static func lookup(_ key: [UInt8], root: H256, proof: [[UInt8]]) throws(ErasureCodingError) -> [UInt8] {
        var byHash = [H256: [UInt8]]()
        for node in proof { byHash[Blake2b.hash256(node)] = node }
        guard var encoding = byHash[root] else { throw .invalidProof("no node hashes to the root") }
        let nibbles = nibbles(of: key)
        var offset = 0
        while true {
            let node = try TrieNodeCodec.decode(encoding)
            switch node {
            case .empty:
                throw .invalidProof("the key is not in the trie")
            case .leaf(let partial, let value):
                guard Array(nibbles[offset...]) == partial else { throw .invalidProof("the key is not in the trie") }
                return value
            case .branch(let partial, let value, let children):
                guard nibbles.count >= offset + partial.count,
                    Array(nibbles[offset..<(offset + partial.count)]) == partial
                else { throw .invalidProof("the key is not in the trie") }
                offset += partial.count
                if offset == nibbles.count {
                    guard let value else { throw .invalidProof("the key is not in the trie") }
                    return value
                }
                guard let reference = children[Int(nibbles[offset])] else {
                    throw .invalidProof("the key is not in the trie")
                }
                offset += 1
                if reference.count == 32 {
                    guard let child = byHash[H256(unchecked: reference)] else {
                        throw .invalidProof("the proof lacks the node at nibble depth \(offset)")
                    }
                    encoding = child
                } else {
                    encoding = reference
                }
            }
        }
    }
}
