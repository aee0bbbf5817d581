import WasmKit

/// Measures how much fuel the interpreter burns per second, so a time limit can become a fuel budget.
enum FuelCalibration {
    /// Fuel per second on a count-down loop, timed until a run lasts at least 20 ms (so debug and release
    /// builds, and slow and fast machines, each get their own rate).
    static func measure(engine: Engine) -> UInt64 {
        let fallback: UInt64 = 100_000_000
        guard let module = try? parseWasm(bytes: MemoryGrower.spinWasm) else { return fallback }
        let store = Store(engine: engine)
        guard let instance = try? module.instantiate(store: store), let spin = instance.exports[function: "spin"]
        else { return fallback }
        var iterations: UInt32 = 10_000
        let clock = ContinuousClock()
        while true {
            store.fuel = Fuel(remaining: .max / 2)
            let start = clock.now
            guard (try? spin([.i32(iterations)])) != nil else { return fallback }
            let elapsed = clock.now - start
            let consumed = Double(.max / 2 - (store.fuel?.remaining ?? 0))
            let seconds = Double(elapsed.components.attoseconds) * 1e-18 + Double(elapsed.components.seconds)
            if seconds >= 0.02 || iterations >= 1 << 28 {
                return max(1_000_000, UInt64(consumed / max(seconds, 1e-6)))
            }
            iterations *= 4
        }
    }
}
