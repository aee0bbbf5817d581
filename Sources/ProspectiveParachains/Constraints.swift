public import Primitives

/// A relay-chain block as the emulator needs it: a candidate's relay parent.
public struct RelayChainBlockInfo: Hashable, Sendable {
    public var hash: Hash
    public var number: BlockNumber
    public var storageRoot: Hash

    public init(hash: Hash, number: BlockNumber, storageRoot: Hash) {
        self.hash = hash
        self.number = number
        self.storageRoot = storageRoot
    }
}

/// What is left of one outbound HRMP channel.
public struct OutboundHrmpChannelLimitations: Hashable, Sendable {
    public var bytesRemaining: UInt32
    public var messagesRemaining: UInt32

    public init(bytesRemaining: UInt32, messagesRemaining: UInt32) {
        self.bytesRemaining = bytesRemaining
        self.messagesRemaining = messagesRemaining
    }
}

/// A code upgrade waiting to apply: to candidates whose relay parent is at least `block`.
public struct FutureValidationCode: Hashable, Sendable {
    public var block: BlockNumber
    public var codeHash: ValidationCodeHash

    public init(block: BlockNumber, codeHash: ValidationCodeHash) {
        self.block = block
        self.codeHash = codeHash
    }
}

/// The limits a para's next candidate must respect at a relay parent (`Constraints` of the inclusion
/// emulator): the runtime's backing constraints, with the effects of the candidates before it applied.
public struct Constraints: Hashable, Sendable {
    /// The earliest relay parent a candidate may use.
    public var minRelayParentNumber: BlockNumber
    public var maxPovSize: UInt32
    public var maxCodeSize: UInt32
    public var maxHeadDataSize: UInt32
    public var umpRemaining: UInt32
    public var umpRemainingBytes: UInt32
    public var maxUmpNumPerCandidate: UInt32
    /// When each pending downward message was sent, oldest first.
    public var dmpRemainingMessages: [BlockNumber]
    /// The HRMP watermarks a candidate may set, ascending.
    public var validWatermarks: [BlockNumber]
    public var hrmpChannelsOut: [ParaId: OutboundHrmpChannelLimitations]
    public var maxHrmpNumPerCandidate: UInt32
    /// The head the next candidate must build on.
    public var requiredParent: HeadData
    public var validationCodeHash: ValidationCodeHash
    /// A code upgrade is not allowed now (`UpgradeRestriction::Present`).
    public var upgradeRestricted: Bool
    /// A code upgrade that applies to candidates whose relay parent is at least this block.
    public var futureValidationCode: FutureValidationCode?

    public init(
        minRelayParentNumber: BlockNumber, maxPovSize: UInt32, maxCodeSize: UInt32, maxHeadDataSize: UInt32,
        umpRemaining: UInt32, umpRemainingBytes: UInt32, maxUmpNumPerCandidate: UInt32,
        dmpRemainingMessages: [BlockNumber], validWatermarks: [BlockNumber],
        hrmpChannelsOut: [ParaId: OutboundHrmpChannelLimitations], maxHrmpNumPerCandidate: UInt32,
        requiredParent: HeadData, validationCodeHash: ValidationCodeHash, upgradeRestricted: Bool = false,
        futureValidationCode: FutureValidationCode? = nil
    ) {
        self.minRelayParentNumber = minRelayParentNumber
        self.maxPovSize = maxPovSize
        self.maxCodeSize = maxCodeSize
        self.maxHeadDataSize = maxHeadDataSize
        self.umpRemaining = umpRemaining
        self.umpRemainingBytes = umpRemainingBytes
        self.maxUmpNumPerCandidate = maxUmpNumPerCandidate
        self.dmpRemainingMessages = dmpRemainingMessages
        self.validWatermarks = validWatermarks
        self.hrmpChannelsOut = hrmpChannelsOut
        self.maxHrmpNumPerCandidate = maxHrmpNumPerCandidate
        self.requiredParent = requiredParent
        self.validationCodeHash = validationCodeHash
        self.upgradeRestricted = upgradeRestricted
        self.futureValidationCode = futureValidationCode
    }

