import CompactJSON
import Primitives
import TestSupport
import Testing

/// decode(encode(x)) == x for random values of every wire type, and random bytes never crash a decoder.
struct PropertyTests {
    struct Random {
        var rng: SeededGenerator
        mutating func u32() -> UInt32 { UInt32.random(in: 0...UInt32.max, using: &rng) }
        mutating func small(_ n: Int) -> Int { Int.random(in: 0...n, using: &rng) }
        mutating func bytes(max: Int = 80) -> [UInt8] { rng.bytes(small(max)) }
        mutating func h256() -> H256 { H256(unchecked: rng.bytes(32)) }
        mutating func signature() -> Sr25519Signature { Sr25519Signature(unchecked: rng.bytes(64)) }
        mutating func key() -> Sr25519Public { Sr25519Public(unchecked: rng.bytes(32)) }
        mutating func bool() -> Bool { Bool.random(using: &rng) }

        mutating func descriptor() -> CandidateDescriptor {
            CandidateDescriptor(
                paraId: ParaId(u32()), relayParent: h256(), collator: key(), persistedValidationDataHash: h256(),
                povHash: h256(), erasureRoot: h256(), signature: signature(), paraHead: h256(),
                validationCodeHash: h256())
        }
        mutating func commitments() -> CandidateCommitments {
            CandidateCommitments(
                upwardMessages: (0..<small(3)).map { _ in Bytes(bytes: bytes()) },
                horizontalMessages: (0..<small(3)).map { _ in
                    OutboundHrmpMessage(recipient: ParaId(u32()), data: bytes())
                },
                newValidationCode: bool() ? ValidationCode(bytes: bytes(max: 300)) : nil,
                headData: HeadData(bytes: bytes()), processedDownwardMessages: u32(), hrmpWatermark: u32())
        }
        mutating func receipt() -> CommittedCandidateReceipt {
            CommittedCandidateReceipt(descriptor: descriptor(), commitments: commitments())
        }
        mutating func pvd() -> PersistedValidationData {
            PersistedValidationData(
                parentHead: HeadData(bytes: bytes()), relayParentNumber: u32(), relayParentStorageRoot: h256(),
                maxPovSize: u32())
        }
        mutating func bitvec() -> BitVec { BitVec((0..<small(40)).map { _ in bool() }) }
        mutating func statement() -> Statement { bool() ? .seconded(receipt()) : .valid(h256()) }
        mutating func scheduled() -> ScheduledCore {
            ScheduledCore(paraId: ParaId(u32()), collator: bool() ? key() : nil)
        }
        mutating func coreState() -> CoreState {
            switch small(2) {
            case 0:
                .occupied(
                    OccupiedCore(
                        nextUpOnAvailable: bool() ? scheduled() : nil, occupiedSince: u32(), timeOutAt: u32(),
                        nextUpOnTimeOut: bool() ? scheduled() : nil, availability: bitvec(),
                        groupResponsible: GroupIndex(u32()),
                        candidateHash: h256(), candidateDescriptor: descriptor()))
            case 1: .scheduled(scheduled())
            default: .free
            }
        }
    }

    static func roundTrips<T: ScaleCodable & Equatable & Codable>(_ value: T) throws -> Bool {
        let scale = try T(scaleEncoded: value.scaleEncoded) == value
        let json = try JSONInput.decode(T.self, from: JSONOutput.encode(value)) == value
        let sameBytes = try CompactJSONEncoder().encode(value) == [UInt8](JSONOutput.foundationEncode(value))
        return scale && json && sameBytes
    }

