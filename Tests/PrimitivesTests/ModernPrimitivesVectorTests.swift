import CompactJSON
import Foundation
import Primitives
import TestSupport
import Testing

/// Today's primitives against `modern/` (receipts-v2, ump-signals, core-index, backed-candidates): v2
/// descriptors, UMP signals, the claim-queue core check, group rotation and the injected core index.
struct ModernPrimitivesVectorTests {
    struct SignalsOutcome: Decodable, Sendable {
        let umpSignals: CandidateUMPSignals?
        let umpSignalsError: String?
    }

    struct Accounting: Decodable, Equatable, Sendable {
        let umpMessagesSent: Int
        let umpBytesSent: Int

        /// What the commitments are charged: the upward messages before the separator.
        init(_ commitments: CandidateCommitments) {
            let charged = commitments.chargedUpwardMessages
            umpMessagesSent = charged.count
            umpBytesSent = charged.reduce(0) { $0 + $1.bytes.count }
        }
    }

    struct ReceiptVector: Decodable, Sendable {
        let name: String
        let committedCandidateReceipt: CommittedCandidateReceipt
        let candidateReceipt: CandidateReceipt
        let descriptorVersion: String
        let coreIndexField: UInt32?
        let sessionIndexField: UInt32?
        let descriptorAsV1: [String: String]
        let descriptorEncoded: String
        let commitmentsEncoded: String
        let commitmentsHash: String
        let receiptEncoded: String
        let committedReceiptEncoded: String
        let candidateHash: String
        let umpSignals: CandidateUMPSignals?
        let umpSignalsError: String?
        let umpAccounting: Accounting
    }

    struct SignalVector: Decodable, Sendable {
        let name: String
        let commitments: CandidateCommitments
        let commitmentsEncoded: String
        let commitmentsHash: String
        let upwardMessagesEncoded: [String]
        let umpSignals: CandidateUMPSignals?
        let umpSignalsError: String?
        let umpAccounting: Accounting
    }

    struct CoreVector: Decodable, Sendable {
        let name: String
        let claimQueue: ClaimQueue
        let paraId: ParaId
        let selectCore: CandidateUMPSignals.SelectCore?
        let descriptorCoreIndex: CoreIndex
        let transposedForPara: [String: [CoreIndex]]
        let assignedCores: [CoreIndex]
        let expectedCoreIndex: CoreIndex?
        let result: String
    }

    struct RotationVector: Decodable, Sendable {
        let nCores: Int
        let groupRotationInfo: GroupRotationInfo
        let coreIndex: CoreIndex
        let groupIndex: GroupIndex
    }

    struct BackedVector: Decodable, Sendable {
        struct Backed: Decodable, Sendable {
            let candidate: CommittedCandidateReceipt
            let validityVotes: [ValidityAttestation]
            let validatorIndicesLsb0: String
            let coreIndex: CoreIndex
        }
        let name: String
        let backedCandidate: Backed
        let group: [ValidatorIndex]
        let validatorIndicesWithCoreLsb0: String
        let validatorIndicesEncoded: String
        let validatorIndicesEncodedWithoutCore: String
        let encoded: String
        let candidateHash: String
    }

    struct File<Vector: Decodable & Sendable>: Decodable, Sendable { let vectors: [Vector] }
    struct CoreFile: Decodable, Sendable {
        let vectors: [CoreVector]
        let groupRotation: File<RotationVector>
    }

    static let receipts = (try? Fixture.load(File<ReceiptVector>.self, from: "modern/receipts-v2.json").vectors) ?? []
    static let signals = (try? Fixture.load(File<SignalVector>.self, from: "modern/ump-signals.json").vectors) ?? []
    static let cores = try? Fixture.load(CoreFile.self, from: "modern/core-index.json")
    static let backed =
        (try? Fixture.load(File<BackedVector>.self, from: "modern/backed-candidates.json").vectors) ?? []

