internal import Backing
internal import Foundation
internal import GRDB
internal import Storage
internal import Synchronization

/// A delivery to be inserted: one message for one subscribed URL.
struct NewDelivery: Sendable {
    let id: String
    let event: String
    let url: String
    let body: [UInt8]
    let createdAt: Date
    /// The W3C trace context of the span that caused the message (`nil` when none was active), so that the
    /// delivery, whenever it happens, continues that trace.
    var trace: StoredTraceContext? = nil
}

/// A `traceparent` and its `tracestate`, as a delivery row keeps them.
struct StoredTraceContext: Sendable, Equatable {
    let traceParent: String
    let traceState: String?
}

/// A pending delivery as the delivery workers hold it.
struct PendingDelivery: Sendable {
    let sequence: Int64
    let id: String
    let event: String
    let url: String
    let body: [UInt8]
    let attempts: Int
    let createdAt: Date
    var trace: StoredTraceContext? = nil
}

/// A change of a delivery's state after an attempt.
struct DeliveryUpdate: Sendable {
    let sequence: Int64
    let status: DeliveryStatus
    let attempts: Int
    let lastError: String?
    let nextAttemptAt: Date?
    let deliveredAt: Date?
}

/// The outbox's SQLite file: a GRDB `DatabasePool` in WAL mode.
///
/// Concurrency: every method is async and runs its SQL on GRDB's own dispatch queues (one serial
/// writer, a pool of readers), never on a Swift-concurrency thread. All writes go through the single
/// writer, so the `then` callbacks of ``commit(inserts:updates:then:)``, ``loadPending(url:after:limit:then:)``
/// and ``pendingSnapshot(then:)`` run one at a time, in commit order; the outbox relies on this to
/// keep its in-memory queues consistent with the table. The callbacks must be quick (they hold the writer).
final class OutboxStore: Sendable {
    /// The database's file name in a node's data directory.
    static let fileName = "outbox.sqlite"
    private let pool: DatabasePool
    private let synchronousFull: Bool
    /// The id of the next logged event; only the writer reads and advances it (after each commit that logs).
    private let nextEventID: Mutex<Int64>
    /// The receipts and keys the log's records refer to; only the writer uses them.
    private let eventValues: Mutex<EventLogValues>
    /// Checkpoints the WAL when the writer's commits have filled it, so that none of them waits for a checkpoint.
    let checkpointer: WALCheckpointer

