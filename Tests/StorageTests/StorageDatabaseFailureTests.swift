import Backing
import Foundation
import GRDB
import Primitives
import Storage
import Synchronization
import Testing
import Validation

/// A write the database refuses stops every later write of the node database until it was reopened
/// (fresh connections that took a durable probe write) and resumed.
@Suite(.timeLimit(.minutes(1)))
struct StorageDatabaseFailureTests {
    @Test func aFailedWriteStopsWritesUntilTheDatabaseIsReopenedAndResumed() async throws {
        let path = try SQLiteAvailabilityStoreTests.temporaryDatabasePath()
        let database = try StorageDatabase(path: path)
        let codes = SQLiteValidationCodeStore(database: database)
        let reported = Mutex(0)
        database.onStorageFailure { _ in reported.withLock { $0 += 1 } }

        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true  // the lock is held across accesses on purpose
        let other = try DatabaseQueue(path: path, configuration: configuration)
        try other.inDatabase { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        let error = await #expect(throws: StorageFailure.self) {
            try await codes.store(ValidationCode(bytes: [1]))
        }
        #expect(error?.reason.contains("write lock") == true, "\(String(describing: error))")
        try other.inDatabase { db in try db.execute(sql: "ROLLBACK") }
        try other.close()

        await #expect(throws: StorageFailure.self) { try await codes.store(ValidationCode(bytes: [2])) }
        try await database.reopen()
        database.resume()
        #expect(try await codes.store(ValidationCode(bytes: [1])).inserted)
        #expect(try await codes.code(for: ValidationCode(bytes: [2]).hash) == nil)
        #expect(reported.withLock { $0 } == 1)
    }
}
