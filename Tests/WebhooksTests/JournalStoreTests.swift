import Backing
import Crypto
import Foundation
import GRDB
import Primitives
import Testing

@testable import Webhooks

/// The backing journal and the signing history in the outbox's database: committed with the deliveries,
/// read back as written, pruned with leaf churn, migrated from a v2 outbox, exported and imported.
@Suite(.timeLimit(.minutes(2)))
struct JournalStoreTests {
    let directory: TemporaryDirectory
    static let alice = Sr25519Keypair.dev("Alice")
    static let bob = Sr25519Keypair.dev("Bob")

    init() throws { directory = try TemporaryDirectory() }

    static func leaf(_ byte: UInt8, session: SessionIndex = 1) -> Leaf {
        Leaf(
            hash: H256(repeating: byte), number: 7, sessionIndex: session,
            validators: [alice.publicKey, bob.publicKey],
            validatorGroups: [[0, 1]],
            groupRotationInfo: GroupRotationInfo(sessionStartBlock: 0, groupRotationFrequency: 10, now: 1),
            availabilityCores: [.scheduled(ScheduledCore(paraId: 100))],
            paras: [100: Leaf.ParaState(validationCodeHash: H256(repeating: 3))], minimumBackingVotes: 2,
            disabledValidators: [1])
    }

    static func signing(
        _ kind: SigningRecord.Kind, _ candidate: UInt8, by keypair: Sr25519Keypair = alice, relayParent: UInt8 = 5,
        session: SessionIndex = 1
    ) -> SigningRecord {
        let hash = H256(repeating: candidate)
        let context = SigningContext(sessionIndex: session, parentHash: H256(repeating: relayParent))
        let compact: CompactStatement = kind == .seconded ? .seconded(hash) : .valid(hash)
        let signature = keypair.sign(compact.signingPayload(context))
        return SigningRecord(
            validator: keypair.publicKey, sessionIndex: session, relayParent: H256(repeating: relayParent), kind: kind,
            candidateHash: hash, signature: signature)
    }

    static func statement(_ index: UInt32, candidate: UInt8) -> SignedFullStatement {
        SignedFullStatement(
            payload: .valid(H256(repeating: candidate)), validatorIndex: ValidatorIndex(index),
            signature: Sr25519Signature(repeating: UInt8(index)))
    }

    func commit(_ store: OutboxStore, _ journal: [JournalRecord], deliveries: [NewDelivery] = []) async throws {
        try await store.commit(inserts: deliveries, updates: [], journal: journal) { _ in }
    }

    @Test func relayParentJournalsAreMarkedKeptWhenTheirBlockBecomesALeafAndWhenItsLeafGoes() async throws {
        let store = try OutboxStore(path: directory.database, synchronousFull: true)
        let leaf = Self.leaf(1)
        let ancestor = Self.leaf(2)
        let pvd = PersistedValidationData(
            parentHead: HeadData(bytes: [1]), relayParentNumber: 6, relayParentStorageRoot: .zero, maxPovSize: 9)
        let imported: JobEvent = .secondedWithDataImported(Self.statement(1, candidate: 4), pvd)
        let accepted: JobEvent = .secondWithDataAccepted(Messages.receipt, PoV([7]), pvd)
        try await commit(store, [.leafActivated(leaf), .relayParentStarted(ancestor)])
        try await commit(store, [.event(leaf: ancestor.hash, imported), .event(leaf: leaf.hash, accepted)])
        var read = try await store.read { try JournalTables.leaves(in: $0) }
        #expect(read.map(\.isRelayParentOnly) == [false, true])
        #expect(read.map(\.events) == [[accepted], [imported]])

        // The ancestor becomes a leaf: its events stay, its row is a leaf's with the new runtime data.
        var asLeaf = ancestor
        asLeaf.minimumBackingVotes = 1
        try await commit(store, [.relayParentBecameLeaf(asLeaf)])
        read = try await store.read { try JournalTables.leaves(in: $0) }
        #expect(read.map(\.isRelayParentOnly) == [false, false])
        #expect(read.last?.leaf == asLeaf)
        #expect(read.last?.events == [imported])

        // The first leaf goes while another still allows it: its journal stays, as a relay parent's.
        try await commit(store, [.leafBecameRelayParent(leaf.hash)])
        read = try await store.read { try JournalTables.leaves(in: $0) }
        #expect(read.map(\.isRelayParentOnly) == [true, false])
        #expect(read.first?.events == [accepted])
    }

