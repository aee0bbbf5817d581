import Primitives
import ProspectiveParachains
import Testing

/// The implicit view's tests (polkadot-sdk `polkadot/node/subsystem-util/src/backing_implicit_view.rs` @
/// 04d2623d, reference §6.5), ported under their names with their assertions.
struct ImplicitViewTests {
    static let paraA = ParaId(1)
    static let paraB = ParaId(2)
    static let paraC = ParaId(3)

    /// A chain of blocks 0…count−1; block n's hash is n repeated, its parent block n − 1.
    static func chain(_ count: Int, fork: UInt8 = 0) -> [BlockHeaderInfo] {
        (0..<count).map { n in
            BlockHeaderInfo(
                hash: hash(n, fork: fork), number: BlockNumber(n), parentHash: n == 0 ? .zero : hash(n - 1, fork: fork))
        }
    }

    static func hash(_ n: Int, fork: UInt8 = 0) -> Hash {
        var bytes = [UInt8](repeating: UInt8(n), count: 32)
        bytes[0] = fork
        return H256(unchecked: bytes)
    }

    /// A header lookup over `blocks` that records what it was asked.
    final class Headers: @unchecked Sendable {
        let byHash: [Hash: BlockHeaderInfo]
        var asked: [BlockNumber] = []
        init(_ blocks: [BlockHeaderInfo]) { byHash = Dictionary(uniqueKeysWithValues: blocks.map { ($0.hash, $0) }) }
        func lookup(_ hash: Hash) -> BlockHeaderInfo? {
            let found = byHash[hash]
            if let found { asked.append(found.number) }
            return found
        }
    }

    @Test func construct_fresh_view() throws {
        let blocks = Self.chain(10)
        let headers = Headers(blocks)
        var view = ImplicitView()
        let leaf = blocks[9]
        let allowed = try view.activate(
            leaf: leaf, minimumRelayParents: [Self.paraA: 6, Self.paraB: 4], header: headers.lookup)
        #expect(allowed == (4...9).reversed().map { Self.hash($0) })
        // Headers are read down to the smallest minimum, and no further.
        #expect(headers.asked == [8, 7, 6, 5, 4])
        #expect(
            view.allowedRelayParents(under: leaf.hash, para: Self.paraA) == (6...9).reversed().map { Self.hash($0) })
        #expect(
            view.allowedRelayParents(under: leaf.hash, para: Self.paraB) == (4...9).reversed().map { Self.hash($0) })
        #expect(view.allowedRelayParents(under: leaf.hash, para: Self.paraC) == [])
        #expect(view.allowedRelayParents(under: leaf.hash, para: nil) == allowed)
        // An ancestor is stored, but was never a leaf: it has no allowed relay parents of its own.
        #expect(view.contains(Self.hash(5)))
        #expect(view.allowedRelayParents(under: Self.hash(5), para: nil) == nil)
        #expect(view.allAllowedRelayParents == Set(allowed))
        #expect(throws: ImplicitView.ActivationError.alreadyKnown) {
            try view.activate(leaf: leaf, minimumRelayParents: [:], header: headers.lookup)
        }
        // The last leaf gone, everything is pruned.
        #expect(Set(view.deactivate(leaf.hash)) == Set((4...9).map { Self.hash($0) }))
        #expect(!view.contains(leaf.hash))
    }

    @Test func construct_fresh_view_single_para() throws {
        let blocks = Self.chain(10)
        var view = ImplicitView()
        let allowed = try view.activate(
            leaf: blocks[9], minimumRelayParents: [Self.paraA: 8], header: Headers(blocks).lookup)
        #expect(allowed == [Self.hash(9), Self.hash(8)])
        #expect(view.allowedRelayParents(under: blocks[9].hash, para: Self.paraA) == [Self.hash(9), Self.hash(8)])
        #expect(view.allowedRelayParents(under: blocks[9].hash, para: Self.paraB) == [])
        // No para tracked: the leaf alone.
        var bare = ImplicitView()
        #expect(
            try bare.activate(leaf: blocks[9], minimumRelayParents: [:], header: Headers(blocks).lookup) == [
                Self.hash(9)
            ])
        // A minimum above the leaf allows nothing for that para.
        var above = ImplicitView()
        try above.activate(
            leaf: blocks[5], minimumRelayParents: [Self.paraA: 7, Self.paraB: 5], header: Headers(blocks).lookup)
        #expect(above.allowedRelayParents(under: blocks[5].hash, para: Self.paraA) == [])
    }

    @Test func reuse_block_info_storage() throws {
        let blocks = Self.chain(12)
        let headers = Headers(blocks)
        var view = ImplicitView()
        try view.activate(leaf: blocks[9], minimumRelayParents: [Self.paraA: 6], header: headers.lookup)
        headers.asked = []
        // The child leaf needs 10's ancestry down to 7: all known already, nothing is read again.
        let allowed = try view.activate(leaf: blocks[10], minimumRelayParents: [Self.paraA: 7], header: headers.lookup)
        #expect(allowed == (7...10).reversed().map { Self.hash($0) })
        #expect(headers.asked.isEmpty)
        // The older leaf goes: blocks the newer one retains (from min(7, 10 − 2) = 7) stay.
        let pruned = view.deactivate(blocks[9].hash)
        #expect(Set(pruned) == [Self.hash(6)])
        #expect(view.contains(blocks[9].hash))
        #expect(view.allowedRelayParents(under: blocks[10].hash, para: Self.paraA) == allowed)
    }

    @Test func path_with_fork() throws {
        // Two forks share blocks 0…4; leaves at 7 on each.
        let main = Self.chain(8)
        var fork = Self.chain(8, fork: 1)
        for n in 0...4 { fork[n] = main[n] }
        fork[5] = BlockHeaderInfo(hash: fork[5].hash, number: 5, parentHash: main[4].hash)
        let headers = Headers(main + fork.suffix(3))
        var view = ImplicitView()
        try view.activate(leaf: main[7], minimumRelayParents: [Self.paraA: 3], header: headers.lookup)
        let forkAllowed = try view.activate(leaf: fork[7], minimumRelayParents: [Self.paraA: 3], header: headers.lookup)
        #expect(forkAllowed == [fork[7].hash, fork[6].hash, fork[5].hash, main[4].hash, main[3].hash])
        #expect(view.allAllowedRelayParents.count == 8)  // 7, 6, 5 on each fork, then 4 and 3 shared
        view.deactivate(main[7].hash)
        #expect(view.allAllowedRelayParents == Set(forkAllowed))
    }

    @Test func aMissingHeaderRefusesTheLeafAndLeavesTheViewAsItWas() {
        let blocks = Self.chain(10)
        var view = ImplicitView()
        let partial = Headers(Array(blocks[6...]))
        #expect(throws: ImplicitView.ActivationError.headerUnavailable(Self.hash(5))) {
            try view.activate(leaf: blocks[9], minimumRelayParents: [Self.paraA: 4], header: partial.lookup)
        }
        #expect(view.activeLeaves.isEmpty)
        #expect(!view.contains(Self.hash(8)))
    }
}
