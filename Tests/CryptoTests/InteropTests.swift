import Crypto
import Primitives
import TestSupport
import Testing

/// Signatures crossing the boundary to Rust schnorrkel in both directions.
struct InteropTests {
    struct SignatureFile: Decodable {
        struct Entry: Decodable {
            let message: String
            let publicKey: String
            let signature: String
        }
        let signatures: [Entry]
    }

    private func check(_ file: String) throws {
        let entries = try Fixture.load(SignatureFile.self, from: file).signatures
        #expect(entries.count == 3)
        for entry in entries {
            let signature = try #require(Sr25519Signature(hex: entry.signature))
            let key = try #require(Sr25519Public(hex: entry.publicKey))
            let message = bytes(entry.message)
            #expect(Sr25519.verify(signature, message: message, publicKey: key), "\(entry.signature)")
            #expect(!Sr25519.verify(signature, message: message + [0x21], publicKey: key))
        }
    }

    @Test func ourSignaturesThatSchnorrkelAcceptedStillVerify() throws {
        try check("sr25519-ours-accepted-by-schnorrkel.json")
    }

    @Test func schnorrkelSignaturesVerify() throws {
        try check("sr25519-schnorrkel-signatures.json")
    }
}
