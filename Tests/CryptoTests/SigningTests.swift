import Primitives
import Testing

@testable import Crypto

struct SigningTests {
    let vectors: Sr25519Vectors
    let pair: Sr25519Keypair

    init() throws {
        vectors = try Sr25519Vectors.load()
        pair = try Sr25519Keypair(miniSecret: bytes(vectors.cKeys.miniSecret))
    }

    @Test func fixedNonceSignatureMatchesReferenceByteForByte() {
        let fixed = vectors.dSignFixedR
        #expect(fixed.context == Hex.encode(Array("substrate".utf8), prefix: false))
        #expect(Ristretto.reduceWide(SHA2.sha512(Array("sr25519 fixed nonce".utf8))) == bytes(fixed.rLe))
        #expect(Ristretto.multiplyBase(bytes(fixed.rLe)) == bytes(fixed.R))
        #expect(Ristretto.reduceWide(bytes(fixed.kChallenge64)) == bytes(fixed.kScalarLe))
        let signature = pair.sign(bytes(fixed.message), nonceScalar: bytes(fixed.rLe))
        #expect(signature.bytes == bytes(fixed.signature))
    }

    @Test func fixedNonceSignatureOfEmptyMessageMatchesReference() {
        let signature = pair.sign([UInt8](), nonceScalar: bytes(vectors.dSignFixedR.rLe))
        #expect(signature.bytes == bytes(vectors.dSignFixedREmptyMessage.signature))
        #expect(pair.publicKey.isValidSignature(signature, for: [UInt8]()))
    }

    @Test func witnessNonceWithZeroRandomnessMatchesReference() {
        let zero = [UInt8](repeating: 0, count: 32)
        let transcript = bytes(vectors.dSignFixedR.message).withUnsafeBytes { message in
            pair.publicKey.bytes.withUnsafeBytes { Sr25519.schnorrTranscript(message: message, publicKey: $0) }
        }
        #expect(
            pair.secretKey.witnessScalar(transcript: transcript, randomness: zero)
                == bytes(vectors.dSignWitnessZeroRng.rLe))
        let signature = pair.sign(bytes(vectors.dSignFixedR.message), externalRandomness: zero)
        #expect(signature.bytes == bytes(vectors.dSignWitnessZeroRng.signature))
    }

    /// Replays the 22-operation Merlin trace of the fixed-r signature at the STROBE level.
    @Test func fixedNonceTranscriptTraceMatchesReference() {
        var strobe = Strobe128(unkeyedInitialState: ())
        for row in vectors.dSignFixedRTranscriptTrace {
            let op = row[0].text!
            // The trace abbreviates the 64-byte challenge with "..."; the full value is k_challenge_64.
            let data = op == "PRF" ? bytes(vectors.dSignFixedR.kChallenge64) : bytes(row[1].text!)
            switch op {
            case "meta-AD": data.withUnsafeBytes { strobe.metaAD($0, more: false) }
            case "meta-AD (more)": data.withUnsafeBytes { strobe.metaAD($0, more: true) }
            case "AD": data.withUnsafeBytes { strobe.ad($0, more: false) }
            default:
                var output = [UInt8](repeating: 0, count: data.count)
                output.withUnsafeMutableBytes { strobe.prf(into: $0, more: false) }
                #expect(output == data, "PRF output")
            }
            #expect(strobe.position == row[2].number!, "\(op) \(row[1].text!)")
            #expect(strobe.positionBegin == row[3].number!, "\(op) \(row[1].text!)")
            #expect(Int(strobe.currentFlags) == row[4].number!, "\(op) \(row[1].text!)")
        }
        #expect(vectors.dSignFixedRTranscriptTrace.count == 22)
    }

    @Test func signaturesFromRandomNoncesVerifyAndDiffer() {
        let message = Array("round trip".utf8)
        let first = pair.sign(message)
        let second = pair.sign(message)
        #expect(first != second)
        #expect(Sr25519.verify(first, message: message, publicKey: pair.publicKey))
        #expect(Sr25519.verify(second, message: message, publicKey: pair.publicKey))
    }

    @Test(arguments: [0, 1, 73, 166, 167, 1000])
    func signThenVerifyRoundTripsForMessageLength(_ length: Int) {
        let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for name in ["Alice", "Bob"] {
            let signer = Sr25519Keypair.dev(name)
            let signature = signer.sign(message)
            #expect(signer.publicKey.isValidSignature(signature, for: message))
            #expect(signer.publicKey.isValidSignature(signature, for: ArraySlice(message)))
            #expect(!Sr25519Keypair.dev("Charlie").publicKey.isValidSignature(signature, for: message))
        }
    }

    @Test func keypairDescriptionDoesNotRevealTheSecret() {
        let text = "\(pair) \(String(reflecting: pair))"
        #expect(text.contains(pair.publicKey.hex))
        #expect(!text.contains(Hex.encode(pair.secretKeyBytes.prefix(8), prefix: false)))
    }
}
