import Primitives
import Testing

/// The primitives tests of polkadot-sdk (`polkadot/primitives/src/vstaging/mod.rs` @ 0003d10a, reference
/// §6.5), ported under their names with their assertions.
struct UpstreamPrimitivesTests {
    static func dummyV2Receipt(core: CoreIndex = 123, session: SessionIndex = 1) -> CommittedCandidateReceipt {
        let descriptor = CandidateDescriptorV2(
            paraId: 1000, relayParent: H256(repeating: 1), coreIndex: core, sessionIndex: session,
            persistedValidationDataHash: H256(repeating: 2), povHash: H256(repeating: 3),
            erasureRoot: H256(repeating: 4), paraHead: H256(repeating: 5), validationCodeHash: H256(repeating: 6))
        return CommittedCandidateReceipt(
            descriptor: CandidateDescriptor(descriptor),
            commitments: CandidateCommitments(headData: HeadData(bytes: [1])))
    }

    static func signal(_ signal: UMPSignal) -> Bytes { Bytes(bytes: signal.scaleEncoded) }
    static let separator = Bytes(bytes: UMPSignal.separator)
    static let peer = UMPSignal.approvedPeer([UInt8](repeating: 9, count: 38))

    static func claimQueue(_ queues: [UInt32: [UInt32]]) -> TransposedClaimQueue {
        ClaimQueue(
            Dictionary(uniqueKeysWithValues: queues.map { (CoreIndex($0.key), $0.value.map { ParaId($0) }) })
        ).transposed
    }

    @Test func is_binary_compatibile() throws {
        let v2 = Self.dummyV2Receipt()
        #expect(v2.descriptor.scaleEncoded.count == CandidateDescriptor.encodedSize)
        #expect(CandidateDescriptorV2(v2.descriptor).scaleEncoded.count == 292)
        let v1 = CandidateDescriptor(
            paraId: 7, relayParent: H256(repeating: 1), collator: Sr25519Public(repeating: 8),
            signature: Sr25519Signature(repeating: 9))
        let asV2 = try CandidateDescriptorV2(scaleEncoded: v1.scaleEncoded)
        #expect(asV2.scaleEncoded == v1.scaleEncoded)
        #expect(CandidateDescriptor(asV2) == v1)
    }

