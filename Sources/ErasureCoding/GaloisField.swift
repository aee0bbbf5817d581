/// GF(2^16) as novelpoly uses it: reduction polynomial x^16 + x^5 + x^3 + x^2 + 1 (0x1002D), with
/// symbols read in the Cantor basis (erasure-coding.md §2.3).
///
/// A symbol `v` stands for the XOR of ``cantorBasis``[b] over the set bits b of `v`, so addition is still
/// XOR, but multiplication goes through log/exp tables whose logarithms are taken of that basis image.
/// Logarithms live in 0...65534; 65535 (`modulus`) is the log of zero.
enum GaloisField {
    /// The number of field elements.
    static let size = 1 << 16
    /// The multiplicative group's order, 2^16 - 1; also the "log of zero" marker.
    static let modulus = 65535
    /// The low bits of the reduction polynomial x^16 + x^5 + x^3 + x^2 + 1.
    static let reductionPolynomial = 0x1002D

    /// The Cantor basis, in polynomial representation (Lin–Han–Chung; the same in leopard).
    static let cantorBasis: [Int] = [
        0x0001, 0xACCA, 0x3C0E, 0x163E, 0xC582, 0xED2E, 0x914C, 0x4012,
        0x6C98, 0x10D8, 0x6A72, 0xB900, 0xFDB8, 0xFB34, 0xFF38, 0x991E,
    ]

    /// The log and exp tables, built on first use and shared by every caller and thread.
    static let tables = Tables()

    /// The field's lookup tables. They are written once in `init` and only read afterwards, and they live
    /// as long as the process, so raw pointers into them are safe to share across threads; hot loops use
    /// the pointers so that no array bounds or lazy-initialisation checks run per symbol.
    final class Tables: @unchecked Sendable {
        /// `log[v]` for every symbol (`log[0] == 65535`).
        let log: UnsafeMutablePointer<UInt16>
        /// `exp[s] = exp(s mod 65535)` for s in 0..<131070, so that a log sum needs no reduction.
        let exp: UnsafeMutablePointer<UInt16>

        init() {
            let size = GaloisField.size
            let modulus = GaloisField.modulus
            // Step 1: discrete logarithms in the polynomial basis, generator x.
            var polynomialLog = [Int](repeating: 0, count: size)
            var state = 1
            for i in 0..<modulus {
                polynomialLog[state] = i
                state <<= 1
                if state & size != 0 { state ^= GaloisField.reductionPolynomial }
            }
            // Step 2: the image of each symbol in the Cantor basis, built bit by bit.
            var image = [Int](repeating: 0, count: size)
            for bit in 0..<16 {
                let high = 1 << bit
                for low in 0..<high { image[high | low] = image[low] ^ GaloisField.cantorBasis[bit] }
            }
            log = .allocate(capacity: size)
            exp = .allocate(capacity: 2 * modulus)
            log[0] = UInt16(modulus)
            var plainExp = [UInt16](repeating: 0, count: size)
            for v in 1..<size {
                let l = polynomialLog[image[v]]
                log[v] = UInt16(l)
                plainExp[l] = UInt16(v)
            }
            for s in 0..<(2 * modulus) { exp[s] = plainExp[s % modulus] }
        }

        deinit {
            log.deallocate()
            exp.deallocate()
        }
    }

    /// `a · exp(logFactor)`: multiplies symbol `a` by the element whose log is `logFactor` (0...65535, where
    /// 65535 counts as 0 mod 65535, i.e. a factor of one). Zero stays zero.
    @inline(__always)
    static func multiply(_ a: UInt16, byLog logFactor: UInt16, log: UnsafePointer<UInt16>, exp: UnsafePointer<UInt16>)
        -> UInt16
    {
        a == 0 ? 0 : exp[Int(log[Int(a)]) &+ Int(logFactor)]
    }

    /// The log of `a` (65535 for zero), for code away from the hot loops.
    static func log(_ a: UInt16) -> Int { Int(tables.log[Int(a)]) }

    /// `exp(s mod 65535)`.
    static func exp(_ s: Int) -> UInt16 { tables.exp[s % modulus] }

    /// `a · exp(logFactor)` for code away from the hot loops.
    static func multiply(_ a: UInt16, byLog logFactor: Int) -> UInt16 {
        a == 0 ? 0 : exp(log(a) + logFactor)
    }
}
