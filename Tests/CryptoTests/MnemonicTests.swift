import Primitives
import Testing

@testable import Crypto

struct MnemonicTests {
    let vectors: Sr25519Vectors

    init() throws { vectors = try Sr25519Vectors.load() }

    @Test func wordListIsTheBip39EnglishList() {
        let file = BIP39EnglishWordList.words.joined(separator: "\n") + "\n"
        #expect(BIP39EnglishWordList.words.count == 2048)
        #expect(
            Hex.encode(SHA2.sha256(Array(file.utf8)), prefix: false)
                == "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda")
    }

    @Test func devPhraseEntropyAndSeedMatchReference() throws {
        let dev = vectors.eDev
        #expect(dev.phrase == Mnemonic.devPhrase)
        let entropy = try Mnemonic.entropy(of: dev.phrase)
        #expect(entropy == bytes(dev.entropy))
        #expect(try Mnemonic.seed(entropy: entropy, password: "") == bytes(dev.pbkdf2Seed64))
        #expect(try Mnemonic.miniSecret(phrase: dev.phrase) == bytes(dev.rootMiniSecret))
        let words = dev.phrase.split(separator: " ").map(String.init)
        #expect(words.map { BIP39EnglishWordList.words.firstIndex(of: $0)! } == dev.wordIndices)
    }

    /// substrate-bip39's published vectors (password "Substrate").
    @Test(arguments: [
        (
            "00000000000000000000000000000000",
            "44e9d125f037ac1d51f0a7d3649689d422c2af8b1ec8e00d71db4d7bf6d127e33f50c3d5c84fa3e5399c72d6cbbbbc4a49bf76f76d952f479d74655a2ef2d453"
        ),
        (
            "7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
            "4313249608fe8ac10fd5886c92c4579007272cb77c21551ee5b8d60b780416850f1e26c1f4b8d88ece681cb058ab66d6182bc2ce5a03181f7b74c27576b5c8bf"
        ),
    ])
    func seedMatchesSubstrateBip39Vector(entropy: String, expected: String) throws {
        #expect(try Mnemonic.seed(entropy: bytes(entropy), password: "Substrate") == bytes(expected))
    }

    @Test func allZeroEntropiesOfDifferentLengthsGiveTheSameSeed() throws {
        let short = try Mnemonic.miniSecret(
            phrase: Array(repeating: "abandon", count: 11).joined(separator: " ") + " about", password: "Substrate")
        let long = try Mnemonic.miniSecret(
            phrase: Array(repeating: "abandon", count: 17).joined(separator: " ") + " agent", password: "Substrate")
        #expect(short == long)
        #expect(Hex.encode(short.prefix(4), prefix: false) == "44e9d125")
    }

    @Test func badChecksumIsRejected() {
        let phrase = Array(repeating: "abandon", count: 12).joined(separator: " ")
        #expect(throws: CryptoError.invalidMnemonicChecksum) { try Mnemonic.entropy(of: phrase) }
    }

    @Test func unknownWordIsRejected() {
        let phrase = Mnemonic.devPhrase.replacingLast("walk", with: "walks")
        #expect(throws: CryptoError.invalidMnemonicWord("walks")) { try Mnemonic.entropy(of: phrase) }
        #expect(throws: CryptoError.invalidMnemonicWord("Bottom")) {
            try Mnemonic.entropy(of: "B" + Mnemonic.devPhrase.dropFirst())
        }
    }

    @Test(arguments: [0, 1, 11, 13, 25])
    func wrongWordCountIsRejected(count: Int) {
        let phrase = Array(repeating: "abandon", count: count).joined(separator: " ")
        #expect(throws: CryptoError.invalidMnemonicLength(count)) { try Mnemonic.entropy(of: phrase) }
    }

    @Test func entropyOfWrongLengthIsRejected() {
        #expect(throws: CryptoError.invalidEntropyLength(15)) {
            try Mnemonic.seed(entropy: [UInt8](repeating: 0, count: 15), password: "")
        }
        #expect(throws: CryptoError.invalidEntropyLength(18)) {
            try Mnemonic.seed(entropy: [UInt8](repeating: 0, count: 18), password: "")
        }
    }
}

extension String {
    fileprivate func replacingLast(_ word: String, with replacement: String) -> String {
        precondition(hasSuffix(word))
        return String(dropLast(word.count)) + replacement
    }
}