    @Test func test_from_v1_descriptor() throws {
        let v1 = CandidateDescriptor(
            paraId: 1, relayParent: H256(repeating: 2), collator: try Sr25519Public((0..<32).map { UInt8($0) }),
            signature: try Sr25519Signature((0..<64).map { UInt8($0) }))
        let v2 = CandidateDescriptorV2(v1)
        #expect(v2.version == 0)
        #expect(v2.coreIndex == 0x0201)
        #expect(v2.sessionIndex == 0x0605_0403)
        #expect(v2.descriptorVersion == .v1)
        #expect(v1.version == .v1)
        #expect(v1.coreIndex == nil)
        #expect(v1.sessionIndex == nil)
        let receipt = CandidateReceipt(descriptor: v1, commitmentsHash: H256(repeating: 3))
        #expect(
            CandidateReceipt(descriptor: CandidateDescriptor(v2), commitmentsHash: H256(repeating: 3)).hash
                == receipt.hash)
    }

    @Test func invalid_version_descriptor() {
        var receipt = Self.dummyV2Receipt()
        var v2 = receipt.descriptor.v2
        v2.version = 100
        receipt.descriptor = CandidateDescriptor(v2)
        #expect(receipt.descriptor.version == .unknown(100))
        #expect(receipt.descriptor.coreIndex == 123)
        #expect(throws: CommittedCandidateReceiptError.unknownVersion(100)) {
            try receipt.parseUMPSignals(Self.claimQueue([123: [1000, 1000]]))
        }
    }

    @Test func test_ump_commitments() throws {
        let queue = Self.claimQueue([123: [1000, 1000]])
        var receipt = Self.dummyV2Receipt()
        // No signals at all.
        #expect(try receipt.parseUMPSignals(queue) == CandidateUMPSignals())
        // The separator alone.
        receipt.commitments.upwardMessages = [Self.separator]
        #expect(try receipt.parseUMPSignals(queue) == CandidateUMPSignals())
        // SelectCore alone.
        let select = UMPSignal.selectCore(CoreSelector(0), ClaimQueueOffset(1))
        receipt.commitments.upwardMessages = [Self.separator, Self.signal(select)]
        #expect(
            try receipt.parseUMPSignals(queue)
                == CandidateUMPSignals(
                    selectCore: .init(coreSelector: CoreSelector(0), claimQueueOffset: ClaimQueueOffset(1))))
        // ApprovedPeer alone.
        receipt.commitments.upwardMessages = [Self.separator, Self.signal(Self.peer)]
        #expect(try receipt.parseUMPSignals(queue).approvedPeer == [UInt8](repeating: 9, count: 38))
        // Both, in either order.
        for order in [[select, Self.peer], [Self.peer, select]] {
            receipt.commitments.upwardMessages = [Bytes(bytes: [1, 2, 3]), Self.separator] + order.map(Self.signal)
            let signals = try receipt.parseUMPSignals(queue)
            #expect(signals.selectCore?.claimQueueOffset == ClaimQueueOffset(1))
            #expect(signals.approvedPeer != nil)
        }
    }

    @Test func test_invalid_ump_commitments() {
        var receipt = Self.dummyV2Receipt(core: 0)
        let twoCores = Self.claimQueue([0: [1000, 1000], 100: [1000, 1000]])
        // A message after the separator that is no signal.
        receipt.commitments.upwardMessages = [Self.separator, Bytes(bytes: Bytes(bytes: [0, 13, 200]).scaleEncoded)]
        #expect(throws: CommittedCandidateReceiptError.umpSignalDecode) { try receipt.parseUMPSignals(twoCores) }
        // No selector: core 0 is assigned, core 1 is not.
        receipt.commitments.upwardMessages = []
        #expect(throws: Never.self) { try receipt.parseUMPSignals(twoCores) }
        var other = Self.dummyV2Receipt(core: 1)
        #expect(throws: CommittedCandidateReceiptError.invalidCoreIndex) { try other.parseUMPSignals(twoCores) }
        // An empty claim queue assigns nothing.
        #expect(throws: CommittedCandidateReceiptError.noAssignment) {
            try receipt.parseUMPSignals(TransposedClaimQueue([:]))
        }
        // Selector 0 at offset 1 picks core 0, not the descriptor's core 1.
        other.commitments.upwardMessages = [
            Self.separator, Self.signal(.selectCore(CoreSelector(0), ClaimQueueOffset(1))),
        ]
        #expect(throws: CommittedCandidateReceiptError.coreIndexMismatch(descriptor: 1, commitments: 0)) {
            try other.parseUMPSignals(twoCores)
        }
        // The same signal kind twice, and three messages after the separator.
        let select = Self.signal(.selectCore(CoreSelector(0), ClaimQueueOffset(0)))
        receipt.commitments.upwardMessages = [Self.separator, select, select]
        #expect(throws: CommittedCandidateReceiptError.duplicateUMPSignal) { try receipt.parseUMPSignals(twoCores) }
        receipt.commitments.upwardMessages = [Self.separator, select, Self.signal(Self.peer), select]
        #expect(throws: CommittedCandidateReceiptError.tooManyUMPSignals) { try receipt.parseUMPSignals(twoCores) }
    }

    @Test func test_version2_receipts_decoded_as_v1() throws {
        var receipt = Self.dummyV2Receipt()
        receipt.commitments.upwardMessages = [
            Bytes(bytes: [UInt8](repeating: 1, count: 256)), Bytes(bytes: [UInt8](repeating: 2, count: 256)),
            Self.separator, Self.signal(.selectCore(CoreSelector(0), ClaimQueueOffset(1))),
        ]
        #expect(throws: Never.self) { try receipt.parseUMPSignals(Self.claimQueue([123: [1000, 1000]])) }
        // The same bytes read through the v1 field set: same value, same hash.
        let asV1 = CandidateDescriptor(
            paraId: receipt.descriptor.paraId, relayParent: receipt.descriptor.relayParent,
            collator: receipt.descriptor.collator,
            persistedValidationDataHash: receipt.descriptor.persistedValidationDataHash,
            povHash: receipt.descriptor.povHash, erasureRoot: receipt.descriptor.erasureRoot,
            signature: receipt.descriptor.signature, paraHead: receipt.descriptor.paraHead,
            validationCodeHash: receipt.descriptor.validationCodeHash)
        let decoded = try CommittedCandidateReceipt(
            scaleEncoded: CommittedCandidateReceipt(descriptor: asV1, commitments: receipt.commitments).scaleEncoded)
        #expect(decoded.hash == receipt.hash)
        #expect(decoded.descriptor.version == .v2)
        #expect(decoded.descriptor.coreIndex == 123)
    }

    @Test func test_v1_descriptors_with_ump_signal() {
        var receipt = CommittedCandidateReceipt(
            descriptor: CandidateDescriptor(
                paraId: 1000, collator: Sr25519Public(repeating: 7), signature: Sr25519Signature(repeating: 8)))
        receipt.commitments.upwardMessages = [
            Self.separator, Self.signal(.selectCore(CoreSelector(0), ClaimQueueOffset(0))),
        ]
        #expect(receipt.descriptor.version == .v1)
        #expect(throws: CommittedCandidateReceiptError.umpSignalWithV1Descriptor) {
            try receipt.parseUMPSignals(Self.claimQueue([0: [1000]]))
        }
        receipt.commitments.upwardMessages = [Self.separator]
        #expect(throws: Never.self) { try receipt.parseUMPSignals(Self.claimQueue([0: [1000]])) }
    }

    @Test func test_core_select_is_optional() throws {
        // A v1 encoding whose collator and signature are all zero reads as V2, core 0, session 0.
        let zeroed = CommittedCandidateReceipt(descriptor: CandidateDescriptor(paraId: 1000))
        #expect(zeroed.descriptor.version == .v2)
        #expect(zeroed.descriptor.coreIndex == 0)
        #expect(zeroed.descriptor.sessionIndex == 0)
        // Two cores for the para and no selector: core 0 is one of them.
        #expect(throws: Never.self) {
            try zeroed.parseUMPSignals(Self.claimQueue([0: [1000, 1000], 100: [1000, 1000]]))
        }
    }
}
