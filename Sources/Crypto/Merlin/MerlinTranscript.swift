/// A Merlin transcript (protocol "Merlin v1.0"): a STROBE-128 session that absorbs labelled messages
/// and squeezes labelled challenges, so that every challenge depends on everything appended before it.
///
/// schnorrkel derives signature challenges, HDKD scalars and Uniform key expansion from these. It is a
/// value type; a copy is Merlin's `clone`.
package struct MerlinTranscript: Sendable {
    private(set) var strobe: Strobe128

    /// Starts a transcript for the application protocol `label` (the domain separator).
    package init(label: StaticString) {
        self.init(labelBytes: label.rawBuffer)
    }

    private init(labelBytes: UnsafeRawBufferPointer) {
        strobe = Strobe128(protocolLabel: ("Merlin v1.0" as StaticString).rawBuffer)
        appendMessage(label: "dom-sep", bytes: labelBytes)
    }

    /// Appends `message` under `label`.
    package mutating func appendMessage(label: StaticString, _ message: some Collection<UInt8>) {
        let done: Void? = message.withContiguousStorageIfAvailable { appendMessage(label: label, bytes: .init($0)) }
        if done == nil {
            Array(message).withUnsafeBytes { appendMessage(label: label, bytes: $0) }
        }
    }

    /// Appends raw bytes under `label`: the label and the message length form one meta-AD operation,
    /// then the message is absorbed as AD.
    package mutating func appendMessage(label: StaticString, bytes message: UnsafeRawBufferPointer) {
        strobe.metaAD(label.rawBuffer, more: false)
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: message.count).littleEndian) {
            strobe.metaAD($0, more: true)
        }
        strobe.ad(message, more: false)
    }

    /// Appends `value` as 8 little-endian bytes under `label`.
    package mutating func appendU64(label: StaticString, _ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { appendMessage(label: label, bytes: $0) }
    }

    /// Fills `output` with a challenge bound to `label`, its length and the whole transcript so far.
    package mutating func challengeBytes(label: StaticString, into output: UnsafeMutableRawBufferPointer) {
        strobe.metaAD(label.rawBuffer, more: false)
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: output.count).littleEndian) {
            strobe.metaAD($0, more: true)
        }
        strobe.prf(into: output, more: false)
    }

    /// A `count`-byte challenge bound to `label` and the whole transcript so far.
    package mutating func challengeBytes(label: StaticString, count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            challengeBytes(label: label, into: UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }

    /// Starts a witness (nonce) generator seeded by this transcript; the transcript itself is unchanged.
    package func buildRng() -> TranscriptRngBuilder {
        TranscriptRngBuilder(strobe: strobe)
    }
}

extension StaticString {
    /// The string's UTF-8 bytes; valid for the whole program since a StaticString is a literal.
    var rawBuffer: UnsafeRawBufferPointer {
        // Safe because: every StaticString the transcripts use is a string literal (pointer representation).
        precondition(hasPointerRepresentation, "transcript labels must be string literals")
        return UnsafeRawBufferPointer(start: utf8Start, count: utf8CodeUnitCount)
    }
}
