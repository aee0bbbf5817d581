import Backing
import Crypto
import Primitives
import ProspectiveParachains
import Validation

/// The walk-through's relay-chain leaf: //Alice, //Bob, … //Ferdie in groups [0, 2, 3] and [1, 4, 5];
/// core 0 schedules the adder parachain (para 100) for Alice's group, core 1 para 101; the adder's chain
/// state at its genesis head. What `backingd leaf example` prints and `backingd candidate example`
/// builds on.
enum ExampleLeaf {
    static let hash = H256(repeating: 0x07)
    static let number: BlockNumber = 1
    static let sessionIndex: SessionIndex = 1
    static let validatorNames = ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"]
    static let maxPovSize: UInt32 = 5 << 20
    static let paras: [ParaId] = [AdderParachain.devParaId, 101]

    static var persistedValidationData: PersistedValidationData {
        PersistedValidationData(
            parentHead: AdderParachain.Head.genesis().headData, relayParentNumber: number,
            relayParentStorageRoot: .zero, maxPovSize: maxPovSize)
    }

    /// The leaf; with `v2`, today's scheduling data instead of availability cores (a claim queue, node
    /// features CandidateReceiptV2 and ElasticScalingMVP).
    static func leaf(v2: Bool) -> Leaf {
        let state = Leaf.ParaState(
            persistedValidationData: persistedValidationData, validationCodeHash: AdderParachain.validationCodeHash)
        var leaf = Leaf(
            hash: hash, number: number, sessionIndex: sessionIndex,
            validators: validatorNames.map { Sr25519Keypair.dev($0).publicKey },
            validatorGroups: [[0, 2, 3], [1, 4, 5]],
            groupRotationInfo: GroupRotationInfo(sessionStartBlock: 0, groupRotationFrequency: 0, now: number + 1),
            availabilityCores: v2 ? [] : paras.map { .scheduled(ScheduledCore(paraId: $0)) },
            paras: Dictionary(uniqueKeysWithValues: paras.map { ($0, state) }))
        if v2 {
            leaf.claimQueue = ClaimQueue(
                Dictionary(
                    uniqueKeysWithValues: paras.enumerated().map { (CoreIndex(UInt32($0.offset)), [$0.element]) }))
            leaf.nodeFeatures = NodeFeatures(enabled: [.candidateReceiptV2, .elasticScalingMVP])
            leaf.schedulingLookahead = 1
        }
        return leaf
    }

    /// The v2 leaf as an async-backing leaf: `asyncBackingParams` (depth 3, ancestry 2), its parent (block 0)
    /// as an allowed relay parent, and each para's constraints: the adder's genesis head, its code, the
    /// PoV limit of ``persistedValidationData``.
    static var asyncBackingLeaf: Leaf {
        var leaf = leaf(v2: true)
        leaf.paras = [:]
        leaf.schedulingLookahead = 3
        leaf.claimQueue = ClaimQueue(
            Dictionary(
                uniqueKeysWithValues: paras.enumerated().map {
                    (CoreIndex(UInt32($0.offset)), [ParaId](repeating: $0.element, count: 3))
                }))
        leaf.asyncBackingParams = AsyncBackingParams(maxCandidateDepth: 3, allowedAncestryLen: 2)
        leaf.parentHash = parentHash
        leaf.stateRoot = .zero
        leaf.ancestry = [AncestorBlock(hash: parentHash, number: number - 1, parentHash: .zero)]
        let constraints = Constraints(
            minRelayParentNumber: 0, maxPovSize: maxPovSize, maxCodeSize: 3 << 20, maxHeadDataSize: 1 << 20,
            umpRemaining: 16, umpRemainingBytes: 64 << 10, maxUmpNumPerCandidate: 16, dmpRemainingMessages: [],
            validWatermarks: [], hrmpChannelsOut: [:], maxHrmpNumPerCandidate: 0,
            requiredParent: AdderParachain.Head.genesis().headData,
            validationCodeHash: AdderParachain.validationCodeHash)
        leaf.paraBackingState = Dictionary(
            uniqueKeysWithValues: paras.map { ($0, ParaBackingStateData(constraints: ConstraintsData(constraints))) })
        return leaf
    }

    /// The example leaf's parent, block 0.
    static let parentHash = H256(repeating: 0x06)

    /// The adder's first block on the example leaf, adding `add`: a V2 descriptor on core 0 with `v2`.
    static func collation(add: UInt64, v2: Bool) throws -> AdderCollator.Collation {
        let context = AdderCollator.Context(
            paraId: AdderParachain.devParaId, relayParent: hash, relayParentNumber: number,
            relayParentStorageRoot: .zero, maxPovSize: maxPovSize, validatorCount: validatorNames.count,
            v2Core: v2 ? CoreIndex(0) : nil, sessionIndex: sessionIndex)
        return try AdderCollator.collate(
            parentHead: AdderParachain.Head.genesis().headData, block: .init(state: 0, add: add), context: context,
            collator: try Sr25519Keypair(suri: "//Two"))
    }
}
