import Logging
import Primitives
import WasmKit

/// One instantiation of a PVF in its own store: the PVF ABI from the host's side.
///
/// The parameters are written at the module's `__heap_base` (as Polkadot's executor does), the host's
/// allocator hands out memory above them, and `validate_block(ptr, len) -> u64` returns the result's
/// address in the low and its length in the high 32 bits.
struct PVFInstance {
    private static let validateBlockType = FunctionType(parameters: [.i32, .i32], results: [.i64])

    private let host: PVFHost
    private let store: Store
    private let validateBlock: Function
    private let heapBase: UInt64
    private let limits: PVFLimits

    /// Rejects imports the host does not provide (Polkadot: a bad import makes the candidate invalid).
    static func checkImports(of module: Module) throws(PVFError) {
        for entry in module.imports {
            let name = "\(entry.module).\(entry.name)"
            switch entry.descriptor {
            case .function:
                guard PVFHost.functionImports[name] != nil else {
                    throw .preparation("bad import: unknown host function \(name)")
                }
            case .memory where name == "env.memory":
                continue
            default:
                throw .preparation("bad import: \(name) is not provided")
            }
        }
    }

    init(module: Module, store: Store, limits: PVFLimits, logger: Logger, live: LiveStores) throws(PVFError) {
        self.store = store
        self.limits = limits
        host = PVFHost(logger: logger, storeToken: StoreToken(live))
        let instance: Instance
        do {
            instance = try module.instantiate(store: store, imports: host.imports(store: store, module: module))
        } catch {
            throw .preparation("instantiation failed: \(Self.firstLine(of: error))")
        }
        guard let function = instance.exports[function: "validate_block"] else {
            throw .preparation("no validate_block export")
        }
        guard function.type == Self.validateBlockType else {
            throw .preparation("validate_block has type \(function.type), expected (i32, i32) -> i64")
        }
        validateBlock = function
        if host.memory == nil { host.memory = instance.exports[memory: "memory"] }
        guard let memory = host.memory else { throw .preparation("no exported or imported memory") }
        guard case .i32(let base)? = instance.exports[global: "__heap_base"]?.value else {
            throw .preparation("no i32 __heap_base export")
        }
        heapBase = UInt64(base)
        do {
            let grower = try PVFInstance.growerModule.instantiate(
                store: store, imports: ["env": ["memory": memory]])
            host.grow = grower.exports[function: "grow"]
        } catch {
            throw .preparation("cannot attach the memory grower: \(error)")
        }
    }

    /// Writes `parameters` at `__heap_base`, calls `validate_block` with `fuel`, and decodes its result.
    func validateBlock(parameters: [UInt8], fuel: UInt64?) throws(PVFError) -> ValidationResult {
        let end = heapBase + UInt64(parameters.count)
        do {
            guard try host.ensureCapacity(end) else { throw PVFError.trap("parameters exceed the memory limit") }
            // Reserve a first heap up front; the allocator grows further on demand.
            _ = try host.ensureCapacity(min(end + UInt64(limits.initialHeapBytes), UInt64(limits.maxMemoryBytes)))
        } catch let error as PVFError {
            throw error
        } catch {
            throw .trap("cannot grow memory: \(error)")
        }
        guard host.write(parameters, at: heapBase) else { throw .trap("cannot write the parameters") }
        host.nextFree = end
        store.fuel = fuel.map { Fuel(remaining: $0) }

        let results: [Value]
        do {
            results = try validateBlock([.i32(UInt32(heapBase)), .i32(UInt32(parameters.count))])
        } catch {
            let message = Self.firstLine(of: error)
            // WasmKit's trap reasons are package-private; its description is the public way to tell.
            if message.contains("out of fuel") { throw .timeout }
            throw .trap(message)
        }
        guard case .i64(let packed)? = results.first else { throw .badReturn("validate_block returned \(results)") }
        let address = packed & 0xffff_ffff
        let length = packed >> 32
        guard let bytes = host.read(address: address, length: length) else {
            throw .badReturn("result [\(address), +\(length)) is outside the memory")
        }
        // Polkadot decodes the result without requiring it to fill the returned slice.
        var decoder = ScaleDecoder(bytes)
        do { return try ValidationResult(from: &decoder) } catch {
            throw .badReturn("undecodable ValidationResult: \(error)")
        }
    }

    private static let growerModule: Module = {
        // Safe because: the bytes are a fixed, valid module (the tests instantiate it).
        try! parseWasm(bytes: MemoryGrower.wasm)
    }()

    private static func firstLine(of error: any Error) -> String {
        String(describing: error).split(separator: "\n", maxSplits: 1).first.map(String.init) ?? "\(error)"
    }
}
