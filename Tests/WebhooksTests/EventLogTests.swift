import Backing
import Foundation
import Synchronization
import Testing

@testable import Webhooks

/// The event log behind `GET /v1/events`, against a real SQLite file: one row per message in the outbox's
/// commit, ids that only grow, replay after an id, the live feed, and pruning by age.
@Suite(.timeLimit(.minutes(1)))
struct EventLogTests {
    let directory: TemporaryDirectory
    let client = CurlClient()

    init() throws { directory = try TemporaryDirectory() }

    func outbox(_ specs: [String] = [], eventRetention: Duration = .seconds(3600)) throws -> WebhookOutbox {
        try WebhookOutbox(
            path: directory.database,
            configuration: WebhookConfiguration(
                subscriptions: try WebhookConfiguration.subscriptions(parsing: specs), eventRetention: eventRetention),
            client: client)
    }

    /// Collects what an ``EventBroadcaster`` hands its subscriber.
    final class CollectingSink: Sendable {
        let batches = Mutex<[[LoggedEvent]]>([])
        var events: [LoggedEvent] { batches.withLock { $0.flatMap { $0 } } }
        func take(_ batch: [LoggedEvent]) -> Bool {
            batches.withLock { $0.append(batch) }
            return true
        }
    }

    @Test func everyMessageIsLoggedWithItsWebhookBodyInSubmitOrderWithoutAnySubscription() async throws {
        let outbox = try outbox()
        outbox.submit(Messages.all)
        try await outbox.flush()

        let logged = try await outbox.events(after: 0, names: nil, limit: 100)
        #expect(logged.map(\.event) == WebhookConfiguration.events)
        #expect(logged.map(\.body) == (try Messages.all.map { try $0.webhookBody() }))
        #expect(zip(logged, logged.dropFirst()).allSatisfy { $0.id < $1.id })
        for event in logged {
            // One `data:` line per event: the bodies are compact JSON, without a line break.
            #expect(!event.body.contains(UInt8(ascii: "\n")) && !event.body.contains(UInt8(ascii: "\r")))
        }
        #expect(try await outbox.deliveries(status: nil, limit: 100).isEmpty)
        await outbox.shutdown()
    }

    @Test func aMessageIsLoggedOnceHoweverManyURLsSubscribeToIt() async throws {
        // Not started: the deliveries stay pending, nothing is sent to the (unused) port.
        let outbox = try outbox(["*=http://127.0.0.1:9/a", "*=http://127.0.0.1:9/b"])
        outbox.submit([Messages.numbered(1), Messages.numbered(2)])
        try await outbox.flush()

        let logged = try await outbox.events(after: 0, names: nil, limit: 100)
        #expect(logged.count == 2)
        #expect(try await outbox.deliveries(status: .pending, limit: 100).count == 4)
        await outbox.shutdown()
    }

    @Test func liveSubscribersGetEveryCommittedEventOnceInIdOrder() async throws {
        let outbox = try outbox()
        let sink = CollectingSink()
        let subscription = outbox.eventFeed.subscribe { sink.take($0) }
        for round in 0..<5 {
            outbox.submit((0..<3).map { Messages.numbered(round * 3 + $0) })
            if round % 2 == 0 { try await outbox.flush() }
        }
        try await outbox.flush()
        subscription.cancel()
        outbox.submit([Messages.numbered(99)])
        try await outbox.flush()

        let logged = try await outbox.events(after: 0, names: nil, limit: 100)
        #expect(logged.count == 16)
        // Everything committed while subscribed, in the log's order, and nothing after the cancel.
        #expect(sink.events == Array(logged.prefix(15)))
        #expect(outbox.eventFeed.count == 0)
        await outbox.shutdown()
    }

