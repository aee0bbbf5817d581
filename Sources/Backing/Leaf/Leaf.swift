public import Primitives

/// A relay-chain leaf to activate, with what the runtime answers at it (contract `Leaf`): the
/// validators, their groups and rotation, the session, the availability cores, and optionally the
/// per-para state validation needs, a minimum backing vote count, the disabled validators, and today's
/// scheduling data (claim queue, node features, scheduling lookahead). Without the last three the leaf
/// is a v0.9.12 leaf and behaves exactly as one.
public struct Leaf: Codable, Sendable, Equatable {
    public var hash: Hash
    public var number: BlockNumber
    /// `session_index_for_child` at this relay parent; part of every signing context.
    public var sessionIndex: SessionIndex
    /// `ValidatorId` per `ValidatorIndex`.
    public var validators: [ValidatorId]
    public var validatorGroups: [[ValidatorIndex]]
    public var groupRotationInfo: GroupRotationInfo
    public var availabilityCores: [CoreState]
    /// State for validating candidates of each para.
    public var paras: [ParaId: ParaState]
    /// When set, a candidate needs min(group size, this) votes instead of a strict majority.
    public var minimumBackingVotes: UInt32?
    /// Validators whose statements are ignored; a disabled local validator neither seconds nor attests.
    public var disabledValidators: [ValidatorIndex]
    /// Runtime API `ClaimQueue`: when given, each core backs the para at position 0 of its queue instead
    /// of what `availabilityCores` schedules.
    public var claimQueue: ClaimQueue?
    /// Runtime API `NodeFeatures` for the session (CandidateReceiptV2, ElasticScalingMVP, …).
    public var nodeFeatures: NodeFeatures?
    /// The claim queue's length per core (`DEFAULT_SCHEDULING_LOOKAHEAD` = 3 when left out).
    public var schedulingLookahead: UInt32?
    /// Runtime API `AsyncBackingParams`: when given, the leaf runs today's asynchronous backing (relay
    /// parents among its ancestors, prospective parachains); without, it is a v0.9.12 leaf.
    public var asyncBackingParams: AsyncBackingParams?
    /// The leaf's header fields an async-backing leaf needs: its parent and its state root (the
    /// `relayParentStorageRoot` of candidates built on it).
    public var parentHash: Hash?
    public var stateRoot: Hash?
    /// The leaf's ancestors, parent first, each the parent of the one before: the relay parents the leaf
    /// allows (within `allowedAncestryLen` and its session).
    public var ancestry: [AncestorBlock]
    /// Each para's backing constraints and candidates pending availability at the leaf.
    public var paraBackingState: [ParaId: ParaBackingStateData]

    public init(
        hash: Hash, number: BlockNumber, sessionIndex: SessionIndex, validators: [ValidatorId],
        validatorGroups: [[ValidatorIndex]], groupRotationInfo: GroupRotationInfo, availabilityCores: [CoreState],
        paras: [ParaId: ParaState] = [:], minimumBackingVotes: UInt32? = nil, disabledValidators: [ValidatorIndex] = [],
        claimQueue: ClaimQueue? = nil, nodeFeatures: NodeFeatures? = nil, schedulingLookahead: UInt32? = nil,
        asyncBackingParams: AsyncBackingParams? = nil, parentHash: Hash? = nil, stateRoot: Hash? = nil,
        ancestry: [AncestorBlock] = [], paraBackingState: [ParaId: ParaBackingStateData] = [:]
    ) {
        self.hash = hash
        self.number = number
        self.sessionIndex = sessionIndex
        self.validators = validators
        self.validatorGroups = validatorGroups
        self.groupRotationInfo = groupRotationInfo
        self.availabilityCores = availabilityCores
        self.paras = paras
        self.minimumBackingVotes = minimumBackingVotes
        self.disabledValidators = disabledValidators
        self.claimQueue = claimQueue
        self.nodeFeatures = nodeFeatures
        self.schedulingLookahead = schedulingLookahead
        self.asyncBackingParams = asyncBackingParams
        self.parentHash = parentHash
        self.stateRoot = stateRoot
        self.ancestry = ancestry
        self.paraBackingState = paraBackingState
    }

    /// A para's chain state at this leaf, what embedded validation needs.
    public struct ParaState: Codable, Sendable, Equatable {
        public var persistedValidationData: PersistedValidationData?
        public var validationCodeHash: ValidationCodeHash?

        public init(
            persistedValidationData: PersistedValidationData? = nil, validationCodeHash: ValidationCodeHash? = nil
        ) {
            self.persistedValidationData = persistedValidationData
            self.validationCodeHash = validationCodeHash
        }
    }

