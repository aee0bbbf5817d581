/// Why a key, seed, phrase or secret URI was rejected.
public enum CryptoError: Error, Equatable, Sendable {
    /// A mini secret (seed) was not 32 bytes; carries the length given.
    case invalidSeedLength(Int)
    /// A `0x` seed in a secret URI was not valid hex.
    case invalidSeedHex(String)
    /// A 64-byte secret key had the wrong length or a scalar not below the group order.
    case invalidSecretKey
    /// A mnemonic word is not in the BIP39 English list; carries the word.
    case invalidMnemonicWord(String)
    /// The mnemonic's checksum bits do not match SHA-256 of its entropy.
    case invalidMnemonicChecksum
    /// A mnemonic had a word count other than 12, 15, 18, 21 or 24; carries the count.
    case invalidMnemonicLength(Int)
    /// BIP39 entropy was not 16…32 bytes in steps of 4; carries the length.
    case invalidEntropyLength(Int)
    /// A secret URI does not match Substrate's `phrase//hard/soft///password` grammar; carries the URI
    /// with any password removed.
    case invalidSecretURI(String)
    /// A public key is not a canonical ristretto255 encoding.
    case invalidPublicKey
    /// Hard derivation needs the secret key, so a public key alone cannot follow a `//` junction.
    case hardJunctionOnPublicKey
}
