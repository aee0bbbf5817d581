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
}
