import BackingService
import Dispatch

/// Request bodies into the service's DTOs (``RequestBodyChecks``).
///
/// Invariants: no body traps a decoder; a statement batch decoded in parallel parts answers exactly as
/// the whole-body decoder does; a statement request's strict reading is Foundation's.
public enum RequestBodyDecoding {
    @Sendable public static func check(_ data: [UInt8]) {
        let broken = waitFor { await RequestBodyChecks.brokenInvariants(decoding: data) }
        precondition(broken.isEmpty, broken.joined(separator: "; "))
    }
}

/// Runs `body` to completion from synchronous code (libFuzzer's thread, or a test's), blocking the
/// calling thread: never call it from a task.
func waitFor<Value: Sendable>(_ body: @escaping @Sendable () async -> Value) -> Value {
    let done = DispatchSemaphore(value: 0)
    let box = ResultBox<Value>()
    Task {
        box.value = await body()
        done.signal()
    }
    done.wait()
    // Safe because: the semaphore orders the task's write before this read.
    return box.value!
}

/// Carries a task's result to the thread waiting for it; the semaphore in ``waitFor(_:)`` orders the
/// accesses.
private final class ResultBox<Value: Sendable>: @unchecked Sendable {
    var value: Value?
}
