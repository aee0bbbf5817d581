internal import Synchronization

/// Hands every committed event to the live subscribers (`GET /v1/events` streams), in commit order.
///
/// ``WebhookOutbox`` publishes from its commit callback, which runs under the database's single writer, so
/// batches reach every subscriber one at a time and in id order. A subscriber that joins meanwhile may or
/// may not get the batch being published; any batch it misses was committed before it subscribed, so a
/// read of the log started after subscribing has it (replay, then live, with no gap; duplicates are
/// recognised by id).
public final class EventBroadcaster: Sendable {
    /// Takes a batch of committed events, quickly (it runs under the database's writer); returns `false`
    /// when it cannot take them (its client fell behind), which ends its subscription.
    public typealias Sink = @Sendable ([LoggedEvent]) -> Bool

    private struct Subscribers {
        var nextID: UInt64 = 0
        var sinks: [UInt64: Sink] = [:]
    }

    private let subscribers = Mutex(Subscribers())

    public init() {}

    /// How many subscriptions are open.
    public var count: Int { subscribers.withLock { $0.sinks.count } }

    /// Feeds `sink` every batch published from now on, until the subscription is cancelled or the sink
    /// refuses a batch.
    public func subscribe(_ sink: @escaping Sink) -> EventSubscription {
        let id = subscribers.withLock { subscribers in
            defer { subscribers.nextID += 1 }
            subscribers.sinks[subscribers.nextID] = sink
            return subscribers.nextID
        }
        return EventSubscription(id: id, broadcaster: self)
    }

    /// Hands `events` (one commit's, in id order) to every subscriber.
    public func publish(_ events: [LoggedEvent]) {
        guard !events.isEmpty else { return }
        // The sinks run outside the lock, so that one may cancel subscriptions without deadlocking.
        let sinks = subscribers.withLock { Array($0.sinks) }
        var refused: [UInt64] = []
        for (id, sink) in sinks where !sink(events) { refused.append(id) }
        if !refused.isEmpty { subscribers.withLock { for id in refused { $0.sinks[id] = nil } } }
    }

    fileprivate func cancel(_ id: UInt64) {
        _ = subscribers.withLock { $0.sinks.removeValue(forKey: id) }
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
