public import Primitives
public import ProspectiveParachains

/// Runtime API `AsyncBackingParams`: how deep a para's chain of unincluded candidates may grow and how
/// many ancestors of a leaf may serve as relay parents. A leaf that carries them runs today's
/// (asynchronous) backing rules.
public struct AsyncBackingParams: Codable, Sendable, Hashable {
    public var maxCandidateDepth: UInt32
    public var allowedAncestryLen: UInt32

    public init(maxCandidateDepth: UInt32, allowedAncestryLen: UInt32) {
        self.maxCandidateDepth = maxCandidateDepth
        self.allowedAncestryLen = allowedAncestryLen
    }

    enum CodingKeys: String, CodingKey { case maxCandidateDepth, allowedAncestryLen }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        maxCandidateDepth = try c.decodeU32(forKey: .maxCandidateDepth)
        allowedAncestryLen = try c.decodeU32(forKey: .allowedAncestryLen)
    }
}

/// An ancestor of an async-backing leaf: its header and, where they differ from the leaf's, what the
/// runtime answers at it. Left out, the session, groups, claim queue and disabled validators are the
/// leaf's, and the group rotation's `now` is this block's child's number.
public struct AncestorBlock: Codable, Sendable, Hashable {
    public var hash: Hash
    public var number: BlockNumber
    public var parentHash: Hash
    public var stateRoot: Hash
    public var sessionIndex: SessionIndex?
    public var validatorGroups: [[ValidatorIndex]]?
    public var groupRotationInfo: GroupRotationInfo?
    public var claimQueue: ClaimQueue?
    public var disabledValidators: [ValidatorIndex]?

    public init(
        hash: Hash, number: BlockNumber, parentHash: Hash, stateRoot: Hash = .zero, sessionIndex: SessionIndex? = nil,
        validatorGroups: [[ValidatorIndex]]? = nil, groupRotationInfo: GroupRotationInfo? = nil,
        claimQueue: ClaimQueue? = nil, disabledValidators: [ValidatorIndex]? = nil
    ) {
        self.hash = hash
        self.number = number
        self.parentHash = parentHash
        self.stateRoot = stateRoot
        self.sessionIndex = sessionIndex
        self.validatorGroups = validatorGroups
        self.groupRotationInfo = groupRotationInfo
        self.claimQueue = claimQueue
        self.disabledValidators = disabledValidators
    }

    enum CodingKeys: String, CodingKey {
        case hash, number, parentHash, stateRoot, sessionIndex, validatorGroups, groupRotationInfo, claimQueue
        case disabledValidators
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hash = try c.decode(Hash.self, forKey: .hash)
        number = try c.decodeU32(forKey: .number)
        parentHash = try c.decode(Hash.self, forKey: .parentHash)
        stateRoot = try c.decodeIfPresent(Hash.self, forKey: .stateRoot) ?? .zero
        sessionIndex = try c.decodeU32IfPresent(forKey: .sessionIndex)
        validatorGroups = try c.decodeIfPresent([[ValidatorIndex]].self, forKey: .validatorGroups)
        groupRotationInfo = try c.decodeIfPresent(GroupRotationInfo.self, forKey: .groupRotationInfo)
        claimQueue = try c.decodeIfPresent(ClaimQueue.self, forKey: .claimQueue)
        disabledValidators = try c.decodeIfPresent([ValidatorIndex].self, forKey: .disabledValidators)
    }
}

/// A para's backing state at a leaf as the runtime answers it (`ParaBackingState`, or
/// `BackingConstraints` with `CandidatesPendingAvailability`): JSON in polkadot-js naming.
public struct ParaBackingStateData: Codable, Sendable, Hashable {
    public var constraints: ConstraintsData
    /// In order: the first builds on `constraints.requiredParent`, each next on the one before.
    public var pendingAvailability: [PendingAvailabilityData]

    public init(constraints: ConstraintsData, pendingAvailability: [PendingAvailabilityData] = []) {
        self.constraints = constraints
        self.pendingAvailability = pendingAvailability
    }

