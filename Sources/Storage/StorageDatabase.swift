public import Backing
import Foundation
public import GRDB
import Synchronization

/// The node's SQLite database for engine state (available data, validation code), opened once per
/// process.
///
/// Concurrency: a GRDB `DatabasePool` in WAL mode: reads run in parallel with the single writer.
/// Always use the `async` ``read(_:)``/``write(_:)`` methods from Swift concurrency, which do not block
/// the cooperative thread pool.
///
/// Storage failures: a write that fails (disk full, I/O error on a write or an fsync, the write lock held
/// by another process, a read-only file system) throws a ``StorageFailure``, reports it to the handler of
/// ``onStorageFailure(_:)``, and every later write fails at once with it: the open connections are not
/// trusted again (a failed fsync may have lost pages that SQLite believes written) until ``reopen()``
/// opened the file afresh and proved it takes a durable write, and ``resume()`` lets writes through.
public final class StorageDatabase: Sendable {
    /// The database's file name in a node's data directory.
    public static let fileName = "node.sqlite"
    private let path: String
    private let current: Mutex<Opened>
    private let failed = Mutex<StorageFailure?>(nil)
    private let failureHandler = Mutex<(@Sendable (StorageFailure) -> Void)?>(nil)

    /// Opens (creating if needed) the database at `path` and migrates it.
    /// - Throws: GRDB's error when the file cannot be opened or migrated.
    public init(path: String) throws {
        self.path = path
        current = Mutex(try Self.open(path))
    }

    /// A pool and the checkpointer of its WAL.
    private struct Opened: Sendable {
        let pool: DatabasePool
        let checkpointer: WALCheckpointer
    }

    private static func open(_ path: String) throws -> Opened {
        var configuration = Configuration()
        configuration.label = "backingd.storage"
        configuration.busyMode = .timeout(1)
        let pool = try DatabasePool(path: path, configuration: configuration)
        // Every commit is fsynced (WAL mode's default, NORMAL, fsyncs at checkpoints only): registered code
        // is acknowledged, and a failing fsync is seen at the commit that needed it.
        // Checkpoints run off the writer (see ``WALCheckpointer``): an available-data commit of megabytes
        // would otherwise make the commit after it copy them into the file and fsync it.
        let checkpointer = try WALCheckpointer.takingOver(pool) { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        try Self.migrator.migrate(pool)
        return Opened(pool: pool, checkpointer: checkpointer)
    }

    /// The open pool (replaced by ``reopen()``).
    public var pool: DatabasePool { current.withLock { $0.pool } }

    /// The failure that stopped writes, until ``resume()``.
    public var storageFailure: StorageFailure? { failed.withLock { $0 } }

    /// Calls `handler` once per failure (when writes stop), on the thread of the write that failed.
    public func onStorageFailure(_ handler: @escaping @Sendable (StorageFailure) -> Void) {
        failureHandler.withLock { $0 = handler }
    }

    /// Runs `body` in a write transaction.
    /// - Throws: ``StorageFailure`` when the database failed (now or earlier, until ``resume()``); the
    ///   transaction is rolled back.
    public func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StorageFailure) -> T
    {
        if let failure = storageFailure { throw failure }
        do {
            return try await pool.write(body)
        } catch {
            let failure = StorageFailure(error, database: Self.fileName)
            let first = failed.withLock { failed -> Bool in
                defer { failed = failed ?? failure }
                return failed == nil
            }
            if first, let handler = failureHandler.withLock({ $0 }) { handler(failure) }
            throw failure
        }
    }

    /// Runs `body` on a reader.
    public func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.read(body)
    }

    /// Opens the file again with new connections and commits (and fsyncs) a probe write; the new pool
    /// replaces the old one, whose connections close once their last user is done. Writes stay stopped
    /// until ``resume()``.
    /// - Throws: ``StorageFailure`` while the database still fails.
    public func reopen() async throws(StorageFailure) {
        do {
            let fresh = try Self.open(path)
            try await fresh.pool.write { db in
                try db.execute(
                    sql: "INSERT OR REPLACE INTO storageProbe (id, probedAt) VALUES (1, ?)", arguments: [Date()])
            }
            let replaced = current.withLock { current in
                defer { current = fresh }
                return current
            }
            replaced.checkpointer.close()
        } catch {
            throw StorageFailure(error, database: Self.fileName)
        }
    }

    /// Lets writes through again (after ``reopen()``).
    public func resume() { failed.withLock { $0 = nil } }

    /// Migrations are append-only: a shipped migration is never edited, only followed by new ones.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: available data") { db in
            try db.create(table: "availableData") { t in
                t.primaryKey("candidateHash", .blob)
                t.column("nValidators", .integer).notNull()
                t.column("erasureRoot", .blob).notNull()
                t.column("data", .blob).notNull()
                t.column("storedAt", .datetime).notNull()
            }
        }
        migrator.registerMigration("v1: validation code") { db in
            try db.create(table: "validationCode") { t in
                t.primaryKey("codeHash", .blob)
                t.column("code", .blob).notNull()
                t.column("storedAt", .datetime).notNull()
            }
        }
        migrator.registerMigration("v2: storage probe") { db in
            // One row, rewritten by `reopen()` to prove that the database takes a durable write again.
            try db.create(table: "storageProbe") { t in
                t.primaryKey("id", .integer)
                t.column("probedAt", .datetime).notNull()
            }
        }
        return migrator
    }
}
