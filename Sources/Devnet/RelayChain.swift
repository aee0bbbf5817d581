import Backing
import Primitives
import ProspectiveParachains
import Validation

/// The relay chain's runtime as the devnet simulates it: one block after another, each answered with
/// the same validator set, groups and cores on every node (what `ParachainHost` would say).
struct RelayChain: Sendable {
    /// What the relay chain holds of a para under asynchronous backing.
    struct ParaInclusion: Sendable {
        /// The head of the last included candidate (`BackingConstraints.required_parent`).
        var included: HeadData
        /// Backed in the previous block, available in the next one: the chain continues after them.
        var pending: [PendingAvailabilityData] = []
    }

    /// `ValidatorId` per `ValidatorIndex`: validator i is node i.
    let validators: [ValidatorId]
    /// The backing groups: contiguous slices of the validator indices, sizes differing by at most one.
    let groups: [[ValidatorIndex]]
    /// The paras, each once.
    let paraIds: [ParaId]
    /// The para of each core, in core order (an elastic para holds several).
    let cores: [ParaId]
    let rotationFrequency: UInt32
    /// Leaves carry today's scheduling data (see ``DevnetConfiguration/claimQueue``).
    let v2: Bool
    /// Leaves carry `asyncBackingParams`, their ancestry and the paras' backing state.
    let asyncBacking: Bool
    private(set) var number: BlockNumber = 0
    private(set) var head: Hash = .zero
    /// Async backing: each para's included head and candidates pending availability.
    private(set) var inclusion: [ParaId: ParaInclusion] = [:]
    /// Async backing: the newest blocks, newest first (the next leaf's ancestry).
    private var recentBlocks: [AncestorBlock] = []

    static let sessionIndex: SessionIndex = 1
    /// The session started at block 1, so groups rotate at 1 + k·frequency.
    static let sessionStartBlock: BlockNumber = 1
    /// The adder's PoV limit (Polkadot's default `max_pov_size`, 5 MiB).
    static let maxPovSize: UInt32 = 5 << 20

    /// The claim queue's length per core (`DEFAULT_SCHEDULING_LOOKAHEAD`).
    static let schedulingLookahead: UInt32 = 3

    init(
        validators: [ValidatorId], paraIds: [ParaId], cores: [ParaId]? = nil, rotationFrequency: UInt32,
        v2: Bool = false, asyncBacking: Bool = false
    ) {
        self.validators = validators
        self.paraIds = paraIds
        self.cores = cores ?? paraIds
        self.rotationFrequency = rotationFrequency
        self.v2 = v2 || asyncBacking
        self.asyncBacking = asyncBacking
        groups = Self.partition(validators.count, into: self.cores.count)
        if asyncBacking {
            for id in paraIds { inclusion[id] = ParaInclusion(included: AdderParachain.Head.genesis().headData) }
        }
    }

    /// `count` validator indices in `groups` contiguous groups; the first ones get the remainder, as
    /// Polkadot's scheduler does when the validators do not divide evenly.
    static func partition(_ count: Int, into groups: Int) -> [[ValidatorIndex]] {
        let base = count / groups
        let extra = count % groups
        var start = 0
        return (0..<groups).map { g in
            let size = base + (g < extra ? 1 : 0)
            defer { start += size }
            return (start..<(start + size)).map { ValidatorIndex(UInt32($0)) }
        }
    }

    /// The rotation info the runtime answers at relay parent `number` (`now` is its child).
    static func rotation(at number: BlockNumber, frequency: UInt32) -> GroupRotationInfo {
        GroupRotationInfo(
            sessionStartBlock: sessionStartBlock, groupRotationFrequency: frequency, now: number + 1)
    }

    /// The backing group of `core` at relay parent `number`, as `group_for_core` says.
    func group(forCore core: Int, at number: BlockNumber) -> [ValidatorIndex] {
        let rotation = Self.rotation(at: number, frequency: rotationFrequency)
        return groups[Int(rotation.groupForCore(CoreIndex(UInt32(core)), cores: cores.count).rawValue)]
    }

    /// The cores of `para`, ascending.
    func cores(of para: ParaId) -> [CoreIndex] {
        cores.indices.filter { cores[$0] == para }.map { CoreIndex(UInt32($0)) }
    }

    /// The storage root a block claims (any hash will do: the adder only echoes it).
    static func storageRoot(_ number: BlockNumber) -> Hash {
        Blake2b.hash256(Array("devnet-storage".utf8) + number.scaleEncoded)
    }