    enum CodingKeys: String, CodingKey { case constraints, pendingAvailability }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        constraints = try c.decode(ConstraintsData.self, forKey: .constraints)
        pendingAvailability = try c.decodeIfPresent([PendingAvailabilityData].self, forKey: .pendingAvailability) ?? []
    }

    /// The prospective-parachains form.
    public var backingState: ParaBackingState {
        ParaBackingState(
            constraints: constraints.constraints,
            pendingAvailability: pendingAvailability.map {
                PendingCandidate(
                    receipt: CommittedCandidateReceipt(descriptor: $0.descriptor, commitments: $0.commitments),
                    relayParentNumber: $0.relayParentNumber, maxPovSize: $0.maxPovSize)
            })
    }
}

/// A candidate pending availability (`CandidatePendingAvailability`).
public struct PendingAvailabilityData: Codable, Sendable, Hashable {
    public var descriptor: CandidateDescriptor
    public var commitments: CandidateCommitments
    public var relayParentNumber: BlockNumber
    public var maxPovSize: UInt32

    public init(
        descriptor: CandidateDescriptor, commitments: CandidateCommitments, relayParentNumber: BlockNumber,
        maxPovSize: UInt32
    ) {
        self.descriptor = descriptor
        self.commitments = commitments
        self.relayParentNumber = relayParentNumber
        self.maxPovSize = maxPovSize
    }

    enum CodingKeys: String, CodingKey { case candidateHash, descriptor, commitments, relayParentNumber, maxPovSize }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        descriptor = try c.decode(CandidateDescriptor.self, forKey: .descriptor)
        commitments = try c.decode(CandidateCommitments.self, forKey: .commitments)
        relayParentNumber = try c.decodeU32(forKey: .relayParentNumber)
        maxPovSize = try c.decodeU32(forKey: .maxPovSize)
        // The runtime's answer carries the hash; when given it must be this candidate's.
        if let given = try c.decodeIfPresent(CandidateHash.self, forKey: .candidateHash) {
            let hash = CommittedCandidateReceipt(descriptor: descriptor, commitments: commitments).hash
            guard given == hash else {
                throw DecodingError.dataCorruptedError(
                    forKey: .candidateHash, in: c,
                    debugDescription: "is not the hash of the descriptor and commitments given (\(hash))")
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(
            CommittedCandidateReceipt(descriptor: descriptor, commitments: commitments).hash, forKey: .candidateHash)
        try c.encode(descriptor, forKey: .descriptor)
        try c.encode(commitments, forKey: .commitments)
        try c.encode(relayParentNumber, forKey: .relayParentNumber)
        try c.encode(maxPovSize, forKey: .maxPovSize)
    }
}

/// `async_backing::Constraints` in JSON (polkadot-js naming, §2 of the reference).
public struct ConstraintsData: Codable, Sendable, Hashable {
    public var constraints: Constraints

    public init(_ constraints: Constraints) { self.constraints = constraints }

    enum CodingKeys: String, CodingKey {
        case minRelayParentNumber, maxPovSize, maxCodeSize, maxHeadDataSize, umpRemaining, umpRemainingBytes
        case maxUmpNumPerCandidate, dmpRemainingMessages, hrmpInbound, hrmpChannelsOut, maxHrmpNumPerCandidate
        case requiredParent, validationCodeHash, upgradeRestriction, futureValidationCode
    }

