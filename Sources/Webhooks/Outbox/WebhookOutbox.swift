public import Backing
public import CoreMetrics
internal import Foundation
internal import GRDB
public import Logging
public import Primitives
internal import Storage
internal import Synchronization
internal import Tracing

/// The engine's outgoing messages as web-hooks, through a durable SQLite outbox (contract §4), and as
/// the event log that `GET /v1/events` streams (contract §8.27).
///
/// Each message becomes one delivery per subscribed URL, and one event in the event log whether or not
/// a URL subscribes; both commit in the transaction of the journal records of the same request, and
/// the committed events go to ``eventFeed`` right after the commit. ``submit(_:)`` only encodes and
/// queues in memory; one committer task writes whatever has
/// accumulated in a single transaction (group commit), and ``flush()`` waits for that. Delivery is
/// at-least-once: per URL in submit order (a delivery is not attempted before every earlier one to
/// that URL is delivered or dead-lettered), different URLs in parallel. 2xx is delivered; a network
/// error, 408, 429 or 5xx is retried with jittered exponential back-off (honouring `Retry-After` on
/// 429/503) until the give-up horizon, then dead-lettered as `failed`; any other status is a
/// permanent refusal and dead-lettered at once.
///
/// Concurrency: `submit` takes a `Mutex` briefly and never does I/O; SQL runs on GRDB's queues and
/// HTTP on the ``CurlClient`` thread, so nothing here blocks a Swift-concurrency thread. A lane's
/// next POST is started from the callback of the previous one on the curl thread (and from the
/// commit callback on GRDB's writer queue), so those callbacks only take the `Mutex` and queue work.
public final class WebhookOutbox: OutboundMessageSink {
    let configuration: WebhookConfiguration
    /// The open database, replaced by ``reopen()`` after a storage failure.
    private let currentStore: Mutex<OutboxStore>
    private let path: String
    private let synchronousFull: Bool
    private let failureHandler = Mutex<(@Sendable (StorageFailure) -> Void)?>(nil)
    let client: CurlClient
    let logger: Logger
    let metrics: WebhookMetrics
    let state = Mutex(OutboxState())
    /// The live feed of committed events, in commit (= id) order.
    public let eventFeed: EventBroadcaster
    /// The database's file name in a node's data directory (deliveries, journal, signing history).
    public static let fileName = OutboxStore.fileName

    /// Opens (or creates) the outbox database at `path`. Nothing is delivered before ``start()``.
    /// - Parameters:
    ///   - path: the SQLite file; its directory must exist.
    ///   - client: the HTTP client deliveries go through.
    ///   - metrics: the factory for the outbox's metrics.
    ///   - synchronousFull: `true` (default) fsyncs each group commit, surviving power loss; `false`
    ///     survives a process crash (kill -9) only, for more commits per second.
    /// - Throws: GRDB's `DatabaseError` when the database cannot be opened or migrated.
    public init(
        path: String, configuration: WebhookConfiguration, client: CurlClient,
        logger: Logger = Logger(label: "backingd.webhooks"),
        metrics: any MetricsFactory = NOOPMetricsHandler.instance, synchronousFull: Bool = true
    ) throws {
        self.configuration = configuration
        self.client = client
        self.logger = logger
        self.metrics = WebhookMetrics(factory: metrics)
        self.path = path
        self.synchronousFull = synchronousFull
        currentStore = Mutex(
            try OutboxStore(
                path: path, synchronousFull: synchronousFull, eventValueEpoch: configuration.eventRetention / 2))
        eventFeed = EventBroadcaster(logger: logger)
    }

    var store: OutboxStore { currentStore.withLock { $0 } }

    // MARK: - OutboundMessageSink

