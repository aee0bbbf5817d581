/// The subset of STROBE-128/1600 (protocol version 1.0.2) that Merlin transcripts use: meta-AD, AD,
/// PRF and KEY, each with the `more` (continue the previous operation) flag.
///
/// A value type: copying it is Merlin's `clone`, and no operation allocates.
struct Strobe128: Sendable {
    /// The rate in bytes for 128-bit security: 200 − 2·16 − 2.
    static let rate = 166

    private enum Flag {
        static let inbound: UInt8 = 0x01
        static let application: UInt8 = 0x02
        static let cipher: UInt8 = 0x04
        static let transport: UInt8 = 0x08
        static let meta: UInt8 = 0x10
        static let keyed: UInt8 = 0x20
    }

    private(set) var state = KeccakState()
    private(set) var position = 0
    private(set) var positionBegin = 0
    private(set) var currentFlags: UInt8 = 0

    /// Starts a STROBE session: the version domain separator, one permutation, then `protocolLabel`
    /// as meta-AD.
    init(protocolLabel: UnsafeRawBufferPointer) {
        self.init(unkeyedInitialState: ())
        metaAD(protocolLabel, more: false)
    }

    /// The state after the initial permutation, before the protocol label (exposed for the tests).
    init(unkeyedInitialState: Void) {
        let header: [UInt8] = [1, UInt8(Self.rate + 2), 1, 0, 1, 96] + Array("STROBEv1.0.2".utf8)
        state.withUnsafeMutableBytes { bytes in
            for (index, byte) in header.enumerated() { bytes[index] = byte }
        }
        state.permute()
    }

    /// Absorbs associated data that only frames the protocol (labels, lengths).
    mutating func metaAD(_ data: UnsafeRawBufferPointer, more: Bool) {
        beginOperation(Flag.meta | Flag.application, more: more)
        absorb(data)
    }

    /// Absorbs application data.
    mutating func ad(_ data: UnsafeRawBufferPointer, more: Bool) {
        beginOperation(Flag.application, more: more)
        absorb(data)
    }

    /// Squeezes `output.count` pseudo-random bytes into `output`.
    mutating func prf(into output: UnsafeMutableRawBufferPointer, more: Bool) {
        beginOperation(Flag.inbound | Flag.application | Flag.cipher, more: more)
        squeeze(into: output)
    }

    /// Overwrites the state with key material (the transcript RNG's witness and randomness).
    mutating func key(_ data: UnsafeRawBufferPointer, more: Bool) {
        beginOperation(Flag.application | Flag.cipher, more: more)
        overwrite(data)
    }

    private mutating func beginOperation(_ flags: UInt8, more: Bool) {
        if more {
            // Only the transcript code continues an operation, always with the flags it has just used.
            precondition(currentFlags == flags, "STROBE: continued an operation with different flags")
            return
        }
        precondition(flags & Flag.transport == 0, "STROBE: transport operations are not supported")
        let oldBegin = UInt8(truncatingIfNeeded: positionBegin)
        // pos_begin marks this operation's flags byte (absorbed at pos + 1); runF folds it into the padding.
        positionBegin = position + 1
        currentFlags = flags
        withUnsafeBytes(of: (oldBegin, flags)) { absorb($0) }
        // Cipher and key operations must start on a fresh block.
        if flags & (Flag.cipher | Flag.keyed) != 0 && position != 0 {
            runF()
        }
    }

    private mutating func absorb(_ data: UnsafeRawBufferPointer) {
        guard !data.isEmpty else { return }
        var position = self.position
        var permuteNeeded = false
        var index = 0
        while index < data.count {
            state.withUnsafeMutableBytes { bytes in
                let take = min(data.count - index, Self.rate - position)
                for offset in 0..<take {
                    bytes[position + offset] ^= data[index + offset]
                }
                position += take
                index += take
                permuteNeeded = position == Self.rate
            }
            if permuteNeeded {
                self.position = position
                runF()
                position = 0
            }
        }
        self.position = position
    }

    private mutating func overwrite(_ data: UnsafeRawBufferPointer) {
        for byte in data {
            state.withUnsafeMutableBytes { $0[position] = byte }
            position += 1
            if position == Self.rate { runF() }
        }
    }

    private mutating func squeeze(into output: UnsafeMutableRawBufferPointer) {
        for index in 0..<output.count {
            state.withUnsafeMutableBytes { bytes in
                output[index] = bytes[position]
                bytes[position] = 0
            }
            position += 1
            if position == Self.rate { runF() }
        }
    }

    /// Pads the current block (position, then the STROBE and Keccak padding bits) and permutes.
    private mutating func runF() {
        let position = self.position
        let positionBegin = UInt8(truncatingIfNeeded: self.positionBegin)
        state.withUnsafeMutableBytes { bytes in
            bytes[position] ^= positionBegin
            bytes[position + 1] ^= 0x04
            bytes[Self.rate + 1] ^= 0x80
        }
        state.permute()
        self.position = 0
        self.positionBegin = 0
    }
}