    @Test func journalRecordsCommitWithDeliveriesAndReadBackAsWritten() async throws {
        let store = try OutboxStore(path: directory.database, synchronousFull: true)
        let first = Self.leaf(1)
        let second = Self.leaf(2)
        let events: [JobEvent] = [
            .statementImported(Self.statement(1, candidate: 9)),
            .secondAccepted(Messages.receipt, PoV([1, 2, 3])),
            .validationConcluded(.attested(H256(repeating: 9), Self.statement(0, candidate: 9))),
        ]
        let signed = Self.signing(.valid, 9)
        let delivery = NewDelivery(
            id: "d1", event: "statement.share", url: "http://127.0.0.1:1/", body: [1], createdAt: Date())
        try await commit(store, [.leafActivated(first), .leafActivated(second)])
        try await commit(
            store,
            [.event(leaf: first.hash, events[0]), .event(leaf: second.hash, events[1]), .signed(signed)]
                + [.event(leaf: first.hash, events[2])],
            deliveries: [delivery])
        let leaves = try await store.read { try JournalTables.leaves(in: $0) }
        #expect(leaves.map(\.leaf) == [first, second])
        #expect(leaves.map(\.events) == [[events[0], events[2]], [events[1]]])
        #expect(try await store.read { try JournalTables.signingRecords(in: $0) } == [signed])
        #expect(try await store.deliveries(status: .pending, limit: 10).map(\.id) == ["d1"])

        // Deactivation drops the leaf's journal, not the signing history.
        try await commit(store, [.leafDeactivated(first.hash)])
        let after = try await store.read { try JournalTables.leaves(in: $0) }
        #expect(after.map(\.leaf.hash) == [second.hash])
        #expect(try await store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM journal_event") } == 1)
        #expect(try await store.read { try JournalTables.signingRecords(in: $0) } == [signed])
        try store.close()
    }

