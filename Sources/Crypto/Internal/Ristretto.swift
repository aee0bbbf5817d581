import CDecaf
import CSodium
import Primitives

/// ristretto255 scalars and points, only through C libraries: libsodium (constant time) for anything
/// that touches secrets, libdecaf (variable time, faster) for verifying public signatures.
///
/// Scalars are 32 little-endian bytes and points are 32-byte ristretto255 encodings, as schnorrkel
/// serialises them. libsodium 1.0.18 is laxer than curve25519-dalek in two ways (sr25519.md §4):
/// it ignores bit 255 of point encodings and never requires scalars to be reduced. The checks below
/// restore dalek's strictness before libsodium sees any input from outside.
enum Ristretto {
    /// The group order ℓ = 2^252 + 27742317777372353535851937790883648493, little-endian.
    static let groupOrder: [UInt8] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
    ]

    /// Whether the 32 little-endian bytes at `scalar` encode an integer below ℓ (dalek's canonical form).
    static func isCanonicalScalar(_ scalar: UnsafeRawBufferPointer) -> Bool {
        guard scalar.count == 32 else { return false }
        func limb(_ index: Int) -> UInt64 {
            UInt64(littleEndian: scalar.loadUnaligned(fromByteOffset: 8 * index, as: UInt64.self))
        }
        // ℓ as little-endian 64-bit limbs (limb 2 is zero), written inline rather than read from the
        // shared `groupOrder` array, so that verifying on many threads never touches a shared reference
        // count. Compare from the most significant limb down; the first difference decides.
        if limb(3) != 0x1000_0000_0000_0000 { return limb(3) < 0x1000_0000_0000_0000 }
        if limb(2) != 0 { return false }
        if limb(1) != 0x14de_f9de_a2f7_9cd6 { return limb(1) < 0x14de_f9de_a2f7_9cd6 }
        return limb(0) < 0x5812_631a_5cf5_d3ed
    }

    /// Whether `point` can be a canonical encoding as far as libsodium 1.0.18 fails to check: bit 255
    /// must be clear. libsodium (or libdecaf) still has to decode it to reject other bad encodings.
    static func hasClearTopBit(_ point: some BidirectionalCollection<UInt8>) -> Bool {
        point.count == 32 && point.last! & 0x80 == 0
    }

    /// Reduces a 64-byte little-endian integer modulo ℓ (dalek's `from_bytes_mod_order_wide`).
    static func reduceWide(_ wide: [UInt8]) -> [UInt8] {
        precondition(wide.count == 64, "wide reduction takes 64 bytes")
        var out = [UInt8](repeating: 0, count: 32)
        crypto_core_ristretto255_scalar_reduce(&out, wide)
        return out
    }

    /// `a·b + c mod ℓ`, in constant time.
    static func multiplyAdd(_ a: [UInt8], _ b: [UInt8], _ c: [UInt8]) -> [UInt8] {
        var product = [UInt8](repeating: 0, count: 32)
        crypto_core_ristretto255_scalar_mul(&product, a, b)
        var out = [UInt8](repeating: 0, count: 32)
        crypto_core_ristretto255_scalar_add(&out, product, c)
        return out
    }

    /// `a + b mod ℓ`, in constant time.
    static func add(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        crypto_core_ristretto255_scalar_add(&out, a, b)
        return out
    }

    /// The encoding of `scalar·B`, in constant time.
    ///
    /// libsodium returns −1 when the product is the identity but still writes its encoding (all zeros);
    /// schnorrkel treats the identity as an ordinary point, so that status is deliberately ignored.
    static func multiplyBase(_ scalar: [UInt8]) -> [UInt8] {
        precondition(scalar.count == 32, "scalars are 32 bytes")
        Sodium.ensureInitialized()
        var out = [UInt8](repeating: 0, count: 32)
        _ = crypto_scalarmult_ristretto255_base(&out, scalar)
        return out
    }

    /// The encoding of `p + q`, or `nil` when either is not a canonical encoding (bit 255 included).
    static func addPoints(_ p: [UInt8], _ q: [UInt8]) -> [UInt8]? {
        guard hasClearTopBit(p), hasClearTopBit(q) else { return nil }
        var out = [UInt8](repeating: 0, count: 32)
        guard crypto_core_ristretto255_add(&out, p, q) == 0 else { return nil }
        return out
    }

    /// Whether `point` is a canonical ristretto255 encoding; the identity (32 zero bytes) counts.
    static func isValidPoint(_ point: [UInt8]) -> Bool {
        hasClearTopBit(point) && cdecaf_point_check(point) == 0
    }

    /// Writes `encode(s·B − k·A)` to `output` in variable time, where `k` is the 64-byte `challenge`
    /// reduced modulo ℓ. Returns `false` when `s` is not below ℓ or `publicKey` does not decode
    /// (libdecaf rejects bit 255 and every other non-canonical encoding, and accepts the identity).
    /// Only for public data: the run time depends on the scalars.
    static func schnorrCommitment(
        into output: UnsafeMutablePointer<UInt8>, s: UnsafePointer<UInt8>, publicKey: UnsafePointer<UInt8>,
        challenge: UnsafePointer<UInt8>
    ) -> Bool {
        cdecaf_schnorr_commitment(output, s, publicKey, challenge) == 0
    }

    /// `count` bytes from the operating system's CSPRNG (libsodium's `randombytes_buf`).
    static func randomBytes(count: Int) -> [UInt8] {
        Sodium.ensureInitialized()
        var out = [UInt8](repeating: 0, count: count)
        randombytes_buf(&out, count)
        return out
    }
}
