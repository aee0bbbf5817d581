public import Backing
import Foundation
import GRDB
public import Primitives

/// The availability store in SQLite: a candidate's available data (SCALE-encoded) with its validator
/// count and erasure root, kept across restarts, so that `GET /v1/povs/…` and `GET /v1/availability/…`
/// can serve what this node seconded or validated.
public final class SQLiteAvailabilityStore: AvailabilityStore {
    private let database: StorageDatabase

    public init(database: StorageDatabase) { self.database = database }

    public func storeAvailableData(
        candidateHash: CandidateHash, nValidators: Int, erasureRoot: Hash, data: AvailableData
    ) async throws {
        let encoded = Data(data.scaleEncoded)
        try await database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO availableData (candidateHash, nValidators, erasureRoot, data, storedAt)
                    VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(candidateHash) DO UPDATE SET
                      nValidators = excluded.nValidators, erasureRoot = excluded.erasureRoot, data = excluded.data
                    """,
                arguments: [candidateHash.data, nValidators, erasureRoot.data, encoded, Date()])
        }
    }

    public func availableData(for candidateHash: CandidateHash) async -> StoredAvailableData? {
        let record: (nValidators: Int, erasureRoot: Data, data: Data)?
        do {
            record = try await database.read { db in
                try Row.fetchOne(
                    db, sql: "SELECT nValidators, erasureRoot, data FROM availableData WHERE candidateHash = ?",
                    arguments: [candidateHash.data]
                ).map { (nValidators: $0["nValidators"], erasureRoot: $0["erasureRoot"], data: $0["data"]) }
            }
        } catch {
            return nil
        }
        guard let record, let root = try? H256(Array(record.erasureRoot)),
            let data = try? AvailableData(scaleEncoded: Array(record.data))
        else { return nil }
        return StoredAvailableData(
            candidateHash: candidateHash, nValidators: record.nValidators, erasureRoot: root, data: data)
    }
}
