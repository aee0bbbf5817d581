import Primitives
import ProspectiveParachains
import Testing

/// The prospective-parachains subsystem's tests (polkadot-sdk `…/prospective-parachains/src/tests.rs`,
/// reference §6.2), ported to the pure view under their names with their assertions: the leaf's runtime
/// data is what the caller passes in instead of what the tests answer to runtime requests.
struct ProspectiveParachainsViewTests {
    static let codeHash = ValidationCodeHash(repeating: 42)
    static let maxPovSize: UInt32 = 1_000_000

    struct TestLeaf {
        let number: BlockNumber
        let hash: Hash
        /// (para, minimum relay parent, required parent head)
        let paras: [(ParaId, BlockNumber, HeadData)]
        var pending: [ParaId: [PendingCandidate]] = [:]

        var block: RelayChainBlockInfo {
            RelayChainBlockInfo(hash: hash, number: number, storageRoot: Self.storageRoot(hash))
        }
        static func storageRoot(_ hash: Hash) -> Hash { Blake2b.hash256(hash.bytes) }
        /// Block `n`'s hash in this leaf's chain (the leaf itself for its own number).
        func ancestorHash(_ n: BlockNumber) -> Hash {
            n == number ? hash : Blake2b.hash256(hash.bytes + n.scaleEncoded)
        }
        func ancestor(_ n: BlockNumber) -> RelayChainBlockInfo {
            RelayChainBlockInfo(hash: ancestorHash(n), number: n, storageRoot: Self.storageRoot(ancestorHash(n)))
        }
    }

    static func constraints(min: BlockNumber, head: HeadData, upTo number: BlockNumber) -> Constraints {
        Constraints(
            minRelayParentNumber: min, maxPovSize: maxPovSize, maxCodeSize: 1_000_000, maxHeadDataSize: 1_000_000,
            umpRemaining: 10, umpRemainingBytes: 1_000, maxUmpNumPerCandidate: 10, dmpRemainingMessages: [],
            validWatermarks: Array(min...number), hrmpChannelsOut: [:], maxHrmpNumPerCandidate: 0,
            requiredParent: head, validationCodeHash: codeHash)
    }

    static func activate(_ view: inout ProspectiveParachainsView, _ leaf: TestLeaf, depth: Int = 4, ancestry: Int = 3) {
        let ancestors = (0..<BlockNumber(ancestry)).compactMap { i -> RelayChainBlockInfo? in
            leaf.number > i ? leaf.ancestor(leaf.number - i - 1) : nil
        }
        var paras: [ParaId: ParaBackingState] = [:]
        for (para, min, head) in leaf.paras {
            paras[para] = ParaBackingState(
                constraints: constraints(min: min, head: head, upTo: leaf.number),
                pendingAvailability: leaf.pending[para] ?? [])
        }
        view.activate(
            ActivatedLeaf(
                block: leaf.block, parentHash: leaf.ancestorHash(leaf.number - 1), ancestors: ancestors, paras: paras,
                maxDepth: depth))
    }

    /// A candidate of `para` at relay parent `relayParent` building `head` on `parentHead`.
    static func candidate(
        para: ParaId, relayParent: RelayChainBlockInfo, parentHead: HeadData, head: HeadData
    ) -> (CommittedCandidateReceipt, PersistedValidationData) {
        let pvd = PersistedValidationData(
            parentHead: parentHead, relayParentNumber: relayParent.number,
            relayParentStorageRoot: relayParent.storageRoot, maxPovSize: maxPovSize)
        let receipt = CommittedCandidateReceipt(
            descriptor: CandidateDescriptor(
                paraId: para, relayParent: relayParent.hash, persistedValidationDataHash: pvd.hash,
                povHash: H256(repeating: 1), paraHead: head.hash, validationCodeHash: codeHash),
            commitments: CandidateCommitments(headData: head, hrmpWatermark: relayParent.number))
        return (receipt, pvd)
    }

    static let leafA = TestLeaf(
        number: 100, hash: H256(repeating: 0xa),
        paras: [(1, 97, HeadData(bytes: [1, 2, 3])), (2, 100, HeadData(bytes: [2, 3, 4]))])
    static let leafB = TestLeaf(
        number: 101, hash: H256(repeating: 0xb),
        paras: [(1, 99, HeadData(bytes: [3, 4, 5])), (2, 101, HeadData(bytes: [4, 5, 6]))])

