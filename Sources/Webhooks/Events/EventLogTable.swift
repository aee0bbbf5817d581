internal import Foundation
internal import GRDB

/// The `event_log` table of the outbox database: every web-hook event, written in the outbox's commit
/// transaction (so an event is logged exactly when the deliveries and journal records of the same request
/// are), read back to replay after an id, and pruned by age.
enum EventLogTable {
    /// Inserts `events` in order inside the caller's transaction; returns them with their ids.
    static func insert(_ events: [NewEvent], in db: Database) throws -> [LoggedEvent] {
        guard !events.isEmpty else { return [] }
        let insert = try db.cachedStatement(sql: "INSERT INTO event_log (event, body, createdAt) VALUES (?, ?, ?)")
        var logged: [LoggedEvent] = []
        logged.reserveCapacity(events.count)
        for event in events {
            let createdAt = event.createdAt.timeIntervalSince1970
            try insert.execute(arguments: [event.event, Data(event.body), createdAt])
            // The time as stored (Unix seconds), so that a live event equals the same event read back.
            logged.append(
                LoggedEvent(
                    id: db.lastInsertedRowID, event: event.event, body: event.body,
                    createdAt: Date(timeIntervalSince1970: createdAt)))
        }
        return logged
    }

    /// The events after `id`, oldest first, at most `limit`; only those named in `names` when it is given.
    static func events(after id: Int64, names: Set<String>?, limit: Int, in db: Database) throws -> [LoggedEvent] {
        var sql = "SELECT sequence, event, body, createdAt FROM event_log WHERE sequence > ?"
        var values: [any DatabaseValueConvertible] = [id]
        if let names {
            guard !names.isEmpty else { return [] }
            sql += " AND event IN (\(Array(repeating: "?", count: names.count).joined(separator: ", ")))"
            values += names.sorted()
        }
        sql += " ORDER BY sequence LIMIT ?"
        values.append(limit)
        return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(values)).map { row in
            LoggedEvent(
                id: row["sequence"], event: row["event"], body: [UInt8](row["body"] as Data),
                createdAt: Date(timeIntervalSince1970: row["createdAt"]))
        }
    }

    /// Deletes the events logged before `cutoff`; returns how many.
    ///
    /// Deletes every row before the first one logged at or after the cutoff, so that the cost is the rows
    /// deleted (no index on the time): ids grow with submit time, and if the clock stepped back a few old
    /// rows after a young one wait for a later pass, while no young row is ever deleted.
    static func prune(before cutoff: Date, in db: Database) throws -> Int {
        try db.execute(
            sql: """
                DELETE FROM event_log WHERE sequence < COALESCE(
                    (SELECT sequence FROM event_log WHERE createdAt >= ? ORDER BY sequence LIMIT 1),
                    (SELECT MAX(sequence) + 1 FROM event_log))
                """,
            arguments: [cutoff.timeIntervalSince1970])
        return db.changesCount
    }
}
