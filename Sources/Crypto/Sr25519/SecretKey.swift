package import Primitives

/// An expanded sr25519 secret key: the signing scalar and the 32-byte nonce seed (schnorrkel's
/// `SecretKey`).
package struct SecretKey: Sendable {
    /// The secret scalar, 32 little-endian bytes, below ℓ.
    package let key: [UInt8]
    /// Secret input to the witness (nonce) generator; never a scalar itself.
    package let nonce: [UInt8]

    /// Wraps a scalar and nonce the caller has already validated.
    init(uncheckedKey key: [UInt8], nonce: [UInt8]) {
        self.key = key
        self.nonce = nonce
    }

    /// Parses schnorrkel's 64-byte form `key ‖ nonce`.
    ///
    /// Throws ``CryptoError/invalidSecretKey`` when the length is not 64 or the scalar is not below ℓ.
    package init(bytes: [UInt8]) throws(CryptoError) {
        guard bytes.count == 64 else { throw .invalidSecretKey }
        let key = Array(bytes[0..<32])
        guard key.withUnsafeBytes(Ristretto.isCanonicalScalar) else { throw .invalidSecretKey }
        self.init(uncheckedKey: key, nonce: Array(bytes[32..<64]))
    }

    /// Expands a 32-byte mini secret the way Substrate does (`ExpansionMode::Ed25519`).
    ///
    /// The first half of SHA-512 is clamped like an Ed25519 secret and divided by the cofactor 8, which
    /// leaves an integer in [2^251, 2^252), already below ℓ. The second half is the nonce.
    package static func expandEd25519(miniSecret: [UInt8]) -> SecretKey {
        precondition(miniSecret.count == 32, "mini secrets are 32 bytes")
        let digest = SHA2.sha512(miniSecret)
        var key = Array(digest[0..<32])
        key[0] &= 0xF8
        key[31] &= 0x3F
        key[31] |= 0x40
        // An exact right shift of the 256-bit integer by 3, carrying the low bits downwards.
        var carry: UInt8 = 0
        for index in stride(from: 31, through: 0, by: -1) {
            let low = key[index] & 7
            key[index] = (key[index] >> 3) &+ carry
            carry = low << 5
        }
        return SecretKey(uncheckedKey: key, nonce: Array(digest[32..<64]))
    }

    /// Expands a mini secret with schnorrkel's `ExpansionMode::Uniform` (a Merlin transcript); Substrate
    /// never uses it, it is here for completeness and tests.
    package static func expandUniform(miniSecret: [UInt8]) -> SecretKey {
        precondition(miniSecret.count == 32, "mini secrets are 32 bytes")
        var transcript = MerlinTranscript(label: "ExpandSecretKeys")
        transcript.appendMessage(label: "mini", miniSecret)
        let key = Ristretto.reduceWide(transcript.challengeBytes(label: "sk", count: 64))
        let nonce = transcript.challengeBytes(label: "no", count: 32)
        return SecretKey(uncheckedKey: key, nonce: nonce)
    }

    /// schnorrkel's `to_bytes`: `key ‖ nonce`, 64 bytes.
    package var bytes: [UInt8] { key + nonce }

    /// The "Ed25519 form" `8·key ‖ nonce` (schnorrkel's `to_ed25519_bytes`, polkadot-js keypairs).
    package var ed25519Bytes: [UInt8] {
        // key < 2^253, so multiplying by 8 (a left shift by 3) cannot overflow 256 bits.
        var shifted = key
        var carry: UInt8 = 0
        for index in 0..<32 {
            let high = key[index] >> 5
            shifted[index] = (key[index] << 3) | carry
            carry = high
        }
        return shifted + nonce
    }

    /// The public key `key·B`.
    package var publicKey: Sr25519Public {
        Sr25519Public(unchecked: Ristretto.multiplyBase(key))
    }
}
