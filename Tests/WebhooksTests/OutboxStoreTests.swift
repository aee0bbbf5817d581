import Foundation
import GRDB
import Testing

@testable import Webhooks

/// The outbox table's commits: new deliveries fsynced, state changes alone not.
struct OutboxStoreTests {
    /// A store in a fresh folder, which the caller removes.
    static func makeStore() throws -> (OutboxStore, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try OutboxStore(path: directory.appendingPathComponent("outbox.sqlite").path, synchronousFull: true)
        return (store, directory)
    }

    @Test func theWriterFsyncsNewDeliveriesFromTheStartAndAfterACommitOfStateChangesAlone() async throws {
        let (store, directory) = try Self.makeStore()
        defer { try? FileManager.default.removeItem(at: directory) }
        let initial = try await store.writerSynchronousMode()
        #expect(initial == 2, "synchronous = \(initial)")
        let row = NewDelivery(
            id: "d1", event: "statement.share", url: "http://127.0.0.1:1/", body: [1], createdAt: Date())
        let box = InsertedRows()
        try await store.commit(inserts: [row], updates: []) { box.rows = $0 }
        let inserted = box.rows
        #expect(inserted.count == 1)
        let update = DeliveryUpdate(
            sequence: inserted[0].sequence, status: .delivered, attempts: 1, lastError: nil, nextAttemptAt: nil,
            deliveredAt: Date())
        try await store.commit(inserts: [], updates: [update]) { _ in }
        #expect(try await store.writerSynchronousMode() == 2)
        let delivered = try await store.deliveries(status: .delivered, limit: 10)
        #expect(delivered.map(\.id) == ["d1"])
        try store.close()
    }
}

extension OutboxStoreTests {
    @Test func pruningDeletesOnlyDeliveriesDeliveredBeforeTheCutoff() async throws {
        let (store, directory) = try Self.makeStore()
        defer { try? FileManager.default.removeItem(at: directory) }
        let now = Date()
        let rows = ["old", "recent", "failed", "pending"].map {
            NewDelivery(id: $0, event: "statement.share", url: "http://127.0.0.1:1/", body: [1], createdAt: now)
        }
        let box = InsertedRows()
        try await store.commit(inserts: rows, updates: []) { box.rows = $0 }
        let sequence = Dictionary(uniqueKeysWithValues: box.rows.map { ($0.id, $0.sequence) })
        func update(_ id: String, _ status: DeliveryStatus, at date: Date?) -> DeliveryUpdate {
            DeliveryUpdate(
                sequence: sequence[id]!, status: status, attempts: 1, lastError: nil, nextAttemptAt: nil,
                deliveredAt: date)
        }
        try await store.commit(
            inserts: [],
            updates: [
                update("old", .delivered, at: now.addingTimeInterval(-3600)),
                update("recent", .delivered, at: now.addingTimeInterval(-60)),
                update("failed", .failed, at: nil),
            ]
        ) { _ in }
        #expect(try await store.pruneDelivered(before: now.addingTimeInterval(-600)) == 1)
        let left = try await store.deliveries(status: nil, limit: 10).map(\.id)
        #expect(Set(left) == ["recent", "failed", "pending"])
        #expect(try await store.pruneDelivered(before: now.addingTimeInterval(-600)) == 0)
        try store.close()
        // The pruned delivery's body went with it; every other row keeps its own.
        let database = try DatabaseQueue(path: directory.appendingPathComponent("outbox.sqlite").path)
        let (bodies, joined) = try await database.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM delivery_body"),
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM delivery JOIN delivery_body USING (sequence)")
            )
        }
        #expect(bodies == 3)
        #expect(joined == 3)
    }

    @Test func bodiesOfAnyLengthAndTextOfAnyKindComeBackAsCommitted() async throws {
        let (store, directory) = try Self.makeStore()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bodies: [[UInt8]] = [[], [0], Array("é\u{0}\"".utf8), [UInt8](repeating: 0xAB, count: 100_000)]
        let rows = bodies.enumerated().map { index, body in
            NewDelivery(id: "id-\(index)-é", event: "statement.share", url: "http://x/ü", body: body, createdAt: Date())
        }
        let box = InsertedRows()
        try await store.commit(inserts: rows, updates: []) { box.rows = $0 }
        let inserted = box.rows.map(\.sequence)
        #expect(inserted == Array(inserted[0]..<(inserted[0] + 4)))
        try await store.loadPending(url: "http://x/ü", after: 0, limit: 10) { box.rows = $0 }
        #expect(box.rows.map(\.body) == bodies)
        #expect(box.rows.map(\.id) == rows.map(\.id))
        #expect(box.rows.map(\.sequence) == inserted)
        try store.close()
    }

    @Test func aDatabaseWrittenBeforeBodiesHadTheirOwnTableKeepsEveryPendingBody() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("outbox.sqlite").path
        // A v1 database as an earlier release left it: two pending deliveries and a delivered one.
        let v1 = try DatabaseQueue(path: path)
        try OutboxMigrations.migrator.migrate(v1, upTo: "v1: deliveries")
        try await v1.write { db in
            for (id, status, body) in [
                ("a", "pending", [UInt8](repeating: 7, count: 3000)), ("b", "delivered", [8]),
                ("c", "pending", [9, 9]),
            ] {
                try db.execute(
                    sql:
                        "INSERT INTO delivery (id, event, url, body, status, createdAt) VALUES (?, 'statement.share', 'http://x/', ?, ?, 0)",
                    arguments: [id, Data(body), status])
            }
        }
        try v1.close()

        let store = try OutboxStore(path: path, synchronousFull: true)
        let box = InsertedRows()
        try await store.loadPending(url: "http://x/", after: 0, limit: 10) { box.rows = $0 }
        #expect(box.rows.map(\.id) == ["a", "c"])
        #expect(box.rows.map(\.body) == [[UInt8](repeating: 7, count: 3000), [9, 9]])
        #expect(try await store.deliveries(status: nil, limit: 10).count == 3)
        try store.close()
    }
}

/// Carries the rows out of the commit callback.
private final class InsertedRows: @unchecked Sendable {
    // Safe because: written in the commit callback, read after the commit has been awaited.
    var rows: [PendingDelivery] = []
}
