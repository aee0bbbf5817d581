import Primitives
import TestSupport
import Testing

/// The concrete values of the backing research note (§12–13), made with scalecodec 1.2.12 and
/// substrate-interface 1.8.1 (`polkadot-primitives-vectors.json`).
struct PolkadotReferenceVectorTests {
    struct FixtureCandidate: Decodable {
        let pov: [UInt8]
        let head: [UInt8]
        let povHash: String
        let erasureRootN6: String
        let commitmentsHash: String
        let candidateHash: String
    }

    struct GroupForCoreCase: Decodable {
        let core: UInt32
        let cores: Int
        let start: UInt32
        let freq: UInt32
        let now: UInt32
        let group: UInt32
    }

    struct Vectors: Decodable {
        let vectorA: [String: String]
        let a123: [String: String]
        let pvd: String
        let pvdHash: String
        let availableData: String
        let commitmentsB: String
        let commitmentsBHash: String
        let collatorPayload: String
        let groupRotationInfo_0_100_1: String
        let availabilityCores: String
        let validatorGroupsResponse: String
        let headData456Hash: String
        let fixtureCandidates: [String: FixtureCandidate]
        let defaultCandidate: [String: String]
        let groupForCore: [GroupForCoreCase]
    }

    let v: Vectors
    init() throws { v = try Fixture.load(Vectors.self, from: "polkadot-primitives-vectors.json") }

    static let relayParent = H256(repeating: 5)
    static let fixturePVD = PersistedValidationData(
        parentHead: HeadData(bytes: [7, 8, 9]), relayParentNumber: 0, relayParentStorageRoot: .zero, maxPovSize: 1024)

    /// The backing tests' candidate: para 1, relay parent 05…, the PoV's hash, the given erasure root.
    static func candidate(pov: [UInt8], head: [UInt8], erasureRoot: H256) -> CommittedCandidateReceipt {
        CommittedCandidateReceipt(
            descriptor: CandidateDescriptor(
                paraId: 1, relayParent: relayParent, povHash: PoV(pov).hash, erasureRoot: erasureRoot),
            commitments: CandidateCommitments(headData: HeadData(bytes: head)))
    }

    func hex(_ value: some ScaleEncodable) -> String { Hex.encode(value.scaleEncoded, prefix: false) }

    @Test func vectorAEncodesAndHashesByteForByte() throws {
        let ccr = Self.candidate(pov: [1, 2, 3], head: [4, 5, 6], erasureRoot: .zero)
        #expect(hex(PoV([1, 2, 3])) == "0c010203")
        #expect(hex(ccr.commitments) == v.vectorA["commitments"])
        #expect(Hex.encode(ccr.commitments.hash.bytes, prefix: false) == v.vectorA["commitmentsHash"])
        #expect(hex(ccr.descriptor) == v.vectorA["descriptor"])
        #expect(ccr.descriptor.scaleEncoded.count == 292)
        #expect(hex(ccr.plainReceipt) == v.vectorA["receipt"])
        #expect(ccr.plainReceipt.scaleEncoded.count == 324)
        #expect(Hex.encode(ccr.hash.bytes, prefix: false) == v.vectorA["candidateHash"])
        #expect(hex(ccr) == v.vectorA["committedReceipt"])
    }

