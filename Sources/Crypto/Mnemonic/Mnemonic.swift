/// BIP39 English mnemonics as Substrate uses them (tiny-bip39 for parsing, substrate-bip39 for the seed).
///
/// Substrate does not use the standard BIP39 seed: PBKDF2's password is the mnemonic's *entropy*, not
/// its sentence, and the user's password goes into the salt without Unicode normalisation.
public enum Mnemonic {
    /// Word index lookup, built once.
    private static let indexOfWord: [String: Int] = Dictionary(
        uniqueKeysWithValues: BIP39EnglishWordList.words.enumerated().map { ($1, $0) })

    /// The entropy a phrase encodes (16…32 bytes).
    ///
    /// Throws ``CryptoError/invalidMnemonicLength(_:)`` unless there are 12, 15, 18, 21 or 24 words,
    /// ``CryptoError/invalidMnemonicWord(_:)`` for a word outside the English list (matching is exact
    /// and case-sensitive), and ``CryptoError/invalidMnemonicChecksum`` when the checksum bits disagree
    /// with SHA-256 of the entropy.
    public static func entropy(of phrase: String) throws(CryptoError) -> [UInt8] {
        let words = phrase.split(whereSeparator: \.isWhitespace).map(String.init)
        guard [12, 15, 18, 21, 24].contains(words.count) else { throw .invalidMnemonicLength(words.count) }
        var bits: [Bool] = []
        bits.reserveCapacity(words.count * 11)
        for word in words {
            guard let index = indexOfWord[word] else { throw .invalidMnemonicWord(word) }
            for shift in stride(from: 10, through: 0, by: -1) { bits.append(index >> shift & 1 == 1) }
        }
        let checksumBits = bits.count / 33
        let entropyBits = bits.count - checksumBits
        let entropy = pack(bits[0..<entropyBits])
        let expected = SHA2.sha256(entropy)
        for index in 0..<checksumBits
        where bits[entropyBits + index] != (expected[index / 8] >> (7 - index % 8) & 1 == 1) {
            throw .invalidMnemonicChecksum
        }
        return entropy
    }

    /// The 64-byte seed substrate-bip39 derives from `entropy` and `password`:
    /// PBKDF2-HMAC-SHA512(entropy, "mnemonic" ‖ password, 2048 rounds).
    ///
    /// Throws ``CryptoError/invalidEntropyLength(_:)`` unless the entropy is 16…32 bytes and a multiple of 4.
    public static func seed(entropy: [UInt8], password: String) throws(CryptoError) -> [UInt8] {
        guard (16...32).contains(entropy.count), entropy.count % 4 == 0 else {
            throw .invalidEntropyLength(entropy.count)
        }
        return SHA2.pbkdf2SHA512Block(
            password: entropy, salt: Array("mnemonic".utf8) + Array(password.utf8), iterations: 2048)
    }

    /// The mini secret (Substrate's seed) for a phrase and password: the first 32 bytes of ``seed(entropy:password:)``.
    ///
    /// Throws what ``entropy(of:)`` throws.
    public static func miniSecret(phrase: String, password: String = "") throws(CryptoError) -> [UInt8] {
        Array(try seed(entropy: entropy(of: phrase), password: password).prefix(32))
    }

    /// The development phrase behind `//Alice`, `//Bob` and the other dev accounts.
    public static let devPhrase = "bottom drive obey lake curtain smoke basket hold race lonely fit walk"

    /// Bits, most significant first, to bytes.
    private static func pack(_ bits: ArraySlice<Bool>) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: bits.count / 8)
        for (offset, bit) in bits.enumerated() where bit {
            bytes[offset / 8] |= 0x80 >> (offset % 8)
        }
        return bytes
    }
}
