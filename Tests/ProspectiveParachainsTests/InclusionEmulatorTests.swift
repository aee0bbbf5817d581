import Primitives
import ProspectiveParachains
import Testing

/// The inclusion emulator's tests (polkadot-sdk `polkadot/node/subsystem-util/src/inclusion_emulator/mod.rs`
/// @ 04d67296, reference §6.4), ported under their names with their assertions.
struct InclusionEmulatorTests {
    static let codeHash = ValidationCode(bytes: [4, 5, 6]).hash

    static func makeConstraints() -> Constraints {
        Constraints(
            minRelayParentNumber: 5, maxPovSize: 1_000, maxCodeSize: 1_000, maxHeadDataSize: 1_000,
            umpRemaining: 10, umpRemainingBytes: 1_024, maxUmpNumPerCandidate: 5, dmpRemainingMessages: [],
            validWatermarks: [6, 8], hrmpChannelsOut: [1: .init(bytesRemaining: 512, messagesRemaining: 10)],
            maxHrmpNumPerCandidate: 5, requiredParent: HeadData(bytes: [1, 2, 3]), validationCodeHash: codeHash)
    }

    static let relayParent = RelayChainBlockInfo(
        hash: H256(repeating: 0x0a), number: 6, storageRoot: H256(repeating: 0xff))

    static func makeCandidate(_ constraints: Constraints, _ relayParent: RelayChainBlockInfo) -> ProspectiveCandidate {
        ProspectiveCandidate(
            commitments: CandidateCommitments(
                headData: HeadData(bytes: [1, 2, 3, 4, 5]), hrmpWatermark: relayParent.number),
            persistedValidationData: PersistedValidationData(
                parentHead: constraints.requiredParent, relayParentNumber: relayParent.number,
                relayParentStorageRoot: relayParent.storageRoot, maxPovSize: constraints.maxPovSize),
            povHash: H256(repeating: 1), validationCodeHash: constraints.validationCodeHash)
    }

    func fragment(_ constraints: Constraints, _ candidate: ProspectiveCandidate) throws(FragmentValidityError) {
        _ = try Fragment(relayParent: Self.relayParent, operatingConstraints: constraints, candidate: candidate)
    }

    // MARK: Modifications