    @Test func aFailedCommitLeavesNeitherTheJournalNorTheDeliveries() async throws {
        let store = try OutboxStore(path: directory.database, synchronousFull: true)
        try await commit(store, [.leafActivated(Self.leaf(1))])
        // The journal write fails after the delivery of the same commit was inserted.
        try await store.write { db in
            try db.execute(
                sql: "CREATE TRIGGER boom BEFORE INSERT ON journal_event BEGIN SELECT RAISE(ABORT, 'disk says no'); END"
            )
        }
        let delivery = NewDelivery(id: "d", event: "e", url: "http://127.0.0.1:1/", body: [1], createdAt: Date())
        await #expect(throws: (any Error).self) {
            try await commit(
                store, [.event(leaf: Self.leaf(1).hash, .statementImported(Self.statement(1, candidate: 2)))],
                deliveries: [delivery])
        }
        #expect(try await store.deliveries(status: nil, limit: 10).isEmpty)
        #expect(try await store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM journal_event") } == 0)
        try store.close()
    }

    @Test func signingHistoryPruningDropsOnlyOlderSessionsOfThatValidator() async throws {
        let store = try OutboxStore(path: directory.database, synchronousFull: true)
        let old = Self.signing(.seconded, 1, session: 1)
        let recent = Self.signing(.seconded, 2, session: 8)
        let bobs = Self.signing(.valid, 3, by: Self.bob, session: 1)
        try await commit(store, [.signed(old), .signed(recent), .signed(bobs)])
        try await commit(store, [.signingHistoryPruned(validator: Self.alice.publicKey, belowSession: 2)])
        let left = try await store.read { try JournalTables.signingRecords(in: $0) }
        #expect(Set(left) == [recent, bobs])
        try store.close()
    }

    @Test func leafChurnDoesNotGrowTheDatabase() async throws {
        let store = try OutboxStore(path: directory.database, synchronousFull: false)
        func churn(_ cycles: Int) async throws {
            for cycle in 0..<cycles {
                let leaf = Self.leaf(UInt8(cycle % 200))
                try await commit(store, [.leafActivated(leaf)])
                try await commit(
                    store,
                    (0..<5).map {
                        .event(leaf: leaf.hash, .statementImported(Self.statement(UInt32($0), candidate: 7)))
                    })
                try await commit(store, [.leafDeactivated(leaf.hash)])
            }
        }
        func pages() async throws -> Int {
            // The database's logical size (committed WAL pages included).
            try await store.read { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
        }
        try await churn(1_000)
        let after1k = try await pages()
        try await churn(9_000)
        let after10k = try await pages()
        #expect(after10k <= after1k + 2, "pages after 1,000 cycles: \(after1k), after 10,000: \(after10k)")
        #expect(try await store.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM journal_event") } == 0)
        try store.close()
    }

    @Test func aVersion2OutboxMigratesAndKeepsEveryPendingDelivery() async throws {
        do {
            let pool = try DatabasePool(path: directory.database)
            try OutboxMigrations.migrator.migrate(pool, upTo: "v2: bodies in their own table")
            try await pool.write { db in
                for n in 1...3 {
                    try db.execute(
                        sql:
                            "INSERT INTO delivery (id, event, url, createdAt) VALUES (?, 'e', 'http://127.0.0.1:1/', 0)",
                        arguments: ["p\(n)"])
                    try db.execute(
                        sql: "INSERT INTO delivery_body (sequence, body) VALUES (?, ?)",
                        arguments: [db.lastInsertedRowID, Data([UInt8(n)])])
                }
            }
            try pool.close()
        }
        let store = try OutboxStore(path: directory.database, synchronousFull: true)
        let pending = try await store.deliveries(status: .pending, limit: 10)
        #expect(pending.map(\.id).sorted() == ["p1", "p2", "p3"])
        try await commit(store, [.leafActivated(Self.leaf(1))])
        #expect(try await store.read { try JournalTables.leaves(in: $0) }.count == 1)
        let box = PendingBox()
        try await store.loadPending(url: "http://127.0.0.1:1/", after: 0, limit: 10) { box.rows = $0 }
        #expect(box.rows.map(\.body) == [[1], [2], [3]])
        try store.close()
    }
}

/// Interchange: export → import round trip, and every refusal names the record.
extension JournalStoreTests {
    func seed(_ records: [SigningRecord], owner: ValidatorId = alice.publicKey) async throws {
        let store = try OutboxStore(path: directory.database, synchronousFull: true)
        try await store.write { db in
            try db.execute(sql: "INSERT INTO signing_validator (validator) VALUES (?)", arguments: [Data(owner.bytes)])
        }
        try await commit(store, records.map { .signed($0) })
        try store.close()
    }

    @Test func exportThenImportIntoAnotherDataDirectoryGivesTheSameHistory() async throws {
        let records = [Self.signing(.seconded, 1), Self.signing(.valid, 2), Self.signing(.seconded, 3, relayParent: 6)]
        try await seed(records)
        let document = try await SigningHistoryInterchange.export(dataDirectory: directory.path)
        #expect(document.format == "backingd-signing-history/1" && document.validator == Self.alice.publicKey)
        #expect(Set(document.signingRecords) == Set(records))
        let json = try JSONEncoder().encode(document)
        let other = try TemporaryDirectory()
        let parsed = try JSONDecoder().decode(SigningHistoryDocument.self, from: json)
        #expect(try await SigningHistoryInterchange.importHistory(parsed, dataDirectory: other.path) == 3)
        #expect(try await SigningHistoryInterchange.importHistory(parsed, dataDirectory: other.path) == 0)
        let again = try await SigningHistoryInterchange.export(dataDirectory: other.path)
        #expect(Set(again.signingRecords) == Set(records) && again.validator == Self.alice.publicKey)
    }

