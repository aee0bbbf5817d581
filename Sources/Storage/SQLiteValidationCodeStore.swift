import Foundation
import GRDB
public import Primitives
public import Validation

/// Validation code by its blake2b-256 hash, in SQLite (what `PUT /v1/validation-code` registers and a
/// leaf's `paras[paraId].validationCodeHash` refers to).
public final class SQLiteValidationCodeStore: ValidationCodeStore {
    private let database: StorageDatabase

    public init(database: StorageDatabase) { self.database = database }

    public func code(for hash: ValidationCodeHash) async throws -> ValidationCode? {
        let bytes: Data? = try await database.read { db in
            try Data.fetchOne(
                db, sql: "SELECT code FROM validationCode WHERE codeHash = ?", arguments: [hash.data])
        }
        return bytes.map { ValidationCode(bytes: Array($0)) }
    }

    /// Stores `code` unless it is already known.
    /// - Returns: its hash, and whether it was new.
    public func store(_ code: ValidationCode) async throws -> (hash: ValidationCodeHash, inserted: Bool) {
        let hash = code.hash
        let inserted = try await database.write { db -> Bool in
            try db.execute(
                sql: "INSERT OR IGNORE INTO validationCode (codeHash, code, storedAt) VALUES (?, ?, ?)",
                arguments: [hash.data, Data(code.bytes), Date()])
            return db.changesCount > 0
        }
        return (hash, inserted)
    }
}
