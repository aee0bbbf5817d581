internal import Backing
internal import Foundation
internal import GRDB
public import Primitives

/// The backing journal and the signing history in the outbox's database: written inside the outbox's
/// commit transaction (so records and the web-hooks they caused commit together), read back at start.
enum JournalTables {
    /// Writes `records` in order, inside the caller's transaction. Consecutive events of one leaf (a turn
    /// of its job: a whole batch, say) share one row, a SCALE `Vec<JobEvent>`: a row costs SQLite far more
    /// than the few bytes of its events.
    static func write(_ records: [JournalRecord], in db: Database) throws {
        var run: (leaf: Hash, events: [JobEvent])?
        func flushRun() throws {
            guard let (leaf, events) = run else { return }
            run = nil
            var encoder = ScaleEncoder(reservingCapacity: events.count * 160)
            encoder.append(events)
            try db.cachedStatement(
                sql: "INSERT INTO journal_event (leaf, event) SELECT id, ? FROM journal_leaf WHERE hash = ?"
            ).execute(arguments: [Data(encoder.bytes), Data(leaf.bytes)])
        }
        for record in records {
            if case .event(let leaf, let event) = record {
                if run?.leaf == leaf {
                    run?.events.append(event)
                } else {
                    try flushRun()
                    run = (leaf, [event])
                }
                continue
            }
            try flushRun()
            switch record {
            case .leafActivated(let leaf):
                try dropLeaf(leaf.hash, in: db)
                let runtime = try JSONEncoder().encode(leaf)
                try db.cachedStatement(sql: "INSERT INTO journal_leaf (hash, runtime) VALUES (?, ?)")
                    .execute(arguments: [leaf.hash.data, runtime])
            case .leafDeactivated(let hash):
                try dropLeaf(hash, in: db)
            case .relayParentStarted(let leaf):
                try dropLeaf(leaf.hash, in: db)
                try db.cachedStatement(
                    sql: "INSERT INTO journal_leaf (hash, runtime, relayParentOnly) VALUES (?, ?, 1)"
                ).execute(arguments: [leaf.hash.data, try JSONEncoder().encode(leaf)])
            case .relayParentBecameLeaf(let leaf):
                // The events the block's state imported as a relay parent stay; the row is a leaf's now.
                try db.cachedStatement(
                    sql: "UPDATE journal_leaf SET runtime = ?, relayParentOnly = 0 WHERE hash = ?"
                ).execute(arguments: [try JSONEncoder().encode(leaf), leaf.hash.data])
            case .leafBecameRelayParent(let hash):
                try db.cachedStatement(sql: "UPDATE journal_leaf SET relayParentOnly = 1 WHERE hash = ?")
                    .execute(arguments: [hash.data])
            case .event:
                break
            case .signed(let signed):
                try insert(signed, in: db)
            case .signingHistoryPruned(let validator, let session):
                try db.cachedStatement(sql: "DELETE FROM signing_record WHERE validator = ? AND sessionIndex < ?")
                    .execute(arguments: [validator.data, Int64(session)])
            }
        }
        try flushRun()
    }