    /// Queues one event and one delivery per subscribed URL for each message, and the journal records, in
    /// order; they commit in one transaction. Cheap and non-blocking: durability comes with ``flush()``.
    /// The event log takes a message's compact record (``EventRecords``), made in the commit for all the
    /// messages of a group commit at once; its JSON is made only for a subscribed URL's delivery, and for
    /// an event stream when streamed.
    ///
    /// Why the commit encodes the records: `submit` runs on the submitter's turn (a job actor's, for every
    /// imported statement), which the next request waits for; the committer runs beside it while that
    /// request's signatures are checked. The records refer to receipts and keys the log's writer keeps.
    public func submit(_ messages: [OutboundMessage], journal: [JournalRecord]) {
        var rows: [NewDelivery] = []
        let now = Date()
        for message in messages {
            let urls = configuration.urls(for: message.event)
            guard !urls.isEmpty else { continue }
            let body: [UInt8]
            do {
                body = try message.webhookBody()
            } catch {
                logger.error("cannot encode \(message.event) web-hook: \(error)")
                continue
            }
            for url in urls {
                rows.append(
                    NewDelivery(id: DeliveryID.make(), event: message.event, url: url, body: body, createdAt: now))
            }
        }
        // Read only when a delivery will carry it: most turns (every imported statement's) make none.
        if !rows.isEmpty, let trace = Self.currentTraceContext() {
            for index in rows.indices { rows[index].trace = trace }
        }
        guard !messages.isEmpty || !journal.isEmpty else { return }
        let spawn = state.withLock { state -> Bool in
            // After a storage failure nothing new is committed until the node has rebuilt its state from
            // the database: whoever submitted this gets the failure from `flush()`.
            guard !state.stopping, state.failure == nil else { return false }
            state.batch += rows
            state.journal += journal
            state.events += messages
            state.submitted += rows.count + journal.count + messages.count
            return claimCommitter(&state)
        }
        if spawn { Task { await commitLoop() } }
    }

    /// The trace context of the task submitting (the span that caused the messages), as the bootstrapped
    /// instrument writes it; `nil` outside any trace.
    static func currentTraceContext() -> StoredTraceContext? {
        guard let context = ServiceContext.current else { return nil }
        var headers: [(String, String)] = []
        InstrumentationSystem.instrument.inject(context, into: &headers, using: HeaderPairsInjector())
        guard let traceParent = headers.first(where: { $0.0 == "traceparent" })?.1 else { return nil }
        return StoredTraceContext(traceParent: traceParent, traceState: headers.first { $0.0 == "tracestate" }?.1)
    }

    /// Returns once everything submitted before the call is committed to the database.
    /// - Throws: ``StorageFailure`` when a commit failed before it was, or the outbox has failed and not
    ///   ``resume()``d yet: what was waiting is dropped, never committed later.
    public func flush() async throws(StorageFailure) {
        let failure = await withCheckedContinuation { (continuation: CheckedContinuation<StorageFailure?, Never>) in
            let answer = state.withLock { state -> StorageFailure?? in
                if let failure = state.failure { return .some(failure) }
                if state.committed >= state.submitted { return .some(nil) }
                state.flushWaiters.append((state.submitted, continuation))
                return nil
            }
            if let answer { continuation.resume(returning: answer) }
        }
        if let failure { throw failure }
    }

    // MARK: - Storage failures

    /// The failure that stopped commits, until ``resume()``.
    public var storageFailure: StorageFailure? { state.withLock { $0.failure } }

    /// How many times commits failed since the outbox was opened: a caller that reads the same count
    /// before it submits and after its ``flush()`` returned knows that nothing it submitted was dropped.
    public var failureCount: Int { state.withLock { $0.failures } }

    /// Calls `handler` once per failure (when commits stop), on GRDB's writer thread or a task.
    public func onStorageFailure(_ handler: @escaping @Sendable (StorageFailure) -> Void) {
        failureHandler.withLock { $0 = handler }
    }

    /// Opens the database again with new connections and commits (and fsyncs) a probe write; the new
    /// connections replace the old ones, which are never trusted again (a failed fsync may have lost pages
    /// that SQLite believes written) and close once their last user is done. Commits stay stopped until
    /// ``resume()``, so that the caller can rebuild its state from what the database holds first.
    /// - Throws: ``StorageFailure`` while the database still fails.
    public func reopen() async throws(StorageFailure) {
        do {
            let fresh = try OutboxStore(
                path: path, synchronousFull: synchronousFull, eventValueEpoch: configuration.eventRetention / 2)
            try await fresh.probe()
            currentStore.withLock { $0 = fresh }
        } catch {
            throw StorageFailure(error, database: Self.fileName)
        }
    }

