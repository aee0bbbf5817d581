public import Primitives

/// Who backs what at a leaf: each core's para for the next block, its backing group, and the rules
/// today's descriptors are held to there.
///
/// Two sources, one shape: a leaf with a `claimQueue` assigns each core the para at position 0 of its
/// queue (cores = validator groups); a v0.9.12 leaf assigns each scheduled availability core its para.
/// Groups map to cores by the rotation (`group_for_core`) in both.
public struct LeafScheduling: Sendable, Equatable {
    /// The number of cores the rotation runs over.
    public let coreCount: Int
    /// The para each core backs in the next block (claim-queue position 0, or the scheduled core's para).
    public let paraOfCore: [CoreIndex: ParaId]
    /// The backing group of each core in ``paraOfCore``.
    public let groupOfCore: [CoreIndex: [ValidatorIndex]]
    /// The collator a v0.9.12 scheduled core requires, per core.
    public let requiredCollatorOfCore: [CoreIndex: CollatorId]
    /// The claim queue turned around (a v0.9.12 leaf's scheduled cores count as depth 0).
    public let claimQueue: TransposedClaimQueue
    /// The leaf gave a claim queue: backed candidates name their core.
    public let hasClaimQueue: Bool
    /// The leaf gave a claim queue or node features: descriptors are read as today's (version, core,
    /// session, UMP signals). A v0.9.12 leaf reads every descriptor as v1, exactly as v0.9.12 did.
    public let checksDescriptors: Bool
    /// Node feature CandidateReceiptV2: V2 descriptors are accepted.
    public let acceptsV2Descriptors: Bool
    /// Node feature ElasticScalingMVP: backed candidates carry their core index after the group bits.
    public let injectsCoreIndex: Bool
    public let sessionIndex: SessionIndex
    /// The leaf runs today's asynchronous backing: a core's group may back every para of the core's
    /// claim queue, at any depth (a para scheduled only later may be backed now).
    public let isAsyncBacking: Bool
    /// Every para in each core's claim queue, at any depth (async backing's assignment).
    public let parasOfCore: [CoreIndex: Set<ParaId>]
    /// The core of each validator's group (validators in no group have none).
    private let coreOfValidator: [ValidatorIndex: CoreIndex]
    /// The highest core backing each para next (see ``defaultCore(of:)``).
    private let defaultCoreOfPara: [ParaId: CoreIndex]

    public init(_ leaf: Leaf) {
        let rotation = leaf.groupRotationInfo
        var paraOfCore: [CoreIndex: ParaId] = [:]
        var requiredCollators: [CoreIndex: CollatorId] = [:]
        let coreCount: Int
        if let queue = leaf.claimQueue {
            coreCount = leaf.validatorGroups.count
            for core in queue.cores { if let para = queue.next(on: core) { paraOfCore[core] = para } }
            claimQueue = queue.transposed
        } else {
            coreCount = leaf.availabilityCores.count
            var depthZero: [ParaId: [Int: [CoreIndex]]] = [:]
            for (index, state) in leaf.availabilityCores.enumerated() {
                // Occupied cores carry no new assignment for backing in this version.
                guard case .scheduled(let scheduled) = state else { continue }
                let core = CoreIndex(UInt32(index))
                paraOfCore[core] = scheduled.paraId
                requiredCollators[core] = scheduled.collator
                depthZero[scheduled.paraId, default: [0: []]][0]!.append(core)
            }
            claimQueue = TransposedClaimQueue(depthZero)
        }
        var groupOfCore: [CoreIndex: [ValidatorIndex]] = [:]
        for core in paraOfCore.keys {
            let group = rotation.groupForCore(core, cores: coreCount)
            guard Int(group.rawValue) < leaf.validatorGroups.count else { continue }
            groupOfCore[core] = leaf.validatorGroups[Int(group.rawValue)]
        }
        self.paraOfCore = paraOfCore.filter { groupOfCore[$0.key] != nil }
        var defaultCoreOfPara: [ParaId: CoreIndex] = [:]
        for (core, para) in self.paraOfCore where defaultCoreOfPara[para].map({ core > $0 }) ?? true {
            defaultCoreOfPara[para] = core
        }
        self.defaultCoreOfPara = defaultCoreOfPara
        self.groupOfCore = groupOfCore
        requiredCollatorOfCore = requiredCollators
        var coreOfValidator: [ValidatorIndex: CoreIndex] = [:]
        for (group, members) in leaf.validatorGroups.enumerated() {
            let core = rotation.coreForGroup(GroupIndex(UInt32(group)), cores: coreCount)
            for member in members { coreOfValidator[member] = core }
        }
        self.coreOfValidator = coreOfValidator
        self.coreCount = coreCount
        hasClaimQueue = leaf.claimQueue != nil
        checksDescriptors = leaf.claimQueue != nil || leaf.nodeFeatures != nil
        acceptsV2Descriptors = leaf.nodeFeatures?.isEnabled(.candidateReceiptV2) ?? false
        injectsCoreIndex = leaf.nodeFeatures?.isEnabled(.elasticScalingMVP) ?? false
        sessionIndex = leaf.sessionIndex
        isAsyncBacking = leaf.isAsyncBacking
        parasOfCore = (leaf.claimQueue?.queues ?? [:]).filter { groupOfCore[$0.key] != nil }.mapValues(Set.init)
    }

