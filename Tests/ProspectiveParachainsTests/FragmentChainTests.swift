import Primitives
import ProspectiveParachains
import Testing

/// The fragment-chain tests of polkadot-sdk (`polkadot/node/core/prospective-parachains/src/fragment_chain/
/// tests.rs` @ 021515eb, reference §6.3), ported under their names with their assertions.
struct FragmentChainTests {
    static let codeHash = ValidationCode(bytes: [42]).hash
    static let para = ParaId(5)

    static func makeConstraints(
        minRelayParentNumber: BlockNumber, validWatermarks: [BlockNumber], requiredParent: HeadData
    ) -> Constraints {
        Constraints(
            minRelayParentNumber: minRelayParentNumber, maxPovSize: 1_000_000, maxCodeSize: 1_000_000,
            maxHeadDataSize: 1_000_000, umpRemaining: 10, umpRemainingBytes: 1_000, maxUmpNumPerCandidate: 10,
            dmpRemainingMessages: [], validWatermarks: validWatermarks, hrmpChannelsOut: [:],
            maxHrmpNumPerCandidate: 0, requiredParent: requiredParent, validationCodeHash: codeHash)
    }

    /// A committed candidate of `para` at `relayParent` building `paraHead` on `parentHead`.
    static func makeCandidate(
        relayParent: Hash, relayParentNumber: BlockNumber, parentHead: HeadData, paraHead: HeadData,
        hrmpWatermark: BlockNumber, para: ParaId = para
    ) -> (PersistedValidationData, CommittedCandidateReceipt) {
        let pvd = PersistedValidationData(
            parentHead: parentHead, relayParentNumber: relayParentNumber, relayParentStorageRoot: .zero,
            maxPovSize: 1_000_000)
        var receipt = CommittedCandidateReceipt(
            descriptor: CandidateDescriptor(
                paraId: para, relayParent: relayParent, persistedValidationDataHash: pvd.hash,
                povHash: H256(repeating: 1), validationCodeHash: codeHash),
            commitments: CandidateCommitments(headData: paraHead, hrmpWatermark: hrmpWatermark))
        receipt.descriptor.paraHead = paraHead.hash
        return (pvd, receipt)
    }

    static func entry(
        _ candidate: (PersistedValidationData, CommittedCandidateReceipt), _ state: CandidateState
    ) throws -> CandidateEntry {
        try CandidateEntry(
            candidateHash: candidate.1.hash, receipt: candidate.1, persistedValidationData: candidate.0, state: state)
    }

    static func block(_ number: BlockNumber, _ byte: UInt8) -> RelayChainBlockInfo {
        RelayChainBlockInfo(hash: H256(repeating: byte), number: number, storageRoot: .zero)
    }

    // MARK: Scope

