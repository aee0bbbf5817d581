import Foundation
import FuzzTargets

// libFuzzer's entry points. The binary is built with `--sanitize fuzzer --sanitize address` (`make fuzz`),
// which links libFuzzer's `main`; `--target=NAME` picks the target (libFuzzer ignores flags that start
// with `--`): `backingd-fuzz --target=scale CORPUS_DIR -max_total_time=60`.

/// The target this process runs; set once by `LLVMFuzzerInitialize`, before any input.
nonisolated(unsafe) private var selected: FuzzTarget?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>
) -> CInt {
    let arguments = (0..<Int(argc.pointee)).compactMap { argv.pointee[$0].map { String(cString: $0) } }
    let names = FuzzTarget.all.map(\.name).joined(separator: ", ")
    guard let name = arguments.first(where: { $0.hasPrefix("--target=") })?.dropFirst("--target=".count),
        let target = FuzzTarget.named(String(name))
    else {
        let usage = "usage: backingd-fuzz --target=NAME [libFuzzer flags] [corpus…]; targets: \(names)\n"
        FileHandle.standardError.write(Data(usage.utf8))
        exit(64)
    }
    selected = target
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    // Safe because: libFuzzer calls this on one thread, after LLVMFuzzerInitialize set `selected`.
    guard let target = selected else { return 0 }
    target.check(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
