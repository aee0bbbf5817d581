import Dispatch
import Foundation

/// Recovers the payload runs from any `k` chunks, with the erasure decoder of Lin, Han and Chung
/// ("Novel Polynomial Basis and Its Application to Reed-Solomon Erasure Codes", FOCS 2014, §IV):
///
/// 1. The erasure locator Λ(x) = ∏ (x − φ(e)) over the missing positions e is evaluated at every position
///    in log form, as a XOR-convolution of the field's log table computed with Walsh–Hadamard transforms
///    (mod 2^16 − 1, where 2^16 ≡ 1 makes the transform its own inverse).
/// 2. Per run: the received symbols times Λ are the values of ΛP (zero where missing); the inverse FFT
///    gives its coefficients, the formal derivative (ΛP)' = Λ'P + ΛP' is taken in the novel basis, and the
///    FFT evaluates it. At a missing position Λ vanishes, so P there is (ΛP)' / Λ'.
enum ReedSolomonDecoder {
    /// The Walsh–Hadamard transform of the log table with log(0) read as 0, used by every locator.
    private static let logWalsh: [Int] = {
        var values = (0..<GaloisField.size).map { GaloisField.log(UInt16($0)) }
        values[0] = 0
        walsh(&values)
        return values
    }()

    /// Payloads at least this long (in symbols times runs) are split over the cores.
    private static let parallelThreshold = 32 * 1024

    /// Returns `runs · 2k` payload bytes (the payload plus its zero padding).
    /// - Parameter chunks: `chunks[i]` is chunk `i` or nil; at least `k` present, all `2 · runs` bytes long
    ///   (checked by the caller).
    static func decode(chunks: [[UInt8]?], parameters: CodeParameters, chunkLength: Int) -> [UInt8] {
        let k = parameters.k
        let runs = chunkLength / 2
        var payload = [UInt8](repeating: 0, count: runs * 2 * k)
        if chunks.prefix(k).allSatisfy({ $0 != nil }) {
            // Every systematic chunk is here: the payload is their symbols interleaved, run by run.
            for j in 0..<k {
                guard let chunk = chunks[j] else { continue }
                for run in 0..<runs {
                    payload[2 * k * run + 2 * j] = chunk[2 * run]
                    payload[2 * k * run + 2 * j + 1] = chunk[2 * run + 1]
                }
            }
            return payload
        }
        let size = parameters.codewordLength
        let erased = (0..<size).map { $0 >= chunks.count || chunks[$0] == nil }
        let locator = locatorLogs(erased: erased)
        // Flat copy of the received chunks so that the workers read one buffer.
        var received = [UInt8](repeating: 0, count: size * chunkLength)
        for (index, chunk) in chunks.enumerated() {
            guard let chunk else { continue }
            received.replaceSubrange((index * chunkLength)..<((index + 1) * chunkLength), with: chunk)
        }
        received.withUnsafeBufferPointer { input in
            payload.withUnsafeMutableBufferPointer { output in
                erased.withUnsafeBufferPointer { erased in
                    locator.withUnsafeBufferPointer { locator in
                        let job = Job(
                            received: input.baseAddress!, payload: output.baseAddress!, erased: erased.baseAddress!,
                            locator: locator.baseAddress!, chunkLength: chunkLength, k: k, size: size)
                        let workers =
                            runs * size >= parallelThreshold ? ProcessInfo.processInfo.activeProcessorCount : 1
                        let slices = min(runs, workers * 4)
                        if slices <= 1 {
                            job.decodeRuns(0..<runs)
                        } else {
                            DispatchQueue.concurrentPerform(iterations: slices) { slice in
                                job.decodeRuns((runs * slice / slices)..<(runs * (slice + 1) / slices))
                            }
                        }
                    }
                }
            }
        }
        return payload
    }

