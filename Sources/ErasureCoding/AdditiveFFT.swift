/// The additive FFT over the "novel polynomial basis" of Lin, Chung and Han (FOCS 2014), as
/// erasure-coding.md §2.4–2.5 states it: `transform` evaluates a polynomial given by its novel-basis
/// coefficients at the points φ(index ..< index + size), and `inverseTransform` undoes it.
///
/// The skew factors (and the decoder's derivative factors) depend only on the field, so they are built
/// once, on first use, and shared.
enum AdditiveFFT {
    /// The precomputed factors, in log form.
    static let factors = Factors()

    /// Skew factors and formal-derivative factors. Written once in `init`, read-only afterwards, alive for
    /// the whole process: raw pointers into them are safe to share across threads.
    final class Factors: @unchecked Sendable {
        /// `skew[i]` (log form, 65535 entries); 65535 means the factor is zero and the step is skipped.
        let skew: UnsafeMutablePointer<UInt16>
        /// Log-form factors that turn the plain XOR pass of ``ReedSolomonDecoder`` into the formal
        /// derivative in the novel basis (32768 entries, one per coefficient pair).
        let derivative: [Int]

        init() {
            let modulus = GaloisField.modulus
            var base = (1..<16).map { 1 << $0 }
            var additiveSkew = [Int](repeating: 0, count: modulus)
            for m in 0..<15 {
                let step = 1 << (m + 1)
                additiveSkew[(1 << m) - 1] = 0
                for i in m..<15 {
                    let s = 1 << (i + 1)
                    var j = (1 << m) - 1
                    while j < s {
                        additiveSkew[j + s] = additiveSkew[j] ^ base[i]
                        j += step
                    }
                }
                base[m] =
                    modulus
                    - GaloisField.log(
                        GaloisField.multiply(UInt16(base[m]), byLog: GaloisField.log(UInt16(base[m] ^ 1))))
                for i in (m + 1)..<15 {
                    base[i] = Int(
                        GaloisField.multiply(
                            UInt16(base[i]), byLog: (GaloisField.log(UInt16(base[i] ^ 1)) + base[m]) % modulus))
                }
            }
            skew = .allocate(capacity: modulus)
            for i in 0..<modulus { skew[i] = UInt16(GaloisField.log(UInt16(additiveSkew[i]))) }

            // The same loop leaves one log-form factor per basis level in `base`. Their running sums,
            // added over the set bits of a coefficient-pair index, scale the novel basis to the one in which
            // the formal derivative is a plain XOR pass (the decoder unscales, XORs, and scales back).
            var logs = base.map { modulus - $0 }
            for i in 1..<15 { logs[i] = (logs[i] + logs[i - 1]) % modulus }
            var derivative = [Int](repeating: 0, count: GaloisField.size / 2)
            for i in 0..<15 {
                let half = 1 << i
                for j in 0..<half { derivative[j + half] = (derivative[j] + logs[i]) % modulus }
            }
            self.derivative = derivative
        }

        deinit { skew.deallocate() }
    }

    /// Evaluates in place: novel-basis coefficients `data[0..<size]` become the values at the points
    /// φ(index + i). `size` is a power of two and `index` a multiple of it.
    @inline(__always)
    static func transform(
        _ data: UnsafeMutablePointer<UInt16>, size: Int, index: Int, skew: UnsafePointer<UInt16>,
        log: UnsafePointer<UInt16>, exp: UnsafePointer<UInt16>
    ) {
        var width = size >> 1
        while width > 0 {
            var j = width
            while j < size {
                let factor = skew[j + index - 1]
                if factor != UInt16(GaloisField.modulus) {
                    for i in (j - width)..<j {
                        data[i] ^= GaloisField.multiply(data[i + width], byLog: factor, log: log, exp: exp)
                    }
                }
                for i in (j - width)..<j { data[i + width] ^= data[i] }
                j += width << 1
            }
            width >>= 1
        }
    }

    /// The inverse of ``transform(_:size:index:skew:log:exp:)``: values at φ(index + i) become novel-basis
    /// coefficients.
    @inline(__always)
    static func inverseTransform(
        _ data: UnsafeMutablePointer<UInt16>, size: Int, index: Int, skew: UnsafePointer<UInt16>,
        log: UnsafePointer<UInt16>, exp: UnsafePointer<UInt16>
    ) {
        var width = 1
        while width < size {
            var j = width
            while j < size {
                for i in (j - width)..<j { data[i + width] ^= data[i] }
                let factor = skew[j + index - 1]
                if factor != UInt16(GaloisField.modulus) {
                    for i in (j - width)..<j {
                        data[i] ^= GaloisField.multiply(data[i + width], byLog: factor, log: log, exp: exp)
                    }
                }
                j += width << 1
            }
            width <<= 1
        }
    }
}
