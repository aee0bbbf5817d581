import CDecaf
public import Primitives

/// sr25519 (schnorrkel 0.9 Schnorr signatures over ristretto255, Substrate's signing context).
public enum Sr25519 {
    /// Checks `signature` on `message` under `publicKey`, exactly as Substrate's `sr25519::Pair::verify`.
    ///
    /// Returns `false`, never traps, for any malformed input: a signature without schnorrkel's marker
    /// bit, a scalar `s ≥ ℓ`, a public key that is not a canonical ristretto255 encoding (bit 255 set
    /// included), or an `R` whose bytes differ from the recomputed commitment. The identity public key
    /// is accepted, as schnorrkel accepts it.
    public static func verify(
        _ signature: Sr25519Signature, message: some Collection<UInt8>, publicKey: Sr25519Public
    ) -> Bool {
        withBytes(of: message) { message in
            publicKey.withUnsafeBytes { publicKey in
                verify(signature: signature, message: message, publicKey: publicKey) { commitment, s, challenge in
                    Ristretto.schnorrCommitment(
                        into: commitment, s: s, publicKey: publicKey.baseAddress!.assumingMemoryBound(to: UInt8.self),
                        challenge: challenge)
                }
            }
        }
    }

    /// ``verify(_:message:publicKey:)`` with a key decoded beforehand, which saves decoding it again.
    public static func verify(
        _ signature: Sr25519Signature, message: some Collection<UInt8>, key: Sr25519VerifyingKey
    ) -> Bool {
        withBytes(of: message) { message in
            key.publicKey.withUnsafeBytes { publicKey in
                verify(signature: signature, message: message, publicKey: publicKey) { commitment, s, challenge in
                    cdecaf_schnorr_commitment_prepared(commitment, s, key.handle, challenge) == 0
                }
            }
        }
    }

    /// The checks and the transcript of a single verification; `commitment(out, s, k)` writes
    /// `encode(s·B − k·A)` and returns `false` when `s` or the key does not decode.
    private static func verify(
        signature: Sr25519Signature, message: UnsafeRawBufferPointer, publicKey: UnsafeRawBufferPointer,
        commitment computeCommitment: (UnsafeMutablePointer<UInt8>, UnsafePointer<UInt8>, UnsafePointer<UInt8>) ->
            Bool
    ) -> Bool {
        guard Ristretto.hasClearTopBit(publicKey) else { return false }
        return signature.withUnsafeBytes { signature in
            guard signature[63] & 0x80 != 0 else { return false }
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { scratch in
                let base = scratch.baseAddress!
                let challenge = base
                let s = base + 64
                let commitment = base + 96
                guard
                    schnorrScalarAndChallenge(
                        signature: signature, message: message, publicKey: publicKey, s: s, challenge: challenge)
                else { return false }
                guard computeCommitment(commitment, s, challenge) else { return false }
                // Compare encodings, never decoded points: a non-canonical R must not match.
                var difference: UInt8 = 0
                for index in 0..<32 { difference |= commitment[index] ^ signature[index] }
                return difference == 0
            }
        }
    }

    /// Writes the signature's `s` (marker bit cleared) to `s` and the 64-byte challenge `k` of
    /// `signature` (64 bytes) on `message` under `publicKey` (32 bytes) to `challenge`. Returns `false`
    /// when `s ≥ ℓ`. The caller has checked the marker bit.
    static func schnorrScalarAndChallenge(
        signature: UnsafeRawBufferPointer, message: UnsafeRawBufferPointer, publicKey: UnsafeRawBufferPointer,
        s: UnsafeMutablePointer<UInt8>, challenge: UnsafeMutablePointer<UInt8>
    ) -> Bool {
        for index in 0..<32 { s[index] = signature[32 + index] }
        s[31] &= 0x7F
        guard Ristretto.isCanonicalScalar(UnsafeRawBufferPointer(start: s, count: 32)) else { return false }
        var transcript = schnorrTranscript(message: message, publicKey: publicKey)
        transcript.appendMessage(label: "sign:R", bytes: .init(rebasing: signature[0..<32]))
        transcript.challengeBytes(label: "sign:c", into: UnsafeMutableRawBufferPointer(start: challenge, count: 64))
        return true
    }
}

extension Sr25519Public {
    /// Whether `signature` is a valid Substrate sr25519 signature of `message` by this key; see
    /// ``Sr25519/verify(_:message:publicKey:)`` for what is rejected.
    public func isValidSignature(_ signature: Sr25519Signature, for message: some Collection<UInt8>) -> Bool {
        Sr25519.verify(signature, message: message, publicKey: self)
    }
}
