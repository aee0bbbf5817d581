public import Primitives

/// schnorrkel's hierarchical deterministic key derivation, as Substrate's `sr25519::Pair::derive`
/// and `Public::derive` apply it.
enum HDKD {
    /// The transcript both derivations start from; Substrate always passes empty extra bytes.
    private static func transcript(chainCode: [UInt8]) -> MerlinTranscript {
        var transcript = MerlinTranscript(label: "SchnorrRistrettoHDKD")
        transcript.appendMessage(label: "sign-bytes", [UInt8]())
        transcript.appendMessage(label: "chain-code", chainCode)
        return transcript
    }

    /// The new mini secret of a hard junction: it hashes the secret scalar (not the nonce), so the
    /// child reveals nothing about the parent.
    static func hardMiniSecret(_ secret: SecretKey, chainCode: [UInt8]) -> [UInt8] {
        var transcript = transcript(chainCode: chainCode)
        transcript.appendMessage(label: "secret-key", secret.key)
        return transcript.challengeBytes(label: "HDKD-hard", count: 32)
    }

    /// The scalar δ and output chain code of a soft junction on `publicKey`; the child key is
    /// `public + δ·B` and its secret `key + δ`. The transcript is returned for the secret side's nonce.
    static func softScalar(publicKey: [UInt8], chainCode: [UInt8]) -> (
        delta: [UInt8], chainCode: [UInt8], transcript: MerlinTranscript
    ) {
        var transcript = transcript(chainCode: chainCode)
        transcript.appendMessage(label: "public-key", publicKey)
        let delta = Ristretto.reduceWide(transcript.challengeBytes(label: "HDKD-scalar", count: 64))
        let nextChainCode = transcript.challengeBytes(label: "HDKD-chaincode", count: 32)
        return (delta, nextChainCode, transcript)
    }

    /// Soft derivation of a secret key. The new nonce seed is random, from a witness generator keyed with
    /// the old nonce and secret, so it cannot be reproduced, but it does not need to be.
    static func softDerive(_ secret: SecretKey, publicKey: Sr25519Public, chainCode: [UInt8]) -> SecretKey {
        let (delta, _, transcript) = softScalar(publicKey: publicKey.bytes, chainCode: chainCode)
        var builder = transcript.buildRng()
        builder.rekey(withWitness: "HDKD-nonce", secret.nonce)
        builder.rekey(withWitness: "HDKD-nonce", secret.bytes)
        var rng = builder.finalize(randomness: Ristretto.randomBytes(count: 32))
        return SecretKey(uncheckedKey: Ristretto.add(secret.key, delta), nonce: rng.bytes(count: 32))
    }
}

extension Sr25519Keypair {
    /// Applies `junctions` left to right (Substrate's `Pair::derive`).
    ///
    /// A hard junction expands a fresh mini secret; a soft one adds δ to the scalar. The result keeps
    /// a ``miniSecret`` only if the start had one and no junction was soft.
    public func derive(_ junctions: some Sequence<DeriveJunction>) -> Sr25519Keypair {
        var secret = secretKey
        var publicKey = publicKey
        var seed = miniSecret
        for junction in junctions {
            switch junction {
            case .hard(let chainCode):
                let mini = HDKD.hardMiniSecret(secret, chainCode: chainCode)
                secret = .expandEd25519(miniSecret: mini)
                seed = seed == nil ? nil : mini
            case .soft(let chainCode):
                secret = HDKD.softDerive(secret, publicKey: publicKey, chainCode: chainCode)
                seed = nil
            }
            publicKey = secret.publicKey
        }
        return Sr25519Keypair(secretKey: secret, miniSecret: seed)
    }
}

extension Sr25519Public {
    /// Applies soft `junctions` to this public key (Substrate's `Public::derive`); the result is the
    /// public key of the same soft derivation on the secret side.
    ///
    /// Throws ``CryptoError/hardJunctionOnPublicKey`` for a hard junction and
    /// ``CryptoError/invalidPublicKey`` when the key is not a canonical ristretto255 encoding.
    public func derive(_ junctions: some Sequence<DeriveJunction>) throws(CryptoError) -> Sr25519Public {
        var current = bytes
        for junction in junctions {
            guard case .soft(let chainCode) = junction else { throw .hardJunctionOnPublicKey }
            guard Ristretto.isValidPoint(current) else { throw .invalidPublicKey }
            let (delta, _, _) = HDKD.softScalar(publicKey: current, chainCode: chainCode)
            guard let next = Ristretto.addPoints(current, Ristretto.multiplyBase(delta)) else {
                throw .invalidPublicKey
            }
            current = next
        }
        return Sr25519Public(unchecked: current)
    }

    /// The output chain code of one soft derivation step from this key (for tests of the HDKD chain).
    package func softChainCode(_ chainCode: [UInt8]) -> [UInt8] {
        HDKD.softScalar(publicKey: bytes, chainCode: chainCode).chainCode
    }
}
