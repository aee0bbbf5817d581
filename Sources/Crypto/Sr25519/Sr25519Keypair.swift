public import Primitives

/// An sr25519 key pair as Substrate's `sr25519::Pair` holds it: the expanded secret, its public key,
/// and the 32-byte seed it came from when there is one.
public struct Sr25519Keypair: Sendable {
    /// The public key, `key·B`.
    public let publicKey: Sr25519Public
    /// The expanded secret (scalar and nonce seed).
    package let secretKey: SecretKey
    /// The mini secret ("Secret seed" in `subkey`), or `nil` once any soft junction has been applied,
    /// because soft derivation produces a scalar that no seed expands to.
    public let miniSecret: [UInt8]?

    /// Expands a 32-byte mini secret (Substrate's `Pair::from_seed`, `ExpansionMode::Ed25519`).
    ///
    /// Throws ``CryptoError/invalidSeedLength(_:)`` unless `miniSecret` has exactly 32 bytes.
    public init(miniSecret: some Collection<UInt8>) throws(CryptoError) {
        let seed = Array(miniSecret)
        guard seed.count == 32 else { throw .invalidSeedLength(seed.count) }
        self.init(secretKey: .expandEd25519(miniSecret: seed), miniSecret: seed)
    }

    /// Wraps an expanded secret, computing its public key.
    package init(secretKey: SecretKey, miniSecret: [UInt8]?) {
        self.secretKey = secretKey
        self.publicKey = secretKey.publicKey
        self.miniSecret = miniSecret
    }

    /// The 64-byte secret in schnorrkel's form `key ‖ nonce` (`SecretKey::to_bytes`, `Pair::to_raw_vec`).
    public var secretKeyBytes: [UInt8] { secretKey.bytes }

    /// Signs `message` as Substrate's `Pair::sign` does: context "substrate", a witness nonce mixed
    /// from the transcript, the secret nonce seed and 32 bytes of OS randomness.
    ///
    /// Signatures are therefore not deterministic; any of them verifies.
    public func sign(_ message: some Collection<UInt8>) -> Sr25519Signature {
        secretKey.sign(message, publicKey: publicKey, externalRandomness: Ristretto.randomBytes(count: 32))
    }

    /// Signs with a fixed nonce scalar `r` (32 LE bytes below ℓ); tests and vectors only, since two
    /// messages signed with one `r` reveal the key.
    package func sign(_ message: some Collection<UInt8>, nonceScalar r: [UInt8]) -> Sr25519Signature {
        secretKey.sign(message, publicKey: publicKey, nonceScalar: r)
    }

    /// Signs with the witness nonce but caller-supplied external randomness (32 bytes).
    package func sign(_ message: some Collection<UInt8>, externalRandomness: [UInt8]) -> Sr25519Signature {
        secretKey.sign(message, publicKey: publicKey, externalRandomness: externalRandomness)
    }
}

extension Sr25519Keypair: CustomStringConvertible, CustomDebugStringConvertible {
    /// Names the public key only, so that logging a key pair never prints its secret.
    public var description: String { "Sr25519Keypair(\(publicKey.hex))" }
    public var debugDescription: String { description }
}
