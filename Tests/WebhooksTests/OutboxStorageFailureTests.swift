import Backing
import GRDB
import Synchronization
import Testing

@testable import Webhooks

/// A commit the database refuses (here: another connection holds the write lock past the busy timeout)
/// fails the flushes waiting for it, and what it held is never committed later.
@Suite(.timeLimit(.minutes(1)))
struct OutboxStorageFailureTests {
    @Test func aFailedCommitFailsItsFlushDropsItsRowsAndStopsCommitsUntilReopenedAndResumed() async throws {
        let directory = try TemporaryDirectory()
        let client = CurlClient()
        defer { client.shutdown() }
        let outbox = try WebhookOutbox(
            path: directory.database,
            configuration: WebhookConfiguration(
                subscriptions: try WebhookConfiguration.subscriptions(parsing: ["*=http://127.0.0.1:1/hook"])),
            client: client)
        let reported = Mutex<[StorageFailure]>([])
        outbox.onStorageFailure { failure in reported.withLock { $0.append(failure) } }
        let (first, dropped, refused, later) = (Messages.all[0], Messages.all[1], Messages.all[2], Messages.all[3])
        outbox.submit([first])
        try await outbox.flush()

        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true  // the lock is held across accesses on purpose
        let other = try DatabaseQueue(path: directory.database, configuration: configuration)
        try other.inDatabase { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        outbox.submit([dropped])
        await #expect(throws: StorageFailure.self) { try await outbox.flush() }
        #expect(
            outbox.storageFailure?.reason.contains("write lock") == true, "\(String(describing: outbox.storageFailure))"
        )
        #expect(outbox.storageFailure?.database == "outbox.sqlite")

        // Released, but the outbox stays stopped until it is reopened and resumed.
        try other.inDatabase { db in try db.execute(sql: "ROLLBACK") }
        try other.close()
        outbox.submit([refused])
        await #expect(throws: StorageFailure.self) { try await outbox.flush() }
        try await outbox.reopen()
        #expect(outbox.storageFailure != nil)
        outbox.resume()
        outbox.submit([later])
        try await outbox.flush()

        let events = try await outbox.deliveries(status: nil, limit: 10).map(\.event)
        #expect(events == [later.event, first.event])
        #expect(reported.withLock { $0.count } == 1)
        #expect(outbox.failureCount == 1)
        await outbox.shutdown()
    }

    @Test func aFailedCommitsEventValuesAreWrittenAgainByTheNextCommitSoEveryLoggedEventReadsBack() async throws {
        let directory = try TemporaryDirectory()
        let store = try OutboxStore(path: directory.database, synchronousFull: false)
        let dispute = EventRecordsTests.dispute(Messages.receipt, by: 1)
        try await store.commit(inserts: [], updates: [], events: [Messages.numbered(1)]) { _ in }

        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true  // the lock is held across accesses on purpose
        let other = try DatabaseQueue(path: directory.database, configuration: configuration)
        try other.inDatabase { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        // Its receipt and key (values 1 and 2) are never in the database.
        await #expect(throws: (any Error).self) {
            try await store.commit(inserts: [], updates: [], events: [dispute]) { _ in }
        }
        try other.inDatabase { db in try db.execute(sql: "ROLLBACK") }
        try other.close()

        try await store.commit(inserts: [], updates: [], events: [dispute]) { _ in }
        let logged = try await store.events(after: 0, names: nil, limit: 10)
        #expect(logged.map(\.body) == (try [Messages.numbered(1), dispute].map { try $0.webhookBody() }))
        let values = try await store.read { db in
            try Row.fetchAll(db, sql: "SELECT firstID, count FROM event_log_value").map {
                [$0["firstID"] as Int64, $0["count"] as Int64]
            }
        }
        #expect(values == [[1, 2]])
        try store.close()
    }
}