    @Test func stack_modifications() {
        let paraA = ParaId(1)
        let paraB = ParaId(2)
        let paraC = ParaId(3)
        let a = ConstraintModifications(
            requiredParent: nil, hrmpWatermark: nil,
            outboundHrmp: [
                paraA: .init(bytesSubmitted: 100_000, messagesSubmitted: 5),
                paraB: .init(bytesSubmitted: 100_000, messagesSubmitted: 5),
            ], umpMessagesSent: 6, umpBytesSent: 1000, dmpMessagesProcessed: 5, codeUpgradeApplied: true)
        let b = ConstraintModifications(
            requiredParent: nil, hrmpWatermark: nil,
            outboundHrmp: [
                paraB: .init(bytesSubmitted: 100_000, messagesSubmitted: 5),
                paraC: .init(bytesSubmitted: 100_000, messagesSubmitted: 5),
            ], umpMessagesSent: 6, umpBytesSent: 1000, dmpMessagesProcessed: 5, codeUpgradeApplied: true)
        var c = a
        c.stack(b)
        #expect(
            c
                == ConstraintModifications(
                    requiredParent: nil, hrmpWatermark: nil,
                    outboundHrmp: [
                        paraA: .init(bytesSubmitted: 100_000, messagesSubmitted: 5),
                        paraB: .init(bytesSubmitted: 200_000, messagesSubmitted: 10),
                        paraC: .init(bytesSubmitted: 100_000, messagesSubmitted: 5),
                    ], umpMessagesSent: 12, umpBytesSent: 2000, dmpMessagesProcessed: 10, codeUpgradeApplied: true))
        var d = ConstraintModifications.identity
        d.stack(a)
        d.stack(b)
        #expect(c == d)
    }

    @Test func constraints_check_trunk_watermark() throws {
        let constraints = Self.makeConstraints()
        var modifications = ConstraintModifications.identity
        modifications.hrmpWatermark = .trunk(7)
        #expect(throws: ModificationError.disallowedHrmpWatermark(7)) { try constraints.check(modifications) }
        #expect(throws: ModificationError.disallowedHrmpWatermark(7)) { try constraints.applying(modifications) }
        modifications.hrmpWatermark = .trunk(8)
        try constraints.check(modifications)
        #expect(try constraints.applying(modifications).validWatermarks == [8])
    }

    @Test func constraints_check_head_watermark() throws {
        let constraints = Self.makeConstraints()
        var modifications = ConstraintModifications.identity
        modifications.hrmpWatermark = .head(7)
        try constraints.check(modifications)
        #expect(try constraints.applying(modifications).validWatermarks == [8])
        modifications.hrmpWatermark = .head(6)
        #expect(try constraints.applying(modifications).validWatermarks == [6, 8])
    }

    @Test func constraints_no_such_hrmp_channel() {
        let constraints = Self.makeConstraints()
        var modifications = ConstraintModifications.identity
        modifications.outboundHrmp[2] = .init(bytesSubmitted: 1, messagesSubmitted: 1)
        #expect(throws: ModificationError.noSuchHrmpChannel(2)) { try constraints.check(modifications) }
        #expect(throws: ModificationError.noSuchHrmpChannel(2)) { try constraints.applying(modifications) }
    }

    @Test func constraints_hrmp_messages_overflow() {
        let constraints = Self.makeConstraints()
        var modifications = ConstraintModifications.identity
        modifications.outboundHrmp[1] = .init(bytesSubmitted: 1, messagesSubmitted: 11)
        let expected = ModificationError.hrmpMessagesOverflow(paraId: 1, messagesRemaining: 10, messagesSubmitted: 11)
        #expect(throws: expected) { try constraints.check(modifications) }
        #expect(throws: expected) { try constraints.applying(modifications) }
    }

    @Test func constraints_hrmp_bytes_overflow() {
        let constraints = Self.makeConstraints()
        var modifications = ConstraintModifications.identity
        modifications.outboundHrmp[1] = .init(bytesSubmitted: 513, messagesSubmitted: 1)
        let expected = ModificationError.hrmpBytesOverflow(paraId: 1, bytesRemaining: 512, bytesSubmitted: 513)
        #expect(throws: expected) { try constraints.check(modifications) }
        #expect(throws: expected) { try constraints.applying(modifications) }
    }

    @Test func constraints_ump_messages_overflow() {
        let constraints = Self.makeConstraints()
        var modifications = ConstraintModifications.identity
        modifications.umpMessagesSent = 11
        let expected = ModificationError.umpMessagesOverflow(messagesRemaining: 10, messagesSubmitted: 11)
        #expect(throws: expected) { try constraints.check(modifications) }
        #expect(throws: expected) { try constraints.applying(modifications) }
    }

    @Test func constraints_ump_bytes_overflow() {
        let constraints = Self.makeConstraints()
        var modifications = ConstraintModifications.identity
        modifications.umpBytesSent = 1_025
        let expected = ModificationError.umpBytesOverflow(bytesRemaining: 1_024, bytesSubmitted: 1_025)
        #expect(throws: expected) { try constraints.check(modifications) }
        #expect(throws: expected) { try constraints.applying(modifications) }
    }

    @Test func constraints_dmp_messages() throws {
        var constraints = Self.makeConstraints()
        var modifications = ConstraintModifications.identity
        try constraints.check(modifications)
        modifications.dmpMessagesProcessed = 6
        let expected = ModificationError.dmpMessagesUnderflow(messagesRemaining: 0, messagesProcessed: 6)
        #expect(throws: expected) { try constraints.check(modifications) }
        #expect(throws: expected) { try constraints.applying(modifications) }
        constraints.dmpRemainingMessages = [1, 2, 3, 4, 5, 6, 7]
        try constraints.check(modifications)
        #expect(try constraints.applying(modifications).dmpRemainingMessages == [7])
    }

    @Test func constraints_nonexistent_code_upgrade() throws {
        var constraints = Self.makeConstraints()
        var modifications = ConstraintModifications.identity
        modifications.codeUpgradeApplied = true
        #expect(throws: ModificationError.appliedNonexistentCodeUpgrade) { try constraints.check(modifications) }
        #expect(throws: ModificationError.appliedNonexistentCodeUpgrade) { try constraints.applying(modifications) }
        let upgraded = ValidationCode(bytes: [9, 9]).hash
        constraints.futureValidationCode = FutureValidationCode(block: 6, codeHash: upgraded)
        let applied = try constraints.applying(modifications)
        #expect(applied.validationCodeHash == upgraded)
        #expect(applied.futureValidationCode == nil)
    }

    // MARK: Fragments

    @Test func fragment_validation_code_mismatch() {
        let constraints = Self.makeConstraints()
        var candidate = Self.makeCandidate(constraints, Self.relayParent)
        let other = ValidationCode(bytes: [7, 8, 9]).hash
        candidate.validationCodeHash = other
        #expect(throws: FragmentValidityError.validationCodeMismatch(expected: Self.codeHash, got: other)) {
            try fragment(constraints, candidate)
        }
    }

    @Test func fragment_pvd_mismatch() {
        let constraints = Self.makeConstraints()
        let wrongRelayParent = RelayChainBlockInfo(
            hash: H256(repeating: 0xbb), number: 6, storageRoot: H256(repeating: 0xee))
        let candidate = Self.makeCandidate(constraints, wrongRelayParent)
        let expected = PersistedValidationData(
            parentHead: constraints.requiredParent, relayParentNumber: 6,
            relayParentStorageRoot: Self.relayParent.storageRoot, maxPovSize: constraints.maxPovSize)
        #expect(
            throws: FragmentValidityError.persistedValidationDataMismatch(
                expected: expected, got: candidate.persistedValidationData)
        ) { try fragment(constraints, candidate) }
    }

    @Test func fragment_code_size_too_large() {
        let constraints = Self.makeConstraints()
        var candidate = Self.makeCandidate(constraints, Self.relayParent)
        candidate.commitments.newValidationCode = ValidationCode(bytes: [UInt8](repeating: 0, count: 1_001))
        #expect(throws: FragmentValidityError.codeSizeTooLarge(maxAllowed: 1_000, newSize: 1_001)) {
            try fragment(constraints, candidate)
        }
    }

    @Test func ump_signals_ignored() throws {
        var constraints = Self.makeConstraints()
        constraints.maxUmpNumPerCandidate = 1
        var candidate = Self.makeCandidate(constraints, Self.relayParent)
        // One message, the separator and two signals: only the message counts.
        candidate.commitments.upwardMessages = [
            Bytes(bytes: [1, 2, 3]), Bytes(bytes: []),
            Bytes(bytes: UMPSignal.selectCore(CoreSelector(0), ClaimQueueOffset(1)).scaleEncoded),
            Bytes(bytes: UMPSignal.approvedPeer([1, 2, 3]).scaleEncoded),
        ]
        let checked = try Fragment(
            relayParent: Self.relayParent, operatingConstraints: constraints, candidate: candidate)
        #expect(checked.modifications.umpMessagesSent == 1)
        #expect(checked.modifications.umpBytesSent == 3)
    }

    @Test func fragment_relay_parent_too_old() {
        var constraints = Self.makeConstraints()
        constraints.minRelayParentNumber = 7
        let candidate = Self.makeCandidate(constraints, Self.relayParent)
        #expect(throws: FragmentValidityError.relayParentTooOld(minimum: 7, current: 6)) {
            try fragment(constraints, candidate)
        }
    }

    @Test func fragment_hrmp_messages_overflow() throws {
        let constraints = Self.makeConstraints()
        var candidate = Self.makeCandidate(constraints, Self.relayParent)
        // Six messages to ascending recipients: one more than a candidate may send.
        candidate.commitments.horizontalMessages = (1...6).map {
            OutboundHrmpMessage(recipient: ParaId(UInt32($0)), data: [1, 2, 3])
        }
        #expect(
            throws: FragmentValidityError.hrmpMessagesPerCandidateOverflow(messagesAllowed: 5, messagesSubmitted: 6)
        ) {
            try fragment(constraints, candidate)
        }
    }

    @Test func fragment_dmp_advancement_rule() throws {
        var constraints = Self.makeConstraints()
        var candidate = Self.makeCandidate(constraints, Self.relayParent)
        // A message sent after the relay parent need not be processed yet.
        constraints.dmpRemainingMessages = [Self.relayParent.number + 1]
        try fragment(constraints, candidate)
        // One sent at the relay parent must be.
        constraints.dmpRemainingMessages = [Self.relayParent.number]
        #expect(throws: FragmentValidityError.dmpAdvancementRule) { try fragment(constraints, candidate) }
        candidate.commitments.processedDownwardMessages = 1
        try fragment(constraints, candidate)
    }

    @Test func fragment_ump_messages_overflow() {
        let constraints = Self.makeConstraints()
        var candidate = Self.makeCandidate(constraints, Self.relayParent)
        candidate.commitments.upwardMessages = (0..<6).map { _ in Bytes(bytes: [1]) }
        #expect(throws: FragmentValidityError.umpMessagesPerCandidateOverflow(messagesAllowed: 5, messagesSubmitted: 6))
        {
            try fragment(constraints, candidate)
        }
    }

    @Test func fragment_code_upgrade_restricted() {
        var constraints = Self.makeConstraints()
        constraints.upgradeRestricted = true
        var candidate = Self.makeCandidate(constraints, Self.relayParent)
        candidate.commitments.newValidationCode = ValidationCode(bytes: [1, 2, 3])
        #expect(throws: FragmentValidityError.codeUpgradeRestricted) { try fragment(constraints, candidate) }
    }

    @Test func fragment_hrmp_messages_descending_or_duplicate() throws {
        var constraints = Self.makeConstraints()
        constraints.hrmpChannelsOut[2] = .init(bytesRemaining: 512, messagesRemaining: 10)
        var candidate = Self.makeCandidate(constraints, Self.relayParent)
        candidate.commitments.horizontalMessages = [
            OutboundHrmpMessage(recipient: 2, data: [1]), OutboundHrmpMessage(recipient: 1, data: [2]),
        ]
        #expect(throws: FragmentValidityError.hrmpMessagesDescendingOrDuplicate(1)) {
            try fragment(constraints, candidate)
        }
        candidate.commitments.horizontalMessages = [
            OutboundHrmpMessage(recipient: 1, data: [1]), OutboundHrmpMessage(recipient: 1, data: [2]),
        ]
        #expect(throws: FragmentValidityError.hrmpMessagesDescendingOrDuplicate(1)) {
            try fragment(constraints, candidate)
        }
        candidate.commitments.horizontalMessages = [
            OutboundHrmpMessage(recipient: 1, data: [1]), OutboundHrmpMessage(recipient: 2, data: [2, 3]),
        ]
        let checked = try Fragment(
            relayParent: Self.relayParent, operatingConstraints: constraints, candidate: candidate)
        #expect(checked.modifications.outboundHrmp[2] == .init(bytesSubmitted: 2, messagesSubmitted: 1))
    }

    @Test func head_data_size_too_large() {
        var constraints = Self.makeConstraints()
        constraints.maxHeadDataSize = 4
        let candidate = Self.makeCandidate(constraints, Self.relayParent)
        #expect(throws: FragmentValidityError.headDataTooLarge(maxAllowed: 4, newSize: 5)) {
            try fragment(constraints, candidate)
        }
    }

    @Test func aCandidateThatFitsIsAFragmentWhoseModificationsStackOntoTheNextConstraints() throws {
        let constraints = Self.makeConstraints()
        let candidate = Self.makeCandidate(constraints, Self.relayParent)
        let checked = try Fragment(
            relayParent: Self.relayParent, operatingConstraints: constraints, candidate: candidate)
        #expect(checked.modifications.requiredParent == HeadData(bytes: [1, 2, 3, 4, 5]))
        #expect(checked.modifications.hrmpWatermark == .head(6))
        let next = try constraints.applying(checked.modifications)
        #expect(next.requiredParent == HeadData(bytes: [1, 2, 3, 4, 5]))
        #expect(next.validWatermarks == [6, 8])
        // A candidate built on the old parent no longer fits.
        #expect(throws: FragmentValidityError.self) { try fragment(next, candidate) }
    }
}
