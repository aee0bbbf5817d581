public import GRDB

/// The node's SQLite database for engine state (available data, validation code), opened once per
/// process.
///
/// Concurrency: a GRDB `DatabasePool` in WAL mode: reads run in parallel with the single writer.
/// Always use the `async` `read`/`write` methods from Swift concurrency, which do not block the
/// cooperative thread pool.
public final class StorageDatabase: Sendable {
    public let pool: DatabasePool

    /// Opens (creating if needed) the database at `path` and migrates it.
    /// - Throws: GRDB's error when the file cannot be opened or migrated.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.label = "backingd.storage"
        configuration.busyMode = .timeout(5)
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

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
        return migrator
    }
}