    enum InboundKeys: String, CodingKey { case validWatermarks }
    enum ChannelKeys: String, CodingKey { case bytesRemaining, messagesRemaining }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let inbound = try c.nestedContainer(keyedBy: InboundKeys.self, forKey: .hrmpInbound)
        let watermarks = try inbound.decode([BlockNumber].self, forKey: .validWatermarks)
        guard zip(watermarks, watermarks.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw DecodingError.dataCorruptedError(
                forKey: .validWatermarks, in: inbound, debugDescription: "must be strictly ascending")
        }
        var channels: [ParaId: OutboundHrmpChannelLimitations] = [:]
        var list = try c.nestedUnkeyedContainer(forKey: .hrmpChannelsOut)
        while !list.isAtEnd {
            var pair = try list.nestedUnkeyedContainer()
            let recipient = try pair.decode(ParaId.self)
            let limits = try pair.nestedContainer(keyedBy: ChannelKeys.self)
            channels[recipient] = OutboundHrmpChannelLimitations(
                bytesRemaining: try limits.decodeU32(forKey: .bytesRemaining),
                messagesRemaining: try limits.decodeU32(forKey: .messagesRemaining))
        }
        var upgradeRestricted = false
        if let restriction = try c.decodeIfPresent(String.self, forKey: .upgradeRestriction) {
            guard restriction == "Present" else {
                throw DecodingError.dataCorruptedError(
                    forKey: .upgradeRestriction, in: c, debugDescription: "expected null or \"Present\"")
            }
            upgradeRestricted = true
        }
        var future: FutureValidationCode?
        if c.contains(.futureValidationCode), try !c.decodeNil(forKey: .futureValidationCode) {
            var pair = try c.nestedUnkeyedContainer(forKey: .futureValidationCode)
            future = FutureValidationCode(
                block: try pair.decode(BlockNumber.self), codeHash: try pair.decode(ValidationCodeHash.self))
        }
        constraints = Constraints(
            minRelayParentNumber: try c.decodeU32(forKey: .minRelayParentNumber),
            maxPovSize: try c.decodeU32(forKey: .maxPovSize), maxCodeSize: try c.decodeU32(forKey: .maxCodeSize),
            maxHeadDataSize: try c.decodeU32IfPresent(forKey: .maxHeadDataSize) ?? UInt32.max,
            umpRemaining: try c.decodeU32(forKey: .umpRemaining),
            umpRemainingBytes: try c.decodeU32(forKey: .umpRemainingBytes),
            maxUmpNumPerCandidate: try c.decodeU32(forKey: .maxUmpNumPerCandidate),
            dmpRemainingMessages: try c.decode([BlockNumber].self, forKey: .dmpRemainingMessages),
            validWatermarks: watermarks, hrmpChannelsOut: channels,
            maxHrmpNumPerCandidate: try c.decodeU32(forKey: .maxHrmpNumPerCandidate),
            requiredParent: try c.decode(HeadData.self, forKey: .requiredParent),
            validationCodeHash: try c.decode(ValidationCodeHash.self, forKey: .validationCodeHash),
            upgradeRestricted: upgradeRestricted, futureValidationCode: future)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(constraints.minRelayParentNumber, forKey: .minRelayParentNumber)
        try c.encode(constraints.maxPovSize, forKey: .maxPovSize)
        try c.encode(constraints.maxCodeSize, forKey: .maxCodeSize)
        try c.encode(constraints.maxHeadDataSize, forKey: .maxHeadDataSize)
        try c.encode(constraints.umpRemaining, forKey: .umpRemaining)
        try c.encode(constraints.umpRemainingBytes, forKey: .umpRemainingBytes)
        try c.encode(constraints.maxUmpNumPerCandidate, forKey: .maxUmpNumPerCandidate)
        try c.encode(constraints.dmpRemainingMessages, forKey: .dmpRemainingMessages)
        var inbound = c.nestedContainer(keyedBy: InboundKeys.self, forKey: .hrmpInbound)
        try inbound.encode(constraints.validWatermarks, forKey: .validWatermarks)
        var list = c.nestedUnkeyedContainer(forKey: .hrmpChannelsOut)
        for (recipient, limits) in constraints.hrmpChannelsOut.sorted(by: { $0.key < $1.key }) {
            var pair = list.nestedUnkeyedContainer()
            try pair.encode(recipient)
            var fields = pair.nestedContainer(keyedBy: ChannelKeys.self)
            try fields.encode(limits.bytesRemaining, forKey: .bytesRemaining)
            try fields.encode(limits.messagesRemaining, forKey: .messagesRemaining)
        }
        try c.encode(constraints.maxHrmpNumPerCandidate, forKey: .maxHrmpNumPerCandidate)
        try c.encode(constraints.requiredParent, forKey: .requiredParent)
        try c.encode(constraints.validationCodeHash, forKey: .validationCodeHash)
        if constraints.upgradeRestricted {
            try c.encode("Present", forKey: .upgradeRestriction)
        } else {
            try c.encodeNil(forKey: .upgradeRestriction)
        }
        if let future = constraints.futureValidationCode {
            var pair = c.nestedUnkeyedContainer(forKey: .futureValidationCode)
            try pair.encode(future.block)
            try pair.encode(future.codeHash)
        } else {
            try c.encodeNil(forKey: .futureValidationCode)
        }
    }
}
