public import Backing
import Crypto
internal import Foundation
internal import GRDB
public import Primitives

/// The signing history as a portable document, to move a validator between machines without losing its
/// slashing protection (as EIP-3076 does for Ethereum validator clients):
/// `{"format": "backingd-signing-history/1", "validator": "0x…", "records": [{sessionIndex, relayParent,
/// kind, candidateHash, signature}]}`.
public struct SigningHistoryDocument: Codable, Sendable, Equatable {
    public static let currentFormat = "backingd-signing-history/1"

    public struct Record: Codable, Sendable, Equatable {
        public let sessionIndex: SessionIndex
        public let relayParent: Hash
        public let kind: SigningRecord.Kind
        public let candidateHash: CandidateHash
        public let signature: ValidatorSignature
    }

    public let format: String
    public let validator: ValidatorId
    public let records: [Record]

    public init(validator: ValidatorId, records: [SigningRecord]) {
        format = Self.currentFormat
        self.validator = validator
        self.records = records.map {
            Record(
                sessionIndex: $0.sessionIndex, relayParent: $0.relayParent, kind: $0.kind,
                candidateHash: $0.candidateHash,
                signature: $0.signature)
        }
    }

    /// The records as the guard holds them.
    public var signingRecords: [SigningRecord] {
        records.map {
            SigningRecord(
                validator: validator, sessionIndex: $0.sessionIndex, relayParent: $0.relayParent, kind: $0.kind,
                candidateHash: $0.candidateHash, signature: $0.signature)
        }
    }
}

/// Export and import of a data directory's signing history (`backingd signing-history`), straight on its
/// database file (the node should not be running; SQLite's locking keeps a running one consistent).
public enum SigningHistoryInterchange {
    /// Why an import or export cannot go ahead; the message names the record at fault.
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// The data directory's signing history.
    /// - Throws: ``Failure`` when the directory has no history owner; storage errors.
    public static func export(dataDirectory: String) async throws -> SigningHistoryDocument {
        let store = try open(dataDirectory)
        defer { try? store.close() }
        let (owner, records) = try await store.read { db in
            (try JournalTables.historyValidator(in: db), try JournalTables.signingRecords(in: db))
        }
        guard let validator = owner ?? records.first?.validator else {
            throw Failure(description: "\(dataDirectory) holds no signing history (no validator has run there)")
        }
        return SigningHistoryDocument(validator: validator, records: records.filter { $0.validator == validator })
    }

    /// Merges `document` into the data directory's history, all or nothing: every record must be a valid
    /// signature of the document's validator, the validator must be the directory's (or the directory
    /// has none yet), and no record may conflict with the history or with an earlier record (several
    /// Seconded at one relay parent do not: async backing signs them).
    /// - Returns: how many records were new.
    /// - Throws: ``Failure`` naming the record; storage errors.
    @discardableResult
    public static func importHistory(_ document: SigningHistoryDocument, dataDirectory: String) async throws -> Int {
        guard document.format == SigningHistoryDocument.currentFormat else {
            throw Failure(
                description: "format: expected \(SigningHistoryDocument.currentFormat), got \(document.format)")
        }
        let incoming = document.signingRecords
        for (index, record) in incoming.enumerated() {
            guard document.validator.isValidSignature(record.signature, for: record.signingPayload) else {
                throw Failure(
                    description:
                        "records[\(index)].signature: not \(document.validator)'s signature over \(record.kind) \(record.candidateHash) at relay parent \(record.relayParent), session \(record.sessionIndex)"
                )
            }
        }
        let store = try open(dataDirectory)
        defer { try? store.close() }
        return try await store.write { db in
            // Claimed in this transaction: a refused record below undoes the claim too.
            if let owner = try JournalTables.claimHistory(for: document.validator, in: db) {
                throw Failure(
                    description:
                        "validator: the file's history belongs to \(document.validator), the data directory's to \(owner)"
                )
            }
            var known = try JournalTables.signingRecords(in: db).filter { $0.validator == document.validator }
            var added = 0
            for (index, record) in incoming.enumerated() {
                // A record does not say whether its relay parent ran today's rules, where a validator seconds
                // up to `maxCandidateDepth + 1` candidates: several Seconded at one relay parent are taken
                // as such (refusing them would only leave the guard knowing less); a Seconded and a Valid
                // of one candidate, or a statement re-signed, conflict under either rules.
                if let conflict = SigningGuard.conflict(of: record, with: known, allowsMultipleSeconded: true) {
                    throw Failure(
                        description:
                            "records[\(index)] (\(record.kind) \(record.candidateHash) at relay parent \(record.relayParent), session \(record.sessionIndex)) conflicts with the history: \(conflict)"
                    )
                }
                guard !known.contains(record) else { continue }
                try JournalTables.insert(record, in: db)
                known.append(record)
                added += 1
            }
            return added
        }
    }

    private static func open(_ dataDirectory: String) throws -> OutboxStore {
        guard FileManager.default.fileExists(atPath: dataDirectory) else {
            throw Failure(description: "no data directory at \(dataDirectory)")
        }
        return try OutboxStore(
            path: URL(fileURLWithPath: dataDirectory).appendingPathComponent(OutboxStore.fileName).path,
            synchronousFull: true)
    }
}
