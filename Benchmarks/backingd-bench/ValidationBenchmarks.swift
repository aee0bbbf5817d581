import Foundation
import Primitives
import Validation

/// `validate_block` in WasmKit: the adder (compiled module cached), and a compute-heavy module counting
/// down from 10^7. Target: ≤ 1 ms per adder call (release build).
enum ValidationBenchmarks {
    /// `validate_block` runs `(loop local.get 2 i32.const 1 i32.sub local.tee 2 br_if 0)` from 10^7, then
    /// returns an empty result (which fails to decode: only the execution time matters here).
    private static let computeWasm: [UInt8] = [
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x01,
        0x7e, 0x03, 0x02, 0x01, 0x00, 0x05, 0x03, 0x01, 0x00, 0x01, 0x06, 0x07, 0x01, 0x7f, 0x00, 0x41,
        0x80, 0x08, 0x0b, 0x07, 0x29, 0x03, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x0b,
        0x5f, 0x5f, 0x68, 0x65, 0x61, 0x70, 0x5f, 0x62, 0x61, 0x73, 0x65, 0x03, 0x00, 0x0e, 0x76, 0x61,
        0x6c, 0x69, 0x64, 0x61, 0x74, 0x65, 0x5f, 0x62, 0x6c, 0x6f, 0x63, 0x6b, 0x00, 0x00, 0x0a, 0x1b,
        0x01, 0x19, 0x01, 0x01, 0x7f, 0x41, 0x80, 0xad, 0xe2, 0x04, 0x21, 0x02, 0x03, 0x40, 0x20, 0x02,
        0x41, 0x01, 0x6b, 0x22, 0x02, 0x0d, 0x00, 0x0b, 0x42, 0x00, 0x0b,
    ]

    static func run() {
        print("== validation (WasmKit PVF execution) ==")
        let executor = PVFExecutor()
        let adder = AdderParachain.validationCode
        let params = ValidationParams(
            parentHead: AdderParachain.Head.genesis().headData,
            blockData: AdderParachain.Block(state: 0, add: 5).blockData, relayParentNumber: 1,
            relayParentStorageRoot: .zero)
        let hash = adder.hash
        // Warm the module cache, so the loop times instantiation and execution only.
        _ = try? executor.executeSynchronously(code: adder, hash: hash, params: params)
        let calls = 2_000
        let residentBefore = residentBytes()
        let start = Date()
        for _ in 0..<calls {
            // Safe because: the adder validates this genesis block (the tests check it).
            _ = try! executor.executeSynchronously(code: adder, hash: hash, params: params, fuel: 1 << 40)
        }
        let perCall = Date().timeIntervalSince(start) / Double(calls)
        print(
            String(format: "adder validate_block: %8.1f µs per call (target ≤ 1000 µs), %d calls", perCall * 1e6, calls)
        )
        // Each execution's store (its linear memory with at least a 1 MiB heap) must be freed when it ends.
        print(
            String(
                format: "  resident memory after the calls: %+.1f MiB; stores still allocated: %d",
                Double(residentBytes() - residentBefore) / 1_048_576, executor.allocatedStores))

        let compute = ValidationCode(bytes: computeWasm)
        let computeHash = compute.hash
        var best = Double.infinity
        for _ in 0..<3 {
            let began = Date()
            _ = try? executor.executeSynchronously(code: compute, hash: computeHash, params: params, fuel: 1 << 40)
            best = min(best, Date().timeIntervalSince(began))
        }
        print(
            String(
                format: "compute loop 10^7 iterations: %8.1f ms per call (%.1f ns per iteration)", best * 1e3,
                best * 1e9 / 1e7))
        print(String(format: "calibrated fuel rate: %.0f M fuel/s", Double(executor.fuelPerSecond) / 1e6))
    }

    /// This process's resident set size, from /proc/self/statm.
    private static func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