    /// A v0.9.12-style schedule where each para of `groupOfPara`, in ascending order, has a core of its own
    /// (0, 1, …) backed by its group: for statement tables built without a leaf.
    public init(groupOfPara: [ParaId: [ValidatorIndex]]) {
        var paraOfCore: [CoreIndex: ParaId] = [:]
        var groupOfCore: [CoreIndex: [ValidatorIndex]] = [:]
        var coreOfValidator: [ValidatorIndex: CoreIndex] = [:]
        var depthZero: [ParaId: [Int: [CoreIndex]]] = [:]
        for (index, para) in groupOfPara.keys.sorted().enumerated() {
            let core = CoreIndex(UInt32(index))
            paraOfCore[core] = para
            groupOfCore[core] = groupOfPara[para]
            for member in groupOfPara[para] ?? [] { coreOfValidator[member] = core }
            depthZero[para] = [0: [core]]
        }
        coreCount = paraOfCore.count
        self.paraOfCore = paraOfCore
        self.groupOfCore = groupOfCore
        requiredCollatorOfCore = [:]
        claimQueue = TransposedClaimQueue(depthZero)
        hasClaimQueue = false
        checksDescriptors = false
        acceptsV2Descriptors = false
        injectsCoreIndex = false
        sessionIndex = 0
        isAsyncBacking = false
        parasOfCore = [:]
        self.coreOfValidator = coreOfValidator
        defaultCoreOfPara = Dictionary(uniqueKeysWithValues: paraOfCore.map { ($0.value, $0.key) })
    }

    /// The core of `validator`'s group, if it is in one.
    public func core(of validator: ValidatorIndex) -> CoreIndex? { coreOfValidator[validator] }

    /// The core a candidate of `para` is backed on when its descriptor names none (v1): the highest
    /// core that backs the para next (v0.9.12 kept the last scheduled core's group for a para).
    public func defaultCore(of para: ParaId) -> CoreIndex? { defaultCoreOfPara[para] }

    // MARK: Rules for today's descriptors

    /// Checks a descriptor as the collator protocol and candidate validation do before execution:
    /// unknown versions are refused, V2 only with CandidateReceiptV2 on, its session must be the leaf's
    /// and its core `expectedCore` (the core of the group that backs it). Nothing at a v0.9.12 leaf.
    public func check(_ descriptor: CandidateDescriptor, expectedCore: CoreIndex?) throws(CandidateRuleViolation) {
        guard checksDescriptors else { return }
        switch descriptor.version {
        case .v1:
            return
        case .unknown(let version):
            throw .unknownVersion(version)
        case .v2:
            guard acceptsV2Descriptors else { throw .v2DescriptorsDisabled }
            // Safe because: a V2 descriptor always has both fields.
            let session = descriptor.sessionIndex!
            guard session == sessionIndex else { throw .sessionMismatch(descriptor: session, leaf: sessionIndex) }
            let core = descriptor.coreIndex!
            if let expectedCore, core != expectedCore { throw .coreMismatch(descriptor: core, group: expectedCore) }
        }
    }

    /// ``check(_:expectedCore:)`` and then the candidate's UMP signals against the claim queue
    /// (`parse_ump_signals`), as candidate validation does after execution in backing.
    public func check(_ receipt: CommittedCandidateReceipt, expectedCore: CoreIndex?) throws(CandidateRuleViolation) {
        guard checksDescriptors else { return }
        try check(receipt.descriptor, expectedCore: expectedCore)
        do {
            _ = try receipt.parseUMPSignals(claimQueue)
        } catch {
            throw .umpSignals(error)
        }
    }
}

/// Why a candidate breaks a rule of today's descriptors at a leaf; each names the rule.
public enum CandidateRuleViolation: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownVersion(UInt8)
    case v2DescriptorsDisabled
    case sessionMismatch(descriptor: SessionIndex, leaf: SessionIndex)
    case coreMismatch(descriptor: CoreIndex, group: CoreIndex)
    case umpSignals(CommittedCandidateReceiptError)

    /// The rule's name (upstream's error names).
    public var rule: String {
        switch self {
        case .unknownVersion: "UnknownVersion"
        case .v2DescriptorsDisabled: "CandidateReceiptV2"
        case .sessionMismatch: "InvalidSessionIndex"
        case .coreMismatch: "InvalidCoreIndex"
        case .umpSignals(let error): error.name
        }
    }

    public var description: String {
        switch self {
        case .unknownVersion(let version): "UnknownVersion: descriptor version \(version) is unknown"
        case .v2DescriptorsDisabled:
            "CandidateReceiptV2: a V2 descriptor at a leaf whose node features do not enable CandidateReceiptV2 (bit 3)"
        case .sessionMismatch(let descriptor, let leaf):
            "InvalidSessionIndex: the descriptor's session \(descriptor) is not the leaf's session \(leaf)"
        case .coreMismatch(let descriptor, let group):
            "InvalidCoreIndex: the descriptor's core \(descriptor) is not the backing group's core \(group)"
        case .umpSignals(let error): error.description
        }
    }
}
