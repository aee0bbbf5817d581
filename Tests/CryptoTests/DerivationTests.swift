import Primitives
import Testing

@testable import Crypto

struct DerivationTests {
    let vectors: Sr25519Vectors

    init() throws { vectors = try Sr25519Vectors.load() }

    @Test func devAccountsMatchReferenceSeedsSecretsAndPublicKeys() throws {
        #expect(vectors.eDev.accounts.count == 8)
        for (name, account) in vectors.eDev.accounts {
            #expect(DeriveJunction.chainCode(for: name) == bytes(account.junctionChainCode), "\(name)")
            let pair = Sr25519Keypair.dev(name)
            #expect(pair.miniSecret == bytes(account.derivedMiniSecret), "\(name)")
            #expect(pair.secretKeyBytes == bytes(account.secretKey64), "\(name)")
            #expect(pair.publicKey.bytes == bytes(account.public), "\(name)")
            #expect(try Sr25519Keypair(suri: "//\(name)").publicKey == pair.publicKey, "\(name)")
        }
    }

    @Test func devRootMatchesSchnorrkelDocumentationExample() throws {
        let root = try Sr25519Keypair(miniSecret: bytes(vectors.eDev.rootMiniSecret))
        #expect(root.publicKey.bytes == bytes(vectors.eDev.rootPublic))
        #expect(
            root.secretKey.ed25519Bytes
                == bytes(
                    "28b0ae221c6bb06856b287f60d7ea0d98552ea5a16db16956849aa371db3eb51fd190cce74df356432b410bd64682309d6dedb27c76845daf388557cbac3ca34"
                ))
        #expect(try Sr25519Keypair(suri: "").publicKey == root.publicKey)
        #expect(try Sr25519Keypair(suri: Mnemonic.devPhrase).publicKey == root.publicKey)
    }

    @Test func aliceStashIsTwoHardJunctions() throws {
        let stash = vectors.eAliceStash
        #expect(DeriveJunction("/stash") == .hard(bytes(stash.chainCodeStash)))
        let pair = try Sr25519Keypair(suri: "//Alice//stash")
        #expect(pair.miniSecret == bytes(stash.mini))
        #expect(pair.publicKey.bytes == bytes(stash.public))
    }

    @Test func junctionChainCodesMatchReferenceExamples() {
        let examples = vectors.eJunctionExamples
        #expect(examples.count == 6)
        let names: [String: String] = [
            "0 (u64)": "0", "42 (u64)": "42", "polkadot": "polkadot",
            "31-byte name (SCALE 32 bytes, no hash)": String(repeating: "a", count: 31),
            "32-byte name (SCALE 33 bytes -> blake2b-256)": String(repeating: "a", count: 32),
            "18446744073709551616 (2^64, not u64 -> string)": "18446744073709551616",
        ]
        for (key, expected) in examples {
            let name = try! #require(names[key])
            #expect(DeriveJunction.chainCode(for: name) == bytes(expected), "\(key)")
        }
    }

    @Test func junctionParsingDistinguishesHardFromSoft() {
        #expect(DeriveJunction("/Alice") == .hard(DeriveJunction.chainCode(for: "Alice")))
        #expect(DeriveJunction("Alice") == .soft(DeriveJunction.chainCode(for: "Alice")))
        #expect(DeriveJunction.chainCode(for: "+7") == DeriveJunction.chainCode(for: "7"))
        #expect(DeriveJunction.chainCode(for: "-7") != DeriveJunction.chainCode(for: "7"))
    }

    @Test func softDerivationPublicSideMatchesReference() throws {
        let alice = Sr25519Keypair.dev("Alice")
        let soft = DeriveJunction("soft")
        #expect(try alice.publicKey.derive([soft]).bytes == bytes(vectors.eSoftAliceSlashSoft.public))
        #expect(alice.publicKey.softChainCode(soft.chainCode) == bytes(vectors.eSoftAliceSlashSoft.nextChainCode))
    }

    @Test func softDerivationSecretSideMatchesPublicSideAndDropsTheSeed() throws {
        let pair = try Sr25519Keypair(suri: "//Alice/soft")
        #expect(pair.publicKey.bytes == bytes(vectors.eSoftAliceSlashSoft.public))
        #expect(pair.miniSecret == nil)
        let message = Array("soft".utf8)
        #expect(pair.publicKey.isValidSignature(pair.sign(message), for: message))
        // Once soft, always seedless, even after a later hard junction (as Substrate's derive does).
        #expect(try Sr25519Keypair(suri: "//Alice/soft//hard").miniSecret == nil)
    }

    @Test func publicDerivationRejectsHardJunctionsAndInvalidKeys() {
        let alice = Sr25519Keypair.dev("Alice").publicKey
        #expect(throws: CryptoError.hardJunctionOnPublicKey) { try alice.derive([DeriveJunction("/hard")]) }
        var bad = alice.bytes
        bad[31] |= 0x80
        #expect(throws: CryptoError.invalidPublicKey) {
            try Sr25519Public(unchecked: bad).derive([DeriveJunction("x")])
        }
    }

    @Test func secretURIsSplitPhrasePathAndPassword() throws {
        let uri = try SecretURI("\(Mnemonic.devPhrase)//hard/soft///pass/word")
        #expect(uri.phrase == Mnemonic.devPhrase)
        #expect(uri.junctions == [DeriveJunction("/hard"), DeriveJunction("soft")])
        #expect(uri.password == "pass/word")
        let bare = try SecretURI("//Alice")
        #expect(bare.phrase == nil && bare.password == nil)
    }

    @Test func passwordChangesTheKeyAndDevPhraseIsImplied() throws {
        let plain = try Sr25519Keypair(suri: "//Alice")
        let withPassword = try Sr25519Keypair(suri: "//Alice///secret")
        #expect(plain.publicKey != withPassword.publicKey)
        #expect(try Sr25519Keypair(suri: "\(Mnemonic.devPhrase)//Alice///secret").publicKey == withPassword.publicKey)
    }

    @Test func hexSeedUrisUseTheSeedAndIgnoreThePassword() throws {
        let seed = vectors.eDev.rootMiniSecret
        let fromSeed = try Sr25519Keypair(suri: "0x\(seed)//Alice")
        #expect(fromSeed.publicKey == Sr25519Keypair.dev("Alice").publicKey)
        #expect(try Sr25519Keypair(suri: "0x\(seed)//Alice///ignored").publicKey == fromSeed.publicKey)
    }

    @Test func malformedSecretURIsThrowTypedErrors() {
        #expect(throws: CryptoError.invalidSecretURI("//Alice//")) { try Sr25519Keypair(suri: "//Alice//") }
        #expect(throws: CryptoError.invalidSeedLength(31)) {
            try Sr25519Keypair(suri: "0x" + String(repeating: "ab", count: 31))
        }
        #expect(throws: CryptoError.invalidSeedHex("0xzz")) { try Sr25519Keypair(suri: "0xzz") }
        #expect(throws: CryptoError.invalidMnemonicLength(2)) { try Sr25519Keypair(suri: "bottom drive//Alice") }
        // The error text stops before the password.
        #expect(throws: CryptoError.invalidSecretURI("bad!")) { try Sr25519Keypair(suri: "bad!///hunter2") }
    }
}
