import Primitives
import Validation

/// The embedded PVF executor on mutated wasm (the seeds are the adder's validation code).
///
/// Invariants: no module takes the process down (a trap, an invalid module, a memory too large are
/// answered as errors), execution is bounded by fuel and memory by the executor's limit, and the
/// unmutated adder still validates its block.
public enum PVFExecution {
    /// Fuel for one execution: the adder's block takes about 3 % of it.
    static let fuel: UInt64 = 2_000_000
    /// One executor for every input, as in the service; a small memory cap keeps the fuzzer's RSS low.
    static let executor = PVFExecutor(limits: PVFLimits(maxMemoryBytes: 32 << 20, moduleCacheCapacity: 1))
    static let params = ValidationParams(
        parentHead: AdderParachain.Head.genesis().headData,
        blockData: AdderParachain.Block(state: 0, add: 7).blockData, relayParentNumber: 1,
        relayParentStorageRoot: .zero)

    @Sendable public static func check(_ data: [UInt8]) {
        let code = ValidationCode(bytes: data)
        let result = Result { () throws(PVFError) in
            try executor.executeSynchronously(code: code, hash: Blake2b.hash256(data), params: params, fuel: fuel)
        }
        if data == AdderParachain.validationCode.bytes {
            guard case .success = result else { preconditionFailure("the adder's PVF failed: \(result)") }
        }
    }
}
