import Foundation
import GRDB
import Storage
import Testing

/// Once a checkpointer took the writer over, the writer's commits never checkpoint (held back, the WAL only
/// grows), and a commit that leaves 1,000 frames in the WAL wakes the checkpointer, whose passive checkpoint
/// copies everything committed, so that the writer starts the WAL over.
@Suite(.timeLimit(.minutes(1)))
struct WALCheckpointerTests {
    /// A WAL database with one table of blobs, and a checkpointer that took its writer over.
    static func open() throws -> (path: String, pool: DatabasePool, checkpointer: WALCheckpointer) {
        let path = try SQLiteAvailabilityStoreTests.temporaryDatabasePath()
        let pool = try DatabasePool(path: path)
        let checkpointer = try WALCheckpointer.takingOver(pool, interval: .milliseconds(1)) { db in
            try db.execute(sql: "CREATE TABLE blob (id INTEGER PRIMARY KEY, bytes BLOB NOT NULL)")
        }
        return (path, pool, checkpointer)
    }

    /// Commits `count` rows of 8 KiB (three pages or more each), one commit each.
    static func commit(_ count: Int, to pool: DatabasePool) async throws {
        for _ in 0..<count {
            try await pool.write { db in
                try db.execute(sql: "INSERT INTO blob (bytes) VALUES (randomblob(8192))")
            }
        }
    }

    /// The frames the WAL holds now (a passive checkpoint reports them; it copies what it can as well).
    static func walFrames(_ path: String) throws -> Int {
        try DatabaseQueue(path: path).inDatabase { db in
            try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)")?[1] ?? -1
        }
    }

    static func walFileSize(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
    }

    @Test func theWriterNoLongerCheckpointsItsWALPastAThousandPages() async throws {
        let (path, pool, checkpointer) = try Self.open()
        checkpointer.pause()
        // 600 commits of at least two pages: with SQLite's automatic checkpoint the WAL would start over
        // after about 1,000 pages and its file would stay near 4 MB.
        try await Self.commit(600, to: pool)
        #expect(try Self.walFileSize(path) > 1_200 * 4096)
        #expect(checkpointer.statistics.checkpoints == 0)
        checkpointer.resume()
        checkpointer.close()
        try pool.close()
    }

    @Test func theCheckpointerCopiesWhatWasCommittedSoThatTheWALStartsOver() async throws {
        let (path, pool, checkpointer) = try Self.open()
        // Held back while committing, so that the first checkpoint starts after the last commit; then one
        // more commit: the writer starts the WAL over only if that checkpoint copied every frame.
        checkpointer.pause()
        try await Self.commit(400, to: pool)
        checkpointer.resume()
        let deadline = ContinuousClock.now + .seconds(20)
        while checkpointer.statistics.checkpoints == 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(checkpointer.statistics.failures == 0)
        try await Self.commit(1, to: pool)
        checkpointer.close()
        let frames = try Self.walFrames(path)
        #expect((1...10).contains(frames), "the WAL holds \(frames) frames")
        let rows = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM blob") }
        #expect(rows == 401)
        try pool.close()
    }
}
