internal import Synchronization

/// Runs some work every `interval`, from ``start(_:)`` until ``stop()``, on a detached task: the work inherits
/// no request's trace context (an export is not itself traced).
final class PeriodicTimer: Sendable {
    private struct State {
        var task: Task<Void, Never>?
        var stopped = false
    }

    let interval: Duration
    private let state = Mutex(State())

    init(interval: Duration) { self.interval = interval }

    /// Starts running `work` every interval (after the first interval, not at once); does nothing once stopped.
    func start(_ work: @escaping @Sendable () async -> Void) {
        let task = Task.detached { [interval] in
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                // In a task of its own, which ``stop()``'s cancellation does not reach: a run under way ends as
                // it would have (an export that cancelled its request could reach the collector yet count as
                // failed), and the loop then stops.
                await Task.detached { await work() }.value
            }
        }
        let stopped = state.withLock { state in
            state.task = task
            return state.stopped
        }
        if stopped { task.cancel() }
    }

    /// Stops the timer; returns once a run under way has ended, so that whatever the caller does next comes
    /// after it.
    func stop() async {
        let task = state.withLock { state in
            state.stopped = true
            return state.task
        }
        task?.cancel()
        await task?.value
    }
}
