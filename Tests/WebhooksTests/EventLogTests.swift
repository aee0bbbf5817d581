import Backing
import Foundation
import GRDB
import Primitives
import Synchronization
import Testing

@testable import Webhooks

/// The event log behind `GET /v1/events`, against a real SQLite file: a row per commit in the outbox's
/// commit transaction, ids that only grow, replay after an id, the live feed, and pruning by age.
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
        let batches = Mutex<[(events: [LoggedEvent], missedEarlier: Bool)]>([])
        var events: [LoggedEvent] { batches.withLock { $0.flatMap(\.events) } }
        func take(_ batch: [LoggedEvent], _ missedEarlier: Bool) -> Bool {
            batches.withLock { $0.append((batch, missedEarlier)) }
            return true
        }

        /// Waits (up to 20 s) until at least `count` events came.
        func waitFor(_ count: Int) async throws -> [LoggedEvent] {
            let deadline = ContinuousClock.now + .seconds(20)
            while events.count < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            return events
        }
    }

    /// The rows of the log: each commit's first id and event count.
    func rows() async throws -> [(firstID: Int64, count: Int)] {
        try await DatabaseQueue(path: directory.database).read { db in
            try Row.fetchAll(db, sql: "SELECT firstID, count FROM event_log ORDER BY firstID").map {
                ($0["firstID"], $0["count"])
            }
        }
    }

    @Test func everyMessageIsLoggedWithItsWebhookBodyInSubmitOrderWithoutAnySubscription() async throws {
        let outbox = try outbox()
        outbox.submit(Messages.all)
        try await outbox.flush()

        let logged = try await outbox.events(after: 0, names: nil, limit: 100)
        #expect(logged.map(\.event) == WebhookConfiguration.events)
        #expect(logged.map(\.body) == (try Messages.all.map { try $0.webhookBody() }))
        #expect(logged.map(\.id) == Array(1...Int64(Messages.all.count)))
        for event in logged {
            // One `data:` line per event: the bodies are compact JSON, without a line break.
            #expect(!event.body.contains(UInt8(ascii: "\n")) && !event.body.contains(UInt8(ascii: "\r")))
        }
        #expect(try await outbox.deliveries(status: nil, limit: 100).isEmpty)
        await outbox.shutdown()
    }

    @Test func aCommitsEventsAreOneRowUnderTheFirstIdAndTheNextCommitFollowsOn() async throws {
        let store = try OutboxStore(path: directory.database, synchronousFull: false)
        var first = EventRecords()
        for n in 0..<250 { first.append(Messages.numbered(n)) }
        var second = EventRecords()
        for message in Messages.all { second.append(message) }
        let committed = Mutex<[CommittedEvents]>([])
        try await store.commit(
            inserts: [], updates: [], events: first, logged: { c in committed.withLock { $0.append(c) } }
        ) { _ in }
        try await store.commit(
            inserts: [], updates: [], events: second, logged: { c in committed.withLock { $0.append(c) } }
        ) { _ in }
        try store.close()

        #expect(try await rows().map(\.firstID) == [1, 251])
        #expect(try await rows().map(\.count) == [250, Messages.all.count])
        #expect(committed.withLock { $0.map(\.firstID) } == [1, 251])
        let reopened = try OutboxStore(path: directory.database, synchronousFull: false)
        let logged = try await reopened.events(after: 0, names: nil, limit: 1000)
        #expect(logged.map(\.id) == Array(1...Int64(250 + Messages.all.count)))
        #expect(
            logged.map(\.body) == (try ((0..<250).map(Messages.numbered) + Messages.all).map { try $0.webhookBody() }))
        #expect(reopened.lastEventID == Int64(250 + Messages.all.count))
        try reopened.close()
    }

    @Test func requestsCommittedTogetherWriteACandidatesReceiptOnceAndEveryMessageReadsBackWhole() async throws {
        let outbox = try outbox()
        // Twenty requests, each a statement on the same candidate: while the first commits, the others queue
        // for one group commit, whose records are made together.
        let messages = (1...20).map { EventRecordsTests.dispute(Messages.receipt, by: UInt32($0)) }
        for message in messages { outbox.submit([message]) }
        try await outbox.flush()

        let rows = try await DatabaseQueue(path: directory.database).read { db in
            try Row.fetchAll(db, sql: "SELECT count, records FROM event_log ORDER BY firstID").map {
                try EventRecords.records(in: [UInt8]($0["records"] as Data), count: $0["count"])
            }
        }
        #expect(rows.reduce(0) { $0 + $1.count } == messages.count)
        for records in rows {
            #expect(records.count(where: { $0.bytes.first == 7 }) == 1, "\(records.map { $0.bytes.first ?? 0 })")
        }
        let logged = try await outbox.events(after: 0, names: nil, limit: 100)
        #expect(logged.map(\.body) == (try messages.map { try $0.webhookBody() }))
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

    @Test func liveSubscribersGetEveryCommittedEventOnceInIdOrderAndNothingAfterTheirCancel() async throws {
        let outbox = try outbox()
        let sink = CollectingSink()
        let subscription = outbox.eventFeed.subscribe { sink.take($0, $1) }
        for round in 0..<5 {
            outbox.submit((0..<3).map { Messages.numbered(round * 3 + $0) })
            if round % 2 == 0 { try await outbox.flush() }
        }
        try await outbox.flush()
        let received = try await sink.waitFor(15)
        subscription.cancel()
        // A later subscriber gets the next commit; the cancelled one would have got it in the same hand-over.
        let later = CollectingSink()
        let laterSubscription = outbox.eventFeed.subscribe { later.take($0, $1) }
        outbox.submit([Messages.numbered(99)])
        try await outbox.flush()
        #expect(try await later.waitFor(1).count == 1)
        laterSubscription.cancel()

        let logged = try await outbox.events(after: 0, names: nil, limit: 100)
        #expect(logged.count == 16)
        // Everything committed while subscribed, in the log's order, and nothing after the cancel.
        #expect(received == Array(logged.prefix(15)))
        #expect(sink.events == received)
        #expect(sink.batches.withLock { $0.allSatisfy { !$0.missedEarlier } })
        #expect(outbox.eventFeed.count == 0)
        await outbox.shutdown()
    }

    @Test func aSubscriberGetsOnlyTheEventsItNamed() async throws {
        let outbox = try outbox()
        let sink = CollectingSink()
        let subscription = outbox.eventFeed.subscribe(names: ["provisioner.backed"]) { sink.take($0, $1) }
        let all = CollectingSink()
        let allSubscription = outbox.eventFeed.subscribe { all.take($0, $1) }
        outbox.submit(Messages.all)
        try await outbox.flush()
        #expect(try await all.waitFor(Messages.all.count).count == Messages.all.count)
        #expect(sink.events.map(\.event) == ["provisioner.backed"])
        #expect(sink.events == all.events.filter { $0.event == "provisioner.backed" })
        subscription.cancel()
        allSubscription.cancel()
        await outbox.shutdown()
    }

    @Test func aSubscriberThatRefusesABatchIsUnsubscribed() async throws {
        let outbox = try outbox()
        let calls = Atomic<Int>(0)
        _ = outbox.eventFeed.subscribe { _, _ in
            calls.add(1, ordering: .relaxed)
            return false
        }
        #expect(outbox.eventFeed.count == 1)
        outbox.submit([Messages.numbered(1)])
        try await outbox.flush()
        let deadline = ContinuousClock.now + .seconds(20)
        while outbox.eventFeed.count > 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(outbox.eventFeed.count == 0)
        outbox.submit([Messages.numbered(2)])
        try await outbox.flush()
        #expect(calls.load(ordering: .relaxed) == 1)
        await outbox.shutdown()
    }

    @Test func commitsPastWhatTheFeedHoldsAreNotHandedOverAndTheNextBatchSaysSo() async throws {
        let feed = EventBroadcaster(pendingLimit: 2)
        @Sendable func committed(_ n: Int) -> CommittedEvents {
            var records = EventRecords()
            records.append(Messages.numbered(n))
            return CommittedEvents(firstID: Int64(n), records: records, createdAt: Date().timeIntervalSince1970)
        }
        // While the first hand-over is under way, commits 2 to 6 are published: from the sink itself, so that
        // the hand-over waits for nothing (blocking it until another task published would hold a thread of
        // the cooperative pool that such a task may need: a deadlock on a 2-core machine).
        let handingOver = Atomic<Bool>(false)
        let sink = CollectingSink()
        let subscription = feed.subscribe { events, missedEarlier in
            if !handingOver.exchange(true, ordering: .acquiring) {
                for n in 2...6 { feed.publish(committed(n)) }
            }
            return sink.take(events, missedEarlier)
        }
        feed.publish(committed(1))
        // Commit 1 was being handed over, 2 and 3 waited, 4 to 6 did not fit; 7 comes after the gap.
        #expect(try await sink.waitFor(3).map(\.id) == [1, 2, 3])
        feed.publish(committed(7))
        let received = try await sink.waitFor(4)
        #expect(received.map(\.id) == [1, 2, 3, 7])
        #expect(sink.batches.withLock { $0.map(\.missedEarlier) } == [false, false, false, true])
        subscription.cancel()
    }

    @Test func replayAfterAnIdGivesTheLaterEventsInOrderFilteredByNameAndPagedWithinAndAcrossCommits() async throws {
        let outbox = try outbox()
        outbox.submit(Messages.all + Messages.all)
        try await outbox.flush()
        outbox.submit(Messages.all)
        try await outbox.flush()
        let all = try await outbox.events(after: 0, names: nil, limit: 100)
        #expect(all.count == 3 * Messages.all.count)
        let resumeAfter = all[2].id

        let names: Set = ["statement.share", "provisioner.backed"]
        let filtered = try await outbox.events(after: resumeAfter, names: names, limit: 100)
        #expect(filtered == all.filter { $0.id > resumeAfter && names.contains($0.event) })
        #expect(
            filtered.map(\.event) == ["provisioner.backed"]
                + Array(repeating: ["statement.share", "provisioner.backed"], count: 2).flatMap { $0 })

        var paged: [LoggedEvent] = []
        var after = resumeAfter
        while case let page = try await outbox.events(after: after, names: nil, limit: 4), let last = page.last {
            #expect(page.count <= 4)
            paged += page
            after = last.id
        }
        #expect(paged == Array(all.dropFirst(3)))
        #expect(try await outbox.events(after: all.last!.id, names: nil, limit: 10).isEmpty)
        #expect(try await outbox.events(after: .max, names: nil, limit: 10).isEmpty)
        await outbox.shutdown()
    }

    @Test func pruningDeletesOnlyCommitsLoggedBeforeTheCutoffAndCountsTheirEvents() async throws {
        let store = try OutboxStore(path: directory.database, synchronousFull: false)
        let now = Date()
        let ages: [TimeInterval] = [7200, 4000, 3000, 10]
        for (index, age) in ages.enumerated() {
            var records = EventRecords()
            for n in 0...index { records.append(Messages.numbered(n)) }
            try await store.commit(inserts: [], updates: [], events: records) { _ in }
            _ = try await store.write { db in
                try db.execute(
                    sql: "UPDATE event_log SET createdAt = ? WHERE firstID = (SELECT MAX(firstID) FROM event_log)",
                    arguments: [now.addingTimeInterval(-age).timeIntervalSince1970])
            }
        }
        // The first two commits: 1 + 2 events.
        #expect(try await store.pruneEvents(before: now.addingTimeInterval(-3600)) == 3)
        let kept = try await store.events(after: 0, names: nil, limit: 10)
        #expect(kept.map(\.id) == Array(4...10))
        #expect(Set(kept.map { Int(now.timeIntervalSince($0.createdAt).rounded()) }) == [3000, 10])
        #expect(try await store.pruneEvents(before: now.addingTimeInterval(-3600)) == 0)
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
        #expect(try await rows().isEmpty)

        let second = try outbox()
        #expect(second.lastEventID == before.last!.id)
        second.submit([Messages.numbered(3)])
        try await second.flush()
        let after = try await second.events(after: 0, names: nil, limit: 10)
        #expect(after.map(\.id) == [before.last!.id + 1])
        await second.shutdown()
    }

    @Test func theStartedOutboxPrunesEventsOlderThanTheRetentionPeriodically() async throws {
        // A quarter of the retention between passes: 100 ms here. No check that the event is still there
        // right after its commit: under load the pruning may well be quicker than the test.
        let outbox = try outbox(eventRetention: .milliseconds(400))
        let sink = CollectingSink()
        let subscription = outbox.eventFeed.subscribe { sink.take($0, $1) }
        outbox.start()
        outbox.submit([Messages.numbered(1)])
        try await outbox.flush()
        #expect(try await sink.waitFor(1).count == 1)
        subscription.cancel()
        let deadline = ContinuousClock.now + .seconds(10)
        while try await !outbox.events(after: 0, names: nil, limit: 10).isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await outbox.events(after: 0, names: nil, limit: 10).isEmpty)
        await outbox.shutdown()
    }

    @Test func aMainDataDirectoryBeforeTheEventLogUpgradesAndLogsFromIdOne() async throws {
        // The outbox database as main left it (v5), with a pending delivery.
        let v5 = try DatabaseQueue(path: directory.database)
        try OutboxMigrations.migrator.migrate(v5, upTo: "v5: relay-parent journals")
        try await v5.write { db in
            try db.execute(
                sql: "INSERT INTO delivery (id, event, url, createdAt) VALUES ('a', 'statement.share', 'http://x/', 0)")
            try db.execute(sql: "INSERT INTO delivery_body (sequence, body) VALUES (1, x'07')")
        }
        try v5.close()

        let outbox = try outbox()
        #expect(outbox.lastEventID == 0)
        outbox.submit([Messages.numbered(1)])
        try await outbox.flush()
        #expect(try await outbox.events(after: 0, names: nil, limit: 10).map(\.id) == [1])
        #expect(try await outbox.deliveries(status: .pending, limit: 10).map(\.id) == ["a"])
        await outbox.shutdown()
    }

    @Test func aLogOfTheEarlierRowPerEventFormIsReplacedAndItsIdsAreNotHandedOutAgain() async throws {
        // The form that was on main for a while: "v6: event log", a row per event with AUTOINCREMENT ids.
        let old = try DatabaseQueue(path: directory.database)
        try OutboxMigrations.migrator.migrate(old, upTo: "v5: relay-parent journals")
        try await old.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE event_log (
                        sequence INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL, body BLOB NOT NULL,
                        createdAt REAL NOT NULL);
                    INSERT INTO event_log (sequence, event, body, createdAt) VALUES (41, 'statement.share', x'7b7d', 0);
                    DELETE FROM event_log;
                    INSERT INTO grdb_migrations (identifier) VALUES ('v6: event log');
                    """)
        }
        try old.close()

        let outbox = try outbox()
        #expect(outbox.lastEventID == 41)
        outbox.submit([Messages.numbered(1)])
        try await outbox.flush()
        #expect(try await outbox.events(after: 0, names: nil, limit: 10).map(\.id) == [42])
        await outbox.shutdown()
    }
}
