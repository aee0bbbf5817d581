import Foundation
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
    }
}

/// Carries the rows out of the commit callback.
private final class InsertedRows: @unchecked Sendable {
    // Safe because: written in the commit callback, read after the commit has been awaited.
    var rows: [PendingDelivery] = []
}