    @Test func aSubscriberThatRefusesABatchIsUnsubscribed() async throws {
        let outbox = try outbox()
        let calls = Atomic<Int>(0)
        _ = outbox.eventFeed.subscribe { _ in
            calls.add(1, ordering: .relaxed)
            return false
        }
        #expect(outbox.eventFeed.count == 1)
        outbox.submit([Messages.numbered(1)])
        try await outbox.flush()
        outbox.submit([Messages.numbered(2)])
        try await outbox.flush()
        #expect(calls.load(ordering: .relaxed) == 1)
        #expect(outbox.eventFeed.count == 0)
        await outbox.shutdown()
    }

    @Test func replayAfterAnIdGivesTheLaterEventsInOrderFilteredByNameAndPaged() async throws {
        let outbox = try outbox()
        outbox.submit(Messages.all + Messages.all)
        try await outbox.flush()
        let all = try await outbox.events(after: 0, names: nil, limit: 100)
        let resumeAfter = all[2].id

        let names: Set = ["statement.share", "provisioner.backed"]
        let filtered = try await outbox.events(after: resumeAfter, names: names, limit: 100)
        #expect(filtered == all.filter { $0.id > resumeAfter && names.contains($0.event) })
        #expect(filtered.map(\.event) == ["provisioner.backed", "statement.share", "provisioner.backed"])

        var paged: [LoggedEvent] = []
        var after = resumeAfter
        while case let page = try await outbox.events(after: after, names: nil, limit: 4), let last = page.last {
            #expect(page.count <= 4)
            paged += page
            after = last.id
        }
        #expect(paged == Array(all.dropFirst(3)))
        await outbox.shutdown()
    }

    @Test func pruningDeletesOnlyEventsLoggedBeforeTheCutoff() async throws {
        let store = try OutboxStore(path: directory.database, synchronousFull: false)
        let now = Date()
        let ages: [TimeInterval] = [7200, 4000, 3000, 10]
        try await store.commit(
            inserts: [], updates: [],
            events: ages.map { NewEvent(event: "statement.share", body: [1], createdAt: now.addingTimeInterval(-$0)) }
        ) { _ in }
        #expect(try await store.pruneEvents(before: now.addingTimeInterval(-3600)) == 2)
        let kept = try await store.events(after: 0, names: nil, limit: 10)
        #expect(kept.map { Int(now.timeIntervalSince($0.createdAt).rounded()) } == [3000, 10])
        try store.close()
    }

    @Test func idsKeepGrowingAfterEveryEventWasPrunedAndTheDatabaseReopened() async throws {
        let first = try outbox()
        first.submit([Messages.numbered(1), Messages.numbered(2)])
        try await first.flush()
        let before = try await first.events(after: 0, names: nil, limit: 10)
        #expect(try await first.pruneEvents(olderThan: .zero) == 2)
        #expect(try await first.events(after: 0, names: nil, limit: 10).isEmpty)
        await first.shutdown()

        let second = try outbox()
        second.submit([Messages.numbered(3)])
        try await second.flush()
        let after = try await second.events(after: 0, names: nil, limit: 10)
        #expect(after.count == 1)
        #expect(after[0].id > before.last!.id)
        await second.shutdown()
    }

    @Test func theStartedOutboxPrunesEventsOlderThanTheRetentionPeriodically() async throws {
        // A quarter of the retention between passes: 100 ms here. No check that the event is still there
        // right after its commit: under load the pruning may well be quicker than the test.
        let outbox = try outbox(eventRetention: .milliseconds(400))
        let sink = CollectingSink()
        let subscription = outbox.eventFeed.subscribe { sink.take($0) }
        outbox.start()
        outbox.submit([Messages.numbered(1)])
        try await outbox.flush()
        subscription.cancel()
        #expect(sink.events.count == 1)
        let deadline = ContinuousClock.now + .seconds(10)
        while try await !outbox.events(after: 0, names: nil, limit: 10).isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await outbox.events(after: 0, names: nil, limit: 10).isEmpty)
        await outbox.shutdown()
    }
}