    /// Whether `modifications` fit in what is left (`check_modifications`): exactly when they can be
    /// applied.
    /// - Throws: the first limit they exceed.
    public func check(_ modifications: ConstraintModifications) throws(ModificationError) {
        _ = try applying(modifications)
    }

    /// These constraints after `modifications` (`apply_modifications`): the new required parent, the
    /// watermarks below the new one dropped, channels and UMP budget spent, processed DMP messages gone,
    /// an applied upgrade's code current.
    /// - Throws: what ``check(_:)`` throws (a trunk watermark must be a valid one exactly).
    public func applying(_ modifications: ConstraintModifications) throws(ModificationError) -> Constraints {
        var new = self
        if let parent = modifications.requiredParent { new.requiredParent = parent }
        if let update = modifications.hrmpWatermark {
            let watermark = update.watermark
            let position = new.validWatermarks.firstIndex { $0 >= watermark } ?? new.validWatermarks.count
            let exact = position < new.validWatermarks.count && new.validWatermarks[position] == watermark
            if !exact, case .trunk = update { throw .disallowedHrmpWatermark(watermark) }
            new.validWatermarks.removeFirst(position)
        }
        for (recipient, sent) in modifications.outboundHrmp.sorted(by: { $0.key < $1.key }) {
            guard var channel = new.hrmpChannelsOut[recipient] else { throw .noSuchHrmpChannel(recipient) }
            guard sent.bytesSubmitted <= channel.bytesRemaining else {
                throw .hrmpBytesOverflow(
                    paraId: recipient, bytesRemaining: channel.bytesRemaining, bytesSubmitted: sent.bytesSubmitted)
            }
            guard sent.messagesSubmitted <= channel.messagesRemaining else {
                throw .hrmpMessagesOverflow(
                    paraId: recipient, messagesRemaining: channel.messagesRemaining,
                    messagesSubmitted: sent.messagesSubmitted)
            }
            channel.bytesRemaining -= sent.bytesSubmitted
            channel.messagesRemaining -= sent.messagesSubmitted
            new.hrmpChannelsOut[recipient] = channel
        }
        guard modifications.umpMessagesSent <= new.umpRemaining else {
            throw .umpMessagesOverflow(
                messagesRemaining: new.umpRemaining, messagesSubmitted: modifications.umpMessagesSent)
        }
        new.umpRemaining -= modifications.umpMessagesSent
        guard modifications.umpBytesSent <= new.umpRemainingBytes else {
            throw .umpBytesOverflow(bytesRemaining: new.umpRemainingBytes, bytesSubmitted: modifications.umpBytesSent)
        }
        new.umpRemainingBytes -= modifications.umpBytesSent
        guard Int(modifications.dmpMessagesProcessed) <= new.dmpRemainingMessages.count else {
            throw .dmpMessagesUnderflow(
                messagesRemaining: UInt32(new.dmpRemainingMessages.count),
                messagesProcessed: modifications.dmpMessagesProcessed)
        }
        new.dmpRemainingMessages.removeFirst(Int(modifications.dmpMessagesProcessed))
        if modifications.codeUpgradeApplied {
            guard let future = new.futureValidationCode else { throw .appliedNonexistentCodeUpgrade }
            new.validationCodeHash = future.codeHash
            new.futureValidationCode = nil
        }
        return new
    }
}

/// How a candidate moves the HRMP watermark: to its relay parent's number (`Head`, always allowed) or to
/// an earlier block (`Trunk`, which must be a valid watermark).
public enum HrmpWatermarkUpdate: Hashable, Sendable {
    case head(BlockNumber)
    case trunk(BlockNumber)

    public var watermark: BlockNumber {
        switch self {
        case .head(let n), .trunk(let n): n
        }
    }
}