    enum CodingKeys: String, CodingKey {
        case hash, number, sessionIndex, validators, validatorGroups, groupRotationInfo, availabilityCores, paras
        case minimumBackingVotes, disabledValidators, claimQueue, nodeFeatures, schedulingLookahead
        case asyncBackingParams, parentHash, stateRoot, ancestry, paraBackingState
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hash = try c.decode(Hash.self, forKey: .hash)
        number = try c.decodeU32(forKey: .number)
        sessionIndex = try c.decodeU32(forKey: .sessionIndex)
        validators = try c.decode([ValidatorId].self, forKey: .validators)
        validatorGroups = try c.decode([[ValidatorIndex]].self, forKey: .validatorGroups)
        groupRotationInfo = try c.decode(GroupRotationInfo.self, forKey: .groupRotationInfo)
        // An async-backing leaf takes its assignments from the claim queue and may leave the cores out.
        availabilityCores = try c.decodeIfPresent([CoreState].self, forKey: .availabilityCores) ?? []
        // JSON object keys are strings: `"paras": {"100": {...}}`.
        var paras: [ParaId: ParaState] = [:]
        if c.contains(.paras), try !c.decodeNil(forKey: .paras) {
            let byKey = try c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: .paras)
            for key in byKey.allKeys {
                guard let id = UInt32(jsonKey: key.stringValue) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: key, in: byKey, debugDescription: "expected a para id (u32) as the key")
                }
                paras[ParaId(id)] = try byKey.decode(ParaState.self, forKey: key)
            }
        }
        self.paras = paras
        minimumBackingVotes = try c.decodeU32IfPresent(forKey: .minimumBackingVotes)
        disabledValidators = try c.decodeIfPresent([ValidatorIndex].self, forKey: .disabledValidators) ?? []
        claimQueue = try c.decodeIfPresent(ClaimQueue.self, forKey: .claimQueue)
        nodeFeatures = try c.decodeIfPresent(NodeFeatures.self, forKey: .nodeFeatures)
        schedulingLookahead = try c.decodeU32IfPresent(forKey: .schedulingLookahead)
        asyncBackingParams = try c.decodeIfPresent(AsyncBackingParams.self, forKey: .asyncBackingParams)
        parentHash = try c.decodeIfPresent(Hash.self, forKey: .parentHash)
        stateRoot = try c.decodeIfPresent(Hash.self, forKey: .stateRoot)
        ancestry = try c.decodeIfPresent([AncestorBlock].self, forKey: .ancestry) ?? []
        var backingStates: [ParaId: ParaBackingStateData] = [:]
        if c.contains(.paraBackingState), try !c.decodeNil(forKey: .paraBackingState) {
            let byKey = try c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: .paraBackingState)
            for key in byKey.allKeys {
                guard let id = UInt32(jsonKey: key.stringValue) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: key, in: byKey, debugDescription: "expected a para id (u32) as the key")
                }
                backingStates[ParaId(id)] = try byKey.decode(ParaBackingStateData.self, forKey: key)
            }
        }
        paraBackingState = backingStates
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(hash, forKey: .hash)
        try c.encode(number, forKey: .number)
        try c.encode(sessionIndex, forKey: .sessionIndex)
        try c.encode(validators, forKey: .validators)
        try c.encode(validatorGroups, forKey: .validatorGroups)
        try c.encode(groupRotationInfo, forKey: .groupRotationInfo)
        try c.encode(availabilityCores, forKey: .availabilityCores)
        var byKey = c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: .paras)
        for (id, state) in paras.sorted(by: { $0.key < $1.key }) {
            try byKey.encode(state, forKey: AnyCodingKey(String(id.rawValue)))
        }
        try c.encodeIfPresent(minimumBackingVotes, forKey: .minimumBackingVotes)
        try c.encode(disabledValidators, forKey: .disabledValidators)
        // Left out when not given, so a v0.9.12 leaf's JSON (and its journal row) is what it always was.
        try c.encodeIfPresent(claimQueue, forKey: .claimQueue)
        try c.encodeIfPresent(nodeFeatures, forKey: .nodeFeatures)
        try c.encodeIfPresent(schedulingLookahead, forKey: .schedulingLookahead)
        guard let asyncBackingParams else { return }
        try c.encode(asyncBackingParams, forKey: .asyncBackingParams)
        try c.encodeIfPresent(parentHash, forKey: .parentHash)
        try c.encodeIfPresent(stateRoot, forKey: .stateRoot)
        try c.encode(ancestry, forKey: .ancestry)
        var states = c.nestedContainer(keyedBy: AnyCodingKey.self, forKey: .paraBackingState)
        for (id, state) in paraBackingState.sorted(by: { $0.key < $1.key }) {
            try states.encode(state, forKey: AnyCodingKey(String(id.rawValue)))
        }
    }

    /// Whether the leaf runs today's asynchronous backing rules.
    public var isAsyncBacking: Bool { asyncBackingParams != nil }

    /// Checks what the runtime would guarantee: every group member is a validator index.
    /// - Throws: ``LeafError/invalidRuntimeData(field:reason:)`` naming the offending field.
    public func validate() throws(LeafError) {
        for (g, group) in validatorGroups.enumerated() {
            for (i, member) in group.enumerated() where Int(member.rawValue) >= validators.count {
                throw .invalidRuntimeData(
                    field: "validatorGroups[\(g)][\(i)]",
                    reason: "validator index \(member) out of bounds for \(validators.count) validators")
            }
        }
        for (i, index) in disabledValidators.enumerated() where Int(index.rawValue) >= validators.count {
            throw .invalidRuntimeData(
                field: "disabledValidators[\(i)]",
                reason: "validator index \(index) out of bounds for \(validators.count) validators")
        }
        // With a claim queue there is a core per validator group, as the runtime has.
        for core in claimQueue?.cores ?? [] where Int(core.rawValue) >= validatorGroups.count {
            throw .invalidRuntimeData(
                field: "claimQueue.\(core)",
                reason: "core \(core) out of bounds for \(validatorGroups.count) cores (one per validator group)")
        }
        if let schedulingLookahead, schedulingLookahead == 0 {
            throw .invalidRuntimeData(field: "schedulingLookahead", reason: "must be at least 1")
        }
        if isAsyncBacking { try validateAsyncBacking() }
    }
}

/// Why a leaf could not be activated or found.
public enum LeafError: Error, Equatable, Sendable, CustomStringConvertible {
    case alreadyActive(Hash)
    case unknownLeaf(Hash)
    case invalidRuntimeData(field: String, reason: String)

    public var description: String {
        switch self {
        case .alreadyActive(let hash): "leaf \(hash) is already active with other runtime data"
        case .unknownLeaf(let hash): "no active leaf (nor a relay parent an active leaf allows) \(hash)"
        case .invalidRuntimeData(let field, let reason): "\(field): \(reason)"
        }
    }
}