    @Test func anImportThatConflictsWithTheHistoryIsRefusedWholeNamingTheRecord() async throws {
        try await seed([Self.signing(.seconded, 1)])
        // A Valid for the candidate we seconded: a validity double vote under either rules.
        let conflicting = SigningHistoryDocument(
            validator: Self.alice.publicKey, records: [Self.signing(.valid, 4), Self.signing(.valid, 1)])
        await #expect(throws: SigningHistoryInterchange.Failure.self) {
            try await SigningHistoryInterchange.importHistory(conflicting, dataDirectory: directory.path)
        }
        do {
            try await SigningHistoryInterchange.importHistory(conflicting, dataDirectory: directory.path)
        } catch let failure as SigningHistoryInterchange.Failure {
            #expect(failure.description.hasPrefix("records[1]"), "\(failure)")
        }
        // All or nothing: the valid first record was not merged either.
        let after = try await SigningHistoryInterchange.export(dataDirectory: directory.path)
        #expect(after.records.count == 1)
        // Another signature over a statement already recorded is a conflict too.
        let resigned = SigningHistoryDocument(validator: Self.alice.publicKey, records: [Self.signing(.seconded, 1)])
        await #expect(throws: SigningHistoryInterchange.Failure.self) {
            try await SigningHistoryInterchange.importHistory(resigned, dataDirectory: directory.path)
        }
    }

    /// Under asynchronous backing a validator seconds several candidates at one relay parent (a chain):
    /// such a history moves to another data directory, in one file or merged into what is there.
    @Test func severalSecondedAtOneRelayParentImportAsAsyncBackingSignsThem() async throws {
        let chain = [Self.signing(.seconded, 1), Self.signing(.seconded, 2), Self.signing(.valid, 7)]
        try await seed(chain)
        let document = try await SigningHistoryInterchange.export(dataDirectory: directory.path)
        let other = try TemporaryDirectory()
        #expect(try await SigningHistoryInterchange.importHistory(document, dataDirectory: other.path) == 3)
        let third = Self.signing(.seconded, 3)  // signatures are randomized: made once
        let next = SigningHistoryDocument(validator: Self.alice.publicKey, records: [third])
        #expect(try await SigningHistoryInterchange.importHistory(next, dataDirectory: other.path) == 1)
        let merged = try await SigningHistoryInterchange.export(dataDirectory: other.path)
        #expect(Set(merged.signingRecords) == Set(chain + [third]))
        // A Valid for one of those candidates is still a double vote.
        let double = SigningHistoryDocument(validator: Self.alice.publicKey, records: [Self.signing(.valid, 2)])
        await #expect(throws: SigningHistoryInterchange.Failure.self) {
            try await SigningHistoryInterchange.importHistory(double, dataDirectory: other.path)
        }
    }

    @Test func anImportOfAnotherValidatorsHistoryOrOfForgedSignaturesIsRefused() async throws {
        try await seed([Self.signing(.seconded, 1)])
        let bobs = SigningHistoryDocument(
            validator: Self.bob.publicKey, records: [Self.signing(.valid, 2, by: Self.bob)])
        await #expect(throws: SigningHistoryInterchange.Failure.self) {
            try await SigningHistoryInterchange.importHistory(bobs, dataDirectory: directory.path)
        }
        // Bob's signature under Alice's name.
        let forged = SigningHistoryDocument(
            validator: Self.alice.publicKey, records: [Self.signing(.valid, 2, by: Self.bob)])
        do {
            try await SigningHistoryInterchange.importHistory(forged, dataDirectory: directory.path)
            Issue.record("a forged record was imported")
        } catch let failure as SigningHistoryInterchange.Failure {
            #expect(failure.description.hasPrefix("records[0].signature"), "\(failure)")
        }
    }

    @Test func aNodeRefusesAHistoryThatBelongsToAnotherValidatorKey() async throws {
        try await seed([Self.signing(.seconded, 1)])
        let outbox = try WebhookOutbox(
            path: directory.database, configuration: WebhookConfiguration(subscriptions: []), client: CurlClient())
        await #expect(
            throws: JournalError.foreignValidator(history: Self.alice.publicKey, configured: Self.bob.publicKey)
        ) {
            try await outbox.claimSigningHistory(for: Self.bob.publicKey)
        }
        try await outbox.claimSigningHistory(for: Self.alice.publicKey)
        await outbox.shutdown()
    }
}

/// Rows handed to a store callback.
final class PendingBox: @unchecked Sendable {
    // Safe because: written in the store's callback before the awaited call returns, read after.
    var rows: [PendingDelivery] = []
}
