import Primitives
import Testing

@testable import Crypto

struct MerlinTests {
    let vectors: Sr25519Vectors

    init() throws { vectors = try Sr25519Vectors.load() }

    @Test func strobeInitialStateMatchesReference() {
        let strobe = Strobe128(unkeyedInitialState: ())
        #expect(strobe.state.bytes == bytes(vectors.bStrobeInitialStateAfterF))
        #expect(strobe.position == 0 && strobe.positionBegin == 0 && strobe.currentFlags == 0)
    }

    @Test func transcriptStateAfterDomainSeparatorMatchesReference() {
        let transcript = MerlinTranscript(label: "test protocol")
        #expect(
            Array(transcript.strobe.state.bytes.prefix(40)) == bytes(vectors.bMerlinTestProtocol.stateAfterDomSep040))
    }

    @Test func testProtocolChallengeMatchesPublishedVector() {
        var transcript = MerlinTranscript(label: "test protocol")
        transcript.appendMessage(label: "some label", Array("some data".utf8))
        let challenge = transcript.challengeBytes(label: "challenge", count: 32)
        #expect(challenge == bytes(vectors.bMerlinTestProtocol.challenge))
        #expect(challenge == bytes("d5a21972d0d5fe320c0d263fac7fffb8145aa640af6e9bca177c03c7efcf0615"))
    }

    /// Replays the trace row by row through STROBE directly, checking position, begin and flags.
    @Test func testProtocolTraceMatchesReferenceStepByStep() {
        var strobe = Strobe128(unkeyedInitialState: ())
        var permutations = 1
        for row in vectors.bMerlinTestProtocol.trace {
            let data = bytes(row.data)
            let before = strobe.position
            switch row.op {
            case "meta-AD": data.withUnsafeBytes { strobe.metaAD($0, more: false) }
            case "meta-AD (more)": data.withUnsafeBytes { strobe.metaAD($0, more: true) }
            case "AD": data.withUnsafeBytes { strobe.ad($0, more: false) }
            default:
                var output = [UInt8](repeating: 0, count: data.count)
                output.withUnsafeMutableBytes { strobe.prf(into: $0, more: false) }
                #expect(output == data)
            }
            // A permutation happened iff the position wrapped (or PRF forced one at a non-zero position).
            if strobe.position < before || (row.op == "PRF" && before != 0) { permutations += 1 }
            #expect(strobe.position == row.pos, "\(row.op) \(row.data)")
            #expect(strobe.positionBegin == row.posBegin, "\(row.op) \(row.data)")
            #expect(Int(strobe.currentFlags) == row.curFlags, "\(row.op) \(row.data)")
            #expect(permutations == row.permutations, "\(row.op) \(row.data)")
        }
    }

    @Test func complexTranscriptFinalChallengeMatchesReference() {
        var transcript = MerlinTranscript(label: "test protocol")
        transcript.appendMessage(label: "step1", Array("some data".utf8))
        let bigData = [UInt8](repeating: 0x63, count: 1024)
        var challenge: [UInt8] = []
        for _ in 0..<32 {
            challenge = transcript.challengeBytes(label: "challenge", count: 32)
            transcript.appendMessage(label: "bigdata", bigData)
            transcript.appendMessage(label: "challengedata", challenge)
        }
        #expect(challenge == bytes(vectors.bMerlinComplexFinalChallenge))
    }

    @Test func transcriptRngWithZeroRandomnessMatchesReference() {
        var transcript = MerlinTranscript(label: "test protocol")
        transcript.appendMessage(label: "some label", Array("some data".utf8))
        var builder = transcript.buildRng()
        builder.rekey(withWitness: "witness", Array("secret".utf8))
        var rng = builder.finalize(randomness: [UInt8](repeating: 0, count: 32))
        #expect(rng.bytes(count: 32) == bytes(vectors.bMerlinRngZeroRandom.output))
    }

    @Test func buildingAnRngLeavesTheTranscriptUnchanged() {
        var transcript = MerlinTranscript(label: "test protocol")
        transcript.appendMessage(label: "some label", Array("some data".utf8))
        var builder = transcript.buildRng()
        builder.rekey(withWitness: "witness", Array("secret".utf8))
        var rng = builder.finalize(randomness: [UInt8](repeating: 7, count: 32))
        _ = rng.bytes(count: 64)
        #expect(
            transcript.challengeBytes(label: "challenge", count: 32) == bytes(vectors.bMerlinTestProtocol.challenge))
    }
}