    /// Opens (creating if needed) and migrates the database at `path`.
    /// - Parameter synchronousFull: `true` fsyncs every commit of new deliveries (survives power loss); `false` uses
    ///   `synchronous = NORMAL`, which in WAL mode survives a process crash (kill -9) but may lose the
    ///   last commits on power loss.
    /// - Parameter eventValueEpoch: how long the event log's records refer to the receipts and keys written
    ///   since the epoch began before they are written again (see ``EventLogValues``): with half the event
    ///   retention, a value is deleted at most about two retentions after it was written (its epoch, then the
    ///   retention of the epoch's last event, then up to a quarter retention until the next pruning).
    /// - Throws: GRDB's `DatabaseError` when the file cannot be opened or migrated.
    init(path: String, synchronousFull: Bool, eventValueEpoch: Duration = .seconds(1800)) throws {
        var configuration = Configuration()
        configuration.label = "backingd.outbox"
        // Another process's brief write (a `sqlite3` session, a signing-history import) is waited for; a
        // lock held longer is a storage failure (503, `/readyz` says so) until it is released.
        configuration.busyMode = .timeout(1)
        self.synchronousFull = synchronousFull
        pool = try DatabasePool(path: path, configuration: configuration)
        checkpointer = try WALCheckpointer.takingOver(pool) { db in
            try db.execute(sql: synchronousFull ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
        }
        try OutboxMigrations.migrator.migrate(pool)
        nextEventID = Mutex(try pool.read { db in try EventLogTable.nextID(in: db) })
        eventValues = Mutex(
            EventLogValues(
                nextID: try pool.read { db in try EventLogTable.nextValueID(in: db) }, epochLength: eventValueEpoch))
    }

    /// Inserts `inserts` (in order), writes the journal records and applies `updates` in one transaction, then calls `then` with
    /// the inserted rows and their sequence numbers, still holding the writer.
    ///
    /// A commit of state changes only (no new deliveries) is not fsynced even with `synchronousFull`:
    /// losing it to a power cut only means a delivery is attempted again under the same id, which
    /// at-least-once delivery allows, whereas its fsync would hold the writer — and the next request's
    /// new deliveries behind it — for milliseconds. WAL keeps the order: the next fsynced commit makes
    /// it durable too.
    ///
    /// `events` go to the event log in the same transaction, as one row of records (made here, under the
    /// writer, which owns the values they refer to); `logged` gets them with their first id, under the writer,
    /// just before `then`.
    func commit(
        inserts: [NewDelivery], updates: [DeliveryUpdate], journal: [JournalRecord] = [],
        events: [OutboundMessage] = [], logged: @escaping @Sendable (CommittedEvents) -> Void = { _ in },
        then: @escaping @Sendable ([PendingDelivery]) -> Void
    ) async throws {
        let relaxed = synchronousFull && inserts.isEmpty && journal.isEmpty && events.isEmpty
        try await pool.writeWithoutTransaction { db in
            if relaxed { try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            defer { if relaxed { try? db.execute(sql: "PRAGMA synchronous = FULL") } }
            var inserted: [PendingDelivery] = []
            inserted.reserveCapacity(inserts.count)
            let firstEventID = nextEventID.withLock { $0 }
            let eventTime = Date().timeIntervalSince1970
            // Only a commit with events begins an epoch: the epoch's row goes in with its first events.
            let prepared =
                events.isEmpty
                ? nil
                : eventValues.withLock { values in
                    values.beginCommit(firstEventID: firstEventID)
                    let records = events.reduce(into: EventRecords()) { $0.append($1, values: &values) }
                    return (records: records, values: values.writtenValues, epoch: values.beginning)
                }
            do {
                try db.inTransaction(.immediate) {
                    if let prepared {
                        try EventLogTable.insert(
                            prepared.records, values: prepared.values, beginning: prepared.epoch,
                            firstID: firstEventID, createdAt: eventTime, in: db)
                    }
                    let insert = try db.cachedStatement(
                        sql: """
                            INSERT INTO delivery (id, event, url, createdAt, traceParent, traceState) VALUES (?, ?, ?, ?, ?, ?)
                            """)
                    let insertBody = try db.cachedStatement(
                        sql: "INSERT INTO delivery_body (sequence, body) VALUES (?, ?)")
                    for row in inserts {
                        try insert.execute(arguments: [
                            row.id, row.event, row.url, row.createdAt.timeIntervalSince1970, row.trace?.traceParent,
                            row.trace?.traceState,
                        ])
                        let sequence = db.lastInsertedRowID
                        try insertBody.execute(arguments: [sequence, Data(row.body)])
                        inserted.append(
                            PendingDelivery(
                                sequence: sequence, id: row.id, event: row.event, url: row.url, body: row.body,
                                attempts: 0, createdAt: row.createdAt, trace: row.trace))
                    }
                    let update = try db.cachedStatement(
                        sql: """
                            UPDATE delivery SET status = ?, attempts = ?, lastError = ?, nextAttemptAt = ?, deliveredAt = ?
                            WHERE sequence = ?
                            """)
                    try JournalTables.write(journal, in: db)
                    for row in updates {
                        try update.execute(arguments: [
                            row.status.rawValue, row.attempts, row.lastError, row.nextAttemptAt?.timeIntervalSince1970,
                            row.deliveredAt?.timeIntervalSince1970, row.sequence,
                        ])
                    }
                    return .commit
                }
            } catch {
                eventValues.withLock { $0.rolledBack() }
                throw error
            }
            eventValues.withLock { $0.committed() }
            if !events.isEmpty {
                nextEventID.withLock { $0 = firstEventID + Int64(events.count) }
                logged(CommittedEvents(firstID: firstEventID, messages: events, createdAt: eventTime))
            }
            then(inserted)
        }
    }

    /// The id of the last event logged (0 before the first).
    var lastEventID: Int64 { nextEventID.withLock { $0 } - 1 }

    /// Commits (and with `synchronousFull` fsyncs) a write of one row: proof that the database takes a
    /// durable write again after a storage failure.
    func probe() async throws {
        try await pool.write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO storage_probe (id, probedAt) VALUES (1, ?)",
                arguments: [Date().timeIntervalSince1970])
        }
    }