    @Test func everyWireTypeRoundTripsThroughScaleAndJSONAndEncodesAsFoundationDoes() async throws {
        var r = Random(rng: SeededGenerator(seed: 0x5eed))
        for _ in 0..<300 {
            await Task.yield()  // a long CPU loop hands its cooperative thread back now and then
            let ccr = r.receipt()
            #expect(try Self.roundTrips(ccr))
            #expect(try Self.roundTrips(ccr.plainReceipt))
            #expect(try Self.roundTrips(ccr.descriptor))
            #expect(try Self.roundTrips(ccr.commitments))
            #expect(try Self.roundTrips(PoV(r.bytes(max: 500))))
            #expect(try Self.roundTrips(r.pvd()))
            #expect(try Self.roundTrips(AvailableData(pov: PoV(r.bytes()), validationData: r.pvd())))
            #expect(try Self.roundTrips(r.statement()))
            #expect(
                try Self.roundTrips(
                    SignedFullStatement(
                        payload: r.statement(), validatorIndex: ValidatorIndex(r.u32()), signature: r.signature())))
            #expect(
                try Self.roundTrips(
                    SignedStatement(
                        payload: r.statement().compact, validatorIndex: ValidatorIndex(r.u32()),
                        signature: r.signature())))
            #expect(try Self.roundTrips(SigningContext(sessionIndex: r.u32(), parentHash: r.h256())))
            let votes: [ValidityAttestation] = (0..<r.small(5)).map { _ in
                r.bool() ? .implicit(r.signature()) : .explicit(r.signature())
            }
            #expect(
                try Self.roundTrips(BackedCandidate(candidate: ccr, validityVotes: votes, validatorIndices: r.bitvec()))
            )
            #expect(try Self.roundTrips(r.bitvec()))
            #expect(try Self.roundTrips(r.coreState()))
            #expect(
                try Self.roundTrips(
                    GroupRotationInfo(sessionStartBlock: r.u32(), groupRotationFrequency: r.u32(), now: r.u32())))
            let dispute: DisputeStatement = [
                .valid(.explicit), .valid(.backingSeconded(r.h256())), .valid(.backingValid(r.h256())),
                .valid(.approvalChecking), .invalid(.explicit),
            ][r.small(4)]
            #expect(try Self.roundTrips(dispute))
        }
    }

    @Test func compactRoundTripsAcrossTheRange() throws {
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<10_000 {
            let value = UInt64.random(in: 0...UInt64.max, using: &rng) >> UInt64.random(in: 0...63, using: &rng)
            var encoder = ScaleEncoder()
            encoder.appendCompact(value)
            var decoder = ScaleDecoder(encoder.bytes)
            #expect(try decoder.readCompact() == value)
        }
    }

    /// Random and mutated inputs must produce a value or a ``ScaleDecodingError``; a trap would crash the run.
    @Test func randomBytesNeverCrashTheDecoders() async throws {
        var r = Random(rng: SeededGenerator(seed: 99))
        let seeds: [[UInt8]] = [
            r.receipt().scaleEncoded,
            BackedCandidate(
                candidate: r.receipt(), validityVotes: [.explicit(r.signature())], validatorIndices: BitVec([true])
            ).scaleEncoded,
            SignedFullStatement(payload: r.statement(), validatorIndex: 1, signature: r.signature()).scaleEncoded,
            r.coreState().scaleEncoded,
        ]
        for round in 0..<4000 {
            if round % 100 == 0 { await Task.yield() }  // hands the cooperative thread back now and then
            var input: [UInt8]
            if round % 2 == 0 {
                input = r.rng.bytes(r.small(400))
            } else {
                input = seeds[round % seeds.count]
                for _ in 0...r.small(4) where !input.isEmpty {
                    input[r.small(input.count - 1)] = UInt8(truncatingIfNeeded: r.u32())
                }
                input = Array(input.prefix(r.small(input.count)))
            }
            _ = try? CommittedCandidateReceipt(scaleEncoded: input)
            _ = try? CandidateReceipt(scaleEncoded: input)
            _ = try? BackedCandidate(scaleEncoded: input)
            _ = try? SignedFullStatement(scaleEncoded: input)
            _ = try? SignedStatement(scaleEncoded: input)
            _ = try? CoreState(scaleEncoded: input)
            _ = try? AvailableData(scaleEncoded: input)
            _ = try? BitVec(scaleEncoded: input)
            _ = try? DisputeStatement(scaleEncoded: input)
            _ = try? PersistedValidationData(scaleEncoded: input)
        }
    }
}