    /// Inserts a signing record unless it is there (same key, session, relay parent, kind, candidate).
    static func insert(_ signed: SigningRecord, in db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO signing_record
                (validator, sessionIndex, relayParent, kind, candidateHash, signature) VALUES (?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            signed.validator.data, Int64(signed.sessionIndex), signed.relayParent.data,
            signed.kind.rawValue, signed.candidateHash.data, signed.signature.data,
        ])
    }

    private static func dropLeaf(_ hash: Hash, in db: Database) throws {
        try db.cachedStatement(
            sql: "DELETE FROM journal_event WHERE leaf = (SELECT id FROM journal_leaf WHERE hash = ?)"
        ).execute(arguments: [hash.data])
        try db.cachedStatement(sql: "DELETE FROM journal_leaf WHERE hash = ?").execute(arguments: [hash.data])
    }

    /// Every journaled leaf in activation order, with its events in order.
    /// - Throws: ``JournalError`` for a row that does not decode; GRDB's errors.
    static func leaves(in db: Database) throws -> [JournaledLeaf] {
        let leafRows = try Row.fetchAll(
            db, sql: "SELECT id, hash, runtime, relayParentOnly FROM journal_leaf ORDER BY id")
        let decoder = JSONDecoder()
        var leaves: [JournaledLeaf] = []
        let events = try db.cachedStatement(
            sql: "SELECT sequence, event FROM journal_event WHERE leaf = ? ORDER BY sequence")
        for row in leafRows {
            let id: Int64 = row["id"]
            let leaf: Leaf
            do {
                leaf = try decoder.decode(Leaf.self, from: row["runtime"] as Data)
            } catch {
                throw JournalError.undecodable(what: "the runtime data of journaled leaf \(id)", reason: "\(error)")
            }
            var decoded: [JobEvent] = []
            let cursor = try Row.fetchCursor(events, arguments: [id])
            while let eventRow = try cursor.next() {
                let bytes = eventRow["event"] as Data
                do {
                    var decoder = ScaleDecoder(bytes)
                    decoded += try decoder.readArray(of: JobEvent.self)
                    try decoder.finish()
                } catch {
                    let sequence: Int64 = eventRow["sequence"]
                    throw JournalError.undecodable(
                        what: "journal event \(sequence) of leaf \(leaf.hash)", reason: "\(error)")
                }
            }
            let relayParentOnly: Bool = row["relayParentOnly"]
            leaves.append(JournaledLeaf(leaf: leaf, events: decoded, isRelayParentOnly: relayParentOnly))
        }
        return leaves
    }

    /// Every signing record, oldest session first.
    static func signingRecords(in db: Database) throws -> [SigningRecord] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT validator, sessionIndex, relayParent, kind, candidateHash, signature FROM signing_record
                ORDER BY validator, sessionIndex, relayParent, kind, candidateHash
                """)
        return try rows.map { row in
            guard let kind = SigningRecord.Kind(rawValue: row["kind"]),
                let validator = try? ValidatorId([UInt8](row["validator"] as Data)),
                let relayParent = try? Hash([UInt8](row["relayParent"] as Data)),
                let candidate = try? CandidateHash([UInt8](row["candidateHash"] as Data)),
                let signature = try? ValidatorSignature([UInt8](row["signature"] as Data))
            else { throw JournalError.undecodable(what: "a signing record", reason: "a column has the wrong size") }
            return SigningRecord(
                validator: validator, sessionIndex: SessionIndex(row["sessionIndex"] as Int64),
                relayParent: relayParent, kind: kind, candidateHash: candidate, signature: signature)
        }
    }

    /// The validator key the signing history belongs to, if one was claimed.
    static func historyValidator(in db: Database) throws -> ValidatorId? {
        guard let data = try Data.fetchOne(db, sql: "SELECT validator FROM signing_validator LIMIT 1") else {
            return nil
        }
        return try? ValidatorId([UInt8](data))
    }

    /// Makes the signing history `validator`'s unless it belongs to another key already.
    /// - Returns: that other key (nothing is changed), or `nil` when the history is `validator`'s now.
    static func claimHistory(for validator: ValidatorId, in db: Database) throws -> ValidatorId? {
        if let owner = try historyValidator(in: db) { return owner == validator ? nil : owner }
        try db.execute(sql: "INSERT INTO signing_validator (validator) VALUES (?)", arguments: [validator.data])
        return nil
    }
}

/// A journal or signing-history row that cannot be read back.
public enum JournalError: Error, CustomStringConvertible, Equatable {
    case undecodable(what: String, reason: String)
    /// The data directory's signing history belongs to another validator key.
    case foreignValidator(history: ValidatorId, configured: ValidatorId)

    public var description: String {
        switch self {
        case .undecodable(let what, let reason): "cannot read \(what): \(reason)"
        case .foreignValidator(let history, let configured):
            "the data directory's signing history belongs to validator \(history), not to the configured \(configured)"
        }
    }
}
