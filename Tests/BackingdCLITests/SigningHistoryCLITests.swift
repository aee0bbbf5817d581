import Crypto
import Foundation
import Primitives
import Testing

/// `backingd signing-history export|import` and the wrong-key refusal of `serve`, on the real binary.
struct SigningHistoryCLITests {
    static let alice = Sr25519Keypair.dev("Alice")

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "backingd-history-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A record signed by `keypair` over its statement in (session 1, relay parent 0x05…).
    static func record(_ kind: String, _ candidate: UInt8, by keypair: Sr25519Keypair = alice) -> [String: Any] {
        let hash = H256(repeating: candidate)
        let context = SigningContext(sessionIndex: 1, parentHash: H256(repeating: 5))
        let compact: CompactStatement = kind == "seconded" ? .seconded(hash) : .valid(hash)
        return [
            "sessionIndex": 1, "relayParent": H256(repeating: 5).hex, "kind": kind, "candidateHash": hash.hex,
            "signature": keypair.sign(compact.signingPayload(context)).hex,
        ]
    }

    static func document(_ records: [[String: Any]], validator: Sr25519Keypair = alice) throws -> String {
        let object: [String: Any] = [
            "format": "backingd-signing-history/1", "validator": validator.publicKey.hex, "records": records,
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test func importThenExportGivesTheRecordsBackAndAConflictExitsOneNamingTheRecord() async throws {
        let data = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let records = [Self.record("seconded", 1), Self.record("valid", 2)]
        let imported = try await BackingdCLITests.run(
            ["signing-history", "import", "-", "--data-dir", data], stdin: try Self.document(records))
        #expect(imported.status == 0, "\(imported.stderr)")
        let exported = try await BackingdCLITests.run(["signing-history", "export", "--data-dir", data])
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(exported.json?["format"] as? String == "backingd-signing-history/1")
        #expect(exported.json?["validator"] as? String == Self.alice.publicKey.hex)
        let kinds = (exported.json?["records"] as? [[String: Any]])?.compactMap { $0["kind"] as? String }
        #expect(kinds?.sorted() == ["seconded", "valid"])

        // A Valid for the candidate seconded at the same relay parent conflicts with the first record.
        let conflicting = try await BackingdCLITests.run(
            ["signing-history", "import", "-", "--data-dir", data],
            stdin: try Self.document([Self.record("valid", 1)]))
        #expect(conflicting.status == 1)
        #expect(conflicting.stderr.contains("records[0]"), "\(conflicting.stderr)")

        // Another validator's history, and a malformed document.
        let bob = Sr25519Keypair.dev("Bob")
        let foreign = try await BackingdCLITests.run(
            ["signing-history", "import", "-", "--data-dir", data],
            stdin: try Self.document([Self.record("valid", 4, by: bob)], validator: bob))
        #expect(foreign.status == 1)
        #expect(foreign.stderr.contains("validator"), "\(foreign.stderr)")
        let malformed = try await BackingdCLITests.run(
            ["signing-history", "import", "-", "--data-dir", data],
            stdin: #"{"format": "backingd-signing-history/1", "validator": "0x12", "records": []}"#)
        #expect(malformed.status == 1)
        #expect(malformed.stderr.contains("validator"), "\(malformed.stderr)")
    }

    @Test func serveRefusesADataDirectoryWhoseHistoryBelongsToAnotherKey() async throws {
        let data = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let imported = try await BackingdCLITests.run(
            ["signing-history", "import", "-", "--data-dir", data], stdin: try Self.document([Self.record("valid", 2)]))
        #expect(imported.status == 0, "\(imported.stderr)")
        let serve = try await BackingdCLITests.run([
            "serve", "--validator-seed", "//Bob", "--data-dir", data, "--listen", "127.0.0.1:0",
        ])
        #expect(serve.status != 0)
        #expect(serve.stderr.contains("signing history belongs to validator"), "\(serve.stderr)")
    }

    @Test func exportOfADataDirectoryWithoutHistoryExitsOne() async throws {
        let data = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let exported = try await BackingdCLITests.run(["signing-history", "export", "--data-dir", data])
        #expect(exported.status == 1)
        #expect(exported.stderr.contains("no signing history"), "\(exported.stderr)")
    }
}
