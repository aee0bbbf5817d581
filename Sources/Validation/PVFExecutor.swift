import Foundation
public import Logging
public import Primitives
import Synchronization
// `Store.resourceLimiter` is SPI in WasmKit 0.4.2 and the only way to cap a memory's growth.
@_spi(Fuzzing) import WasmKit

/// Compiles and runs parachain validation functions in WasmKit's interpreter.
///
/// **Time limit.** WasmKit cannot interrupt a running function from another thread, so an execution is
/// bounded twice: by *fuel* (the engine meters every operator; the budget is the timeout times a rate
/// measured once on this machine), which stops the interpreter, and by a *wall-clock watchdog*, which
/// answers `.timeout` to the caller at the deadline even if fuel runs slower than calibrated. Each
/// execution runs on its own thread, so a long PVF never blocks Swift's cooperative pool.
public final class PVFExecutor: Sendable {
    private let engine = Engine(configuration: EngineConfiguration(fuelMetering: true))
    private let limits: PVFLimits
    private let limiter: MemoryLimiter
    private let modules: LRUCache<ValidationCodeHash, Module>
    private let logger: Logger
    private let liveStores = LiveStores()

    /// An executor with these limits, logging PVF log lines at debug level to `logger`.
    public init(limits: PVFLimits = PVFLimits(), logger: Logger = Logger(label: "backingd.pvf")) {
        self.limits = limits
        self.limiter = MemoryLimiter(maxBytes: limits.maxMemoryBytes)
        self.modules = LRUCache(capacity: limits.moduleCacheCapacity)
        self.logger = logger
    }

    /// The executions whose WasmKit store (with the PVF's linear memory) is still allocated: the ones
    /// running now, 0 when the executor is idle.
    public var allocatedStores: Int { liveStores.count.load(ordering: .relaxed) }

    /// Compiled-module cache lookups that hit and missed.
    public var cacheStatistics: (hits: Int, misses: Int) { modules.statistics }

    /// Runs `validate_block` of `code` on `params` on a dedicated thread, answering `.timeout` once
    /// `timeout` of execution has passed.
    public func execute(
        code: ValidationCode, hash: ValidationCodeHash, params: ValidationParams, timeout: Duration
    ) async -> Result<ValidationResult, PVFError> {
        let rendezvous = Rendezvous<Result<ValidationResult, PVFError>>()
        let encoded = params.scaleEncoded
        return await withCheckedContinuation { continuation in
            rendezvous.wait(with: continuation)
            let thread = Thread { [self] in
                let module: Module
                do throws(PVFError) { module = try compile(code, hash: hash) } catch {
                    rendezvous.finish(.failure(error))
                    return
                }
                let fuel = fuelBudget(for: timeout)
                // The watchdog starts with execution: compiling a new module does not count (Polkadot
                // prepares artifacts under a separate, longer timeout).
                let watchdog = Task {
                    // A cancelled sleep means the execution finished first: nothing to report.
                    guard (try? await Task.sleep(for: timeout)) != nil else { return }
                    rendezvous.finish(.failure(.timeout))
                }
                let result = Result { () throws(PVFError) in try run(module, parameters: encoded, fuel: fuel) }
                watchdog.cancel()
                rendezvous.finish(result)
            }
            // The interpreter recurses natively on host calls; leave it room.
            thread.stackSize = 8 << 20
            thread.name = "pvf"
            thread.start()
        }
    }

    /// Compiles and runs `validate_block` on the calling thread, bounded by `fuel` only (for benchmarks).
    public func executeSynchronously(
        code: ValidationCode, hash: ValidationCodeHash, params: ValidationParams, fuel: UInt64? = nil
    ) throws(PVFError) -> ValidationResult {
        try run(compile(code, hash: hash), parameters: params.scaleEncoded, fuel: fuel)
    }

    /// The compiled module for `code`, from the cache when seen before.
    func compile(_ code: ValidationCode, hash: ValidationCodeHash) throws(PVFError) -> Module {
        if let module = modules.value(for: hash) { return module }
        let module: Module
        do { module = try parseWasm(bytes: code.bytes) } catch {
            throw .preparation("invalid wasm: \(error)")
        }
        try PVFInstance.checkImports(of: module)
        modules.insert(module, for: hash)
        return module
    }

    private func run(_ module: Module, parameters: [UInt8], fuel: UInt64?) throws(PVFError) -> ValidationResult {
        let store = Store(engine: engine)
        store.resourceLimiter = limiter
        let instance = try PVFInstance(
            module: module, store: store, limits: limits, logger: logger, live: liveStores)
        return try instance.validateBlock(parameters: parameters, fuel: fuel)
    }

    /// Fuel for `timeout` of execution, from the calibrated rate.
    private func fuelBudget(for timeout: Duration) -> UInt64 {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) * 1e-18
        return max(1_000_000, UInt64(Double(fuelPerSecond) * seconds))
    }

    /// Fuel this machine's interpreter burns per second on a tight loop, measured once per process (it is a
    /// property of the machine and the build, not of an executor).
    public var fuelPerSecond: UInt64 { Self.calibratedFuelPerSecond }

    private static let calibratedFuelPerSecond = FuelCalibration.measure(
        engine: Engine(configuration: EngineConfiguration(fuelMetering: true)))
}

/// Caps every memory of a PVF store at a byte count (and tables at a million elements).
private final class MemoryLimiter: ResourceLimiter {
    let maxBytes: Int

    init(maxBytes: Int) { self.maxBytes = maxBytes }

    func limitMemoryGrowth(to desired: Int) throws -> Bool { desired <= maxBytes }
    func limitTableGrowth(to desired: Int) throws -> Bool { desired <= 1_000_000 }
}

/// Hands one result from whichever side finishes first (the execution or its watchdog) to one waiter.
private final class Rendezvous<Value: Sendable>: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<Value, Never>?, done: Bool)>((nil, false))

    func wait(with continuation: CheckedContinuation<Value, Never>) {
        state.withLock { $0.continuation = continuation }
    }

    func finish(_ value: Value) {
        let continuation = state.withLock { state -> CheckedContinuation<Value, Never>? in
            guard !state.done else { return nil }
            state.done = true
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(returning: value)
    }
}
