import Dispatch
import Foundation

/// novelpoly's encoder (erasure-coding.md §2.6–2.7): the payload is cut into runs of `2k` bytes, each run
/// read as `k` big-endian symbols and extended to a codeword of the code's length; chunk `i` is symbol `i`
/// of every run, in run order.
enum ReedSolomonEncoder {
    /// Payloads at least this long are split over the cores; below it the threads cost more than they save.
    private static let parallelThreshold = 64 * 1024

    /// Encodes `payload` (non-empty, within the limits, checked by the caller) into `parameters.validatorCount`
    /// chunks of equal length.
    static func encode(_ payload: [UInt8], parameters: CodeParameters) -> [[UInt8]] {
        let n = parameters.validatorCount
        let chunkLength = parameters.chunkLength(payloadLength: payload.count)
        let runs = chunkLength / 2
        var shards = [UInt8](repeating: 0, count: n * chunkLength)
        payload.withUnsafeBufferPointer { input in
            shards.withUnsafeMutableBufferPointer { output in
                let job = Job(
                    input: input, output: output.baseAddress!, chunkLength: chunkLength,
                    parameters: parameters)
                let workers = payload.count >= parallelThreshold ? ProcessInfo.processInfo.activeProcessorCount : 1
                if workers <= 1 {
                    job.encodeRuns(0..<runs)
                } else {
                    // More slices than cores so that a core slowed by a neighbour does not hold up the rest.
                    let slices = min(runs, workers * 4)
                    DispatchQueue.concurrentPerform(iterations: slices) { slice in
                        job.encodeRuns((runs * slice / slices)..<(runs * (slice + 1) / slices))
                    }
                }
            }
        }
        return (0..<n).map { Array(shards[($0 * chunkLength)..<(($0 + 1) * chunkLength)]) }
    }

    /// One encoding, shared read-only by the workers; each writes only the two bytes of its own runs in every
    /// chunk, so the slices never overlap.
    private struct Job: @unchecked Sendable {
        let input: UnsafeBufferPointer<UInt8>
        let output: UnsafeMutablePointer<UInt8>
        let chunkLength: Int
        let parameters: CodeParameters

        func encodeRuns(_ runs: Range<Int>) {
            let k = parameters.k
            let n = parameters.validatorCount
            // Only the blocks of k positions that start below n are emitted (§2.7 optimisation).
            let lastShift = (n - 1) / k * k
            let log = UnsafePointer(GaloisField.tables.log)
            let exp = UnsafePointer(GaloisField.tables.exp)
            let skew = UnsafePointer(AdditiveFFT.factors.skew)
            let scratch = UnsafeMutablePointer<UInt16>.allocate(capacity: 3 * k)
            defer { scratch.deallocate() }
            let data = scratch
            let coefficients = scratch + k
            let block = scratch + 2 * k
            for run in runs {
                readSymbols(run: run, into: data, k: k)
                let column = 2 * run
                for j in 0..<k { store(data[j], chunk: j, column: column) }
                coefficients.update(from: data, count: k)
                AdditiveFFT.inverseTransform(coefficients, size: k, index: 0, skew: skew, log: log, exp: exp)
                var shift = k
                while shift <= lastShift {
                    block.update(from: coefficients, count: k)
                    AdditiveFFT.transform(block, size: k, index: shift, skew: skew, log: log, exp: exp)
                    for j in 0..<min(k, n - shift) { store(block[j], chunk: shift + j, column: column) }
                    shift += k
                }
            }
        }

        /// The `k` big-endian symbols of a run; the bytes past the payload's end read as zero.
        @inline(__always)
        private func readSymbols(run: Int, into data: UnsafeMutablePointer<UInt16>, k: Int) {
            let start = 2 * k * run
            let available = min(2 * k, input.count - start)
            let whole = available / 2
            for j in 0..<whole {
                data[j] = UInt16(input[start + 2 * j]) << 8 | UInt16(input[start + 2 * j + 1])
            }
            var next = whole
            if available % 2 == 1 {
                data[next] = UInt16(input[start + available - 1]) << 8
                next += 1
            }
            if next < k { (data + next).update(repeating: 0, count: k - next) }
        }

        @inline(__always)
        private func store(_ symbol: UInt16, chunk: Int, column: Int) {
            let offset = chunk * chunkLength + column
            output[offset] = UInt8(truncatingIfNeeded: symbol >> 8)
            output[offset + 1] = UInt8(truncatingIfNeeded: symbol)
        }
    }
}
