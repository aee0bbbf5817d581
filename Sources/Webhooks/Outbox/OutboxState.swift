import Backing

/// The outbox's in-memory state, kept in one `Mutex` by ``WebhookOutbox``.
struct OutboxState {
    /// Rows submitted but not yet handed to a commit, in submit order.
    var batch: [NewDelivery] = []
    /// State changes after attempts, not yet handed to a commit.
    var updates: [DeliveryUpdate] = []
    /// Journal records submitted with the rows, not yet handed to a commit, in submit order.
    var journal: [JournalRecord] = []
    /// Messages for the event log submitted with the rows, not yet handed to a commit, in submit order
    /// (encoded by the committer, off the submitter's turn and outside the lock).
    var events: [OutboundMessage] = []
    /// Rows, updates, journal records and events ever queued for a commit, and how many of them are committed: a flush waits
    /// until `committed` reaches the `submitted` it saw.
    var submitted = 0
    var committed = 0
    var flushWaiters: [(target: Int, continuation: CheckedContinuation<StorageFailure?, Never>)] = []
    /// A commit failed: nothing new is accepted or committed until the outbox is resumed.
    var failure: StorageFailure?
    /// How many times commits failed since the outbox was opened.
    var failures = 0
    /// Committed state changes in this run: all of them, and those that settled a delivery
    /// (delivered or failed), with tasks waiting for them to reach a count.
    var updatesCommitted = 0
    var settled = 0
    var progressWaiters: [(settled: Bool, target: Int, continuation: CheckedContinuation<Void, Never>)] = []
    /// A committer task exists; at most one runs, so commits happen in submit order.
    var committerRunning = false
    var startRequested = false
    /// Set under the store's writer once the pending rows were listed; from then on commits feed the lanes.
    var started = false
    var stopping = false
    var lanes: [String: Lane] = [:]
    /// Pending rows in the table (for the gauge).
    var pending = 0
    /// Deletes delivered rows past their retention, from ``WebhookOutbox/start()`` until shutdown.
    var pruner: Task<Void, Never>?
    /// A shutdown waiting for every lane to be idle.
    var idleWaiters: [CheckedContinuation<Void, Never>] = []

    /// Removes and returns the flush waiters whose target is committed.
    mutating func readyWaiters() -> [CheckedContinuation<StorageFailure?, Never>] {
        let ready = flushWaiters.filter { $0.target <= committed }.map(\.continuation)
        flushWaiters.removeAll { $0.target <= committed }
        return ready
    }

    /// Whether a progress waiter's count is reached.
    func reached(settled: Bool, target: Int) -> Bool {
        (settled ? self.settled : updatesCommitted) >= target
    }

    /// Removes and returns the progress waiters whose count is reached.
    mutating func readyProgressWaiters() -> [CheckedContinuation<Void, Never>] {
        let (settled, updates) = (self.settled, updatesCommitted)
        let isReached = { (waiter: (settled: Bool, target: Int, continuation: CheckedContinuation<Void, Never>)) in
            (waiter.settled ? settled : updates) >= waiter.target
        }
        let ready = progressWaiters.filter(isReached).map(\.continuation)
        progressWaiters.removeAll(where: isReached)
        return ready
    }
}

/// The deliveries of one URL, in sequence order.
///
/// `queue[head...]` is a contiguous prefix of the URL's pending rows; when the queue was full,
/// `overflow` says more rows are in the table after `lastQueued`, and the worker loads them when the
/// queue runs dry. This bounds memory when a receiver is down for long.
struct Lane {
    static let capacity = 1000

    var queue: [PendingDelivery] = []
    var head = 0
    var overflow = false
    var lastQueued: Int64 = 0
    /// A step of this lane is under way: a POST in flight, a retry delay, or a load from the table.
    var running = false
    /// The curl request id of the POST in flight, and the task waiting out a retry delay, so that a
    /// shutdown can abandon them.
    var inFlight: UInt64?
    var retryTimer: Task<Void, Never>?

    var first: PendingDelivery? { head < queue.count ? queue[head] : nil }

    /// Queues a freshly committed row unless the lane overflows.
    mutating func offer(_ row: PendingDelivery) {
        if overflow || queue.count - head >= Self.capacity {
            overflow = true
        } else {
            queue.append(row)
            lastQueued = row.sequence
        }
    }

    /// Queues rows loaded from the table (those after `lastQueued`); a short page means the table has no more.
    mutating func loaded(_ rows: [PendingDelivery], limit: Int) {
        for row in rows where row.sequence > lastQueued {
            queue.append(row)
            lastQueued = row.sequence
        }
        if rows.count < limit { overflow = false }
    }

    mutating func removeFirst() {
        head += 1
        if head == queue.count {
            queue.removeAll(keepingCapacity: true)
            head = 0
        }
    }
}