    @Test func statementPayloadsAreThe73BytesPolkadotSigns() throws {
        let ccr = Self.candidate(pov: [1, 2, 3], head: [4, 5, 6], erasureRoot: .zero)
        let context = SigningContext(sessionIndex: 1, parentHash: Self.relayParent)
        #expect(hex(context) == v.vectorA["signingContext"])
        let seconded = CompactStatement.seconded(ccr.hash).signingPayload(context)
        #expect(seconded.count == 73)
        #expect(Hex.encode(seconded, prefix: false) == v.vectorA["secondedPayload"])
        #expect(
            Hex.encode(CompactStatement.valid(ccr.hash).signingPayload(context), prefix: false)
                == v.vectorA["validPayload"])
        #expect(Statement.seconded(ccr).compact == .seconded(ccr.hash))
    }

    @Test func signedStatementsEncodeAsPayloadIndexSignature() throws {
        let ccr = Self.candidate(pov: [1, 2, 3], head: [4, 5, 6], erasureRoot: .zero)
        let signature = try Sr25519Signature([UInt8](hex: v.vectorA["charlieSignature"]!))
        let full = SignedFullStatement(payload: .seconded(ccr), validatorIndex: 2, signature: signature)
        #expect(hex(full) == v.vectorA["signedFullStatement"])
        #expect(try SignedFullStatement(scaleEncoded: full.scaleEncoded) == full)
        let compact = SignedStatement(payload: .seconded(ccr.hash), validatorIndex: 2, signature: signature)
        #expect(hex(compact) == v.vectorA["signedCompactStatement"])
        #expect(try SignedStatement(scaleEncoded: compact.scaleEncoded) == compact)
    }

    @Test func compactStatementWithoutMagicIsRejected() throws {
        var bytes = CompactStatement.valid(.zero).scaleEncoded
        bytes[0] = UInt8(ascii: "X")
        #expect(
            throws: ScaleDecodingError.invalidValue(type: "CompactStatement", offset: 0, reason: "invalid magic string")
        ) {
            try CompactStatement(scaleEncoded: bytes)
        }
    }

    @Test func disputePayloadsAndEncodingsMatch() throws {
        let hash = try H256([UInt8](hex: v.vectorA["candidateHash"]!))
        #expect(
            Hex.encode(DisputeStatement.valid(.explicit).payloadData(candidate: hash, session: 1), prefix: false)
                == v.vectorA["explicitValidDisputePayload"])
        #expect(
            Hex.encode(DisputeStatement.invalid(.explicit).payloadData(candidate: hash, session: 1), prefix: false)
                == v.vectorA["explicitInvalidDisputePayload"])
        #expect(
            Hex.encode(
                DisputeStatement.valid(.approvalChecking).payloadData(candidate: hash, session: 1), prefix: false)
                == v.vectorA["approvalPayload"])
        #expect(
            DisputeStatement.valid(.backingSeconded(Self.relayParent)).payloadData(candidate: hash, session: 1)
                == [UInt8](hex: v.vectorA["secondedPayload"]!))
        #expect(
            DisputeStatement.valid(.backingValid(Self.relayParent)).payloadData(candidate: hash, session: 1)
                == [UInt8](hex: v.vectorA["validPayload"]!))
        let h11 = H256(repeating: 0x11)
        #expect(hex(DisputeStatement.valid(.explicit)) == "0000")
        #expect(hex(DisputeStatement.valid(.backingSeconded(h11))) == "0001" + String(repeating: "11", count: 32))
        #expect(hex(DisputeStatement.valid(.backingValid(h11))) == "0002" + String(repeating: "11", count: 32))
        #expect(hex(DisputeStatement.valid(.approvalChecking)) == "0003")
        #expect(hex(DisputeStatement.invalid(.explicit)) == "0100")
        for statement in [
            DisputeStatement.valid(.explicit), .valid(.backingSeconded(h11)), .valid(.backingValid(h11)),
            .valid(.approvalChecking), .invalid(.explicit),
        ] {
            #expect(try DisputeStatement(scaleEncoded: statement.scaleEncoded) == statement)
        }
    }

    @Test func backedCandidateVotesFollowTheBitfield() throws {
        let ccr = Self.candidate(pov: [1, 2, 3], head: [4, 5, 6], erasureRoot: .zero)
        let backed = BackedCandidate(
            candidate: ccr,
            validityVotes: [
                .implicit(Sr25519Signature(repeating: 0xaa)), .explicit(Sr25519Signature(repeating: 0xbb)),
                .explicit(Sr25519Signature(repeating: 0xcc)),
            ],
            validatorIndices: BitVec([true, false, true, true]))
        #expect(hex(backed) == v.vectorA["backedCandidateExample"])
        #expect(try BackedCandidate(scaleEncoded: backed.scaleEncoded) == backed)
    }

    @Test func persistedValidationDataAndAvailableDataMatch() throws {
        #expect(hex(Self.fixturePVD) == v.pvd)
        #expect(Hex.encode(Self.fixturePVD.hash.bytes, prefix: false) == v.pvdHash)
        #expect(hex(AvailableData(pov: PoV([1, 2, 3]), validationData: Self.fixturePVD)) == v.availableData)
        #expect(Hex.encode(HeadData(bytes: [4, 5, 6]).hash.bytes, prefix: false) == v.headData456Hash)
    }

    @Test func richCommitmentsEncodeEveryField() throws {
        let commitments = CandidateCommitments(
            upwardMessages: [Bytes(bytes: [1, 2])],
            horizontalMessages: [OutboundHrmpMessage(recipient: 2000, data: [0xff])],
            newValidationCode: ValidationCode(bytes: [0x00, 0x61, 0x73, 0x6d]),
            headData: HeadData(bytes: [0xde, 0xad]),
            processedDownwardMessages: 3, hrmpWatermark: 7)
        #expect(hex(commitments) == v.commitmentsB)
        #expect(Hex.encode(commitments.hash.bytes, prefix: false) == v.commitmentsBHash)
        #expect(try CandidateCommitments(scaleEncoded: commitments.scaleEncoded) == commitments)
    }

    @Test func collatorSignaturePayloadIs132Bytes() {
        let descriptor = CandidateDescriptor(
            paraId: 5, relayParent: H256(repeating: 1), persistedValidationDataHash: H256(repeating: 2),
            povHash: H256(repeating: 3), erasureRoot: H256(repeating: 9), paraHead: H256(repeating: 9),
            validationCodeHash: H256(repeating: 4))
        #expect(descriptor.collatorSignaturePayload.count == 132)
        #expect(Hex.encode(descriptor.collatorSignaturePayload, prefix: false) == v.collatorPayload)
    }

    @Test func runtimeAnswersOfTheBackingFixtureEncode() throws {
        let two = try Sr25519Public([UInt8](hex: "1254f7017f0b8347ce7ab14f96d818802e7e9e0c0d1b7c9acb3c726b080e7a03"))
        let rotation = GroupRotationInfo(sessionStartBlock: 0, groupRotationFrequency: 100, now: 1)
        #expect(hex(rotation) == v.groupRotationInfo_0_100_1)
        let cores: [CoreState] = [
            .scheduled(ScheduledCore(paraId: 1)), .scheduled(ScheduledCore(paraId: 2)),
            .scheduled(ScheduledCore(paraId: 3, collator: two)),
        ]
        var encoder = ScaleEncoder()
        encoder.append(cores)
        #expect(Hex.encode(encoder.bytes, prefix: false) == v.availabilityCores)
        var decoder = ScaleDecoder(encoder.bytes)
        #expect(try decoder.readArray(of: CoreState.self) == cores)
        #expect(hex(CoreState.free) == "02")

        let groups: [[ValidatorIndex]] = [[2, 0, 3, 5], [1], [4]]
        var response = ScaleEncoder()
        response.appendCompact(UInt64(groups.count))
        for group in groups { response.append(group) }
        response.append(rotation)
        #expect(Hex.encode(response.bytes, prefix: false) == v.validatorGroupsResponse)
    }

    @Test func fixtureCandidatesHashAsInTheReferenceTable() throws {
        #expect(v.fixtureCandidates.count == 5)
        for (name, c) in v.fixtureCandidates {
            let ccr = Self.candidate(pov: c.pov, head: c.head, erasureRoot: try H256([UInt8](hex: c.erasureRootN6)))
            #expect(Hex.encode(PoV(c.pov).hash.bytes, prefix: false) == c.povHash, "\(name)")
            #expect(Hex.encode(ccr.commitments.hash.bytes, prefix: false) == c.commitmentsHash, "\(name)")
            #expect(Hex.encode(ccr.hash.bytes, prefix: false) == c.candidateHash, "\(name)")
        }
        let defaults = CommittedCandidateReceipt()
        #expect(hex(defaults.commitments) == "000000000000000000000000")
        #expect(Hex.encode(defaults.commitments.hash.bytes, prefix: false) == v.defaultCandidate["commitmentsHash"])
        #expect(Hex.encode(defaults.hash.bytes, prefix: false) == v.defaultCandidate["candidateHash"])
    }

    @Test func a123StatementsDecodeAndReencode() throws {
        let a123 = v.fixtureCandidates["A123"]!
        let ccr = Self.candidate(
            pov: a123.pov, head: a123.head, erasureRoot: try H256([UInt8](hex: a123.erasureRootN6)))
        let context = SigningContext(sessionIndex: 1, parentHash: Self.relayParent)
        let seconded = try SignedFullStatement(scaleEncoded: [UInt8](hex: v.a123["signedSecondedByCharlie"]!))
        #expect(seconded.payload == .seconded(ccr))
        #expect(seconded.validatorIndex == 2)
        #expect(Hex.encode(seconded.signingPayload(context), prefix: false) == v.a123["secondedPayload"])
        let valid = try SignedFullStatement(scaleEncoded: [UInt8](hex: v.a123["signedValidByOne"]!))
        #expect(valid.payload == .valid(ccr.hash))
        #expect(valid.validatorIndex == 5)
        #expect(Hex.encode(valid.signingPayload(context), prefix: false) == v.a123["validPayload"])
    }

    @Test func groupForCoreMatchesTheOracle() {
        #expect(v.groupForCore.count == 7)
        for c in v.groupForCore {
            let info = GroupRotationInfo(sessionStartBlock: c.start, groupRotationFrequency: c.freq, now: c.now)
            #expect(info.groupForCore(CoreIndex(c.core), cores: c.cores) == GroupIndex(c.group), "\(c)")
        }
    }

    /// Polkadot's `group_rotation_info_calculations` and `group_for_core_is_core_for_group`.
    @Test func groupRotationHelpersMatchPolkadotsUnitTests() async {
        let info = GroupRotationInfo(sessionStartBlock: 10, groupRotationFrequency: 5, now: 15)
        #expect(info.nextRotationAt == 20)
        #expect(info.lastRotationAt == 15)
        #expect(
            GroupRotationInfo(sessionStartBlock: 0, groupRotationFrequency: 0, now: 9).groupForCore(3, cores: 4) == 3)
        var mismatches: [String] = []
        for cores in 1...256 {
            await Task.yield()  // a long CPU loop hands its cooperative thread back now and then
            for rotations in 0..<(2 * UInt32(cores)) {
                let info = GroupRotationInfo(sessionStartBlock: 0, groupRotationFrequency: 1, now: rotations)
                for core in 0..<UInt32(cores)
                where info.coreForGroup(info.groupForCore(CoreIndex(core), cores: cores), cores: cores)
                    != CoreIndex(core)
                {
                    mismatches.append("cores \(cores) rotations \(rotations) core \(core)")
                }
            }
        }
        #expect(mismatches.isEmpty)
    }

    @Test func thresholdsMatchPolkadot() {
        #expect((0...7).map(Thresholds.byzantine) == [0, 0, 0, 0, 1, 1, 1, 2])
        #expect((0...7).map(Thresholds.supermajority) == [0, 1, 2, 3, 3, 4, 5, 5])
    }
}