    /// The pending deliveries to `url` after `sequence`, oldest first, at most `limit`; `then` gets
    /// them while the writer is held, so that no commit lands between the query and the callback.
    func loadPending(
        url: String, after sequence: Int64, limit: Int, then: @escaping @Sendable ([PendingDelivery]) -> Void
    ) async throws {
        try await pool.writeWithoutTransaction { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT sequence, id, event, url, body, attempts, createdAt, traceParent, traceState FROM delivery
                    JOIN delivery_body USING (sequence)
                    WHERE status = 'pending' AND url = ? AND sequence > ? ORDER BY sequence LIMIT ?
                    """,
                arguments: [url, sequence, limit])
            then(
                rows.map { row in
                    PendingDelivery(
                        sequence: row["sequence"], id: row["id"], event: row["event"], url: row["url"],
                        body: [UInt8](row["body"] as Data), attempts: row["attempts"],
                        createdAt: Date(timeIntervalSince1970: row["createdAt"]),
                        trace: (row["traceParent"] as String?).map {
                            StoredTraceContext(traceParent: $0, traceState: row["traceState"])
                        })
                })
        }
    }

    /// The URLs that have pending deliveries and how many there are, given to `then` under the writer.
    func pendingSnapshot(then: @escaping @Sendable (_ urls: [String], _ count: Int) -> Void) async throws {
        try await pool.writeWithoutTransaction { db in
            let urls = try String.fetchAll(db, sql: "SELECT DISTINCT url FROM delivery WHERE status = 'pending'")
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM delivery WHERE status = 'pending'") ?? 0
            then(urls, count)
        }
    }

    /// Runs `body` on a reader.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.read(body)
    }

    /// Runs `body` in a write transaction (not in a group commit: for rare writes such as claiming the
    /// signing history or importing one).
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.write(body)
    }

    /// Deliveries, newest first, optionally of one status.
    func deliveries(status: DeliveryStatus?, limit: Int) async throws -> [DeliveryRecord] {
        try await pool.read { db in
            let columns = "id, event, url, status, attempts, lastError, createdAt, nextAttemptAt, deliveredAt"
            let rows: [Row]
            if let status {
                rows = try Row.fetchAll(
                    db, sql: "SELECT \(columns) FROM delivery WHERE status = ? ORDER BY sequence DESC LIMIT ?",
                    arguments: [status.rawValue, limit])
            } else {
                rows = try Row.fetchAll(
                    db, sql: "SELECT \(columns) FROM delivery ORDER BY sequence DESC LIMIT ?", arguments: [limit])
            }
            return rows.map { row in
                DeliveryRecord(
                    id: row["id"], event: row["event"], url: row["url"],
                    status: DeliveryStatus(rawValue: row["status"]) ?? .pending, attempts: row["attempts"],
                    lastError: row["lastError"], createdAt: Date(timeIntervalSince1970: row["createdAt"]),
                    nextAttemptAt: (row["nextAttemptAt"] as Double?).map(Date.init(timeIntervalSince1970:)),
                    deliveredAt: (row["deliveredAt"] as Double?).map(Date.init(timeIntervalSince1970:)))
            }
        }
    }

    /// How many deliveries have each status.
    func counts() async throws -> [DeliveryStatus: Int] {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM delivery GROUP BY status")
            var counts: [DeliveryStatus: Int] = [:]
            for row in rows {
                if let status = DeliveryStatus(rawValue: row["status"]) { counts[status] = row["n"] }
            }
            return counts
        }
    }

    /// Deletes the delivered deliveries delivered before `cutoff`; returns how many. Dead-lettered and
    /// pending ones are never deleted.
    func pruneDelivered(before cutoff: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(
                sql: """
                    DELETE FROM delivery_body WHERE sequence IN
                    (SELECT sequence FROM delivery WHERE status = 'delivered' AND deliveredAt < ?)
                    """,
                arguments: [cutoff.timeIntervalSince1970])
            try db.execute(
                sql: "DELETE FROM delivery WHERE status = 'delivered' AND deliveredAt < ?",
                arguments: [cutoff.timeIntervalSince1970])
            return db.changesCount
        }
    }

    /// The logged events after `id`, oldest first, at most `limit`, only those named in `names` when given.
    func events(after id: Int64, names: Set<String>?, limit: Int) async throws -> [LoggedEvent] {
        try await pool.read { db in try EventLogTable.events(after: id, names: names, limit: limit, in: db) }
    }

    /// Deletes the events logged before `cutoff`; returns how many.
    func pruneEvents(before cutoff: Date) async throws -> Int {
        try await pool.write { db in try EventLogTable.prune(before: cutoff, in: db) }
    }

    /// The writer's `PRAGMA synchronous` (2 = FULL, 1 = NORMAL) as the next commit of new deliveries
    /// finds it.
    func writerSynchronousMode() async throws -> Int {
        try await pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// Closes the database. Blocks the calling thread until GRDB's queues are idle (brief once
    /// every write has been awaited).
    func close() throws {
        defer { checkpointer.close() }
        try pool.close()
    }
}
