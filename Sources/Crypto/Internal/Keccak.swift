/// The Keccak-f[1600] permutation over a 200-byte state, the primitive under STROBE-128.
///
/// The state is 25 little-endian 64-bit lanes, lane `x + 5y` at bytes `8(x + 5y)…`; STROBE reads and
/// writes the same memory byte by byte, so ``bytes`` and the lanes must alias exactly that way.
/// Storage is an inline tuple rather than an `Array`: copying a transcript (Merlin's `clone`) is then a
/// plain 200-byte copy and no operation allocates.
struct KeccakState: Sendable {
    typealias Lanes = (
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64
    )

    /// The number of state bytes.
    static let byteCount = 200

    private var lanes: Lanes = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    /// The all-zero state.
    init() {}

    /// A copy of the 200 state bytes (for tests and traces; the hot paths use ``withUnsafeMutableBytes(_:)``).
    var bytes: [UInt8] {
        withUnsafeBytes(of: lanes) { Array($0) }
    }

    /// The 25 lanes as integers, lane `x + 5y` at index `x + 5y`.
    var laneValues: [UInt64] {
        withUnsafeBytes(of: lanes) { raw in
            (0..<25).map { UInt64(littleEndian: raw.load(fromByteOffset: 8 * $0, as: UInt64.self)) }
        }
    }

