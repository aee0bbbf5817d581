internal import Logging
internal import Synchronization

/// Hands every committed event to the live subscribers (`GET /v1/events` streams), in commit order.
///
/// ``WebhookOutbox`` publishes each commit's events from its commit callback under the
/// database's single writer; with no subscriber that is all it costs. Otherwise one task (no thread of its
/// own) turns them into web-hook bodies, once for every subscriber and only the events one of them wants,
/// and hands them over in commit order: the writer is not held for that. A subscriber that joins meanwhile
/// may or may not get a batch committed before it subscribed; any batch it misses was committed before
/// it subscribed, so a read of the log started after subscribing has it (replay, then live, with no gap;
/// duplicates are recognised by id).
///
/// At most `pendingLimit` commits (256) wait for that task; a commit past it is not handed over, and the
/// subscribers are told so with the next batch they get (`missedEarlier`): the log has what they missed.
public final class EventBroadcaster: Sendable {
    /// Takes a batch of committed events, quickly; `missedEarlier` says that batches before it were not
    /// handed over (they are in the log). Returns `false` when it cannot take them (its client fell behind),
    /// which ends its subscription.
    public typealias Sink = @Sendable (_ events: [LoggedEvent], _ missedEarlier: Bool) -> Bool

    private struct Subscriber {
        let names: Set<String>?
        let sink: Sink
    }

    private struct Subscribers {
        var nextID: UInt64 = 0
        var all: [UInt64: Subscriber] = [:]
        /// A commit was not handed over; the next one handed over says so.
        var missed = false
    }

    /// One commit's events on their way to the subscribers.
    private struct Pending: Sendable {
        let events: CommittedEvents
        let missedEarlier: Bool
    }

    /// A class so that the handing-over task can hold it without holding the broadcaster.
    private final class Registry: Sendable {
        let subscribers = Mutex(Subscribers())
    }

    private let registry = Registry()
    private let pending: AsyncStream<Pending>.Continuation

    /// - Parameter pendingLimit: the most commits waiting to be handed over.
    init(logger: Logger = Logger(label: "backingd.events"), pendingLimit: Int = 256) {
        let (stream, continuation) = AsyncStream.makeStream(
            of: Pending.self, bufferingPolicy: .bufferingOldest(pendingLimit))
        pending = continuation
        Task { [registry] in
            for await batch in stream { Self.handOver(batch, to: registry, logger: logger) }
        }
    }

    deinit { pending.finish() }

    /// How many subscriptions are open.
    public var count: Int { registry.subscribers.withLock { $0.all.count } }

    /// Feeds `sink` every batch committed from now on (only the events named in `names` need be in it: all
    /// when `nil`), until the subscription is cancelled or the sink refuses a batch.
    public func subscribe(names: Set<String>? = nil, _ sink: @escaping Sink) -> EventSubscription {
        let id = registry.subscribers.withLock { subscribers in
            defer { subscribers.nextID += 1 }
            subscribers.all[subscribers.nextID] = Subscriber(names: names, sink: sink)
            return subscribers.nextID
        }
        return EventSubscription(id: id, broadcaster: self)
    }

    /// Queues one commit's events for the subscribers; runs under the outbox's writer, one commit at a time.
    func publish(_ events: CommittedEvents) {
        guard !events.messages.isEmpty else { return }
        let missed = registry.subscribers.withLock { subscribers -> Bool? in
            if subscribers.all.isEmpty {
                subscribers.missed = false
                return nil
            }
            return subscribers.missed
        }
        guard let missed else { return }
        let queued: Bool
        switch pending.yield(Pending(events: events, missedEarlier: missed)) {
        case .enqueued: queued = true
        case .dropped, .terminated: queued = false
        @unknown default: queued = false
        }
        registry.subscribers.withLock { $0.missed = !queued }
    }

    /// Makes the bodies of the events one of the present subscribers wants and hands them to each.
    private static func handOver(_ batch: Pending, to registry: Registry, logger: Logger) {
        let subscribers = registry.subscribers.withLock { Array($0.all) }
        guard !subscribers.isEmpty else { return }
        let wanted: Set<String>? =
            subscribers.contains { $0.value.names == nil }
            ? nil : subscribers.reduce(into: Set<String>()) { $0.formUnion($1.value.names ?? []) }
        let events: [LoggedEvent]
        do {
            events = try batch.events.logged(names: wanted)
        } catch {
            // Cannot happen (every message has a body); the log has them for a replay, which says so.
            logger.error("cannot read back committed events", metadata: ["error": "\(error)"])
            return
        }
        var refused: [UInt64] = []
        for (id, subscriber) in subscribers {
            let theirs = subscriber.names.map { names in events.filter { names.contains($0.event) } } ?? events
            if !subscriber.sink(theirs, batch.missedEarlier) { refused.append(id) }
        }
        if !refused.isEmpty { registry.subscribers.withLock { for id in refused { $0.all[id] = nil } } }
    }

    fileprivate func cancel(_ id: UInt64) {
        _ = registry.subscribers.withLock { $0.all.removeValue(forKey: id) }
    }
}

/// One subscriber's place in an ``EventBroadcaster``.
public final class EventSubscription: Sendable {
    private let id: UInt64
    private let broadcaster: EventBroadcaster

    fileprivate init(id: UInt64, broadcaster: EventBroadcaster) {
        self.id = id
        self.broadcaster = broadcaster
    }

    /// Stops the deliveries to the sink (one already running finishes). Calling it again does nothing.
    public func cancel() { broadcaster.cancel(id) }
}