    static func bits(_ lsb0: String) -> BitVec { BitVec(lsb0.map { $0 == "1" }) }

    @Test func everyModernFixtureLoads() {
        #expect(Self.receipts.count == 8)
        #expect(Self.signals.count == 8)
        #expect(Self.cores?.vectors.count == 14)
        #expect(Self.cores?.groupRotation.vectors.count == 5)
        #expect(Self.backed.count == 5)
    }

    // MARK: receipts-v2.json

    @Test(arguments: receipts.indices)
    func v2ReceiptEncodingsAndHashesMatchTheVectors(index: Int) throws {
        let v = Self.receipts[index]
        let committed = v.committedCandidateReceipt
        #expect(Hex.encode(committed.descriptor.scaleEncoded) == v.descriptorEncoded)
        #expect(Hex.encode(committed.commitments.scaleEncoded) == v.commitmentsEncoded)
        #expect(committed.commitments.hash.hex == v.commitmentsHash)
        #expect(Hex.encode(v.candidateReceipt.scaleEncoded) == v.receiptEncoded)
        #expect(Hex.encode(committed.scaleEncoded) == v.committedReceiptEncoded)
        #expect(committed.hash.hex == v.candidateHash)
        #expect(v.candidateReceipt.hash.hex == v.candidateHash)
        #expect(committed.plainReceipt == v.candidateReceipt)
        // SCALE decoding gives back the JSON value, in either layout.
        #expect(try CommittedCandidateReceipt(scaleEncoded: [UInt8](hex: v.committedReceiptEncoded)) == committed)
        let v2 = try CandidateDescriptorV2(scaleEncoded: [UInt8](hex: v.descriptorEncoded))
        #expect(CandidateDescriptor(v2) == committed.descriptor)
        #expect(Hex.encode(v2.scaleEncoded) == v.descriptorEncoded)
    }

    @Test(arguments: receipts.indices)
    func descriptorVersionAndFieldsAreReadFromTheBytes(index: Int) {
        let v = Self.receipts[index]
        let descriptor = v.committedCandidateReceipt.descriptor
        #expect(descriptor.version.description == v.descriptorVersion)
        #expect(descriptor.coreIndex?.rawValue == v.coreIndexField)
        #expect(descriptor.sessionIndex == v.sessionIndexField)
        #expect(descriptor.collator.hex == v.descriptorAsV1["collator"])
        #expect(descriptor.signature.hex == v.descriptorAsV1["signature"])
    }

