import Backing
import Foundation
import Primitives
import Storage
import Testing
import Validation

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

struct SQLiteValidationCodeStoreTests {
    @Test func codeIsStoredOnceByItsHashAndSurvivesReopening() async throws {
        let path = try SQLiteAvailabilityStoreTests.temporaryDatabasePath()
        let code = ValidationCode(bytes: [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0])
        do {
            let store = SQLiteValidationCodeStore(database: try StorageDatabase(path: path))
            let first = try await store.store(code)
            #expect(first.hash == code.hash)
            #expect(first.inserted)
            #expect(try await store.store(code).inserted == false)
        }
        let reopened = SQLiteValidationCodeStore(database: try StorageDatabase(path: path))
        #expect(try await reopened.code(for: code.hash) == code)
        #expect(try await reopened.code(for: H256(repeating: 1)) == nil)
    }
}
