import Backing
import Foundation
import Primitives
import Storage
import Testing

struct SQLiteAvailabilityStoreTests {
    static func temporaryDatabasePath() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "backingd-storage-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("node.sqlite").path
    }

    static let data = AvailableData(
        pov: PoV([1, 2, 3]),
        validationData: PersistedValidationData(
            parentHead: HeadData(bytes: [7, 8, 9]), relayParentNumber: 5, relayParentStorageRoot: H256(repeating: 1),
            maxPovSize: 1024))

    @Test func storedDataSurvivesReopeningTheFile() async throws {
        let path = try Self.temporaryDatabasePath()
        let hash = H256(repeating: 0xaa)
        do {
            let store = SQLiteAvailabilityStore(database: try StorageDatabase(path: path))
            try await store.storeAvailableData(
                candidateHash: hash, nValidators: 6, erasureRoot: H256(repeating: 2), data: Self.data)
        }
        let reopened = SQLiteAvailabilityStore(database: try StorageDatabase(path: path))
        let stored = await reopened.availableData(for: hash)
        #expect(
            stored
                == StoredAvailableData(
                    candidateHash: hash, nValidators: 6, erasureRoot: H256(repeating: 2), data: Self.data))
        #expect(await reopened.availableData(for: H256(repeating: 0xbb)) == nil)
    }

    @Test func storingAgainReplacesTheRecord() async throws {
        let store = SQLiteAvailabilityStore(database: try StorageDatabase(path: try Self.temporaryDatabasePath()))
        let hash = H256(repeating: 0xaa)
        try await store.storeAvailableData(
            candidateHash: hash, nValidators: 6, erasureRoot: H256(repeating: 2), data: Self.data)
        try await store.storeAvailableData(
            candidateHash: hash, nValidators: 10, erasureRoot: H256(repeating: 3), data: Self.data)
        #expect(await store.availableData(for: hash)?.nValidators == 10)
    }
}
