public import Foundation
import Synchronization

/// Serialises `Process.run()` across the test process: tests run in parallel, and one run of the
/// suite crashed inside corelibs Foundation's `Process.run()` (a `memcpy` while spawning) with other
/// tests spawning at the same time. Spawning takes a millisecond, so one at a time costs nothing.
private let launching = Mutex(())

public func launchSerially(_ process: Process) throws {
    try launching.withLock { _ in try process.run() }
}