    /// Commits again after ``reopen()``: the delivery state changes kept through the failure first.
    public func resume() {
        let spawn = state.withLock { state -> Bool in
            state.failure = nil
            guard !state.updates.isEmpty else { return false }
            return claimCommitter(&state)
        }
        if spawn { Task { await commitLoop() } }
        logger.info("web-hook outbox resumed after a storage failure")
    }

    // MARK: - Life cycle

    /// Starts delivering: every pending delivery in the database (from earlier runs too) is attempted
    /// at once, and new ones as they are committed. Calling it again does nothing.
    public func start() {
        let first = state.withLock { state -> Bool in
            guard !state.startRequested, !state.stopping else { return false }
            state.startRequested = true
            return true
        }
        guard first else { return }
        let pruner = Task { await pruneDeliveredPeriodically() }
        let stopping = state.withLock { state -> Bool in
            state.pruner = pruner
            return state.stopping
        }
        if stopping { pruner.cancel() }
        Task {
            do {
                try await store.pendingSnapshot { urls, count in
                    // Under the writer: commits before this point are in `urls`; later ones see `started`.
                    self.state.withLock { state in
                        state.started = true
                        state.pending = count
                        for url in urls { state.lanes[url] = Lane(overflow: true, running: true) }
                    }
                    self.metrics.pending.record(count)
                    for url in urls { self.advance(url) }
                }
            } catch {
                logger.error("cannot list pending web-hook deliveries: \(error)")
            }
        }
    }

