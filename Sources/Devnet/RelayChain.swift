import Backing
import Primitives
import Validation

/// The relay chain's runtime as the devnet simulates it: one block after another, each answered with
/// the same validator set, groups and cores on every node (what `ParachainHost` would say).
struct RelayChain: Sendable {
    /// `ValidatorId` per `ValidatorIndex`: validator i is node i.
    let validators: [ValidatorId]
    /// The backing groups: contiguous slices of the validator indices, sizes differing by at most one.
    let groups: [[ValidatorIndex]]
    /// Para `paraIds[c]` is scheduled on core c.
    let paraIds: [ParaId]
    let rotationFrequency: UInt32
    /// Leaves carry today's scheduling data (see ``DevnetConfiguration/v2``).
    let v2: Bool
    private(set) var number: BlockNumber = 0
    private(set) var head: Hash = .zero

    static let sessionIndex: SessionIndex = 1
    /// The session started at block 1, so groups rotate at 1 + k·frequency.
    static let sessionStartBlock: BlockNumber = 1
    /// The adder's PoV limit (Polkadot's default `max_pov_size`, 5 MiB).
    static let maxPovSize: UInt32 = 5 << 20

    /// The claim queue's length per core (`DEFAULT_SCHEDULING_LOOKAHEAD`).
    static let schedulingLookahead: UInt32 = 3

    init(validators: [ValidatorId], paraIds: [ParaId], rotationFrequency: UInt32, v2: Bool = false) {
        self.validators = validators
        self.paraIds = paraIds
        self.rotationFrequency = rotationFrequency
        self.v2 = v2
        groups = Self.partition(validators.count, into: paraIds.count)
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

    /// The backing group of the para on `core` at relay parent `number`, as `group_for_core` says.
    func group(forCore core: Int, at number: BlockNumber) -> [ValidatorIndex] {
        let rotation = Self.rotation(at: number, frequency: rotationFrequency)
        return groups[Int(rotation.groupForCore(CoreIndex(UInt32(core)), cores: paraIds.count).rawValue)]
    }

    /// The storage root a block claims (any hash will do: the adder only echoes it).
    static func storageRoot(_ number: BlockNumber) -> Hash {
        Blake2b.hash256(Array("devnet-storage".utf8) + number.scaleEncoded)
    }

    /// Authors the next block on top of the last one: a leaf whose `paras` build on `heads`.
    mutating func nextLeaf(heads: [ParaId: HeadData]) -> Leaf {
        number += 1
        let hash = Blake2b.hash256(Array("devnet-block".utf8) + number.scaleEncoded + head.bytes)
        head = hash
        var paras: [ParaId: Leaf.ParaState] = [:]
        for id in paraIds {
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
        // Para c keeps core c: its claim queue holds it for the whole lookahead.
        let claimQueue = ClaimQueue(
            Dictionary(
                uniqueKeysWithValues: paraIds.enumerated().map { core, para in
                    (CoreIndex(UInt32(core)), [ParaId](repeating: para, count: Int(Self.schedulingLookahead)))
                }))
        return Leaf(
            hash: hash, number: number, sessionIndex: Self.sessionIndex, validators: validators,
            validatorGroups: groups,
            groupRotationInfo: Self.rotation(at: number, frequency: rotationFrequency), availabilityCores: [],
            paras: paras, claimQueue: claimQueue,
            nodeFeatures: NodeFeatures(enabled: [.candidateReceiptV2, .elasticScalingMVP]),
            schedulingLookahead: Self.schedulingLookahead)
    }
}