    /// The same receipt written with the v1 field set decodes to the same bytes and hash.
    @Test(arguments: receipts.indices)
    func theV1FieldSetOfTheSameBytesDecodesToTheSameCandidate(index: Int) throws {
        let v = Self.receipts[index]
        let committed = v.committedCandidateReceipt
        var object = try #require(
            try JSONSerialization.jsonObject(with: JSONOutput.encode(committed)) as? [String: Any])
        var descriptor = try #require(object["descriptor"] as? [String: Any])
        for key in ["version", "coreIndex", "sessionIndex", "reserved1", "reserved2"] { descriptor[key] = nil }
        descriptor["collator"] = v.descriptorAsV1["collator"]
        descriptor["signature"] = v.descriptorAsV1["signature"]
        object["descriptor"] = descriptor
        let v1JSON = try JSONSerialization.data(withJSONObject: object)
        let decoded = try JSONInput.decode(CommittedCandidateReceipt.self, from: v1JSON)
        #expect(decoded == committed)
        #expect(decoded.hash.hex == v.candidateHash)
    }

    @Test(arguments: receipts.indices)
    func outputUsesTheFieldSetOfTheDescriptorsVersion(index: Int) throws {
        let v = Self.receipts[index]
        let committed = v.committedCandidateReceipt
        let written = try CompactJSONEncoder.sortedKeysJSON(committed)
        #expect(written == [UInt8](try JSONOutput.foundationEncode(committed)))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(written)) as? [String: Any])
        let descriptor = try #require(object["descriptor"] as? [String: Any])
        let isV1 = v.descriptorVersion == "v1"
        #expect((descriptor["collator"] != nil) == isV1)
        #expect((descriptor["signature"] != nil) == isV1)
        #expect((descriptor["coreIndex"] != nil) == !isV1)
        #expect((descriptor["sessionIndex"] != nil) == !isV1)
        // The strict reader takes what the writer wrote, and agrees with Foundation.
        #expect(try JSONInput.decode(CommittedCandidateReceipt.self, from: written) == committed)
    }

    @Test(arguments: receipts.indices)
    func receiptSignalsParseAsTheVectorsSay(index: Int) {
        let v = Self.receipts[index]
        let commitments = v.committedCandidateReceipt.commitments
        do {
            let signals = try commitments.umpSignals()
            #expect(v.umpSignalsError == nil)
            #expect(signals == v.umpSignals)
        } catch {
            #expect(error.name == v.umpSignalsError)
        }
        #expect(Accounting(commitments) == v.umpAccounting)
    }

    // MARK: ump-signals.json

    @Test(arguments: signals.indices)
    func umpSignalsParseOrFailAsTheVectorsSay(index: Int) {
        let v = Self.signals[index]
        #expect(Hex.encode(v.commitments.scaleEncoded) == v.commitmentsEncoded)
        #expect(v.commitments.hash.hex == v.commitmentsHash)
        #expect(v.commitments.upwardMessages.map { Hex.encode($0.scaleEncoded) } == v.upwardMessagesEncoded)
        do {
            let signals = try v.commitments.umpSignals()
            #expect(v.umpSignalsError == nil, "\(v.name)")
            #expect(signals == v.umpSignals, "\(v.name)")
        } catch {
            #expect(error.name == v.umpSignalsError, "\(v.name)")
        }
        #expect(Accounting(v.commitments) == v.umpAccounting)
    }

    @Test func aSignalEncodesAsItsVariantIndexAndFields() throws {
        #expect(UMPSignal.selectCore(CoreSelector(5), ClaimQueueOffset(1)).scaleEncoded == [0, 5, 1])
        #expect(UMPSignal.approvedPeer([7, 8]).scaleEncoded == [1, 8, 7, 8])
        #expect(try UMPSignal(scaleEncoded: [0, 5, 1]) == .selectCore(CoreSelector(5), ClaimQueueOffset(1)))
        #expect(throws: ScaleDecodingError.self) { try UMPSignal(scaleEncoded: [2, 0]) }
        #expect(throws: ScaleDecodingError.self) {
            try UMPSignal(scaleEncoded: [1] + [65 << 2] + [UInt8](repeating: 1, count: 65))
        }
    }

    // MARK: core-index.json

    @Test(arguments: 0..<(cores?.vectors.count ?? 0))
    func coreIndexCheckGivesTheVectorsVerdict(index: Int) throws {
        let v = try #require(Self.cores).vectors[index]
        let transposed = v.claimQueue.transposed
        for (depth, expected) in v.transposedForPara {
            #expect(transposed.cores(of: v.paraId, at: Int(depth)!) == expected, "\(v.name) depth \(depth)")
        }
        #expect(transposed.assignments[v.paraId]?.count ?? 0 == v.transposedForPara.count, "\(v.name)")
        let offset = Int(v.selectCore?.claimQueueOffset.rawValue ?? 0)
        #expect(transposed.cores(of: v.paraId, at: offset) == v.assignedCores, "\(v.name)")
        do {
            let derived = try transposed.checkCoreIndex(
                para: v.paraId, descriptorCore: v.descriptorCoreIndex, selectCore: v.selectCore)
            #expect(v.result == "ok", "\(v.name)")
            #expect(derived == v.expectedCoreIndex, "\(v.name)")
        } catch {
            #expect(error.name == v.result, "\(v.name)")
            if case .coreIndexMismatch(let descriptor, let commitments) = error {
                #expect(descriptor == v.descriptorCoreIndex)
                #expect(commitments == v.expectedCoreIndex)
            }
        }
    }

    @Test(arguments: 0..<(cores?.groupRotation.vectors.count ?? 0))
    func groupRotationMapsCoresAndGroupsAsTheVectorsSay(index: Int) throws {
        let v = try #require(Self.cores).groupRotation.vectors[index]
        #expect(v.groupRotationInfo.groupForCore(v.coreIndex, cores: v.nCores) == v.groupIndex)
        #expect(v.groupRotationInfo.coreForGroup(v.groupIndex, cores: v.nCores) == v.coreIndex)
    }

    // MARK: backed-candidates.json

    @Test(arguments: backed.indices)
    func backedCandidateEncodingCarriesTheInjectedCoreIndex(index: Int) throws {
        let v = Self.backed[index]
        let b = v.backedCandidate
        let groupBits = Self.bits(b.validatorIndicesLsb0)
        #expect(groupBits.count == v.group.count)
        let injected = BackedCandidate(
            candidate: b.candidate, validityVotes: b.validityVotes, groupBits: groupBits, coreIndex: b.coreIndex,
            injectingCoreIndex: true)
        #expect(injected.validatorIndices == Self.bits(v.validatorIndicesWithCoreLsb0))
        #expect(Hex.encode(injected.validatorIndices.scaleEncoded) == v.validatorIndicesEncoded)
        #expect(Hex.encode(injected.scaleEncoded) == v.encoded)
        #expect(injected.candidate.hash.hex == v.candidateHash)
        let plain = BackedCandidate(
            candidate: b.candidate, validityVotes: b.validityVotes, groupBits: groupBits, coreIndex: b.coreIndex,
            injectingCoreIndex: false)
        #expect(Hex.encode(plain.validatorIndices.scaleEncoded) == v.validatorIndicesEncodedWithoutCore)
        // Decoding splits the core bits off again (`validator_indices_and_core_index`).
        let decoded = try BackedCandidate(scaleEncoded: [UInt8](hex: v.encoded))
        let (bits, core) = decoded.validatorIndicesAndCoreIndex(coreIndexEnabled: true)
        #expect(bits == groupBits)
        #expect(core == CoreIndex(b.coreIndex.rawValue & 0xff))
        #expect(decoded.validatorIndicesAndCoreIndex(coreIndexEnabled: false).coreIndex == nil)
        // JSON: coreIndex alongside, `encoded` with the injected bits.
        let object = try #require(try JSONSerialization.jsonObject(with: JSONOutput.encode(injected)) as? [String: Any])
        #expect(object["coreIndex"] as? Int == Int(b.coreIndex.rawValue))
        #expect(object["encoded"] as? String == v.encoded)
    }

    // MARK: Node features

    @Test func nodeFeatureBitsAreReadLsb0AndMissingBitsAreOff() throws {
        let only3 = try JSONInput.decode(NodeFeatures.self, from: Data(#""0x2008""#.utf8))
        #expect(only3.isEnabled(.candidateReceiptV2))
        #expect(!only3.isEnabled(.elasticScalingMVP))
        #expect(NodeFeatures(enabled: [.candidateReceiptV2]).bits.scaleEncoded == [0x20, 0x08])
        let short = NodeFeatures(BitVec([false, true]))
        #expect(short.isEnabled(.elasticScalingMVP))
        #expect(!short.isEnabled(.candidateReceiptV2))
        #expect(!NodeFeatures().isEnabled(.enableAssignmentsV2))
        // Unknown later bits are ignored.
        let wide = NodeFeatures(BitVec([false, false, false, true] + [Bool](repeating: true, count: 12)))
        #expect(wide.isEnabled(.candidateReceiptV2))
    }
}