    /// Commits what was submitted, stops the lanes (abandoning attempts in flight; they stay pending)
    /// and closes the database. Submits after this are dropped.
    public func shutdown() async {
        try? await flush()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let (requests, timers, idle) = state.withLock { state in
                state.stopping = true
                let idle = !state.lanes.values.contains(where: \.running)
                if !idle { state.idleWaiters.append(continuation) }
                return (state.lanes.values.compactMap(\.inFlight), state.lanes.values.compactMap(\.retryTimer), idle)
            }
            for id in requests { client.cancel(id) }
            for timer in timers { timer.cancel() }
            if idle { continuation.resume() }
        }
        let pruner = state.withLock { $0.pruner }
        pruner?.cancel()
        await pruner?.value
        try? await flush()  // the lanes' last state changes
        do {
            try store.close()
        } catch {
            logger.error("cannot close the web-hook outbox: \(error)")
        }
    }

    /// Deletes delivered rows older than their retention and logged events older than theirs, at start and
    /// then every hour, or more often for a short retention: every delivered retention, and every quarter
    /// of the event retention (so that no event outlives its retention by more than a quarter of it),
    /// until cancelled by ``shutdown()``.
    private func pruneDeliveredPeriodically() async {
        let retention = configuration.deliveredRetention
        let eventRetention = configuration.eventRetention
        let period = min(retention, eventRetention / 4, .seconds(3600))
        while !Task.isCancelled {
            do {
                if storageFailure == nil {
                    let cutoff = Date().addingTimeInterval(-retention.timeInterval)
                    let pruned = try await store.pruneDelivered(before: cutoff)
                    if pruned > 0 {
                        logger.info("pruned \(pruned) delivered web-hook deliveries older than \(retention)")
                    }
                    let eventCutoff = Date().addingTimeInterval(-eventRetention.timeInterval)
                    let prunedEvents = try await store.pruneEvents(before: eventCutoff)
                    if prunedEvents > 0 {
                        logger.debug("pruned \(prunedEvents) logged events older than \(eventRetention)")
                    }
                }
            } catch {
                logger.error("cannot prune delivered web-hook deliveries: \(error)")
                // A write the database refused is a storage failure like a commit's: the connections that
                // saw it (perhaps a failed fsync) are not trusted again until the database is reopened.
                if !Task.isCancelled {
                    fail(
                        StorageFailure(error, database: Self.fileName), inserts: [], updates: [], journal: [],
                        committer: false)
                }
            }
            do { try await Task.sleep(for: max(period, .milliseconds(100))) } catch { return }
        }
    }

    // MARK: - Journal

    /// Every leaf journaled as active, in activation order, with its events (to restore the engine).
    /// - Throws: ``JournalError`` for a row that does not decode; GRDB's errors.
    public func journaledLeaves() async throws -> [JournaledLeaf] {
        try await store.read { db in try JournalTables.leaves(in: db) }
    }

    /// Every record of the signing history (to fill the signing guard).
    public func signingHistory() async throws -> [SigningRecord] {
        try await store.read { db in try JournalTables.signingRecords(in: db) }
    }

    /// Makes the signing history `validator`'s; a history that belongs to another key stays as it is.
    /// - Throws: ``JournalError/foreignValidator(history:configured:)`` when it belongs to another key.
    public func claimSigningHistory(for validator: ValidatorId) async throws {
        try await store.write { db in
            if let owner = try JournalTables.claimHistory(for: validator, in: db) {
                throw JournalError.foreignValidator(history: owner, configured: validator)
            }
        }
    }

    // MARK: - Event log

    /// The logged events after `id`, oldest first, at most `limit`; only those named in `names` when given
    /// (to replay a `GET /v1/events` client's missed events before it follows ``eventFeed``).
    /// - Throws: GRDB's `DatabaseError` when the database cannot be read.
    public func events(after id: Int64, names: Set<String>?, limit: Int) async throws -> [LoggedEvent] {
        try await store.events(after: id, names: names, limit: max(0, limit))
    }

    /// The id of the last event logged so far (0 before the first): a stream that starts live follows on
    /// from it.
    public var lastEventID: Int64 { store.lastEventID }

    /// Deletes the logged events older than `retention` now (the periodic pruning does this on its own).
    /// - Returns: how many were deleted.
    public func pruneEvents(olderThan retention: Duration) async throws -> Int {
        try await store.pruneEvents(before: Date().addingTimeInterval(-retention.timeInterval))
    }

    // MARK: - Queries

    /// Returns once at least `count` deliveries have been delivered or dead-lettered, and recorded so,
    /// since this outbox was opened (for tests, benchmarks and orderly hand-overs).
    public func waitUntilSettled(atLeast count: Int) async {
        await waitForProgress(settled: true, target: count)
    }

    /// Returns once at least `count` state changes after attempts (retries included) are committed.
    func waitForUpdates(atLeast count: Int) async {
        await waitForProgress(settled: false, target: count)
    }

    private func waitForProgress(settled: Bool, target: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                if state.reached(settled: settled, target: target) { return true }
                state.progressWaiters.append((settled, target, continuation))
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Deliveries, newest first, optionally only those with `status` (`GET /v1/webhooks/deliveries`).
    /// - Throws: GRDB's `DatabaseError` when the database cannot be read.
    public func deliveries(status: DeliveryStatus?, limit: Int) async throws -> [DeliveryRecord] {
        try await store.deliveries(status: status, limit: max(0, limit))
    }

    /// How many deliveries are pending, delivered and failed (zeros if the database cannot be read).
    public func counts() async -> (pending: Int, delivered: Int, failed: Int) {
        do {
            let counts = try await store.counts()
            return (counts[.pending] ?? 0, counts[.delivered] ?? 0, counts[.failed] ?? 0)
        } catch {
            logger.error("cannot count web-hook deliveries: \(error)")
            return (0, 0, 0)
        }
    }

    // MARK: - Group commit

    /// Marks the committer as running if it is not; returns whether the caller must start it.
    func claimCommitter(_ state: inout OutboxState) -> Bool {
        guard !state.committerRunning else { return false }
        state.committerRunning = true
        return true
    }

    /// Queues a delivery's new state for the next commit.
    func record(_ update: DeliveryUpdate) {
        let spawn = state.withLock { state -> Bool in
            state.updates.append(update)
            state.submitted += 1
            return claimCommitter(&state)
        }
        if spawn { Task { await commitLoop() } }
    }

    /// Commits everything queued, one transaction per round, until nothing is left.
    private func commitLoop() async {
        while true {
            let work = state.withLock {
                state -> ([NewDelivery], [DeliveryUpdate], [JournalRecord], [OutboundMessage])? in
                if state.failure != nil
                    || (state.batch.isEmpty && state.updates.isEmpty && state.journal.isEmpty && state.events.isEmpty)
                {
                    state.committerRunning = false
                    return nil
                }
                defer {
                    state.batch = []
                    state.updates = []
                    state.journal = []
                    state.events = []
                }
                return (state.batch, state.updates, state.journal, state.events)
            }
            guard let (inserts, updates, journal, events) = work else { return }
            do {
                try await store.commit(
                    inserts: inserts, updates: updates, journal: journal, events: events,
                    logged: { logged in self.eventFeed.publish(logged) }
                ) { inserted in
                    self.didCommit(inserted, updates: updates, otherRecords: journal.count + events.count)
                }
            } catch {
                fail(
                    StorageFailure(error, database: Self.fileName), inserts: inserts, updates: updates,
                    journal: journal, events: events.count, committer: true)
                return
            }
        }
    }

    /// A commit failed: its deliveries, journal records and events, and everything queued behind them, are dropped
    /// (their submitters' flushes fail, so none of it was acknowledged), and no commit runs until
    /// ``resume()``. Delivery state changes are kept: they describe rows already committed, and are
    /// committed after the resume.
    /// - Parameter committer: called by the committer, which stops; otherwise a running committer stops at
    ///   its next round.
    private func fail(
        _ failure: StorageFailure, inserts: [NewDelivery], updates: [DeliveryUpdate], journal: [JournalRecord],
        events: Int = 0, committer: Bool
    ) {
        let (waiters, dropped, first) = state.withLock { state in
            let dropped =
                inserts.count + journal.count + events + state.batch.count + state.journal.count
                + state.events.count
            state.committed += dropped
            state.batch = []
            state.journal = []
            state.events = []
            state.updates = updates + state.updates
            let first = state.failure == nil
            state.failure = failure
            state.failures += 1
            if committer { state.committerRunning = false }
            let waiters = state.flushWaiters.map(\.continuation)
            state.flushWaiters = []
            return (waiters, dropped, first)
        }
        logger.error(
            "outbox commit failed; commits stop until the database works again",
            metadata: ["error": "\(failure)", "dropped": "\(dropped)"])
        for waiter in waiters { waiter.resume(returning: failure) }
        if first, let handler = failureHandler.withLock({ $0 }) { handler(failure) }
    }

    /// Runs under the store's writer right after a commit: counts it, wakes flushes, feeds the lanes.
    /// `otherRecords`: the journal records and events of the commit.
    private func didCommit(_ inserted: [PendingDelivery], updates: [DeliveryUpdate], otherRecords: Int) {
        let (waiters, progressWaiters, pending, woken) = state.withLock { state in
            let settled = updates.count(where: { $0.status != .pending })
            state.committed += inserted.count + updates.count + otherRecords
            state.pending += inserted.count - settled
            state.settled += settled
            state.updatesCommitted += updates.count
            var woken: [String] = []
            if state.started && !state.stopping {
                for row in inserted {
                    state.lanes[row.url, default: Lane()].offer(row)
                    if state.lanes[row.url]?.running == false {
                        state.lanes[row.url]?.running = true
                        woken.append(row.url)
                    }
                }
            }
            return (state.readyWaiters(), state.readyProgressWaiters(), state.pending, woken)
        }
        metrics.pending.record(pending)
        for waiter in waiters { waiter.resume(returning: nil) }
        for waiter in progressWaiters { waiter.resume() }
        for url in woken { advance(url) }
    }
}
