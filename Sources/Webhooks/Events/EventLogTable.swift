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
///
/// The receipts and keys that records refer to are in `event_log_value` (see ``EventLogValues``), a row per
/// commit that added any, and where each epoch of them begins in `event_log_epoch`.
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

    /// The id the next value gets: after every value logged and every epoch's first.
    static func nextValueID(in db: Database) throws -> Int64 {
        let values =
            try Int64.fetchOne(db, sql: "SELECT firstID + count FROM event_log_value ORDER BY firstID DESC LIMIT 1")
            ?? 1
        let epochs =
            try Int64.fetchOne(
                db, sql: "SELECT firstValueID FROM event_log_epoch ORDER BY firstEventID DESC LIMIT 1") ?? 1
        return max(values, epochs, 1)
    }

    /// Inserts `records` as the events from `firstID` on, with the values they add and the epoch they begin,
    /// inside the caller's transaction.
    static func insert(
        _ records: EventRecords, values: EventLogValues.Written, beginning epoch: EventLogValues.Epoch?,
        firstID: Int64, createdAt: Double, in db: Database
    ) throws {
        try insertBlob(
            records.bytes, sql: "INSERT INTO event_log (firstID, count, createdAt, records) VALUES (?, ?, ?, ?)",
            arguments: [firstID, records.count, createdAt], in: db)
        if values.count > 0 {
            try insertBlob(
                values.bytes, sql: "INSERT INTO event_log_value (firstID, count, bytes) VALUES (?, ?, ?)",
                arguments: [values.firstID, values.count], in: db)
        }
        if let epoch {
            try db.cachedStatement(sql: "INSERT INTO event_log_epoch (firstEventID, firstValueID) VALUES (?, ?)")
                .execute(arguments: [epoch.firstEventID, epoch.firstValueID])
        }
    }

    /// Executes `sql` with `arguments` and then `bytes` as a blob.
    private static func insertBlob(
        _ bytes: [UInt8], sql: String, arguments: StatementArguments, in db: Database
    ) throws {
        let insert = try db.cachedStatement(sql: sql)
        try bytes.withUnsafeBytes { buffer in
            guard let start = buffer.baseAddress else { return }
            // Bound as it is, without a copy: a statement executed with a few arguments binds a blob with
            // SQLITE_STATIC, and SQLite copies it once into the page.
            let blob = Data(
                bytesNoCopy: UnsafeMutableRawPointer(mutating: start), count: buffer.count, deallocator: .none)
            try insert.execute(arguments: arguments + [blob])
        }
    }

    /// The values records refer to, read from `db` as they are asked for, a row at a time.
    static func values(in db: Database) -> EventValueSource {
        var known: [Int64: ArraySlice<UInt8>] = [:]
        return EventValueSource { id in
            if let value = known[id] { return value }
            guard
                let row = try Row.fetchOne(
                    db,
                    sql:
                        "SELECT firstID, count, bytes FROM event_log_value WHERE firstID <= ? ORDER BY firstID DESC LIMIT 1",
                    arguments: [id])
            else { return nil }
            let firstID: Int64 = row["firstID"]
            let values = try EventLogValues.values(
                in: ArraySlice([UInt8](row["bytes"] as Data)), count: row["count"], firstID: firstID)
            for (index, value) in values.enumerated() { known[firstID + Int64(index)] = value }
            return known[id]
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
        let values = values(in: db)
        while events.count < limit, let row = try rows.next() {
            events += try EventRecords.loggedEvents(
                in: [UInt8](row["records"] as Data), count: row["count"], firstID: row["firstID"],
                createdAt: row["createdAt"], after: id, names: names, limit: limit - events.count, values: values)
        }
        return events
    }

    /// Deletes the events logged before `cutoff`, and the values only records of earlier epochs than the
    /// oldest remaining event's refer to; returns how many events.
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
        let next = try nextID(in: db)
        try db.execute(sql: "UPDATE event_log_mark SET nextID = ? WHERE id = 1", arguments: [next])
        try db.execute(sql: "DELETE FROM event_log WHERE firstID < \(end)", arguments: arguments)
        let oldest = try Int64.fetchOne(db, sql: "SELECT firstID FROM event_log ORDER BY firstID LIMIT 1")
        if let epoch = try Row.fetchOne(
            db,
            sql: """
                SELECT firstEventID, firstValueID FROM event_log_epoch WHERE firstEventID <= ?
                ORDER BY firstEventID DESC LIMIT 1
                """,
            arguments: [oldest ?? next])
        {
            try db.execute(
                sql: "DELETE FROM event_log_value WHERE firstID + count <= ?", arguments: [epoch["firstValueID"]])
            try db.execute(
                sql: "DELETE FROM event_log_epoch WHERE firstEventID < ?", arguments: [epoch["firstEventID"]])
        }
        return doomed
    }
}
