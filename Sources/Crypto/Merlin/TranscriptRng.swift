/// Collects the secret witness bytes for a transcript RNG; see ``MerlinTranscript/buildRng()``.
///
/// The generator starts as a copy of the transcript's STROBE state, so its output depends on every
/// public message, every secret witness and fresh external randomness: a weak external RNG alone
/// cannot leak the secret key through repeated nonces.
package struct TranscriptRngBuilder: Sendable {
    private var strobe: Strobe128

    init(strobe: Strobe128) {
        self.strobe = strobe
    }

    /// Keys the generator with secret `witness` bytes under `label`.
    package mutating func rekey(withWitness label: StaticString, _ witness: UnsafeRawBufferPointer) {
        strobe.metaAD(label.rawBuffer, more: false)
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: witness.count).littleEndian) {
            strobe.metaAD($0, more: true)
        }
        strobe.key(witness, more: false)
    }

    /// Keys the generator with secret `witness` bytes under `label`.
    package mutating func rekey(withWitness label: StaticString, _ witness: [UInt8]) {
        witness.withUnsafeBytes { rekey(withWitness: label, $0) }
    }

    /// Mixes in 32 bytes of external randomness and returns the finished generator.
    package consuming func finalize(randomness: [UInt8]) -> TranscriptRng {
        precondition(randomness.count == 32, "the transcript RNG takes 32 bytes of external randomness")
        strobe.metaAD(("rng" as StaticString).rawBuffer, more: false)
        randomness.withUnsafeBytes { strobe.key($0, more: false) }
        return TranscriptRng(strobe: strobe)
    }
}

/// A pseudo-random generator bound to a transcript and secret witnesses (schnorrkel's nonce source).
package struct TranscriptRng: Sendable {
    private var strobe: Strobe128

    init(strobe: Strobe128) {
        self.strobe = strobe
    }

    /// Fills `output` with pseudo-random bytes.
    package mutating func fill(_ output: UnsafeMutableRawBufferPointer) {
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: output.count).littleEndian) {
            strobe.metaAD($0, more: false)
        }
        strobe.prf(into: output, more: false)
    }

    /// `count` pseudo-random bytes.
    package mutating func bytes(count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }
}