    func introduce(_ view: inout ProspectiveParachainsView, _ c: (CommittedCandidateReceipt, PersistedValidationData))
        -> Bool
    {
        view.introduceSeconded(para: c.0.descriptor.paraId, receipt: c.0, persistedValidationData: c.1)
    }

    func backable(
        _ view: ProspectiveParachainsView, _ leaf: TestLeaf, _ para: ParaId, count: Int = 5,
        ancestors: Set<CandidateHash> = []
    )
        -> [CandidateHash]
    {
        view.backableCandidates(leaf: leaf.hash, para: para, count: count, ancestors: ancestors).map(\.0)
    }

    @Test func introduce_candidates_basic() {
        var view = ProspectiveParachainsView()
        Self.activate(&view, Self.leafA)
        Self.activate(&view, Self.leafB)
        let a1 = Self.candidate(
            para: 1, relayParent: Self.leafA.block, parentHead: HeadData(bytes: [1, 2, 3]), head: HeadData(bytes: [1]))
        let b1 = Self.candidate(
            para: 1, relayParent: Self.leafB.block, parentHead: HeadData(bytes: [3, 4, 5]), head: HeadData(bytes: [2]))
        let b2 = Self.candidate(
            para: 2, relayParent: Self.leafB.block, parentHead: HeadData(bytes: [4, 5, 6]), head: HeadData(bytes: [3]))
        #expect(introduce(&view, a1))
        #expect(introduce(&view, b1))
        #expect(introduce(&view, b2))
        view.candidateBacked(para: 1, candidateHash: a1.0.hash)
        view.candidateBacked(para: 1, candidateHash: b1.0.hash)
        view.candidateBacked(para: 2, candidateHash: b2.0.hash)
        // Each candidate is found only under its own leaf.
        #expect(backable(view, Self.leafA, 1) == [a1.0.hash])
        #expect(backable(view, Self.leafB, 1) == [b1.0.hash])
        #expect(backable(view, Self.leafB, 2) == [b2.0.hash])
        #expect(backable(view, Self.leafA, 2).isEmpty)
    }

