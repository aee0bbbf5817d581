import Synchronization

/// Runs `operation` with a deadline: whichever of the operation and the clock finishes first decides.
///
/// Unlike a task group, this does not wait for an operation that ignores cancellation: the caller
/// moves on at the deadline and the straggler is cancelled and left to finish on its own.
func withDeadline<T: Sendable>(
    _ timeout: Duration, onTimeout: T, _ operation: @escaping @Sendable () async -> T
) async -> T {
    let race = Race<T>()
    let value = await withTaskCancellationHandler {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            race.start(
                continuation,
                work: Task { race.settle(await operation()) },
                timer: Task {
                    try? await Task.sleep(for: timeout)
                    race.settle(onTimeout)
                })
        }
    } onCancel: {
        race.settle(onTimeout)
    }
    race.cancelTasks()
    return value
}

/// The shared state of ``withDeadline(_:onTimeout:_:)``: the first `settle` resumes the caller.
private final class Race<T: Sendable>: Sendable {
    private struct State {
        var settled: T?
        var continuation: CheckedContinuation<T, Never>?
        var tasks: [Task<Void, Never>] = []
    }

    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, Never>, work: Task<Void, Never>, timer: Task<Void, Never>) {
        let early = state.withLock { state -> T? in
            state.tasks = [work, timer]
            if let value = state.settled { return value }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(returning: early) }
    }

    func settle(_ value: T) {
        let continuation = state.withLock { state -> CheckedContinuation<T, Never>? in
            guard state.settled == nil else { return nil }
            state.settled = value
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(returning: value)
    }

    func cancelTasks() {
        for task in state.withLock({ $0.tasks }) { task.cancel() }
    }
}
