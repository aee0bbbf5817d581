public import Backing

/// Resource limits of one PVF execution.
public struct PVFLimits: Sendable {
    /// A WebAssembly page.
    static let pageSize: UInt64 = 65_536

    /// The most linear memory a PVF may have, in bytes (default 128 MiB: Polkadot's 2048 heap pages).
    public var maxMemoryBytes: Int
    /// How many compiled modules the cache keeps.
    public var moduleCacheCapacity: Int
    /// The heap the host reserves above the parameters before calling `validate_block`, in bytes.
    public var initialHeapBytes: Int

    public init(maxMemoryBytes: Int = 128 << 20, moduleCacheCapacity: Int = 32, initialHeapBytes: Int = 1 << 20) {
        self.maxMemoryBytes = maxMemoryBytes
        self.moduleCacheCapacity = moduleCacheCapacity
        self.initialHeapBytes = initialHeapBytes
    }
}

/// Why a PVF execution did not produce a result, classified as Polkadot's candidate-validation does.
public enum PVFError: Error, Equatable, Sendable {
    /// The code is not a valid module, lacks a `validate_block(i32, i32) -> i64` export or `__heap_base`,
    /// or imports something the host does not provide (Polkadot: `ExecutionError`).
    case preparation(String)
    /// The PVF trapped (Polkadot: `ExecutionError`).
    case trap(String)
    /// The PVF ran out of time (Polkadot: `Timeout`).
    case timeout
    /// The returned pointer and length do not delimit a decodable `ValidationResult` (Polkadot: `BadReturn`).
    case badReturn(String)

    /// The matching invalid-candidate reason.
    public var invalidCandidate: InvalidCandidate {
        switch self {
        case .preparation(let message): .executionError(message)
        case .trap(let message): .executionError(message)
        case .timeout: .timeout
        case .badReturn: .badReturn
        }
    }
}
