public import Primitives

/// What the emulator knows of a candidate's contents (`ProspectiveCandidate`): its outputs, the
/// validation data it was built on, and its PoV and code hashes.
public struct ProspectiveCandidate: Hashable, Sendable {
    public var commitments: CandidateCommitments
    public var persistedValidationData: PersistedValidationData
    public var povHash: Hash
    public var validationCodeHash: ValidationCodeHash

    public init(
        commitments: CandidateCommitments, persistedValidationData: PersistedValidationData, povHash: Hash,
        validationCodeHash: ValidationCodeHash
    ) {
        self.commitments = commitments
        self.persistedValidationData = persistedValidationData
        self.povHash = povHash
        self.validationCodeHash = validationCodeHash
    }
}

/// Why a candidate cannot follow at given constraints (`FragmentValidityError`).
public enum FragmentValidityError: Error, Hashable, Sendable {
    case validationCodeMismatch(expected: ValidationCodeHash, got: ValidationCodeHash)
    case persistedValidationDataMismatch(expected: PersistedValidationData, got: PersistedValidationData)
    case outputsInvalid(ModificationError)
    case codeUpgradeRestricted
    case relayParentTooOld(minimum: BlockNumber, current: BlockNumber)
    /// No downward message processed although one was waiting at the relay parent.
    case dmpAdvancementRule
    case umpMessagesPerCandidateOverflow(messagesAllowed: UInt32, messagesSubmitted: UInt32)
    case hrmpMessagesPerCandidateOverflow(messagesAllowed: UInt32, messagesSubmitted: UInt32)
    case codeSizeTooLarge(maxAllowed: UInt32, newSize: UInt32)
    case headDataTooLarge(maxAllowed: UInt32, newSize: UInt32)
    /// Horizontal messages must go to strictly ascending recipients; the message at this index does not.
    case hrmpMessagesDescendingOrDuplicate(Int)
}

/// A candidate checked against the constraints at its relay parent (`Fragment` of the inclusion
/// emulator), with the modifications it makes for the candidates after it.
public struct Fragment: Hashable, Sendable {
    public let relayParent: RelayChainBlockInfo
    public let operatingConstraints: Constraints
    public let candidate: ProspectiveCandidate
    public let modifications: ConstraintModifications

    /// Checks `candidate` at `relayParent` against `operatingConstraints`.
    /// - Throws: the first rule it breaks (see ``check(relayParent:constraints:commitments:validationCodeHash:persistedValidationData:)``).
    public init(
        relayParent: RelayChainBlockInfo, operatingConstraints: Constraints, candidate: ProspectiveCandidate
    ) throws(FragmentValidityError) {
        modifications = try Self.check(
            relayParent: relayParent, constraints: operatingConstraints, commitments: candidate.commitments,
            validationCodeHash: candidate.validationCodeHash,
            persistedValidationData: candidate.persistedValidationData)
        self.relayParent = relayParent
        self.operatingConstraints = operatingConstraints
        self.candidate = candidate
    }

    /// The modifications a candidate with `commitments` makes at `relayParent`: its head becomes the
    /// required parent; its watermark is `Head` when it is the relay parent's number, else `Trunk`; HRMP
    /// per recipient (recipients strictly ascending); UMP messages and bytes before the separator only
    /// (signals are not charged); processed DMP; a due code upgrade applied.
    public static func modifications(
        relayParent: RelayChainBlockInfo, constraints: Constraints, commitments: CandidateCommitments
    ) throws(FragmentValidityError) -> ConstraintModifications {
        var outbound: [ParaId: OutboundHrmpChannelModification] = [:]
        var lastRecipient: ParaId?
        for (index, message) in commitments.horizontalMessages.enumerated() {
            if let lastRecipient, lastRecipient >= message.recipient {
                throw .hrmpMessagesDescendingOrDuplicate(index)
            }
            lastRecipient = message.recipient
            var record = outbound[message.recipient] ?? OutboundHrmpChannelModification()
            record.bytesSubmitted = record.bytesSubmitted.addingSaturating(UInt32(clamping: message.data.bytes.count))
            record.messagesSubmitted = record.messagesSubmitted.addingSaturating(1)
            outbound[message.recipient] = record
        }
        let charged = commitments.chargedUpwardMessages
        let watermark = commitments.hrmpWatermark
        return ConstraintModifications(
            requiredParent: commitments.headData,
            hrmpWatermark: watermark == relayParent.number ? .head(watermark) : .trunk(watermark),
            outboundHrmp: outbound, umpMessagesSent: UInt32(clamping: charged.count),
            umpBytesSent: UInt32(clamping: charged.reduce(0) { $0 + $1.bytes.count }),
            dmpMessagesProcessed: commitments.processedDownwardMessages,
            codeUpgradeApplied: constraints.futureValidationCode.map { relayParent.number >= $0.block } ?? false)
    }