    /// Authors the next block on top of the last one: a leaf whose `paras` build on `heads` (async
    /// backing: on each para's included head and pending candidates, ``inclusion``).
    mutating func nextLeaf(heads: [ParaId: HeadData]) -> Leaf {
        let parent = head
        number += 1
        let hash = Blake2b.hash256(Array("devnet-block".utf8) + number.scaleEncoded + head.bytes)
        head = hash
        var paras: [ParaId: Leaf.ParaState] = [:]
        for id in paraIds where !asyncBacking {
            let pvd = PersistedValidationData(
                parentHead: heads[id] ?? AdderParachain.Head.genesis().headData, relayParentNumber: number,
                relayParentStorageRoot: Self.storageRoot(number), maxPovSize: Self.maxPovSize)
            paras[id] = Leaf.ParaState(
                persistedValidationData: pvd, validationCodeHash: AdderParachain.validationCodeHash)
        }
        guard v2 else {
            return Leaf(
                hash: hash, number: number, sessionIndex: Self.sessionIndex, validators: validators,
                validatorGroups: groups,
                groupRotationInfo: Self.rotation(at: number, frequency: rotationFrequency),
                availabilityCores: paraIds.map { .scheduled(ScheduledCore(paraId: $0)) }, paras: paras)
        }
        // Every core keeps its para: the claim queue holds it for the whole lookahead.
        let claimQueue = ClaimQueue(
            Dictionary(
                uniqueKeysWithValues: cores.enumerated().map { core, para in
                    (CoreIndex(UInt32(core)), [ParaId](repeating: para, count: Int(Self.schedulingLookahead)))
                }))
        var leaf = Leaf(
            hash: hash, number: number, sessionIndex: Self.sessionIndex, validators: validators,
            validatorGroups: groups,
            groupRotationInfo: Self.rotation(at: number, frequency: rotationFrequency), availabilityCores: [],
            paras: paras, claimQueue: claimQueue,
            nodeFeatures: NodeFeatures(enabled: [.candidateReceiptV2, .elasticScalingMVP]),
            schedulingLookahead: Self.schedulingLookahead)
        guard asyncBacking else { return leaf }

        let params = DevnetConfiguration.asyncBackingParams
        leaf.asyncBackingParams = params
        leaf.parentHash = parent
        leaf.stateRoot = Self.storageRoot(number)
        leaf.ancestry = Array(recentBlocks.prefix(Int(params.allowedAncestryLen)))
        let oldest = number > params.allowedAncestryLen ? number - params.allowedAncestryLen : 0
        leaf.paraBackingState = inclusion.mapValues { para in
            ParaBackingStateData(
                constraints: ConstraintsData(Self.constraints(requiredParent: para.included, minRelayParent: oldest)),
                pendingAvailability: para.pending)
        }
        recentBlocks.insert(
            AncestorBlock(hash: hash, number: number, parentHash: parent, stateRoot: Self.storageRoot(number)), at: 0)
        recentBlocks.removeLast(max(0, recentBlocks.count - Int(params.allowedAncestryLen) - 1))
        return leaf
    }

    /// A para's `BackingConstraints` at a block: the adder's code and PoV limit, generous message limits
    /// (the adder sends none), the included head as the required parent.
    static func constraints(requiredParent: HeadData, minRelayParent: BlockNumber) -> Constraints {
        Constraints(
            minRelayParentNumber: minRelayParent, maxPovSize: maxPovSize, maxCodeSize: 3 << 20,
            maxHeadDataSize: 1 << 20, umpRemaining: 16, umpRemainingBytes: 64 << 10, maxUmpNumPerCandidate: 16,
            dmpRemainingMessages: [], validWatermarks: [], hrmpChannelsOut: [:], maxHrmpNumPerCandidate: 0,
            requiredParent: requiredParent, validationCodeHash: AdderParachain.validationCodeHash)
    }

    /// Async backing: the block author put `backed` (per para, a chain in order) into the current block.
    /// The candidates pending until now became available and are included; the new ones are pending.
    mutating func enact(_ backed: [ParaId: [CommittedCandidateReceipt]]) {
        let numbers = Dictionary(uniqueKeysWithValues: recentBlocks.map { ($0.hash, $0.number) })
        for (id, var para) in inclusion {
            if let last = para.pending.last { para.included = last.commitments.headData }
            para.pending = (backed[id] ?? []).map { candidate in
                PendingAvailabilityData(
                    descriptor: candidate.descriptor, commitments: candidate.commitments,
                    relayParentNumber: numbers[candidate.descriptor.relayParent] ?? number, maxPovSize: Self.maxPovSize)
            }
            inclusion[id] = para
        }
    }
}
