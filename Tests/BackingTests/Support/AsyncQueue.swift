import Synchronization

/// An unbounded FIFO that producers push to synchronously and a test awaits, with a time limit so a
/// missing event fails the test instead of hanging it.
final class AsyncQueue<Element: Sendable>: Sendable {
    private struct State {
        var buffer: [Element] = []
        var waiter: CheckedContinuation<Element?, Never>?
        var waiterToken = 0
    }

    private let state = Mutex(State())

    func push(_ element: Element) {
        let waiter = state.withLock { state -> CheckedContinuation<Element?, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.buffer.append(element)
            return nil
        }
        waiter?.resume(returning: element)
    }

    /// Everything queued and not yet taken.
    var pending: [Element] { state.withLock { $0.buffer } }

    /// The next element, or `nil` if none arrives within `timeout`.
    func next(timeout: Duration = .seconds(10)) async -> Element? {
        let token = state.withLock { state -> Int in
            state.waiterToken += 1
            return state.waiterToken
        }
        let timer = Task {
            do { try await Task.sleep(for: timeout) } catch { return }
            self.expire(token)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Element?? in
                if !state.buffer.isEmpty { return .some(state.buffer.removeFirst()) }
                state.waiter = continuation
                return .none
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Ends the wait of the `next` call that got `token`, if it is still waiting.
    private func expire(_ token: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Element?, Never>? in
            guard state.waiterToken == token else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }
}
