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
        let first = (0..<250).map(Messages.numbered)
        let second = Messages.all
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

    /// The rows of `event_log_value`: each one's first id and value count.
    func valueRows() async throws -> [(firstID: Int64, count: Int)] {
        try await DatabaseQueue(path: directory.database).read { db in
            try Row.fetchAll(db, sql: "SELECT firstID, count FROM event_log_value ORDER BY firstID").map {
                ($0["firstID"], $0["count"])
            }
        }
    }

    @Test func aCandidatesReceiptAndEachSignersKeyAreWrittenOnceAcrossCommitsAndEveryMessageReadsBackWhole()
        async throws
    {
        let first = try outbox()
        // Twenty requests, each a statement on the same candidate by another validator, then the same twenty
        // again: in whatever group commits they land, one receipt and twenty keys are written.
        let messages = (1...20).map { EventRecordsTests.dispute(Messages.receipt, by: UInt32($0)) }
        for message in messages + messages { first.submit([message]) }
        try await first.flush()

        #expect(try await valueRows().reduce(0) { $0 + $1.count } == 21)
        let bodies = try messages.map { try $0.webhookBody() }
        let logged = try await first.events(after: 0, names: nil, limit: 100)
        #expect(logged.map(\.body) == bodies + bodies)
        await first.shutdown()

        // After a restart the values are written again (a new epoch), under new ids, and both read back.
        let reopened = try outbox()
        for message in messages.prefix(3) { reopened.submit([message]) }
        try await reopened.flush()
        let rows = try await valueRows()
        #expect(rows.reduce(0) { $0 + $1.count } == 21 + 4)
        #expect(rows.last!.firstID + Int64(rows.last!.count) == 26)
        let all = try await reopened.events(after: 0, names: nil, limit: 100)
        #expect(all.map(\.body) == bodies + bodies + bodies.prefix(3))
        await reopened.shutdown()
    }

    @Test func pruningDeletesTheValuesOfEpochsBeforeTheOldestRemainingEventAndKeepsWhatItsRecordsReferTo()
        async throws
    {
        // Every commit begins an epoch.
        let store = try OutboxStore(path: directory.database, synchronousFull: false, eventValueEpoch: .zero)
        let now = Date()
        let dispute = EventRecordsTests.dispute(Messages.receipt, by: 1)
        for age: TimeInterval in [7200, 4000, 10] {
            try await store.commit(inserts: [], updates: [], events: [dispute, Messages.numbered(1), dispute]) { _ in }
            _ = try await store.write { db in
                try db.execute(
                    sql: "UPDATE event_log SET createdAt = ? WHERE firstID = (SELECT MAX(firstID) FROM event_log)",
                    arguments: [now.addingTimeInterval(-age).timeIntervalSince1970])
            }
        }
        // Each commit wrote the receipt and the key again: values 1–2, 3–4, 5–6.
        #expect(try await valueRows().map(\.firstID) == [1, 3, 5])
        #expect(try await store.pruneEvents(before: now.addingTimeInterval(-3600)) == 6)
        #expect(try await valueRows().map(\.firstID) == [5])
        let epochs = try await store.read { db in
            try Int64.fetchAll(db, sql: "SELECT firstEventID FROM event_log_epoch")
        }
        #expect(epochs == [7])
        let kept = try await store.events(after: 0, names: nil, limit: 10)
        #expect(kept.map(\.id) == [7, 8, 9])
        #expect(kept.map(\.body) == (try [dispute, Messages.numbered(1), dispute].map { try $0.webhookBody() }))

        // With every event pruned, the current epoch's values stay (its next records may refer to them); after a
        // restart, a new epoch's values follow on.
        #expect(try await store.pruneEvents(before: now.addingTimeInterval(1)) == 3)
        #expect(try await valueRows().map(\.firstID) == [5])
        try store.close()
        let reopened = try OutboxStore(path: directory.database, synchronousFull: false)
        try await reopened.commit(inserts: [], updates: [], events: [dispute]) { _ in }
        #expect(try await valueRows().map(\.firstID) == [5, 7])
        #expect(try await reopened.events(after: 0, names: nil, limit: 10).map(\.id) == [10])
        try reopened.close()
    }

    @Test func aLogWrittenInTheEarlierFormReadsBackAfterTheUpgrade() async throws {
        let store = try OutboxStore(path: directory.database, synchronousFull: false)
        let messages = [
            EventRecordsTests.dispute(Messages.receipt, by: 1), Messages.numbered(1),
            EventRecordsTests.dispute(Messages.receipt, by: 2),
        ]
        _ = try await store.write { db in
            try db.execute(
                sql: "INSERT INTO event_log (firstID, count, createdAt, records) VALUES (1, 3, ?, ?)",
                arguments: [Date().timeIntervalSince1970, Data(EventRecordsTests.earlierFormRecords(messages))])
        }
        try store.close()
        let reopened = try OutboxStore(path: directory.database, synchronousFull: false)
        try await reopened.commit(inserts: [], updates: [], events: messages) { _ in }
        let logged = try await reopened.events(after: 0, names: nil, limit: 10)
        #expect(logged.map(\.id) == Array(1...6))
        #expect(logged.map(\.body) == (try (messages + messages).map { try $0.webhookBody() }))
        try reopened.close()
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
            CommittedEvents(
                firstID: Int64(n), messages: [Messages.numbered(n)], createdAt: Date().timeIntervalSince1970)
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
            try await store.commit(inserts: [], updates: [], events: (0...index).map(Messages.numbered)) { _ in }
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