/// What one candidate sent on one outbound HRMP channel.
public struct OutboundHrmpChannelModification: Hashable, Sendable {
    public var bytesSubmitted: UInt32
    public var messagesSubmitted: UInt32

    public init(bytesSubmitted: UInt32 = 0, messagesSubmitted: UInt32 = 0) {
        self.bytesSubmitted = bytesSubmitted
        self.messagesSubmitted = messagesSubmitted
    }
}

/// The effect of candidates on the constraints (`ConstraintModifications`); several candidates' effects
/// stack (``stack(_:)``).
public struct ConstraintModifications: Hashable, Sendable {
    public var requiredParent: HeadData?
    public var hrmpWatermark: HrmpWatermarkUpdate?
    public var outboundHrmp: [ParaId: OutboundHrmpChannelModification]
    public var umpMessagesSent: UInt32
    public var umpBytesSent: UInt32
    public var dmpMessagesProcessed: UInt32
    public var codeUpgradeApplied: Bool

    public init(
        requiredParent: HeadData? = nil, hrmpWatermark: HrmpWatermarkUpdate? = nil,
        outboundHrmp: [ParaId: OutboundHrmpChannelModification] = [:], umpMessagesSent: UInt32 = 0,
        umpBytesSent: UInt32 = 0, dmpMessagesProcessed: UInt32 = 0, codeUpgradeApplied: Bool = false
    ) {
        self.requiredParent = requiredParent
        self.hrmpWatermark = hrmpWatermark
        self.outboundHrmp = outboundHrmp
        self.umpMessagesSent = umpMessagesSent
        self.umpBytesSent = umpBytesSent
        self.dmpMessagesProcessed = dmpMessagesProcessed
        self.codeUpgradeApplied = codeUpgradeApplied
    }

    /// No effect.
    public static let identity = ConstraintModifications()

    /// Adds `other`'s effect after this one: the parent and watermark are replaced, counters summed
    /// (saturating), an upgrade stays applied.
    public mutating func stack(_ other: ConstraintModifications) {
        if let parent = other.requiredParent { requiredParent = parent }
        if let watermark = other.hrmpWatermark { hrmpWatermark = watermark }
        for (recipient, sent) in other.outboundHrmp {
            var record = outboundHrmp[recipient] ?? OutboundHrmpChannelModification()
            record.bytesSubmitted = record.bytesSubmitted.addingSaturating(sent.bytesSubmitted)
            record.messagesSubmitted = record.messagesSubmitted.addingSaturating(sent.messagesSubmitted)
            outboundHrmp[recipient] = record
        }
        umpMessagesSent = umpMessagesSent.addingSaturating(other.umpMessagesSent)
        umpBytesSent = umpBytesSent.addingSaturating(other.umpBytesSent)
        dmpMessagesProcessed = dmpMessagesProcessed.addingSaturating(other.dmpMessagesProcessed)
        codeUpgradeApplied = codeUpgradeApplied || other.codeUpgradeApplied
    }
}

extension UInt32 {
    func addingSaturating(_ other: UInt32) -> UInt32 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}

/// Why modifications do not fit the constraints (`ModificationError`).
public enum ModificationError: Error, Hashable, Sendable {
    case disallowedHrmpWatermark(BlockNumber)
    case noSuchHrmpChannel(ParaId)
    case hrmpMessagesOverflow(paraId: ParaId, messagesRemaining: UInt32, messagesSubmitted: UInt32)
    case hrmpBytesOverflow(paraId: ParaId, bytesRemaining: UInt32, bytesSubmitted: UInt32)
    case umpMessagesOverflow(messagesRemaining: UInt32, messagesSubmitted: UInt32)
    case umpBytesOverflow(bytesRemaining: UInt32, bytesSubmitted: UInt32)
    case dmpMessagesUnderflow(messagesRemaining: UInt32, messagesProcessed: UInt32)
    case appliedNonexistentCodeUpgrade
}
