import Primitives
import Testing

@testable import ProspectiveParachains

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
        hrmpWatermark: BlockNumber, para: ParaId = para, povHash: UInt8 = 1
    ) -> (PersistedValidationData, CommittedCandidateReceipt) {
        let pvd = PersistedValidationData(
            parentHead: parentHead, relayParentNumber: relayParentNumber, relayParentStorageRoot: .zero,
            maxPovSize: 1_000_000)
        var receipt = CommittedCandidateReceipt(
            descriptor: CandidateDescriptor(
                paraId: para, relayParent: relayParent, persistedValidationDataHash: pvd.hash,
                povHash: H256(repeating: povHash), validationCodeHash: codeHash),
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
        let candidate = Self.makeCandidate(
            relayParent: relayParent, relayParentNumber: 8, parentHead: HeadData(bytes: [4, 5, 6]),
            paraHead: HeadData(bytes: [1, 2, 3]), hrmpWatermark: 7)
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

        #expect(storage.backedChildren(of: candidate.1.commitments.headData.hash).isEmpty)

        storage.markBacked(hash)
        // Marking it twice is fine.
        storage.markBacked(hash)
        #expect(storage.backedChildren(of: candidate.0.parentHead.hash).map(\.candidateHash) == [hash])
        #expect(storage.backedChildren(of: candidate.1.commitments.headData.hash).isEmpty)
        // Adding it again fails.
        #expect(throws: FragmentChainError.candidateAlreadyKnown) { try storage.add(Self.entry(candidate, .seconded)) }

        storage.remove(hash)
        #expect(!storage.contains(hash))
        // Removing it twice is fine.
        storage.remove(hash)
        #expect(!storage.contains(hash))
        #expect(storage.children(of: candidate.0.parentHead.hash).isEmpty)
        #expect(storage.backedChildren(of: candidate.0.parentHead.hash).isEmpty)
        #expect(storage.headData(by: candidate.1.commitments.headData.hash) == nil)
        #expect(storage.headData(by: candidate.0.parentHead.hash) == nil)

        // Re-added as a pending-availability candidate (backed).
        try storage.add(
            candidateHash: hash, receipt: candidate.1, persistedValidationData: candidate.0, state: .backed)
        #expect(storage.contains(hash))
        #expect(storage.backedChildren(of: candidate.0.parentHead.hash).map(\.candidateHash) == [hash])
        #expect(storage.backedChildren(of: candidate.1.commitments.headData.hash).isEmpty)

        // A second candidate on the same parent, seconded: a fork, not a backed child yet.
        let candidate2 = Self.makeCandidate(
            relayParent: relayParent, relayParentNumber: 8, parentHead: HeadData(bytes: [4, 5, 6]),
            paraHead: HeadData(bytes: [2, 3, 4]), hrmpWatermark: 7)
        let hash2 = candidate2.1.hash
        try storage.add(Self.entry(candidate2, .seconded))
        #expect(storage.backedChildren(of: candidate.0.parentHead.hash).map(\.candidateHash) == [hash])
        storage.markBacked(hash2)
        #expect(Set(storage.backedChildren(of: candidate.0.parentHead.hash).map(\.candidateHash)) == [hash, hash2])
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

    struct Backable: Equatable {
        let hash: CandidateHash
        let relayParent: Hash
    }

    /// `test_find_ancestor_path_and_find_backable_chain` on upstream's fixture: candidates 0…5 all at
    /// relay parent X, 0 on the required parent [0xff], each next on the one before; backed a few at a
    /// time, then all; ancestor paths; a candidate pending availability in the middle.
    @Test func test_find_ancestor_path_and_find_backable_chain_upstream_fixture() throws {
        let requiredParent = HeadData(bytes: [0xff])
        let candidates = (0..<6).map { i in
            Self.makeCandidate(
                relayParent: Self.x.hash, relayParentNumber: 0,
                parentHead: i == 0 ? requiredParent : HeadData(bytes: [UInt8(i - 1)]),
                paraHead: HeadData(bytes: [UInt8(i)]), hrmpWatermark: 0)
        }
        var storage = CandidateStorage()
        for candidate in candidates { try storage.add(Self.entry(candidate, .seconded)) }
        let hashes = candidates.map(\.1.hash)
        func expected(_ range: Range<Int>) -> [Backable] {
            range.map { Backable(hash: hashes[$0], relayParent: Self.x.hash) }
        }
        let constraints = Self.makeConstraints(
            minRelayParentNumber: 0, validWatermarks: [0], requiredParent: requiredParent)
        let scope = try Scope(
            relayParent: Self.x, baseConstraints: constraints, pendingAvailability: [], maxDepth: 5, ancestors: [])
        var chain = try Self.populate(scope, storage)
        func backable(_ chain: FragmentChain, _ ancestors: Set<CandidateHash>, _ count: Int) -> [Backable] {
            chain.findBackableChain(ancestors: ancestors, count: count).map { Backable(hash: $0.0, relayParent: $0.1) }
        }

        // Only seconded: nothing is backable.
        #expect(chain.bestChainLength == 0)
        #expect(chain.unconnectedCount == 6)
        for count in 0..<10 { #expect(backable(chain, [], count).isEmpty) }

        // A few backed: nothing until the first one is.
        do {
            var chain = chain
            chain.candidateBacked(hashes[5])
            for count in 0..<10 { #expect(backable(chain, [], count).isEmpty) }
            chain.candidateBacked(hashes[3])
            chain.candidateBacked(hashes[4])
            for count in 0..<10 { #expect(backable(chain, [], count).isEmpty) }
            chain.candidateBacked(hashes[1])
            for count in 0..<10 { #expect(backable(chain, [], count).isEmpty) }
            chain.candidateBacked(hashes[0])
            #expect(backable(chain, [], 1) == expected(0..<1))
            for count in 2..<10 { #expect(backable(chain, [], count) == expected(0..<2)) }
            // The missing piece.
            chain.candidateBacked(hashes[2])
            #expect(chain.bestChainLength == 6)
            for count in 0..<10 { #expect(backable(chain, [], count) == expected(0..<min(count, 6))) }
        }

        // All backed.
        for hash in hashes {
            chain.candidateBacked(hash)
            storage.markBacked(hash)
        }
        #expect(chain.ancestorPathLength([]) == 0)
        #expect(backable(chain, [], 0).isEmpty)
        #expect(backable(chain, [], 1) == expected(0..<1))
        #expect(backable(chain, [], 2) == expected(0..<2))
        #expect(backable(chain, [], 5) == expected(0..<5))
        for count in 6..<10 { #expect(backable(chain, [], count) == expected(0..<6)) }

        // An ancestor not in the chain is ignored.
        let unknown = CandidateHash.zero
        #expect(chain.ancestorPathLength([unknown]) == 0)
        #expect(backable(chain, [unknown], 4) == expected(0..<4))
        #expect(chain.ancestorPathLength([hashes[1], unknown]) == 0)
        #expect(backable(chain, [hashes[1], unknown], 4) == expected(0..<4))
        #expect(chain.ancestorPathLength([hashes[0], unknown]) == 1)
        #expect(backable(chain, [hashes[0], unknown], 4) == expected(1..<5))
        // Ancestors in the chain that do not form a path from its start are ignored.
        #expect(chain.ancestorPathLength([hashes[1], hashes[2]]) == 0)
        #expect(backable(chain, [hashes[1], hashes[2]], 4) == expected(0..<4))
        // Valid ancestors, in any order.
        let valid: Set = [hashes[2], hashes[0], hashes[1]]
        #expect(chain.ancestorPathLength(valid) == 3)
        #expect(backable(chain, valid, 2) == expected(3..<5))
        for count in 3..<10 { #expect(backable(chain, valid, count) == expected(3..<6)) }
        // Valid ancestors with candidates omitted (timed out) after the path.
        let gap: Set = [hashes[0], hashes[2]]
        #expect(chain.ancestorPathLength(gap) == 1)
        #expect(backable(chain, gap, 3) == expected(1..<4))
        #expect(backable(chain, gap, 4) == expected(1..<5))
        for count in 5..<10 { #expect(backable(chain, gap, count) == expected(1..<6)) }
        let gap2: Set = [hashes[0], hashes[1], hashes[3]]
        #expect(chain.ancestorPathLength(gap2) == 2)
        #expect(backable(chain, gap2, 4) == expected(2..<6))
        // A count of 0.
        #expect(backable(chain, gap2, 0).isEmpty)

        // The answer stops at a candidate pending availability (the fourth).
        let pendingScope = try Scope(
            relayParent: Self.x, baseConstraints: constraints,
            pendingAvailability: [PendingAvailability(candidateHash: hashes[3], relayParent: Self.x)], maxDepth: 5,
            ancestors: [])
        let withPending = try Self.populate(pendingScope, storage)
        #expect(backable(withPending, [hashes[0], hashes[1]], 3) == expected(2..<3))
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

    // MARK: Upstream's fixture (relay parents X, Y, Z)

    /// Relay parents X (0), Y (1) and Z (2) of upstream's `test_populate_and_check_potential` (X is also
    /// the relay parent of `test_find_ancestor_path_and_find_backable_chain`).
    static let x = block(0, 1)
    static let y = block(1, 2)
    static let z = block(2, 3)
    static let baseConstraints = makeConstraints(
        minRelayParentNumber: 0, validWatermarks: [0], requiredParent: HeadData(bytes: [0x0a]))

    /// A candidate entry at relay parent `relayParent` building head `[head]` on head `[parent]`.
    static func entry(
        at relayParent: RelayChainBlockInfo, _ parent: UInt8, _ head: UInt8, watermark: BlockNumber,
        _ state: CandidateState, povHash: UInt8 = 1
    ) throws -> CandidateEntry {
        try entry(
            makeCandidate(
                relayParent: relayParent.hash, relayParentNumber: relayParent.number,
                parentHead: HeadData(bytes: [parent]),
                paraHead: HeadData(bytes: [head]), hrmpWatermark: watermark, povHash: povHash),
            state)
    }

    /// Upstream's `FragmentChain::populate(scope, storage)`: a chain for `scope` offered every candidate of
    /// `storage`, in its state, the way a new leaf takes over a previous leaf's candidates
    /// (``FragmentChain/populate(from:)``: populate the best chain, trim forks, keep what has potential).
    /// The previous chain holds them all unconnected: its scope has X, Y and Z, and its required parent
    /// is a head no candidate builds on, so every candidate has potential there and none is chained.
    static func populate(_ scope: Scope, _ storage: CandidateStorage) throws -> FragmentChain {
        let holding = try Scope(
            relayParent: z,
            baseConstraints: makeConstraints(
                minRelayParentNumber: 0, validWatermarks: [0], requiredParent: HeadData(bytes: [0xfe, 0xfe, 0xfe])),
            pendingAvailability: [], maxDepth: 0, ancestors: [y, x])
        var previous = FragmentChain(scope: holding, pendingAvailability: CandidateStorage())
        for entry in storage.entries {
            var seconded = entry
            seconded.state = .seconded
            try previous.addSeconded(seconded)
            if entry.state == .backed { previous.candidateBacked(entry.candidateHash) }
        }
        #expect(previous.bestChainLength == 0)
        #expect(previous.unconnectedCount == storage.count)
        var chain = FragmentChain(scope: scope, pendingAvailability: CandidateStorage())
        chain.populate(from: previous)
        return chain
    }

    static func potentialError(_ chain: FragmentChain, _ entry: CandidateEntry) -> FragmentChainError? {
        do {
            try chain.canAddAsPotential(entry)
            return nil
        } catch {
            return error
        }
    }

    static func unconnected(_ chain: FragmentChain) -> Set<CandidateHash> {
        Set(chain.unconnectedEntries.map(\.candidateHash))
    }

    static func precedes(_ a: CandidateEntry, _ b: CandidateEntry) -> Bool {
        a.candidateHash.bytes.lexicographicallyPrecedes(b.candidateHash.bytes)
    }

    /// Candidates A → B → C at X, Y, Z on the required parent [0x0a], all backed, and a storage of them.
    static func candidatesABC() throws -> (a: CandidateEntry, b: CandidateEntry, c: CandidateEntry, CandidateStorage) {
        let a = try entry(at: x, 0x0a, 0x0b, watermark: x.number, .backed)
        let b = try entry(at: y, 0x0b, 0x0c, watermark: y.number, .backed)
        let c = try entry(at: z, 0x0c, 0x0d, watermark: z.number, .backed)
        var storage = CandidateStorage()
        for e in [a, b, c] { try storage.add(e) }
        return (a, b, c, storage)
    }

    static func scopeAtZ(
        _ constraints: Constraints = baseConstraints, pending: [PendingAvailability] = [], depth: Int = 4,
        ancestors: [RelayChainBlockInfo] = [y, x]
    ) throws -> Scope {
        try Scope(
            relayParent: z, baseConstraints: constraints, pendingAvailability: pending, maxDepth: depth,
            ancestors: ancestors)
    }

    /// Upstream's `test_populate_and_check_potential`, first half: wrong base constraints, depths, relay
    /// parents out of scope, cycles, relay parents moving backwards, candidates pending availability.
    @Test func test_populate_and_check_potential_constraints_depths_and_scope() throws {
        let (a, b, c, storage) = try Self.candidatesABC()
        let empty = CandidateStorage()

        // A does not adhere to the base constraints.
        for wrong in [
            // A different required parent.
            Self.makeConstraints(
                minRelayParentNumber: Self.x.number, validWatermarks: [Self.x.number],
                requiredParent: HeadData(bytes: [0x0e])),
            // A minimum relay parent above A's.
            Self.makeConstraints(
                minRelayParentNumber: Self.y.number, validWatermarks: [0], requiredParent: HeadData(bytes: [0x0a])),
        ] {
            let chain = try Self.populate(Self.scopeAtZ(wrong), storage)
            #expect(chain.bestChainHashes.isEmpty)
            if wrong.minRelayParentNumber == Self.y.number {
                // A can never become valid, and its descendants go with it.
                #expect(chain.unconnectedCount == 0)
                #expect(Self.potentialError(chain, a) == .relayParentNotInScope(Self.x.hash))
                // Taken alone, B and C still have potential: nothing says A has none.
                #expect(Self.potentialError(chain, b) == nil)
                #expect(Self.potentialError(chain, c) == nil)
            } else {
                // Only the required parent differs: all three stay potential.
                #expect(Self.unconnected(chain) == [a.candidateHash, b.candidateHash, c.candidateHash])
            }
        }

        // Depth 0: one candidate chained, the others kept as potential.
        var scope = try Self.scopeAtZ(depth: 0)
        var chain = try Self.populate(scope, empty)
        for e in [a, b, c] { #expect(Self.potentialError(chain, e) == nil) }
        chain = try Self.populate(scope, storage)
        #expect(chain.bestChainHashes == [a.candidateHash])
        #expect(Self.unconnected(chain) == [b.candidateHash, c.candidateHash])
        // Depth 1: two.
        scope = try Self.scopeAtZ(depth: 1)
        chain = try Self.populate(scope, empty)
        for e in [a, b, c] { #expect(Self.potentialError(chain, e) == nil) }
        chain = try Self.populate(scope, storage)
        #expect(chain.bestChainHashes == [a.candidateHash, b.candidateHash])
        #expect(Self.unconnected(chain) == [c.candidateHash])
        // Depth 2 and more: all three.
        for depth in 2..<6 {
            scope = try Self.scopeAtZ(depth: depth)
            chain = try Self.populate(scope, empty)
            for e in [a, b, c] { #expect(Self.potentialError(chain, e) == nil) }
            chain = try Self.populate(scope, storage)
            #expect(chain.bestChainHashes == [a.candidateHash, b.candidateHash, c.candidateHash])
            #expect(chain.unconnectedCount == 0)
        }

        // A's relay parent out of scope: B and C go too, since they build on A.
        chain = try Self.populate(Self.scopeAtZ(ancestors: [Self.y]), storage)
        #expect(chain.bestChainHashes.isEmpty)
        #expect(chain.unconnectedCount == 0)
        #expect(Self.potentialError(chain, a) == .relayParentNotInScope(Self.x.hash))
        #expect(Self.potentialError(chain, b) == nil)
        #expect(Self.potentialError(chain, c) == nil)
        // A's and B's relay parents out of scope: C goes too.
        chain = try Self.populate(Self.scopeAtZ(ancestors: []), storage)
        #expect(chain.bestChainHashes.isEmpty)
        #expect(chain.unconnectedCount == 0)
        #expect(Self.potentialError(chain, a) == .relayParentNotInScope(Self.x.hash))
        #expect(Self.potentialError(chain, b) == .relayParentNotInScope(Self.y.hash))
        #expect(Self.potentialError(chain, c) == nil)

        // A para cycle: C outputs A's parent.
        var modified = storage
        modified.remove(c.candidateHash)
        let cycleC = try Self.entry(at: Self.z, 0x0c, 0x0a, watermark: Self.z.number, .backed)
        try modified.add(cycleC)
        chain = try Self.populate(Self.scopeAtZ(), modified)
        #expect(chain.bestChainHashes == [a.candidateHash, b.candidateHash])
        #expect(chain.unconnectedCount == 0)
        #expect(Self.potentialError(chain, cycleC) == .cycle)
        // Taken alone (A and B unknown), it still has potential.
        #expect(try Self.potentialError(Self.populate(Self.scopeAtZ(), empty), cycleC) == nil)

        // C at A's relay parent, after B's: relay parents may not move backwards.
        modified = storage
        modified.remove(c.candidateHash)
        let backwardsC = try Self.entry(at: Self.x, 0x0c, 0x0d, watermark: 0, .backed)
        try modified.add(backwardsC)
        chain = try Self.populate(Self.scopeAtZ(), modified)
        #expect(chain.bestChainHashes == [a.candidateHash, b.candidateHash])
        #expect(chain.unconnectedCount == 0)
        #expect(Self.potentialError(chain, backwardsC) == .relayParentMovedBackwards)

        // An unconnected C may have a relay parent before B's: it may trigger a reorg that removes B.
        modified = storage
        modified.remove(c.candidateHash)
        let unconnectedC = try Self.entry(at: Self.x, 0x0d, 0x0e, watermark: 0, .backed)
        try modified.add(unconnectedC)
        #expect(try Self.potentialError(Self.populate(Self.scopeAtZ(), empty), unconnectedC) == nil)
        chain = try Self.populate(Self.scopeAtZ(), modified)
        #expect(chain.bestChainHashes == [a.candidateHash, b.candidateHash])
        #expect(Self.unconnected(chain) == [unconnectedC.candidateHash])

        // But not before the relay parent of a candidate pending availability (A, now at Y): that one
        // is on chain and will not go away.
        modified.remove(a.candidateHash)
        let pendingA = try Self.entry(at: Self.y, 0x0a, 0x0b, watermark: Self.y.number, .backed)
        try modified.add(pendingA)
        let pendingAScope = try Self.scopeAtZ(
            pending: [PendingAvailability(candidateHash: pendingA.candidateHash, relayParent: Self.y)])
        chain = try Self.populate(pendingAScope, modified)
        #expect(chain.bestChainHashes == [pendingA.candidateHash, b.candidateHash])
        #expect(chain.unconnectedCount == 0)
        #expect(
            Self.potentialError(chain, unconnectedC)
                == .relayParentPrecedesCandidatePendingAvailability(Self.x.hash, Self.y.hash))

        // No fork of a candidate pending availability, even one the fork choice rule would prefer.
        // (Its PoV hash is picked for its candidate hash to be the lower one.)
        let forkC = try Self.entry(at: Self.y, 0x0a, 0xb2, watermark: 0, .backed, povHash: 52)
        try modified.add(forkC)
        #expect(Self.precedes(forkC, pendingA))
        chain = try Self.populate(pendingAScope, modified)
        #expect(chain.bestChainHashes == [pendingA.candidateHash, b.candidateHash])
        #expect(chain.unconnectedCount == 0)
        #expect(Self.potentialError(chain, forkC) == .forkWithCandidatePendingAvailability(pendingA.candidateHash))

        // Candidates pending availability: valid options.
        let pendingA0 = PendingAvailability(candidateHash: a.candidateHash, relayParent: Self.x)
        let pendingB = PendingAvailability(candidateHash: b.candidateHash, relayParent: Self.y)
        let pendingC = PendingAvailability(candidateHash: c.candidateHash, relayParent: Self.z)
        for pending in [[pendingA0], [pendingA0, pendingB], [pendingA0, pendingB, pendingC]] {
            chain = try Self.populate(Self.scopeAtZ(pending: pending, depth: 3), storage)
            #expect(chain.bestChainHashes == [a.candidateHash, b.candidateHash, c.candidateHash])
            #expect(chain.unconnectedCount == 0)
        }
        // The relay parent of a candidate pending availability may be out of scope (A's, X).
        chain = try Self.populate(Self.scopeAtZ(pending: [pendingA0], ancestors: [Self.y]), storage)
        #expect(chain.bestChainHashes == [a.candidateHash, b.candidateHash, c.candidateHash])
        #expect(chain.unconnectedCount == 0)
        // Even out of scope, relay parents of candidates pending availability cannot move backwards.
        let backwardsPending = [
            PendingAvailability(
                candidateHash: a.candidateHash,
                relayParent: RelayChainBlockInfo(hash: Self.x.hash, number: 1, storageRoot: Self.x.storageRoot)),
            PendingAvailability(
                candidateHash: b.candidateHash,
                relayParent: RelayChainBlockInfo(hash: Self.y.hash, number: 0, storageRoot: Self.y.storageRoot)),
        ]
        chain = try Self.populate(Self.scopeAtZ(pending: backwardsPending, ancestors: []), storage)
        #expect(chain.bestChainHashes.isEmpty)
        #expect(chain.unconnectedCount == 0)
    }

    /// Upstream's `test_populate_and_check_potential`, second half: with max depth 2, A → B → C is the best
    /// chain; D (backed) would exceed the depth; F is unconnected and seconded; A1 forks A with a higher
    /// hash and goes, with its subtree A1 → B1 → {C1, C2}; A2 forks A with a lower hash and stays, with
    /// its backed child B2. Backing A2 reorganises the chain; then A, B, C become pending availability
    /// (A2 and B2 go) and are included (the scope advances to C's output).
    @Test func test_populate_and_check_potential_reorg_scenario() throws {
        let (a, b, c, initial) = try Self.candidatesABC()
        var storage = initial
        let scope = try Self.scopeAtZ(depth: 2)

        let d = try Self.entry(at: Self.z, 0x0d, 0x0e, watermark: Self.z.number, .backed)
        #expect(try Self.potentialError(Self.populate(scope, storage), d) == nil)
        try storage.add(d)
        // F's HRMP watermark is invalid, which shows only once its parent is known.
        let f = try Self.entry(at: Self.z, 0x0f, 0xf1, watermark: 1000, .seconded)
        #expect(try Self.potentialError(Self.populate(scope, storage), f) == nil)
        try storage.add(f)
        // A1's hash is higher than A's (its PoV hash is picked for that).
        let a1 = try Self.entry(at: Self.x, 0x0a, 0xb1, watermark: Self.x.number, .backed, povHash: 2)
        #expect(Self.precedes(a, a1))
        #expect(try Self.potentialError(Self.populate(scope, storage), a1) == .forkChoiceRule(a.candidateHash))
        try storage.add(a1)
        let b1 = try Self.entry(at: Self.x, 0xb1, 0xc1, watermark: Self.x.number, .seconded)
        #expect(try Self.potentialError(Self.populate(scope, storage), b1) == nil)
        try storage.add(b1)
        let c1 = try Self.entry(at: Self.x, 0xc1, 0xd1, watermark: Self.x.number, .backed)
        #expect(try Self.potentialError(Self.populate(scope, storage), c1) == nil)
        try storage.add(c1)
        let c2 = try Self.entry(at: Self.x, 0xc1, 0xd2, watermark: Self.x.number, .seconded)
        #expect(try Self.potentialError(Self.populate(scope, storage), c2) == nil)
        try storage.add(c2)
        // A2's hash is lower than A's.
        let a2 = try Self.entry(at: Self.x, 0x0a, 0xb3, watermark: Self.x.number, .seconded)
        #expect(Self.precedes(a2, a))
        #expect(try Self.potentialError(Self.populate(scope, storage), a2) == nil)
        try storage.add(a2)
        let b2 = try Self.entry(at: Self.y, 0xb3, 0xb4, watermark: Self.y.number, .backed)
        #expect(try Self.potentialError(Self.populate(scope, storage), b2) == nil)
        try storage.add(b2)

        let chain = try Self.populate(scope, storage)
        #expect(chain.bestChainHashes == [a.candidateHash, b.candidateHash, c.candidateHash])
        #expect(Self.unconnected(chain) == Set([d, f, a2, b2].map(\.candidateHash)))
        // Known candidates, in the best chain or unconnected, cannot be added again.
        #expect(Self.potentialError(chain, a) == .candidateAlreadyKnown)
        #expect(Self.potentialError(chain, f) == .candidateAlreadyKnown)

        // Backing A2 reorganises the best chain.
        do {
            var chain = chain
            chain.candidateBacked(a2.candidateHash)
            #expect(chain.bestChainHashes == [a2.candidateHash, b2.candidateHash])
            // F is kept: it was truly unconnected. The rest is trimmed.
            #expect(Self.unconnected(chain) == [f.candidateHash])
            // A and A1 will never have potential again.
            #expect(Self.potentialError(chain, a1) == .forkChoiceRule(a2.candidateHash))
            #expect(Self.potentialError(chain, a) == .forkChoiceRule(a2.candidateHash))
        }

        // F's parent E arrives: nothing changes in the best chain, as D is not in it.
        let e = try Self.entry(at: Self.z, 0x0e, 0x0f, watermark: Self.z.number, .seconded)
        try storage.add(e)
        let withE = try Self.populate(scope, storage)
        #expect(withE.bestChainHashes == [a.candidateHash, b.candidateHash, c.candidateHash])
        #expect(Self.unconnected(withE) == Set([d, f, a2, b2, e].map(\.candidateHash)))

        // A, B and C are pending availability: A2 and B2 are trimmed.
        let pendingScope = try Self.scopeAtZ(
            pending: [
                PendingAvailability(candidateHash: a.candidateHash, relayParent: Self.x),
                PendingAvailability(candidateHash: b.candidateHash, relayParent: Self.y),
                PendingAvailability(candidateHash: c.candidateHash, relayParent: Self.z),
            ], depth: 2)
        let pending = try Self.populate(pendingScope, storage)
        #expect(pending.bestChainHashes == [a.candidateHash, b.candidateHash, c.candidateHash])
        #expect(Self.unconnected(pending) == Set([d, f, e].map(\.candidateHash)))
        // A candidate pending availability cannot be added as potential.
        #expect(Self.potentialError(pending, a) == .candidateAlreadyKnown)

        // A, B and C are included: the scope advances to C's output (upstream's `advance_scope`).
        let advanced = try Self.scopeAtZ(
            Self.makeConstraints(
                minRelayParentNumber: 0, validWatermarks: [0], requiredParent: HeadData(bytes: [0x0d])),
            depth: 2)
        var next = FragmentChain(scope: advanced, pendingAvailability: CandidateStorage())
        next.populate(from: pending)
        #expect(next.bestChainHashes == [d.candidateHash])
        #expect(Self.unconnected(next) == [e.candidateHash, f.candidateHash])
        // E backed: F goes for its invalid watermark; nothing else is unconnected.
        next.candidateBacked(e.candidateHash)
        #expect(next.bestChainHashes == [d.candidateHash, e.candidateHash])
        #expect(next.unconnectedCount == 0)
        guard case .some(.checkAgainstConstraints) = Self.potentialError(next, f) else {
            Issue.record("F should fail the constraint checks")
            return
        }
    }
}