    /// The locator in log form at every codeword position: log Λ(φ(i)) where position i was received, and
    /// −log Λ'(φ(i)) (so that multiplying divides by Λ') where it is missing.
    private static func locatorLogs(erased: [Bool]) -> [UInt16] {
        let modulus = GaloisField.modulus
        var values = [Int](repeating: 0, count: GaloisField.size)
        for (index, isErased) in erased.enumerated() where isErased { values[index] = 1 }
        walsh(&values)
        for i in 0..<values.count { values[i] = values[i] * logWalsh[i] % modulus }
        walsh(&values)
        return erased.indices.map { UInt16(erased[$0] ? modulus - values[$0] % modulus : values[$0] % modulus) }
    }

    /// The Walsh–Hadamard transform modulo 2^16 − 1, in place.
    private static func walsh(_ values: inout [Int]) {
        let modulus = GaloisField.modulus
        values.withUnsafeMutableBufferPointer { data in
            var width = 1
            while width < data.count {
                var start = 0
                while start < data.count {
                    for i in start..<(start + width) {
                        let a = data[i]
                        let b = data[i + width]
                        data[i] = (a + b) % modulus
                        data[i + width] = (a + modulus - b) % modulus
                    }
                    start += width << 1
                }
                width <<= 1
            }
        }
    }

    /// One reconstruction, shared read-only by the workers; each writes only its own runs of the payload.
    private struct Job: @unchecked Sendable {
        let received: UnsafePointer<UInt8>
        let payload: UnsafeMutablePointer<UInt8>
        let erased: UnsafePointer<Bool>
        let locator: UnsafePointer<UInt16>
        let chunkLength: Int
        let k: Int
        let size: Int

        func decodeRuns(_ runs: Range<Int>) {
            let log = UnsafePointer(GaloisField.tables.log)
            let exp = UnsafePointer(GaloisField.tables.exp)
            let skew = UnsafePointer(AdditiveFFT.factors.skew)
            let derivative = AdditiveFFT.factors.derivative
            let modulus = UInt16(GaloisField.modulus)
            let codeword = UnsafeMutablePointer<UInt16>.allocate(capacity: size)
            defer { codeword.deallocate() }
            derivative.withUnsafeBufferPointer { derivative in
                for run in runs {
                    for i in 0..<size {
                        if erased[i] {
                            codeword[i] = 0
                        } else {
                            let symbol =
                                UInt16(received[i * chunkLength + 2 * run]) << 8
                                | UInt16(received[i * chunkLength + 2 * run + 1])
                            codeword[i] = GaloisField.multiply(symbol, byLog: locator[i], log: log, exp: exp)
                        }
                    }
                    AdditiveFFT.inverseTransform(codeword, size: size, index: 0, skew: skew, log: log, exp: exp)
                    // The formal derivative: unnormalise, XOR pass, normalise.
                    for i in 0..<size {
                        codeword[i] = GaloisField.multiply(
                            codeword[i], byLog: modulus - UInt16(derivative[i >> 1]), log: log, exp: exp)
                    }
                    for i in 1..<size {
                        let width = i & -i
                        for j in (i - width)..<i { codeword[j] ^= codeword[j + width] }
                    }
                    for i in 0..<size {
                        codeword[i] = GaloisField.multiply(
                            codeword[i], byLog: UInt16(derivative[i >> 1]), log: log, exp: exp)
                    }
                    AdditiveFFT.transform(codeword, size: size, index: 0, skew: skew, log: log, exp: exp)
                    for j in 0..<k {
                        let symbol: UInt16
                        if erased[j] {
                            symbol = GaloisField.multiply(codeword[j], byLog: locator[j], log: log, exp: exp)
                        } else {
                            symbol =
                                UInt16(received[j * chunkLength + 2 * run]) << 8
                                | UInt16(received[j * chunkLength + 2 * run + 1])
                        }
                        payload[2 * k * run + 2 * j] = UInt8(truncatingIfNeeded: symbol >> 8)
                        payload[2 * k * run + 2 * j + 1] = UInt8(truncatingIfNeeded: symbol)
                    }
                }
            }
        }
    }
}
