public import Foundation
import Synchronization

/// Serialises `Process.run()` across the test process: tests run in parallel, and one run of the
/// suite crashed inside corelibs Foundation's `Process.run()` (a `memcpy` while spawning) with other
/// tests spawning at the same time. Spawning takes a millisecond, so one at a time costs nothing.
/// That crash came back once with launches serialised (2026-12-06). Its likely cause is Foundation itself:
/// it reads 256 bytes per `/proc/self/fd` entry, past the end of glibc's directory buffer
/// (swiftlang/swift-corelibs-foundation#5472, merged upstream but not in this Swift 6.3.1), and no lock
/// here avoids that.
private let launching = Mutex(())

public func launchSerially(_ process: Process) throws {
    try launching.withLock { _ in try process.run() }
}