    /// Checks a candidate against `constraints` (`validate_against_constraints`), in this order: code
    /// hash, head data size, relay parent age, upgrade restriction, code size, HRMP message count,
    /// validation data (the head-data chain), DMP advancement, UMP message count, then whether its
    /// modifications fit.
    /// - Returns: the candidate's modifications.
    @discardableResult
    public static func check(
        relayParent: RelayChainBlockInfo, constraints: Constraints, commitments: CandidateCommitments,
        validationCodeHash: ValidationCodeHash, persistedValidationData: PersistedValidationData
    ) throws(FragmentValidityError) -> ConstraintModifications {
        let modifications = try modifications(
            relayParent: relayParent, constraints: constraints, commitments: commitments)
        guard validationCodeHash == constraints.validationCodeHash else {
            throw .validationCodeMismatch(expected: constraints.validationCodeHash, got: validationCodeHash)
        }
        let headSize = UInt32(clamping: commitments.headData.bytes.count)
        guard headSize <= constraints.maxHeadDataSize else {
            throw .headDataTooLarge(maxAllowed: constraints.maxHeadDataSize, newSize: headSize)
        }
        guard relayParent.number >= constraints.minRelayParentNumber else {
            throw .relayParentTooOld(minimum: constraints.minRelayParentNumber, current: relayParent.number)
        }
        if commitments.newValidationCode != nil, constraints.upgradeRestricted { throw .codeUpgradeRestricted }
        let codeSize = UInt32(clamping: commitments.newValidationCode?.bytes.count ?? 0)
        guard codeSize <= constraints.maxCodeSize else {
            throw .codeSizeTooLarge(maxAllowed: constraints.maxCodeSize, newSize: codeSize)
        }
        let hrmpCount = UInt32(clamping: commitments.horizontalMessages.count)
        guard hrmpCount <= constraints.maxHrmpNumPerCandidate else {
            throw .hrmpMessagesPerCandidateOverflow(
                messagesAllowed: constraints.maxHrmpNumPerCandidate, messagesSubmitted: hrmpCount)
        }
        let expected = PersistedValidationData(
            parentHead: constraints.requiredParent, relayParentNumber: relayParent.number,
            relayParentStorageRoot: relayParent.storageRoot, maxPovSize: constraints.maxPovSize)
        guard expected == persistedValidationData else {
            throw .persistedValidationDataMismatch(expected: expected, got: persistedValidationData)
        }
        if modifications.dmpMessagesProcessed == 0, let firstSentAt = constraints.dmpRemainingMessages.first,
            firstSentAt <= relayParent.number
        {
            throw .dmpAdvancementRule
        }
        guard modifications.umpMessagesSent <= constraints.maxUmpNumPerCandidate else {
            throw .umpMessagesPerCandidateOverflow(
                messagesAllowed: constraints.maxUmpNumPerCandidate, messagesSubmitted: modifications.umpMessagesSent)
        }
        do {
            try constraints.check(modifications)
        } catch {
            throw .outputsInvalid(error)
        }
        return modifications
    }
}