    /// Gives `body` the 200 state bytes to read and modify in place.
    @inline(__always)
    mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeMutableBytes(of: &lanes, body)
    }

    /// Applies Keccak-f[1600] (24 rounds) to the state.
    mutating func permute() {
        Swift.withUnsafeMutableBytes(of: &lanes) { raw in
            // A local copy of the constants: reading a shared global array from several threads would
            // make them contend on its reference count.
            var constants = Self.roundConstants
            Swift.withUnsafeBytes(of: &constants) { constants in
                // Safe because: both tuples are contiguous UInt64 values, so aligned and sized for this binding.
                Self.permute(
                    raw.baseAddress!.assumingMemoryBound(to: UInt64.self),
                    constants.baseAddress!.assumingMemoryBound(to: UInt64.self))
            }
        }
    }

    /// Keccak-f[1600] on 25 lanes at `lanes`. The lanes live in locals for the whole permutation so the
    /// optimiser can keep them in registers; each round is written out once, without index arithmetic.
    private static func permute(_ lanes: UnsafeMutablePointer<UInt64>, _ constants: UnsafePointer<UInt64>) {
        var a0 = UInt64(littleEndian: lanes[0])
        var a1 = UInt64(littleEndian: lanes[1])
        var a2 = UInt64(littleEndian: lanes[2])
        var a3 = UInt64(littleEndian: lanes[3])
        var a4 = UInt64(littleEndian: lanes[4])
        var a5 = UInt64(littleEndian: lanes[5])
        var a6 = UInt64(littleEndian: lanes[6])
        var a7 = UInt64(littleEndian: lanes[7])
        var a8 = UInt64(littleEndian: lanes[8])
        var a9 = UInt64(littleEndian: lanes[9])
        var a10 = UInt64(littleEndian: lanes[10])
        var a11 = UInt64(littleEndian: lanes[11])
        var a12 = UInt64(littleEndian: lanes[12])
        var a13 = UInt64(littleEndian: lanes[13])
        var a14 = UInt64(littleEndian: lanes[14])
        var a15 = UInt64(littleEndian: lanes[15])
        var a16 = UInt64(littleEndian: lanes[16])
        var a17 = UInt64(littleEndian: lanes[17])
        var a18 = UInt64(littleEndian: lanes[18])
        var a19 = UInt64(littleEndian: lanes[19])
        var a20 = UInt64(littleEndian: lanes[20])
        var a21 = UInt64(littleEndian: lanes[21])
        var a22 = UInt64(littleEndian: lanes[22])
        var a23 = UInt64(littleEndian: lanes[23])
        var a24 = UInt64(littleEndian: lanes[24])
        for round in 0..<24 {
            let roundConstant = constants[round]
            // θ: column parities, then mix each column with its neighbours.
            let c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20
            let c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21
            let c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22
            let c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23
            let c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24
            let d0 = c4 ^ rotl(c1, 1)
            let d1 = c0 ^ rotl(c2, 1)
            let d2 = c1 ^ rotl(c3, 1)
            let d3 = c2 ^ rotl(c4, 1)
            let d4 = c3 ^ rotl(c0, 1)
            // ρ and π: rotate each lane and move it to its new position.
            let b0 = a0 ^ d0
            let b10 = rotl(a1 ^ d1, 1)
            let b20 = rotl(a2 ^ d2, 62)
            let b5 = rotl(a3 ^ d3, 28)
            let b15 = rotl(a4 ^ d4, 27)
            let b16 = rotl(a5 ^ d0, 36)
            let b1 = rotl(a6 ^ d1, 44)
            let b11 = rotl(a7 ^ d2, 6)
            let b21 = rotl(a8 ^ d3, 55)
            let b6 = rotl(a9 ^ d4, 20)
            let b7 = rotl(a10 ^ d0, 3)
            let b17 = rotl(a11 ^ d1, 10)
            let b2 = rotl(a12 ^ d2, 43)
            let b12 = rotl(a13 ^ d3, 25)
            let b22 = rotl(a14 ^ d4, 39)
            let b23 = rotl(a15 ^ d0, 41)
            let b8 = rotl(a16 ^ d1, 45)
            let b18 = rotl(a17 ^ d2, 15)
            let b3 = rotl(a18 ^ d3, 21)
            let b13 = rotl(a19 ^ d4, 8)
            let b14 = rotl(a20 ^ d0, 18)
            let b24 = rotl(a21 ^ d1, 2)
            let b9 = rotl(a22 ^ d2, 61)
            let b19 = rotl(a23 ^ d3, 56)
            let b4 = rotl(a24 ^ d4, 14)
            // χ: the only non-linear step, row by row; ι folds in the round constant.
            a0 = b0 ^ (~b1 & b2) ^ roundConstant
            a1 = b1 ^ (~b2 & b3)
            a2 = b2 ^ (~b3 & b4)
            a3 = b3 ^ (~b4 & b0)
            a4 = b4 ^ (~b0 & b1)
            a5 = b5 ^ (~b6 & b7)
            a6 = b6 ^ (~b7 & b8)
            a7 = b7 ^ (~b8 & b9)
            a8 = b8 ^ (~b9 & b5)
            a9 = b9 ^ (~b5 & b6)
            a10 = b10 ^ (~b11 & b12)
            a11 = b11 ^ (~b12 & b13)
            a12 = b12 ^ (~b13 & b14)
            a13 = b13 ^ (~b14 & b10)
            a14 = b14 ^ (~b10 & b11)
            a15 = b15 ^ (~b16 & b17)
            a16 = b16 ^ (~b17 & b18)
            a17 = b17 ^ (~b18 & b19)
            a18 = b18 ^ (~b19 & b15)
            a19 = b19 ^ (~b15 & b16)
            a20 = b20 ^ (~b21 & b22)
            a21 = b21 ^ (~b22 & b23)
            a22 = b22 ^ (~b23 & b24)
            a23 = b23 ^ (~b24 & b20)
            a24 = b24 ^ (~b20 & b21)

        }
        lanes[0] = a0.littleEndian
        lanes[1] = a1.littleEndian
        lanes[2] = a2.littleEndian
        lanes[3] = a3.littleEndian
        lanes[4] = a4.littleEndian
        lanes[5] = a5.littleEndian
        lanes[6] = a6.littleEndian
        lanes[7] = a7.littleEndian
        lanes[8] = a8.littleEndian
        lanes[9] = a9.littleEndian
        lanes[10] = a10.littleEndian
        lanes[11] = a11.littleEndian
        lanes[12] = a12.littleEndian
        lanes[13] = a13.littleEndian
        lanes[14] = a14.littleEndian
        lanes[15] = a15.littleEndian
        lanes[16] = a16.littleEndian
        lanes[17] = a17.littleEndian
        lanes[18] = a18.littleEndian
        lanes[19] = a19.littleEndian
        lanes[20] = a20.littleEndian
        lanes[21] = a21.littleEndian
        lanes[22] = a22.littleEndian
        lanes[23] = a23.littleEndian
        lanes[24] = a24.littleEndian
    }

    @inline(__always)
    private static func rotl(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value &<< count) | (value &>> (64 &- count))
    }

    typealias RoundConstants = (
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64
    )

    /// ι's round constants, RC[0…23] of the Keccak reference.
    static let roundConstants: RoundConstants = (
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808a,
        0x8000_0000_8000_8000, 0x0000_0000_0000_808b, 0x0000_0000_8000_0001,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8009, 0x0000_0000_0000_008a,
        0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000a,
        0x0000_0000_8000_808b, 0x8000_0000_0000_008b, 0x8000_0000_0000_8089,
        0x8000_0000_0000_8003, 0x8000_0000_0000_8002, 0x8000_0000_0000_0080,
        0x0000_0000_0000_800a, 0x8000_0000_8000_000a, 0x8000_0000_8000_8081,
        0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008
    )
}
