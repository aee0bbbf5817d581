internal import GRDB

/// The outbox database's schema (deliveries, the backing journal, the signing history, the event log), as append-only migrations: a shipped migration is never edited, a change is a
/// new one, so that a database written by any release opens in every later one.
enum OutboxMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: deliveries") { db in
            // One row per (message, subscribed URL). `sequence` (the rowid) is the global submit order,
            // which gives per-URL FIFO order; `id` is the X-Backing-Delivery uuid, stable across retries.
            // Times are Unix seconds (REAL). Rows are updated by `sequence`, so `id` needs no index (a
            // random-uuid index would cost each insert a random B-tree write).
            try db.execute(
                sql: """
                    CREATE TABLE delivery (
                        sequence INTEGER PRIMARY KEY,
                        id TEXT NOT NULL,
                        event TEXT NOT NULL,
                        url TEXT NOT NULL,
                        body BLOB NOT NULL,
                        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
                        attempts INTEGER NOT NULL DEFAULT 0,
                        lastError TEXT,
                        createdAt REAL NOT NULL,
                        nextAttemptAt REAL,
                        deliveredAt REAL
                    );
                    CREATE INDEX delivery_pending_url ON delivery(url, sequence) WHERE status = 'pending';
                    CREATE INDEX delivery_status ON delivery(status, sequence);
                    """)
        }
        migrator.registerMigration("v2: bodies in their own table") { db in
            // Marking a delivery delivered rewrote the page holding its ~2 KB body, doubling what each
            // delivery wrote to the WAL. With the bodies apart, status updates touch pages of small rows.
            try db.execute(
                sql: """
                    CREATE TABLE delivery_body (
                        sequence INTEGER PRIMARY KEY,
                        body BLOB NOT NULL
                    );
                    INSERT INTO delivery_body (sequence, body) SELECT sequence, body FROM delivery;
                    ALTER TABLE delivery DROP COLUMN body;
                    """)
        }
        migrator.registerMigration("v3: backing journal and signing history") { db in
            // The journal: each active leaf's runtime data (JSON, as posted) and the inputs its job acted
            // on in `sequence` order, a row per commit and leaf (a SCALE `Vec<JobEvent>`). A leaf's rows go when it is deactivated.
            // The signing history: every statement our validator signed, kept by session, not by leaf,
            // so that pruning the journal never forgets a signature. `signing_validator` names the key
            // the history belongs to.
            try db.execute(
                sql: """
                    CREATE TABLE journal_leaf (
                        id INTEGER PRIMARY KEY,
                        hash BLOB NOT NULL UNIQUE,
                        runtime BLOB NOT NULL
                    );
                    CREATE TABLE journal_event (
                        sequence INTEGER PRIMARY KEY,
                        leaf INTEGER NOT NULL,
                        event BLOB NOT NULL
                    );
                    CREATE INDEX journal_event_leaf ON journal_event(leaf, sequence);
                    CREATE TABLE signing_record (
                        validator BLOB NOT NULL,
                        sessionIndex INTEGER NOT NULL,
                        relayParent BLOB NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('seconded', 'valid')),
                        candidateHash BLOB NOT NULL,
                        signature BLOB NOT NULL,
                        PRIMARY KEY (validator, sessionIndex, relayParent, kind, candidateHash)
                    ) WITHOUT ROWID;
                    CREATE TABLE signing_validator (
                        validator BLOB PRIMARY KEY
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v4: storage probe") { db in
            // One row, rewritten after a storage failure to prove that the database takes a durable write again.
            try db.execute(sql: "CREATE TABLE storage_probe (id INTEGER PRIMARY KEY, probedAt REAL NOT NULL)")
        }
        migrator.registerMigration("v5: relay-parent journals") { db in
            // Async backing keeps a state per relay parent an active leaf allows; such a block's row is
            // journaled like a leaf's and restored with the leaf that allows it.
            try db.execute(
                sql: "ALTER TABLE journal_leaf ADD COLUMN relayParentOnly INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v6: delivery trace context") { db in
            // The W3C trace context of the span that caused a delivery, committed with it, so that the POST
            // (perhaps after a restart) carries a `traceparent` in the trace of the request behind it.
            try db.execute(
                sql: """
                    ALTER TABLE delivery ADD COLUMN traceParent TEXT;
                    ALTER TABLE delivery ADD COLUMN traceState TEXT;
                    """)
        }
        migrator.registerMigration("v7: event log, a row per commit") { db in
            // Every web-hook event once (not per URL), subscribed or not, for `GET /v1/events`: written in the
            // commit of the deliveries and journal records of the same request, replayed after a client's
            // last id, pruned by age. A row per commit with its events packed (see `EventLogTable`), and the
            // next id kept apart, so that ids are never handed out again, even once every row was pruned.
            // A log of the earlier form (a row per event, on main for a while as "v6: event log") is
            // dropped, its next id kept.
            var nextID: Int64 = 1
            if try db.tableExists("event_log") {
                if try db.tableExists("sqlite_sequence"),
                    let last = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'event_log'")
                {
                    nextID = last + 1
                }
                try db.execute(sql: "DROP TABLE event_log")
            }
            try db.execute(
                sql: """
                    CREATE TABLE event_log (
                        firstID INTEGER PRIMARY KEY,
                        count INTEGER NOT NULL CHECK (count > 0),
                        createdAt REAL NOT NULL,
                        records BLOB NOT NULL
                    );
                    CREATE TABLE event_log_mark (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        nextID INTEGER NOT NULL
                    );
                    """)
            try db.execute(sql: "INSERT INTO event_log_mark (id, nextID) VALUES (1, ?)", arguments: [nextID])
        }
        migrator.registerMigration("v8: event log values") { db in
            // The receipts and public keys that `dispute.statements` records refer to by number instead of
            // carrying them (see `EventLogValues`): a row per commit that adds any, and where each epoch of
            // them begins, in events and in values, for pruning. Rows logged before keep their receipts.
            try db.execute(
                sql: """
                    CREATE TABLE event_log_value (
                        firstID INTEGER PRIMARY KEY,
                        count INTEGER NOT NULL CHECK (count > 0),
                        bytes BLOB NOT NULL
                    );
                    CREATE TABLE event_log_epoch (
                        firstEventID INTEGER PRIMARY KEY,
                        firstValueID INTEGER NOT NULL
                    );
                    """)
        }
        return migrator
    }
}
