package import Primitives

/// The signing transcripts and the Schnorr signature itself, shared by signing and verification.
extension Sr25519 {
    /// `signing_context(b"substrate")` before any message, built once: every Substrate signature
    /// starts from this state, so copying it saves re-absorbing the context per signature.
    private static let substrateContext: MerlinTranscript = {
        var transcript = MerlinTranscript(label: "SigningContext")
        transcript.appendMessage(label: "", Array("substrate".utf8))
        return transcript
    }()

    /// The transcript for `message` under Substrate's signing context, as `Pair::sign` and
    /// `Pair::verify` build it, up to and including the public key.
    static func schnorrTranscript(message: UnsafeRawBufferPointer, publicKey: UnsafeRawBufferPointer)
        -> MerlinTranscript
    {
        var transcript = substrateContext
        transcript.appendMessage(label: "sign-bytes", bytes: message)
        transcript.appendMessage(label: "proto-name", bytes: ("Schnorr-sig" as StaticString).rawBuffer)
        transcript.appendMessage(label: "sign:pk", bytes: publicKey)
        return transcript
    }

    /// Calls `body` with contiguous bytes of `message`, copying only when the collection has no
    /// contiguous storage.
    static func withBytes<R>(of message: some Collection<UInt8>, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        if let result = message.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) {
            return result
        }
        return Array(message).withUnsafeBytes(body)
    }
}

extension SecretKey {
    /// Signs `message` with a caller-chosen nonce scalar `r` (32 LE bytes, below ℓ).
    ///
    /// For tests and vectors only: reusing `r` for two messages reveals the secret key.
    package func sign(
        _ message: some Collection<UInt8>, publicKey: Sr25519Public, nonceScalar r: [UInt8]
    ) -> Sr25519Signature {
        var transcript = Sr25519.withBytes(of: message) { message in
            publicKey.withUnsafeBytes { Sr25519.schnorrTranscript(message: message, publicKey: $0) }
        }
        return finishSignature(transcript: &transcript, r: r)
    }

    /// Signs `message` with schnorrkel's witness nonce, drawing the 32 external random bytes from
    /// `randomness` (pass OS randomness in production; fixed bytes reproduce reference vectors).
    package func sign(
        _ message: some Collection<UInt8>, publicKey: Sr25519Public, externalRandomness randomness: [UInt8]
    ) -> Sr25519Signature {
        var transcript = Sr25519.withBytes(of: message) { message in
            publicKey.withUnsafeBytes { Sr25519.schnorrTranscript(message: message, publicKey: $0) }
        }
        let r = witnessScalar(transcript: transcript, randomness: randomness)
        return finishSignature(transcript: &transcript, r: r)
    }

    /// schnorrkel's `witness_scalar(b"signing", &[&nonce])`: a nonce bound to the transcript, the
    /// secret nonce seed and external randomness, so neither a bad RNG nor a repeated message alone
    /// repeats `r`.
    package func witnessScalar(transcript: MerlinTranscript, randomness: [UInt8]) -> [UInt8] {
        var builder = transcript.buildRng()
        builder.rekey(withWitness: "signing", nonce)
        var rng = builder.finalize(randomness: randomness)
        return Ristretto.reduceWide(rng.bytes(count: 64))
    }

    private func finishSignature(transcript: inout MerlinTranscript, r: [UInt8]) -> Sr25519Signature {
        let commitment = Ristretto.multiplyBase(r)
        transcript.appendMessage(label: "sign:R", commitment)
        let k = Ristretto.reduceWide(transcript.challengeBytes(label: "sign:c", count: 64))
        var signature = commitment + Ristretto.multiplyAdd(k, key, r)
        // s < 2^253 leaves bit 255 free; schnorrkel sets it to tell these apart from the old format.
        signature[63] |= 0x80
        return Sr25519Signature(unchecked: signature)
    }
}
