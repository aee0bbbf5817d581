internal import Foundation
internal import GRDB

/// The `event_log` table of the outbox database: a row per commit that had events, holding that commit's
/// events as ``EventRecords`` under the id of its first event (the others follow it one by one), written
/// in the outbox's commit transaction (so an event is logged exactly when the deliveries and journal
/// records of the same request are), read back to replay after an id, and pruned by age.
///
/// Why a row per commit: a row per event cost the v0.9.12 batch import a B-tree insert per statement; a
/// commit's events together are one insert of one blob.
///
/// Ids only grow: the next id follows the last logged event, and `event_log_mark` keeps the next id when
/// pruning deletes the rows that said so (so that even with every row pruned, a restart does not hand
/// out an id again).
enum EventLogTable {
    /// The id the next logged event gets: after every event logged, and never below the mark.
    static func nextID(in db: Database) throws -> Int64 {
        // The last row ends the log (rows never overlap and ids only grow): one primary-key lookup, where a MAX
        // over `firstID + count` would read every row.
        let logged =
            try Int64.fetchOne(db, sql: "SELECT firstID + count FROM event_log ORDER BY firstID DESC LIMIT 1") ?? 1
        let mark = try Int64.fetchOne(db, sql: "SELECT nextID FROM event_log_mark WHERE id = 1") ?? 1
        return max(logged, mark, 1)
    }

    /// Inserts `records` as the events from `firstID` on, inside the caller's transaction.
    static func insert(_ records: EventRecords, firstID: Int64, createdAt: Double, in db: Database) throws {
        let insert = try db.cachedStatement(
            sql: "INSERT INTO event_log (firstID, count, createdAt, records) VALUES (?, ?, ?, ?)")
        try records.bytes.withUnsafeBytes { buffer in
            guard let start = buffer.baseAddress else { return }
            // Bound as it is, without a copy: a statement executed with a few arguments binds a blob with
            // SQLITE_STATIC, and SQLite copies it once into the page.
            let blob = Data(
                bytesNoCopy: UnsafeMutableRawPointer(mutating: start), count: buffer.count, deallocator: .none)
            try insert.execute(arguments: [firstID, records.count, createdAt, blob])
        }
    }

    /// The events after `id`, oldest first, at most `limit`; only those named in `names` when it is given.
    /// A record is decoded and its web-hook body made only when it is wanted.
    /// - Throws: GRDB's errors; ``EventRecordError`` or `ScaleDecodingError` for a row that does not decode.
    static func events(after id: Int64, names: Set<String>?, limit: Int, in db: Database) throws -> [LoggedEvent] {
        // No event comes after the largest id a client may send (and `id + 1` below must not overflow).
        guard limit > 0, id < Int64.max, names.map({ !$0.isEmpty }) ?? true else { return [] }
        // From the row that holds the event after `id` (the last row starting at or before it) on.
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT firstID, count, createdAt, records FROM event_log
                WHERE firstID >= COALESCE((SELECT MAX(firstID) FROM event_log WHERE firstID <= ?), 0)
                ORDER BY firstID
                """,
            arguments: [id + 1])
        var events: [LoggedEvent] = []
        while events.count < limit, let row = try rows.next() {
            events += try EventRecords.loggedEvents(
                in: [UInt8](row["records"] as Data), count: row["count"], firstID: row["firstID"],
                createdAt: row["createdAt"], after: id, names: names, limit: limit - events.count)
        }
        return events
    }

    /// Deletes the events logged before `cutoff`; returns how many.
    ///
    /// Deletes every row before the first one logged at or after the cutoff, so that the cost is the rows
    /// deleted (no index on the time): ids grow with commit time, and if the clock stepped back a few old
    /// rows after a young one wait for a later pass, while no young row is ever deleted. The mark keeps the
    /// next id first, in the same transaction, in case every row goes.
    static func prune(before cutoff: Date, in db: Database) throws -> Int {
        let end = """
            COALESCE(
                (SELECT firstID FROM event_log WHERE createdAt >= ? ORDER BY firstID LIMIT 1),
                (SELECT MAX(firstID) + 1 FROM event_log))
            """
        let arguments: StatementArguments = [cutoff.timeIntervalSince1970]
        let doomed =
            try Int.fetchOne(db, sql: "SELECT SUM(count) FROM event_log WHERE firstID < \(end)", arguments: arguments)
            ?? 0
        guard doomed > 0 else { return 0 }
        try db.execute(sql: "UPDATE event_log_mark SET nextID = ? WHERE id = 1", arguments: [try nextID(in: db)])
        try db.execute(sql: "DELETE FROM event_log WHERE firstID < \(end)", arguments: arguments)
        return doomed
    }
}
