import Primitives
import Testing

@testable import Crypto

struct VerificationTests {
    let vectors: Sr25519Vectors

    init() throws { vectors = try Sr25519Vectors.load() }

    private func verify(_ testCase: Sr25519Vectors.VerifyCase) -> Bool {
        Sr25519.verify(
            Sr25519Signature(unchecked: bytes(testCase.signature)), message: bytes(testCase.message),
            publicKey: Sr25519Public(unchecked: bytes(testCase.public)))
    }

    private func testCase(_ name: String) throws -> Sr25519Vectors.VerifyCase {
        try #require(vectors.verifyCases.first { $0.name.hasPrefix(name) })
    }

    @Test func everyReferenceVerifyCaseGivesTheExpectedAnswer() {
        #expect(vectors.verifyCases.count == 7)
        for testCase in vectors.verifyCases {
            #expect(verify(testCase) == testCase.expected, "\(testCase.name)")
        }
    }

    @Test func verifyAcceptsReferenceSignature() throws {
        #expect(verify(try testCase("valid")))
    }

    @Test func verifyRejectsWrongMessage() throws {
        #expect(!verify(try testCase("wrong message")))
    }

    @Test func verifyRejectsSignatureWithoutMarkerBit() throws {
        #expect(!verify(try testCase("marker bit cleared")))
    }

    @Test func verifyRejectsScalarPlusGroupOrder() throws {
        #expect(!verify(try testCase("s + ell")))
    }

    @Test func verifyRejectsCommitmentWithBit255Set() throws {
        #expect(!verify(try testCase("R with bit 255 set")))
    }

    @Test func verifyRejectsPublicKeyWithBit255Set() throws {
        #expect(!verify(try testCase("public key with bit 255 set")))
    }

    @Test func verifyAcceptsIdentityPublicKeyWithBasePointCommitmentForAnyMessage() throws {
        let identity = try testCase("identity public key")
        #expect(verify(identity))
        let signature = Sr25519Signature(unchecked: bytes(identity.signature))
        #expect(Sr25519Public.zero.isValidSignature(signature, for: Array("any other message".utf8)))
    }

    @Test func aSignatureOrKeyOfTheWrongLengthCannotBeMadeSoVerifyNeverSeesOne() throws {
        let valid = try testCase("valid")
        let signature = bytes(valid.signature)
        let short = #expect(throws: FixedBytesLengthError.self) { try Sr25519Signature(signature.prefix(63)) }
        #expect(short?.description == "expected 64 bytes, got 63")
        let tiny = #expect(throws: FixedBytesLengthError.self) { try Sr25519Public([1, 2, 3]) }
        #expect(tiny?.description == "expected 32 bytes, got 3")
        #expect(try Sr25519Signature(signature).bytes == signature)
    }

    @Test func verifyRejectsNonPointPublicKeys() throws {
        let valid = try testCase("valid")
        let signature = Sr25519Signature(unchecked: bytes(valid.signature))
        // 0xff…7f is a field element ≥ p; 01 00… is odd ("negative"); neither is a canonical encoding.
        let bad: [[UInt8]] = [[UInt8](repeating: 0xff, count: 31) + [0x7f], [1] + [UInt8](repeating: 0, count: 31)]
        for key in bad {
            #expect(!Sr25519.verify(signature, message: bytes(valid.message), publicKey: Sr25519Public(unchecked: key)))
        }
    }

    @Test func flippingAnyBitOfMessageSignatureOrKeyIsRejected() throws {
        let valid = try testCase("valid")
        let message = bytes(valid.message)
        let signature = bytes(valid.signature)
        let key = bytes(valid.public)
        for index in message.indices {
            var tampered = message
            tampered[index] ^= 0x01
            #expect(!Sr25519.verify(.init(unchecked: signature), message: tampered, publicKey: .init(unchecked: key)))
        }
        for index in signature.indices {
            for bit in [0x01, 0x80] as [UInt8] {
                var tampered = signature
                tampered[index] ^= bit
                #expect(
                    !Sr25519.verify(.init(unchecked: tampered), message: message, publicKey: .init(unchecked: key)),
                    "sig byte \(index)")
            }
        }
        for index in key.indices {
            var tampered = key
            tampered[index] ^= 0x01
            #expect(
                !Sr25519.verify(.init(unchecked: signature), message: message, publicKey: .init(unchecked: tampered)),
                "key byte \(index)")
        }
    }
}