    @Test func introduce_candidate_multiple_times() {
        var view = ProspectiveParachainsView()
        Self.activate(&view, Self.leafA)
        let a = Self.candidate(
            para: 1, relayParent: Self.leafA.block, parentHead: HeadData(bytes: [1, 2, 3]), head: HeadData(bytes: [1]))
        #expect(introduce(&view, a))
        for _ in 0..<3 { #expect(introduce(&view, a)) }
        #expect(view.chain(at: Self.leafA.hash, para: 1)?.unconnectedCount == 1)
        view.candidateBacked(para: 1, candidateHash: a.0.hash)
        #expect(introduce(&view, a))
        #expect(backable(view, Self.leafA, 1) == [a.0.hash])
    }

    @Test func fragment_chain_best_chain_length_is_bounded() {
        var view = ProspectiveParachainsView()
        Self.activate(&view, Self.leafA, depth: 1)
        let a = Self.candidate(
            para: 1, relayParent: Self.leafA.block, parentHead: HeadData(bytes: [1, 2, 3]), head: HeadData(bytes: [1]))
        let b = Self.candidate(
            para: 1, relayParent: Self.leafA.block, parentHead: HeadData(bytes: [1]), head: HeadData(bytes: [2]))
        let c = Self.candidate(
            para: 1, relayParent: Self.leafA.block, parentHead: HeadData(bytes: [2]), head: HeadData(bytes: [3]))
        for x in [a, b, c] {
            #expect(introduce(&view, x))
            view.candidateBacked(para: 1, candidateHash: x.0.hash)
        }
        // Depth 1: a best chain of two; the third stays out of it.
        #expect(backable(view, Self.leafA, 1) == [a.0.hash, b.0.hash])
    }

    @Test func introduce_candidate_parent_leaving_view() {
        var view = ProspectiveParachainsView()
        Self.activate(&view, Self.leafA)
        Self.activate(&view, Self.leafB)
        let a = Self.candidate(
            para: 1, relayParent: Self.leafA.block, parentHead: HeadData(bytes: [1, 2, 3]), head: HeadData(bytes: [1]))
        #expect(introduce(&view, a))
        view.deactivate(Self.leafA.hash)
        #expect(view.chain(at: Self.leafA.hash, para: 1) == nil)
        #expect(backable(view, Self.leafA, 1).isEmpty)
        // Leaf A is gone: its relay parent is in no scope, so the candidate cannot come back.
        #expect(!introduce(&view, a))
        view.deactivate(Self.leafB.hash)
        #expect(view.activeLeafHashes.isEmpty)
    }

    @Test func unconnected_candidates_become_connected() {
        var view = ProspectiveParachainsView()
        Self.activate(&view, Self.leafA)
        let heads = (0..<5).map { HeadData(bytes: [UInt8($0 + 10)]) }
        let a = Self.candidate(
            para: 1, relayParent: Self.leafA.block, parentHead: HeadData(bytes: [1, 2, 3]), head: heads[1])
        let b = Self.candidate(para: 1, relayParent: Self.leafA.block, parentHead: heads[1], head: heads[2])
        let c = Self.candidate(para: 1, relayParent: Self.leafA.block, parentHead: heads[2], head: heads[3])
        let d = Self.candidate(para: 1, relayParent: Self.leafA.block, parentHead: heads[3], head: heads[4])
        for x in [a, c, d] {
            #expect(introduce(&view, x))
            view.candidateBacked(para: 1, candidateHash: x.0.hash)
        }
        #expect(backable(view, Self.leafA, 1) == [a.0.hash])
        #expect(introduce(&view, b))
        view.candidateBacked(para: 1, candidateHash: b.0.hash)
        #expect(backable(view, Self.leafA, 1) == [a, b, c, d].map(\.0.hash))
    }

    @Test func check_backable_query_single_candidate() {
        var view = ProspectiveParachainsView()
        Self.activate(&view, Self.leafA)
        let a = Self.candidate(
            para: 1, relayParent: Self.leafA.block, parentHead: HeadData(bytes: [1, 2, 3]), head: HeadData(bytes: [1]))
        let b = Self.candidate(
            para: 1, relayParent: Self.leafA.block, parentHead: HeadData(bytes: [1]), head: HeadData(bytes: [2]))
        #expect(introduce(&view, a))
        #expect(introduce(&view, b))
        // Not backed yet: nothing backable.
        #expect(backable(view, Self.leafA, 1).isEmpty)
        view.candidateBacked(para: 1, candidateHash: a.0.hash)
        view.candidateBacked(para: 1, candidateHash: b.0.hash)
        // An unknown backed hash is ignored.
        view.candidateBacked(para: 1, candidateHash: H256(repeating: 9))
        #expect(backable(view, Self.leafA, 1, count: 0).isEmpty)
        #expect(backable(view, Self.leafA, 1, count: 1) == [a.0.hash])
        #expect(backable(view, Self.leafA, 1, count: 1, ancestors: [a.0.hash]) == [b.0.hash])
        #expect(backable(view, Self.leafA, 1, count: 1, ancestors: [a.0.hash, b.0.hash]).isEmpty)
        // Wrong leaf or para.
        #expect(backable(view, Self.leafB, 1).isEmpty)
        #expect(backable(view, Self.leafA, 2).isEmpty)
    }

    @Test func check_hypothetical_membership_query() {
        var view = ProspectiveParachainsView()
        Self.activate(&view, Self.leafA)
        Self.activate(&view, Self.leafB)
        let a = Self.candidate(
            para: 1, relayParent: Self.leafA.block, parentHead: HeadData(bytes: [1, 2, 3]), head: HeadData(bytes: [1]))
        let entryHash = a.0.hash
        let incomplete = IncompleteCandidate(
            candidateHash: entryHash, parentHeadDataHash: HeadData(bytes: [1, 2, 3]).hash, relayParent: Self.leafA.hash)
        // Before and after introducing it: a member under leaf A only (B's scope does not hold A's block).
        #expect(view.hypotheticalMembership(para: 1, candidate: incomplete) == [Self.leafA.hash])
        #expect(introduce(&view, a))
        #expect(view.hypotheticalMembership(para: 1, candidate: incomplete) == [Self.leafA.hash])
        #expect(view.hypotheticalMembership(para: 1, candidate: incomplete, leaf: Self.leafB.hash).isEmpty)
        // An invalid relay parent is a member nowhere.
        let stray = IncompleteCandidate(
            candidateHash: H256(repeating: 3), parentHeadDataHash: HeadData(bytes: [1, 2, 3]).hash,
            relayParent: H256(repeating: 0xee))
        #expect(view.hypotheticalMembership(para: 1, candidate: stray).isEmpty)
    }

    @Test func check_pvd_query() {
        var view = ProspectiveParachainsView()
        Self.activate(&view, Self.leafA)
        let a = Self.candidate(
            para: 1, relayParent: Self.leafA.block, parentHead: HeadData(bytes: [1, 2, 3]), head: HeadData(bytes: [1]))
        // The required parent is known from the start.
        #expect(
            view.validationData(para: 1, relayParent: Self.leafA.hash, parentHeadHash: HeadData(bytes: [1, 2, 3]).hash)
                == a.1)
        // A's output is unknown until A is introduced.
        #expect(
            view.validationData(para: 1, relayParent: Self.leafA.hash, parentHeadHash: HeadData(bytes: [1]).hash) == nil
        )
        #expect(introduce(&view, a))
        let next = view.validationData(para: 1, relayParent: Self.leafA.hash, parentHeadHash: HeadData(bytes: [1]).hash)
        #expect(next?.parentHead == HeadData(bytes: [1]))
        #expect(next?.relayParentNumber == 100)
        // An unknown relay parent gives nothing.
        #expect(
            view.validationData(para: 1, relayParent: H256(repeating: 0xee), parentHeadHash: HeadData(bytes: [1]).hash)
                == nil)
    }

    @Test func handle_active_leaves_update_gets_candidates_from_parent() {
        var view = ProspectiveParachainsView()
        let parent = Self.leafA
        Self.activate(&view, parent)
        let a = Self.candidate(
            para: 1, relayParent: parent.block, parentHead: HeadData(bytes: [1, 2, 3]), head: HeadData(bytes: [1]))
        #expect(introduce(&view, a))
        view.candidateBacked(para: 1, candidateHash: a.0.hash)
        // The child leaf (101, parent = leaf A) inherits A's candidate.
        let child = TestLeaf(number: 101, hash: H256(repeating: 0xc), paras: [(1, 98, HeadData(bytes: [1, 2, 3]))])
        let childAncestors = [parent.block, parent.ancestor(99), parent.ancestor(98)]
        view.activate(
            ActivatedLeaf(
                block: child.block, parentHash: parent.hash, ancestors: childAncestors,
                paras: [
                    1: ParaBackingState(
                        constraints: Self.constraints(min: 98, head: HeadData(bytes: [1, 2, 3]), upTo: 101))
                ],
                maxDepth: 4))
        #expect(backable(view, child, 1) == [a.0.hash])
        // The parent leaf deactivated: the child keeps it in view, and still has the candidate.
        view.deactivate(parent.hash)
        #expect(backable(view, child, 1) == [a.0.hash])
        #expect(view.chain(at: parent.hash, para: 1) != nil)
    }

    @Test func persists_pending_availability_candidate() {
        var view = ProspectiveParachainsView()
        // A candidate pending availability at leaf A; its child C builds on it and becomes backable.
        let a = Self.candidate(
            para: 1, relayParent: Self.leafA.ancestor(99), parentHead: HeadData(bytes: [1, 2, 3]),
            head: HeadData(bytes: [1]))
        var leaf = Self.leafA
        leaf.pending[1] = [PendingCandidate(receipt: a.0, relayParentNumber: 99, maxPovSize: Self.maxPovSize)]
        Self.activate(&view, leaf)
        #expect(view.chain(at: leaf.hash, para: 1)?.bestChainHashes == [a.0.hash])
        // Pending availability: never returned as backable.
        #expect(backable(view, leaf, 1).isEmpty)
        let c = Self.candidate(
            para: 1, relayParent: leaf.block, parentHead: HeadData(bytes: [1]), head: HeadData(bytes: [2]))
        #expect(introduce(&view, c))
        view.candidateBacked(para: 1, candidateHash: c.0.hash)
        #expect(backable(view, leaf, 1, ancestors: [a.0.hash]) == [c.0.hash])
    }

    @Test func backwards_compatible_with_non_async_backing_params() {
        var view = ProspectiveParachainsView()
        // Depth 0, no ancestry: one candidate, at the leaf, as synchronous backing.
        let leaf = TestLeaf(number: 100, hash: H256(repeating: 0xd), paras: [(1, 100, HeadData(bytes: [1, 2, 3]))])
        Self.activate(&view, leaf, depth: 0, ancestry: 0)
        let a = Self.candidate(
            para: 1, relayParent: leaf.block, parentHead: HeadData(bytes: [1, 2, 3]), head: HeadData(bytes: [1]))
        let b = Self.candidate(
            para: 1, relayParent: leaf.block, parentHead: HeadData(bytes: [1]), head: HeadData(bytes: [2]))
        #expect(introduce(&view, a))
        #expect(introduce(&view, b))
        view.candidateBacked(para: 1, candidateHash: a.0.hash)
        view.candidateBacked(para: 1, candidateHash: b.0.hash)
        #expect(backable(view, leaf, 1) == [a.0.hash])
        #expect(view.minimumRelayParents(leaf: leaf.hash) == [1: 100])
    }

    // `should_do_no_work_if_async_backing_disabled_for_leaf` is not ported: it tested the legacy
    // (non-async-backing) mode, which upstream has since removed; every leaf here is async-backing capable.

    /// A leaf that is a child of `parent` (its ancestry: the parent and the parent's ancestors), with
    /// the same paras' required parents; minimum relay parents as in the fixture (`number − ancestry`).
    static func activateChild(
        _ view: inout ProspectiveParachainsView, _ child: TestLeaf, of parent: TestLeaf, depth: Int = 4
    ) {
        var paras: [ParaId: ParaBackingState] = [:]
        for (para, min, head) in child.paras {
            paras[para] = ParaBackingState(
                constraints: constraints(min: min, head: head, upTo: child.number),
                pendingAvailability: child.pending[para] ?? [])
        }
        view.activate(
            ActivatedLeaf(
                block: child.block, parentHash: parent.hash,
                ancestors: [parent.block, parent.ancestor(parent.number - 1), parent.ancestor(parent.number - 2)],
                paras: paras, maxDepth: depth))
    }

    @Test func introduce_candidate_on_multiple_forks() {
        var view = ProspectiveParachainsView()
        let leafA = TestLeaf(
            number: 100, hash: H256(repeating: 0x1a),
            paras: [(1, 97, HeadData(bytes: [1, 2, 3])), (2, 97, HeadData(bytes: [2, 3, 4]))])
        // Leaf B, a child of leaf A.
        let leafB = TestLeaf(
            number: 101, hash: H256(repeating: 0x1b),
            paras: [(1, 98, HeadData(bytes: [1, 2, 3])), (2, 98, HeadData(bytes: [4, 5, 6]))])
        Self.activate(&view, leafA)
        Self.activateChild(&view, leafB, of: leafA)
        // A candidate built on leaf A: backable under both leaves, at relay parent A.
        let a = Self.candidate(
            para: 1, relayParent: leafA.block, parentHead: HeadData(bytes: [1, 2, 3]), head: HeadData(bytes: [1]))
        #expect(introduce(&view, a))
        view.candidateBacked(para: 1, candidateHash: a.0.hash)
        for leaf in [leafA, leafB] {
            let answer = view.backableCandidates(leaf: leaf.hash, para: 1, count: 5, ancestors: [])
            #expect(answer.map(\.0) == [a.0.hash])
            #expect(answer.map(\.1) == [leafA.hash])
        }
        #expect(view.activeLeafHashes.count == 2)
    }

    @Test func check_backable_query_multiple_candidates() {
        var view = ProspectiveParachainsView()
        Self.activate(&view, Self.leafA)
        let heads = [HeadData(bytes: [1, 2, 3])] + (1...4).map { HeadData(bytes: [UInt8($0)]) }
        let chain = (0..<4).map { i in
            Self.candidate(para: 1, relayParent: Self.leafA.block, parentHead: heads[i], head: heads[i + 1])
        }
        for c in chain {
            #expect(introduce(&view, c))
            view.candidateBacked(para: 1, candidateHash: c.0.hash)
        }
        let (a, b, c, d) = (chain[0].0.hash, chain[1].0.hash, chain[2].0.hash, chain[3].0.hash)
        #expect(
            view.backableCandidates(leaf: Self.leafA.hash, para: 1, count: 4).map(\.1)
                == Array(
                    repeating: Self.leafA.hash, count: 4))

        // Nothing for the other para.
        #expect(backable(view, Self.leafA, 2, count: 1).isEmpty)
        #expect(backable(view, Self.leafA, 2, count: 5).isEmpty)
        #expect(backable(view, Self.leafA, 2, count: 1, ancestors: [a]).isEmpty)

        // No ancestors.
        #expect(backable(view, Self.leafA, 1, count: 1) == [a])
        for count in 4..<10 { #expect(backable(view, Self.leafA, 1, count: count) == [a, b, c, d]) }
        // One ancestor; a count beyond the chain gives the longest chain there is.
        #expect(backable(view, Self.leafA, 1, count: 1, ancestors: [a]) == [b])
        #expect(backable(view, Self.leafA, 1, count: 2, ancestors: [a]) == [b, c])
        for count in 3..<10 { #expect(backable(view, Self.leafA, 1, count: count, ancestors: [a]) == [b, c, d]) }
        // Two ancestors and more.
        #expect(backable(view, Self.leafA, 1, count: 1, ancestors: [a, b, c]) == [d])
        #expect(backable(view, Self.leafA, 1, count: 1, ancestors: [a, b]) == [c])
        for count in 3..<10 { #expect(backable(view, Self.leafA, 1, count: count, ancestors: [a, b]) == [c, d]) }
        // No more candidates after the whole chain.
        for count in 1..<4 { #expect(backable(view, Self.leafA, 1, count: count, ancestors: [a, b, c, d]).isEmpty) }
        // Wrong paths.
        #expect(backable(view, Self.leafA, 1, count: 1, ancestors: [b]) == [a])
        #expect(backable(view, Self.leafA, 1, count: 3, ancestors: [b, c]) == [a, b, c])
        #expect(backable(view, Self.leafA, 1, count: 2, ancestors: [a, c, d]) == [b, c])
        // A non-existent candidate among the ancestors.
        #expect(backable(view, Self.leafA, 1, count: 2, ancestors: [a, H256(repeating: 100)]) == [b, c])
        // A count of 0.
        #expect(backable(view, Self.leafA, 1, count: 0).isEmpty)
        #expect(backable(view, Self.leafA, 1, count: 0, ancestors: [a]).isEmpty)
        #expect(backable(view, Self.leafA, 1, count: 0, ancestors: [a, b]).isEmpty)
        #expect(view.activeLeafHashes.count == 1)
    }

    /// Activating and deactivating leaves in every combination an update can carry. The pure view has
    /// no update message: an update is its deactivations and activation, called in turn.
    @Test func correctly_updates_leaves() {
        var view = ProspectiveParachainsView()
        let leafC = TestLeaf(
            number: 102, hash: H256(repeating: 0xc),
            paras: [(1, 99, HeadData(bytes: [5, 6, 7])), (2, 99, HeadData(bytes: [6, 7, 8]))])
        Self.activate(&view, Self.leafA)
        Self.activate(&view, Self.leafB)
        // A duplicate leaf.
        Self.activate(&view, Self.leafB)
        #expect(view.activeLeafHashes == [Self.leafA.hash, Self.leafB.hash])
        // (An empty update: nothing to do.)
        // Activate a leaf and remove one at the same time.
        Self.activate(&view, leafC)
        view.deactivate(Self.leafB.hash)
        #expect(view.activeLeafHashes == [Self.leafA.hash, leafC.hash])
        #expect(view.chain(at: Self.leafB.hash, para: 1) == nil)
        #expect(view.chain(at: leafC.hash, para: 1) != nil)
        // Remove all remaining leaves.
        view.deactivate(Self.leafA.hash)
        view.deactivate(leafC.hash)
        #expect(view.activeLeafHashes.isEmpty)
        for leaf in [Self.leafA, Self.leafB, leafC] { #expect(view.chain(at: leaf.hash, para: 1) == nil) }
        // Activate and deactivate the same leaf (upstream skips such an activation altogether).
        Self.activate(&view, Self.leafA)
        view.deactivate(Self.leafA.hash)
        #expect(view.activeLeafHashes.isEmpty)
        #expect(view.chain(at: Self.leafA.hash, para: 1) == nil)
        // Remove the leaf again, with hashes that are not leaves.
        for leaf in [Self.leafA, Self.leafB, leafC] { view.deactivate(leaf.hash) }
        #expect(view.activeLeafHashes.isEmpty)
        #expect(view.minimumRelayParents(leaf: Self.leafA.hash).isEmpty)
    }

    @Test func handle_active_leaves_update_bounded_implicit_view() {
        var view = ProspectiveParachainsView()
        let ancestryLength: BlockNumber = 3
        // Ten leaves 91…100, each the child of the one before.
        func block(_ n: BlockNumber) -> RelayChainBlockInfo {
            let hash = Blake2b.hash256([0xbb] + n.scaleEncoded)
            return RelayChainBlockInfo(hash: hash, number: n, storageRoot: TestLeaf.storageRoot(hash))
        }
        let numbers = Array(BlockNumber(91)...100)
        for n in numbers {
            view.activate(
                ActivatedLeaf(
                    block: block(n), parentHash: block(n - 1).hash,
                    ancestors: (1...ancestryLength).map { block(n - $0) },
                    paras: [
                        1: ParaBackingState(
                            constraints: Self.constraints(
                                min: n - ancestryLength, head: HeadData(bytes: [1, 2, 3]), upTo: n))
                    ],
                    maxDepth: 4))
        }
        // Deactivate the first nine.
        for n in numbers.dropLast() { view.deactivate(block(n).hash) }
        // Only the latest leaf is active; it keeps `allowed_ancestry_len` relay parents in view besides
        // itself, and no more.
        #expect(view.activeLeafHashes == [block(100).hash])
        #expect(numbers.filter { view.chain(at: block($0).hash, para: 1) != nil } == [97, 98, 99, 100])
    }

    /// Upstream's leaf has an empty claim queue and asserts that the ancestry requests stop at the
    /// session change; here the caller cuts the ancestry there (`Leaf.allowedAncestors` in Backing), so
    /// the view is given block 4 only (block 3 is in the previous session) although the para's minimum
    /// relay parent is 2, and must not reach further.
    @Test func uses_ancestry_only_within_session() {
        var view = ProspectiveParachainsView()
        let leaf = TestLeaf(number: 5, hash: H256(repeating: 5), paras: [(1, 2, HeadData(bytes: [1, 2, 3]))])
        view.activate(
            ActivatedLeaf(
                block: leaf.block, parentHash: leaf.ancestorHash(4), ancestors: [leaf.ancestor(4)],
                paras: [
                    1: ParaBackingState(
                        constraints: Self.constraints(min: 2, head: HeadData(bytes: [1, 2, 3]), upTo: 5))
                ],
                maxDepth: 4))
        #expect(view.minimumRelayParents(leaf: leaf.hash) == [1: 4])
        // A candidate at block 3 (the previous session) has no chain to join; one at block 4 has.
        let previousSession = Self.candidate(
            para: 1, relayParent: leaf.ancestor(3), parentHead: HeadData(bytes: [1, 2, 3]), head: HeadData(bytes: [1]))
        #expect(!introduce(&view, previousSession))
        let sameSession = Self.candidate(
            para: 1, relayParent: leaf.ancestor(4), parentHead: HeadData(bytes: [1, 2, 3]), head: HeadData(bytes: [1]))
        #expect(introduce(&view, sameSession))
        // The implicit view fed this minimum allows the leaf and block 4 only.
        var implicit = ImplicitView()
        let headers = [BlockNumber(4), 3, 2].map {
            BlockHeaderInfo(hash: leaf.ancestorHash($0), number: $0, parentHash: leaf.ancestorHash($0 - 1))
        }
        let allowed = try? implicit.activate(
            leaf: BlockHeaderInfo(hash: leaf.hash, number: 5, parentHash: leaf.ancestorHash(4)),
            minimumRelayParents: view.minimumRelayParents(leaf: leaf.hash),
            header: { hash in headers.first { $0.hash == hash } })
        #expect(allowed == [leaf.hash, leaf.ancestorHash(4)])
    }
}
