import Primitives
import TestSupport
import Testing

@testable import Crypto

struct KeyExpansionTests {
    let vectors: Sr25519Vectors

    init() throws { vectors = try Sr25519Vectors.load() }

    @Test func ed25519ExpansionMatchesReferenceKeyNonceAndPublic() throws {
        let keys = vectors.cKeys
        let secret = SecretKey.expandEd25519(miniSecret: bytes(keys.miniSecret))
        #expect(SHA2.sha512(bytes(keys.miniSecret)) == bytes(keys.sha512Mini))
        #expect(secret.key == bytes(keys.keyScalarLeAfterDiv8))
        #expect(secret.nonce == bytes(keys.nonce))
        #expect(secret.bytes == bytes(keys.secretKey64SchnorrkelToBytes))
        #expect(secret.ed25519Bytes == bytes(keys.secretKey64Ed25519Form))
        #expect(secret.publicKey.bytes == bytes(keys.public))
        let pair = try Sr25519Keypair(miniSecret: bytes(keys.miniSecret))
        #expect(pair.publicKey.bytes == bytes(keys.public))
        #expect(pair.secretKeyBytes == bytes(keys.secretKey64SchnorrkelToBytes))
        #expect(pair.miniSecret == bytes(keys.miniSecret))
    }

    @Test func uniformExpansionMatchesReference() {
        let secret = SecretKey.expandUniform(miniSecret: bytes(vectors.cKeys.miniSecret))
        #expect(secret.key == bytes(vectors.cKeysUniformMode.key))
        #expect(secret.nonce == bytes(vectors.cKeysUniformMode.nonce))
        #expect(secret.publicKey.bytes == bytes(vectors.cKeysUniformMode.public))
    }

    @Test func baseMultiplesMatchRistrettoEncodings() {
        for (n, expected) in vectors.ristrettoBaseMultiples03.enumerated() {
            var scalar = [UInt8](repeating: 0, count: 32)
            scalar[0] = UInt8(n)
            #expect(Ristretto.multiplyBase(scalar) == bytes(expected), "\(n)·B")
        }
    }

    @Test func groupOrderConstantMatchesReference() {
        #expect(Ristretto.groupOrder == bytes(vectors.ellLe))
    }

    @Test func canonicalScalarCheckAcceptsExactlyTheIntegersBelowGroupOrder() {
        func canonical(_ scalar: [UInt8]) -> Bool { scalar.withUnsafeBytes(Ristretto.isCanonicalScalar) }
        var belowOrder = Ristretto.groupOrder
        belowOrder[0] -= 1
        var limbTwoSet = Ristretto.groupOrder
        limbTwoSet[16] = 1
        var limbOneHigher = Ristretto.groupOrder
        limbOneHigher[15] += 1
        var topOnly = [UInt8](repeating: 0, count: 32)
        topOnly[31] = 0x10
        #expect(canonical([UInt8](repeating: 0, count: 32)))
        #expect(canonical(belowOrder))
        #expect(!canonical(Ristretto.groupOrder))
        #expect(!canonical(limbTwoSet))
        #expect(!canonical(limbOneHigher))
        #expect(canonical(topOnly))  // 2^252 < ℓ
        #expect(canonical(Array(topOnly.prefix(31)) + [0x0f]))
        #expect(!canonical([UInt8](repeating: 0xff, count: 32)))
        #expect(!canonical([UInt8](repeating: 0, count: 31)))
    }

    @Test func keypairRejectsSeedsThatAreNot32Bytes() {
        #expect(throws: CryptoError.invalidSeedLength(31)) {
            try Sr25519Keypair(miniSecret: [UInt8](repeating: 1, count: 31))
        }
        #expect(throws: CryptoError.invalidSeedLength(64)) {
            try Sr25519Keypair(miniSecret: [UInt8](repeating: 1, count: 64))
        }
    }

    @Test func secretKeyBytesRejectScalarNotBelowGroupOrder() throws {
        let secret = try SecretKey(bytes: bytes(vectors.cKeys.secretKey64SchnorrkelToBytes))
        #expect(secret.key == bytes(vectors.cKeys.keyScalarLeAfterDiv8))
        #expect(throws: CryptoError.invalidSecretKey) {
            try SecretKey(bytes: Ristretto.groupOrder + [UInt8](repeating: 0, count: 32))
        }
        #expect(throws: CryptoError.invalidSecretKey) { try SecretKey(bytes: [UInt8](repeating: 0, count: 63)) }
    }

    struct KeysFile: Decodable {
        struct URI: Decodable { let uri: String; let publicKey: String }
        struct Seed: Decodable { let miniSecret: String; let publicKey: String; let expandedSecret: String }
        let devPhrase: String
        let uris: [URI]
        let seeds: [Seed]
    }

    @Test func everySeedInKeysFixtureExpandsToItsPublicKeyAndSecret() throws {
        let file = try Fixture.load(KeysFile.self, from: "keys.json")
        #expect(!file.seeds.isEmpty)
        for seed in file.seeds {
            let pair = try Sr25519Keypair(miniSecret: bytes(seed.miniSecret))
            #expect(pair.publicKey.hex == seed.publicKey)
            #expect(Hex.encode(pair.secretKeyBytes) == seed.expandedSecret)
        }
    }

    @Test func everyUriInKeysFixtureGivesItsPublicKey() throws {
        let file = try Fixture.load(KeysFile.self, from: "keys.json")
        #expect(file.devPhrase == Mnemonic.devPhrase)
        #expect(!file.uris.isEmpty)
        for entry in file.uris {
            #expect(try Sr25519Keypair(suri: entry.uri).publicKey.hex == entry.publicKey, "\(entry.uri)")
        }
    }
}