    @Test func scope_rejects_ancestors_that_skip_blocks() {
        let relayParent = Self.block(10, 10)
        let ancestors = [Self.block(8, 8)]
        let constraints = Self.makeConstraints(
            minRelayParentNumber: 8, validWatermarks: [8, 9], requiredParent: HeadData(bytes: [1, 2, 3]))
        #expect(throws: Scope.UnexpectedAncestor(number: 8, prev: 10)) {
            try Scope(
                relayParent: relayParent, baseConstraints: constraints, pendingAvailability: [], maxDepth: 2,
                ancestors: ancestors)
        }
    }

    @Test func scope_rejects_ancestor_for_0_block() {
        let relayParent = Self.block(0, 0)
        let constraints = Self.makeConstraints(
            minRelayParentNumber: 0, validWatermarks: [], requiredParent: HeadData(bytes: [1, 2, 3]))
        #expect(throws: Scope.UnexpectedAncestor(number: 99_999, prev: 0)) {
            try Scope(
                relayParent: relayParent, baseConstraints: constraints, pendingAvailability: [], maxDepth: 2,
                ancestors: [Self.block(99_999, 99)])
        }
    }

    @Test func scope_only_takes_ancestors_up_to_min() throws {
        let relayParent = Self.block(5, 0)
        let ancestors = [Self.block(4, 4), Self.block(3, 3), Self.block(2, 2)]
        let constraints = Self.makeConstraints(
            minRelayParentNumber: 3, validWatermarks: [], requiredParent: HeadData(bytes: [1, 2, 3]))
        let scope = try Scope(
            relayParent: relayParent, baseConstraints: constraints, pendingAvailability: [], maxDepth: 2,
            ancestors: ancestors)
        #expect(scope.ancestors.map(\.number) == [3, 4])
        #expect(scope.earliestRelayParent.number == 3)
        #expect(scope.ancestor(H256(repeating: 2)) == nil)
    }

    @Test func scope_rejects_unordered_ancestors() {
        let relayParent = Self.block(5, 0)
        let ancestors = [Self.block(4, 4), Self.block(2, 2), Self.block(3, 3)]
        let constraints = Self.makeConstraints(
            minRelayParentNumber: 2, validWatermarks: [], requiredParent: HeadData(bytes: [1, 2, 3]))
        #expect(throws: Scope.UnexpectedAncestor(number: 2, prev: 4)) {
            try Scope(
                relayParent: relayParent, baseConstraints: constraints, pendingAvailability: [], maxDepth: 2,
                ancestors: ancestors)
        }
    }

    // MARK: Storage

    @Test func candidate_storage_methods() throws {
        var storage = CandidateStorage()
        let relayParent = H256(repeating: 69)
        var candidate = Self.makeCandidate(
            relayParent: relayParent, relayParentNumber: 8, parentHead: HeadData(bytes: [4, 5, 6]),
            paraHead: HeadData(bytes: [1, 2, 3]), hrmpWatermark: 8)
        let hash = candidate.1.hash
        // Wrong validation data.
        var wrongPVD = candidate.0
        wrongPVD.maxPovSize = 0
        #expect(throws: FragmentChainError.persistedValidationDataMismatch) {
            try CandidateEntry(
                candidateHash: hash, receipt: candidate.1, persistedValidationData: wrongPVD, state: .seconded)
        }
        // A candidate whose head is its parent's.
        let cycle = Self.makeCandidate(
            relayParent: relayParent, relayParentNumber: 8, parentHead: HeadData(bytes: [1, 2, 3]),
            paraHead: HeadData(bytes: [1, 2, 3]), hrmpWatermark: 8)
        #expect(throws: FragmentChainError.zeroLengthCycle) { try Self.entry(cycle, .seconded) }

        #expect(!storage.contains(hash))
        #expect(storage.backedChildren(of: candidate.0.parentHead.hash).isEmpty)
        #expect(storage.headData(by: candidate.0.parentHead.hash) == nil)
        #expect(storage.headData(by: candidate.1.commitments.headData.hash) == nil)

        try storage.add(Self.entry(candidate, .seconded))
        #expect(storage.contains(hash))
        #expect(storage.backedChildren(of: candidate.0.parentHead.hash).isEmpty)  // seconded, not backed
        #expect(storage.children(of: candidate.0.parentHead.hash) == [hash])
        #expect(storage.headData(by: candidate.0.parentHead.hash) == candidate.0.parentHead)
        #expect(storage.headData(by: candidate.1.commitments.headData.hash) == candidate.1.commitments.headData)

        storage.markBacked(hash)
        #expect(storage.backedChildren(of: candidate.0.parentHead.hash).map(\.candidateHash) == [hash])
        // Adding it again fails.
        #expect(throws: FragmentChainError.candidateAlreadyKnown) { try storage.add(Self.entry(candidate, .seconded)) }

        storage.remove(hash)
        #expect(!storage.contains(hash))
        #expect(storage.children(of: candidate.0.parentHead.hash).isEmpty)
        #expect(storage.headData(by: candidate.0.parentHead.hash) == nil)

        // As a pending-availability candidate (backed).
        candidate.1.commitments.hrmpWatermark = 8
        try storage.add(Self.entry(candidate, .backed))
        #expect(storage.backedChildren(of: candidate.0.parentHead.hash).count == 1)
    }

    @Test func populate_empty() throws {
        let relayParent = Self.block(1, 1)
        let constraints = Self.makeConstraints(
            minRelayParentNumber: 1, validWatermarks: [1], requiredParent: HeadData(bytes: [1]))
        let scope = try Scope(
            relayParent: relayParent, baseConstraints: constraints, pendingAvailability: [], maxDepth: 4, ancestors: [])
        let chain = FragmentChain(scope: scope, pendingAvailability: CandidateStorage())
        #expect(chain.bestChainLength == 0)
        #expect(chain.unconnectedCount == 0)
    }

    // MARK: Chains

    /// A, B, C chained on the required parent [0x0a] at relay parents 0, 1, 2 (`test_find_ancestor_path_...`
    /// set-up, shortened): a chain of `count` candidates backed in `order`.
    struct ChainFixture {
        let scope: Scope
        let candidates: [(PersistedValidationData, CommittedCandidateReceipt)]
        var hashes: [CandidateHash] { candidates.map(\.1.hash) }
    }

    static func chainFixture(count: Int, maxDepth: Int = 5, pending: Int = 0) throws -> ChainFixture {
        let leaf = Self.block(BlockNumber(count), UInt8(count))
        let ancestors = (0..<count).reversed().map { Self.block(BlockNumber($0), UInt8($0)) }
        let heads = (0...count).map { HeadData(bytes: [UInt8($0) + 0x0a]) }
        let candidates = (0..<count).map { i in
            Self.makeCandidate(
                relayParent: H256(repeating: UInt8(i)), relayParentNumber: BlockNumber(i), parentHead: heads[i],
                paraHead: heads[i + 1], hrmpWatermark: BlockNumber(i))
        }
        let constraints = Self.makeConstraints(
            minRelayParentNumber: 0, validWatermarks: (0...BlockNumber(count)).map { $0 }, requiredParent: heads[0])
        let pendingAvailability = candidates.prefix(pending).enumerated().map { i, c in
            PendingAvailability(candidateHash: c.1.hash, relayParent: Self.block(BlockNumber(i), UInt8(i)))
        }
        let scope = try Scope(
            relayParent: leaf, baseConstraints: constraints, pendingAvailability: pendingAvailability,
            maxDepth: maxDepth,
            ancestors: ancestors)
        return ChainFixture(scope: scope, candidates: candidates)
    }

    /// Seconds every candidate of the fixture into a fresh chain (pending ones given as backed).
    static func populated(_ fixture: ChainFixture, pending: Int = 0) throws -> FragmentChain {
        var storage = CandidateStorage()
        for candidate in fixture.candidates.prefix(pending) { try storage.add(Self.entry(candidate, .backed)) }
        var chain = FragmentChain(scope: fixture.scope, pendingAvailability: storage)
        for candidate in fixture.candidates.dropFirst(pending) {
            try chain.addSeconded(Self.entry(candidate, .seconded))
        }
        return chain
    }

    @Test func test_find_ancestor_path_and_find_backable_chain_empty_best_chain() throws {
        let fixture = try Self.chainFixture(count: 0)
        let chain = FragmentChain(scope: fixture.scope, pendingAvailability: CandidateStorage())
        #expect(chain.bestChainLength == 0)
        #expect(chain.findBackableChain(ancestors: [], count: 0).isEmpty)
        #expect(chain.findBackableChain(ancestors: [], count: 1).isEmpty)
        #expect(chain.findBackableChain(ancestors: [H256(repeating: 3)], count: 2).isEmpty)
    }

    @Test func test_find_ancestor_path_and_find_backable_chain() throws {
        let fixture = try Self.chainFixture(count: 6)
        let hashes = fixture.hashes
        // Backing in any order gives the same chain.
        for order in [Array(0..<6), [5, 3, 1, 0, 4, 2], Array((0..<6).reversed())] {
            var chain = try Self.populated(fixture)
            #expect(chain.bestChainLength == 0)
            for i in order { chain.candidateBacked(hashes[i]) }
            #expect(chain.bestChainHashes == hashes, "order \(order)")
            #expect(chain.unconnectedCount == 0)
        }
        var chain = try Self.populated(fixture)
        for hash in hashes { chain.candidateBacked(hash) }
        func backable(_ ancestors: Set<CandidateHash>, _ count: Int) -> [CandidateHash] {
            chain.findBackableChain(ancestors: ancestors, count: count).map(\.0)
        }
        #expect(backable([], 0).isEmpty)
        #expect(backable([], 1) == [hashes[0]])
        #expect(backable([], 2) == Array(hashes[0..<2]))
        #expect(backable([], 10) == hashes)
        // Ancestors: the longest prefix in the set is skipped, in any order.
        #expect(backable([hashes[0]], 2) == Array(hashes[1..<3]))
        #expect(backable([hashes[1], hashes[0]], 3) == Array(hashes[2..<5]))
        #expect(backable([hashes[0], hashes[2]], 2) == Array(hashes[1..<3]))  // a gap ends the prefix
        #expect(backable([hashes[1]], 2) == Array(hashes[0..<2]))  // not a prefix: nothing skipped
        #expect(backable(Set(hashes), 5).isEmpty)
        #expect(backable([H256(repeating: 9)], 1) == [hashes[0]])  // unknown ancestors are ignored
        // Relay parents are returned with the hashes.
        #expect(chain.findBackableChain(ancestors: [], count: 1).first?.1 == H256(repeating: 0))

        // Candidates pending availability are never returned: the answer stops at them.
        let pendingFixture = try Self.chainFixture(count: 6, pending: 2)
        var withPending = try Self.populated(pendingFixture, pending: 2)
        #expect(withPending.bestChainHashes == Array(pendingFixture.hashes[0..<2]))
        for hash in pendingFixture.hashes.dropFirst(2) { withPending.candidateBacked(hash) }
        #expect(withPending.bestChainHashes == pendingFixture.hashes)
        #expect(withPending.findBackableChain(ancestors: [], count: 3).isEmpty)
        #expect(
            withPending.findBackableChain(ancestors: Set(pendingFixture.hashes[0..<2]), count: 2).map(\.0)
                == Array(pendingFixture.hashes[2..<4]))
    }

    @Test func theBestChainIsBoundedByMaxDepthAndUnconnectedCandidatesJoinOnceTheirParentIsBacked() throws {
        // maxDepth 2: at most three candidates chained; the rest stays in storage.
        let fixture = try Self.chainFixture(count: 4, maxDepth: 2)
        var chain = try Self.populated(fixture)
        let hashes = fixture.hashes
        // Backing C and B first: they wait, unconnected, until A arrives.
        chain.candidateBacked(hashes[2])
        chain.candidateBacked(hashes[1])
        #expect(chain.bestChainLength == 0)
        #expect(chain.isBacked(hashes[1]))
        chain.candidateBacked(hashes[0])
        #expect(chain.bestChainHashes == Array(hashes[0..<3]))
        chain.candidateBacked(hashes[3])
        #expect(chain.bestChainHashes == Array(hashes[0..<3]))
        #expect(chain.containsUnconnected(hashes[3]))
    }

    @Test func test_populate_and_check_potential() throws {
        let fixture = try Self.chainFixture(count: 3, maxDepth: 2)
        let (pvdA, a) = fixture.candidates[0]
        var chain = try Self.populated(fixture)
        let hashes = fixture.hashes

        // Already known.
        #expect(throws: FragmentChainError.candidateAlreadyKnown) {
            try chain.canAddAsPotential(Self.entry((pvdA, a), .seconded))
        }
        // Backed entries cannot be introduced as seconded.
        let unknown = Self.makeCandidate(
            relayParent: H256(repeating: 1), relayParentNumber: 1, parentHead: HeadData(bytes: [0x77]),
            paraHead: HeadData(bytes: [0x78]), hrmpWatermark: 1)
        #expect(throws: FragmentChainError.introduceBackedCandidate) {
            try chain.addSeconded(Self.entry(unknown, .backed))
        }
        // A relay parent out of scope.
        let outOfScope = Self.makeCandidate(
            relayParent: H256(repeating: 0xaa), relayParentNumber: 1, parentHead: HeadData(bytes: [0x77]),
            paraHead: HeadData(bytes: [0x78]), hrmpWatermark: 1)
        #expect(throws: FragmentChainError.relayParentNotInScope(H256(repeating: 0xaa))) {
            try chain.canAddAsPotential(Self.entry(outOfScope, .seconded))
        }
        // An unknown parent has potential.
        try chain.canAddAsPotential(Self.entry(unknown, .seconded))

        chain.candidateBacked(hashes[0])
        chain.candidateBacked(hashes[1])
        #expect(chain.bestChainHashes == Array(hashes[0..<2]))
        // A fork of B (same parent, other output): the lower hash wins; the higher one is refused.
        let fork = Self.makeCandidate(
            relayParent: H256(repeating: 1), relayParentNumber: 1, parentHead: HeadData(bytes: [0x0b]),
            paraHead: HeadData(bytes: [0x55]), hrmpWatermark: 1)
        let forkHash = fork.1.hash
        if forkHash.bytes.lexicographicallyPrecedes(hashes[1].bytes) {
            try chain.canAddAsPotential(Self.entry(fork, .seconded))
        } else {
            #expect(throws: FragmentChainError.forkChoiceRule(hashes[1])) {
                try chain.canAddAsPotential(Self.entry(fork, .seconded))
            }
        }
        // A cycle: output is the parent of A (the required parent).
        let cycle = Self.makeCandidate(
            relayParent: H256(repeating: 2), relayParentNumber: 2, parentHead: HeadData(bytes: [0x0c]),
            paraHead: HeadData(bytes: [0x0a]), hrmpWatermark: 2)
        #expect(throws: FragmentChainError.cycle) { try chain.canAddAsPotential(Self.entry(cycle, .seconded)) }
        // A second path to B's output from B's parent: a fork of B that, if it wins the fork choice, is
        // refused as a second path to the same state.
        let secondPath = Self.makeCandidate(
            relayParent: H256(repeating: 2), relayParentNumber: 2, parentHead: HeadData(bytes: [0x0b]),
            paraHead: HeadData(bytes: [0x0c]), hrmpWatermark: 2)
        let expected: FragmentChainError =
            secondPath.1.hash.bytes.lexicographicallyPrecedes(hashes[1].bytes)
            ? .multiplePaths : .forkChoiceRule(hashes[1])
        #expect(throws: expected) { try chain.canAddAsPotential(Self.entry(secondPath, .seconded)) }
        // The relay parent moving backwards from its parent's (B is at relay parent 1).
        let backwards = Self.makeCandidate(
            relayParent: H256(repeating: 0), relayParentNumber: 0, parentHead: HeadData(bytes: [0x0c]),
            paraHead: HeadData(bytes: [0x66]), hrmpWatermark: 0)
        #expect(throws: FragmentChainError.relayParentMovedBackwards) {
            try chain.canAddAsPotential(Self.entry(backwards, .seconded))
        }
        // C fits, at depth 2.
        chain.candidateBacked(hashes[2])
        #expect(chain.bestChainHashes == hashes)
        #expect(chain.headData(by: HeadData(bytes: [0x0d]).hash) == HeadData(bytes: [0x0d]))
        #expect(chain.headData(by: HeadData(bytes: [0x0a]).hash) == HeadData(bytes: [0x0a]))

        // A new leaf takes the previous chain's candidates over.
        var next = FragmentChain(scope: fixture.scope, pendingAvailability: CandidateStorage())
        next.populate(from: chain)
        #expect(next.bestChainHashes == hashes)
    }
}
