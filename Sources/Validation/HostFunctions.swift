import Logging
import Synchronization
import WasmKit

/// The host side a PVF may import (Polkadot's executor offers these to every PVF): logging and the
/// allocator. Any other import makes the candidate invalid.
///
/// One `PVFHost` serves one execution, on the executing thread only.
final class PVFHost {
    /// The imports we provide, by `module.name`, with the signature each must have.
    static let functionImports: [String: FunctionType] = [
        "env.ext_logging_log_version_1": FunctionType(parameters: [.i32, .i64, .i64]),
        "env.ext_logging_max_level_version_1": FunctionType(parameters: [], results: [.i32]),
        "env.ext_allocator_malloc_version_1": FunctionType(parameters: [.i32], results: [.i32]),
        "env.ext_allocator_free_version_1": FunctionType(parameters: [.i32]),
    ]

    /// The guest's linear memory, known once the instance exists (or created here when imported).
    var memory: Memory?
    /// Grows `memory` by a number of pages, returning the old page count or -1 (`memory.grow`).
    var grow: Function?
    /// The bump allocator's next free address; set past the parameters before execution.
    var nextFree: UInt64 = 0
    private let logger: Logger
    /// Held by the host functions, so by the store: it is released when the store's memory is.
    private let storeToken: StoreToken

    init(logger: Logger, storeToken: StoreToken) {
        self.logger = logger
        self.storeToken = storeToken
    }

    /// The host functions in `store`, keyed like ``functionImports``.
    func imports(store: Store, module: Module) throws -> Imports {
        var imports = Imports()
        imports.define(
            module: "env", name: "ext_logging_log_version_1",
            // The store keeps its host functions and the host keeps the store's memory: capturing the host
            // strongly would be a cycle that keeps every execution's store, linear memory included, alive.
            Function(store: store, parameters: [.i32, .i64, .i64]) { [weak self] _, arguments in
                self?.log(level: arguments[0], target: arguments[1], message: arguments[2])
                return []
            })
        imports.define(
            module: "env", name: "ext_logging_max_level_version_1",
            // 1 = `LogLevelFilter::Error`: the PVF formats nothing it would only discard.
            Function(store: store, parameters: [], results: [.i32]) { _, _ in [.i32(1)] })
        imports.define(
            module: "env", name: "ext_allocator_malloc_version_1",
            Function(store: store, parameters: [.i32], results: [.i32]) { [weak self] _, arguments in
                guard let self, case .i32(let size) = arguments[0] else { return [.i32(0)] }
                return [.i32(UInt32(truncatingIfNeeded: try allocate(UInt64(size))))]
            })
        // A bump allocator never frees: an execution is short and its memory is dropped whole.
        imports.define(
            module: "env", name: "ext_allocator_free_version_1",
            Function(store: store, parameters: [.i32]) { [storeToken] _, _ in
                withExtendedLifetime(storeToken) { [] }
            })
        for entry in module.imports {
            if case .memory(let type) = entry.descriptor, entry.module == "env", entry.name == "memory" {
                // Substrate-built PVFs import their memory; create it with the size they ask for.
                let memory = try Memory(store: store, type: type)
                self.memory = memory
                imports.define(module: "env", name: "memory", memory)
            }
        }
        return imports
    }

    /// Allocates `size` bytes 8-byte aligned, growing the memory as needed; 0 when it cannot.
    func allocate(_ size: UInt64) throws -> UInt64 {
        let start = (nextFree + 7) & ~7
        let end = start + size
        guard end <= UInt64(UInt32.max), try ensureCapacity(end) else { return 0 }
        nextFree = end
        return start
    }

    /// Grows the memory so it holds at least `byteCount` bytes; `false` when the limit forbids it.
    func ensureCapacity(_ byteCount: UInt64) throws -> Bool {
        guard let memory, let grow else { return false }
        let current = UInt64(memory.byteCount)
        guard byteCount > current else { return true }
        let pages = (byteCount - current + PVFLimits.pageSize - 1) / PVFLimits.pageSize
        let result = try grow([.i32(UInt32(pages))])
        return result.first != .i32(UInt32.max)
    }

    /// Reads `length` bytes at `address` of the guest memory, or `nil` when out of bounds.
    func read(address: UInt64, length: UInt64) -> [UInt8]? {
        guard let memory, address + length <= UInt64(memory.byteCount) else { return nil }
        return memory.withUnsafeBufferPointer(offset: UInt(address), count: Int(length)) { Array($0) }
    }

    /// Writes `bytes` at `address` of the guest memory; `false` when out of bounds.
    func write(_ bytes: [UInt8], at address: UInt64) -> Bool {
        guard let memory, address + UInt64(bytes.count) <= UInt64(memory.byteCount) else { return false }
        memory.withUnsafeMutableBufferPointer(offset: UInt(address), count: bytes.count) { buffer in
            buffer.copyBytes(from: bytes)
        }
        return true
    }

    private func log(level: Value, target: Value, message: Value) {
        guard case .i64(let target) = target, case .i64(let message) = message else { return }
        let text = { (packed: UInt64) -> String in
            let bytes = self.read(address: packed & 0xffff_ffff, length: packed >> 32) ?? []
            return String(decoding: bytes.prefix(4096), as: UTF8.self)
        }
        logger.debug(
            "PVF log", metadata: ["target": "\(text(target))", "message": "\(text(message))", "level": "\(level)"])
    }
}

/// Counts the PVF stores still allocated: a token is made with each store and held by one of its host
/// functions, so it is released only when the store's allocations (linear memory included) are.
final class StoreToken {
    private let live: LiveStores

    init(_ live: LiveStores) {
        self.live = live
        live.count.add(1, ordering: .relaxed)
    }

    deinit { live.count.subtract(1, ordering: .relaxed) }
}

/// The number of an executor's PVF stores that are still allocated.
final class LiveStores: Sendable {
    let count = Atomic<Int>(0)
}

/// A helper module that imports a memory and exports `memory.grow` on it, so the host can grow a PVF's
/// memory (WasmKit's `Memory` has no public grow) through the store's resource limiter.
///
/// `(module (import "env" "memory" (memory 0)) (func (export "grow") (param i32) (result i32)
/// local.get 0 memory.grow))`, assembled by hand to keep the WAT parser out of this module.
enum MemoryGrower {
    static let wasm: [UInt8] = [
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
        0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f,  // type 0: (i32) -> i32
        // import env.memory
        0x02, 0x0f, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x00,
        0x03, 0x02, 0x01, 0x00,  // func 0: type 0
        0x07, 0x08, 0x01, 0x04, 0x67, 0x72, 0x6f, 0x77, 0x00, 0x00,  // export "grow"
        0x0a, 0x08, 0x01, 0x06, 0x00, 0x20, 0x00, 0x40, 0x00, 0x0b,  // local.get 0; memory.grow 0
    ]

    /// `(func (export "spin") (param i32) (loop local.get 0 i32.const 1 i32.sub local.tee 0 br_if 0))`:
    /// counts down; the fuel calibration runs it.
    static let spinWasm: [UInt8] = [
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
        0x01, 0x05, 0x01, 0x60, 0x01, 0x7f, 0x00,  // type 0: (i32) -> ()
        0x03, 0x02, 0x01, 0x00,
        0x07, 0x08, 0x01, 0x04, 0x73, 0x70, 0x69, 0x6e, 0x00, 0x00,  // export "spin"
        0x0a, 0x10, 0x01, 0x0e, 0x00, 0x03, 0x40, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x22, 0x00, 0x0d, 0x00, 0x0b, 0x0b,
    ]
}
