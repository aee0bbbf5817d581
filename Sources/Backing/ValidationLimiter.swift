/// Bounds how many validations run at once, across all leaves; the rest wait in a FIFO queue whose
/// length is observable (and exported as the `backingd_validation_queue_length` gauge).
///
/// A flood of candidates therefore costs queue entries, not threads or memory for concurrent PVFs.
public actor ValidationLimiter {
    public let limit: Int
    private var running = 0
    private var waiters: [(id: Int, continuation: CheckedContinuation<Bool, Never>)] = []
    private var nextWaiterId = 0
    private let metrics: BackingMetrics

    public init(limit: Int, metrics: BackingMetrics) {
        self.limit = max(1, limit)
        self.metrics = metrics
    }

    /// Validations waiting for a slot.
    public var queueLength: Int { waiters.count }
    /// Validations holding a slot.
    public var runningCount: Int { running }

    /// Waits for a slot.
    /// - Returns: `false` when the task was cancelled before it got one (then it holds no slot).
    public func acquire() async -> Bool {
        if running < limit {
            running += 1
            report()
            return true
        }
        let id = nextWaiterId
        nextWaiterId += 1
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(returning: false)
                } else {
                    waiters.append((id, continuation))
                    report()
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Gives a slot back; the longest waiter, if any, takes it over.
    public func release() {
        if waiters.isEmpty {
            running = max(0, running - 1)
        } else {
            waiters.removeFirst().continuation.resume(returning: true)
        }
        report()
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(returning: false)
        report()
    }

    private func report() {
        metrics.validationQueueLength.record(waiters.count)
        metrics.validationsRunning.record(running)
    }
}
