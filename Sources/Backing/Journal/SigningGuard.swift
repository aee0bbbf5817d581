public import Crypto
public import Primitives
internal import Synchronization

/// A statement our validator signed: what the signing guard remembers per (key, session, relay parent).
///
/// The signature is kept, so that being asked for the same statement again gives back the same bytes:
/// sr25519 signatures are randomised, and two signatures over one statement are a `doubleSign` report.
public struct SigningRecord: Sendable, Equatable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable { case seconded, valid }

    public let validator: ValidatorId
    public let sessionIndex: SessionIndex
    public let relayParent: Hash
    public let kind: Kind
    public let candidateHash: CandidateHash
    public let signature: ValidatorSignature

    public init(
        validator: ValidatorId, sessionIndex: SessionIndex, relayParent: Hash, kind: Kind,
        candidateHash: CandidateHash, signature: ValidatorSignature
    ) {
        self.validator = validator
        self.sessionIndex = sessionIndex
        self.relayParent = relayParent
        self.kind = kind
        self.candidateHash = candidateHash
        self.signature = signature
    }

    /// The bytes ``signature`` covers: the compact statement in (session, relay parent).
    public var signingPayload: [UInt8] {
        let compact: CompactStatement = kind == .seconded ? .seconded(candidateHash) : .valid(candidateHash)
        return compact.signingPayload(SigningContext(sessionIndex: sessionIndex, parentHash: relayParent))
    }

    /// Where a conflict can arise: one validator's statements at one relay parent of one session.
    struct Scope: Hashable {
        let validator: ValidatorId
        let sessionIndex: SessionIndex
        let relayParent: Hash
    }

    var scope: Scope { Scope(validator: validator, sessionIndex: sessionIndex, relayParent: relayParent) }
}

/// Why the guard would not sign: each is a statement that would make the statement table report us.
public enum SigningRefusal: Sendable, Equatable, CustomStringConvertible {
    /// A Seconded for a second candidate at a relay parent where we seconded (`multipleCandidates`).
    case multipleCandidates(seconded: CandidateHash)
    /// Seconded and Valid for one candidate (`validityDoubleVote`).
    case validityDoubleVote(CandidateHash)

    /// The `reason` label of `backingd_signing_refused_total`.
    public var reason: String {
        switch self {
        case .multipleCandidates: "multipleCandidates"
        case .validityDoubleVote: "validityDoubleVote"
        }
    }

    public var description: String {
        switch self {
        case .multipleCandidates(let seconded):
            "the signing history holds our Seconded for candidate \(seconded) at this relay parent"
        case .validityDoubleVote(let candidate):
            "the signing history holds our other vote (Seconded or Valid) for candidate \(candidate) at this relay parent"
        }
    }
}

/// Slashing protection: the node's memory of every statement its validator signed, consulted before
/// every signature.
///
/// The guard decides and remembers in memory; durability is the caller's: a fresh signature comes
/// with its ``SigningRecord``, which the job submits in the same step as the statement, so the record
/// commits with (or before) any web-hook or answer that carries the signature. At start the guard is
/// filled from the durable history (``init(records:)``). Shared by every job (a `Mutex`, held briefly).
public final class SigningGuard: Sendable {
    public enum Decision: Sendable {
        /// A new signature, and the record that must become durable before it leaves the process.
        case signed(SignedFullStatement, SigningRecord)
        /// Signed before: the statement with the recorded signature.
        case reused(SignedFullStatement)
        case refused(SigningRefusal)
    }

    private let history: Mutex<[SigningRecord.Scope: [SigningRecord]]>

    /// - Parameter records: the durable history (every validator key it holds).
    public init(records: [SigningRecord] = []) {
        history = Mutex([:])
        remember(records)
    }

    /// Signs `statement` as validator `index` in `context`, unless that would conflict with what we
    /// signed before, or returns the earlier signature of the same statement.
    /// - Parameter allowsMultipleSeconded: today's table (async backing) takes several Seconded of one
    ///   validator at one relay parent; only Seconded and Valid for one candidate still conflict.
    public func sign(
        _ statement: Statement, validatorIndex index: ValidatorIndex, context: SigningContext, keypair: Sr25519Keypair,
        allowsMultipleSeconded: Bool = false
    ) -> Decision {
        let scope = SigningRecord.Scope(
            validator: keypair.publicKey, sessionIndex: context.sessionIndex, relayParent: context.parentHash)
        let (kind, candidate): (SigningRecord.Kind, CandidateHash) =
            switch statement.compact {
            case .seconded(let hash): (.seconded, hash)
            case .valid(let hash): (.valid, hash)
            }
        return history.withLock { history in
            let earlier = history[scope] ?? []
            if let same = earlier.first(where: { $0.kind == kind && $0.candidateHash == candidate }) {
                return .reused(
                    SignedFullStatement(payload: statement, validatorIndex: index, signature: same.signature))
            }
            if let refusal = Self.conflict(
                kind: kind, candidate: candidate, with: earlier, allowsMultipleSeconded: allowsMultipleSeconded)
            {
                return .refused(refusal)
            }
            let signed = SignedFullStatement.sign(statement, validatorIndex: index, context: context, keypair: keypair)
            let record = SigningRecord(
                validator: scope.validator, sessionIndex: scope.sessionIndex, relayParent: scope.relayParent,
                kind: kind,
                candidateHash: candidate, signature: signed.signature)
            history[scope, default: []].append(record)
            return .signed(signed, record)
        }
    }

    /// Why a Seconded for `candidate` would be refused at `relayParent`, without signing anything.
    public func refusal(
        ofSeconded candidate: CandidateHash, validator: ValidatorId, context: SigningContext,
        allowsMultipleSeconded: Bool = false
    ) -> SigningRefusal? {
        let scope = SigningRecord.Scope(
            validator: validator, sessionIndex: context.sessionIndex, relayParent: context.parentHash)
        return history.withLock { history in
            Self.conflict(
                kind: .seconded, candidate: candidate, with: history[scope] ?? [],
                allowsMultipleSeconded: allowsMultipleSeconded)
        }
    }

    /// Why `record` cannot join `earlier` (records of the same validator): it breaks a statement-table rule
    /// against one of them, or is the same statement with another signature. `nil` when it can (an
    /// identical record included).
    /// - Parameter allowsMultipleSeconded: several Seconded at one relay parent are no conflict (today's
    ///   rules at an async-backing relay parent).
    public static func conflict(
        of record: SigningRecord, with earlier: [SigningRecord], allowsMultipleSeconded: Bool = false
    ) -> String? {
        let scope = earlier.filter { $0.scope == record.scope }
        if let same = scope.first(where: { $0.kind == record.kind && $0.candidateHash == record.candidateHash }) {
            return same.signature == record.signature
                ? nil : "the same statement is recorded with another signature (\(same.signature))"
        }
        return conflict(
            kind: record.kind, candidate: record.candidateHash, with: scope,
            allowsMultipleSeconded: allowsMultipleSeconded
        ).map(\.description)
    }

    /// The statement-table rules our own statements must never break.
    static func conflict(
        kind: SigningRecord.Kind, candidate: CandidateHash, with earlier: [SigningRecord],
        allowsMultipleSeconded: Bool = false
    ) -> SigningRefusal? {
        for record in earlier {
            switch (kind, record.kind) {
            case (.seconded, .seconded) where record.candidateHash != candidate && !allowsMultipleSeconded:
                return .multipleCandidates(seconded: record.candidateHash)
            case (.seconded, .valid) where record.candidateHash == candidate,
                (.valid, .seconded) where record.candidateHash == candidate:
                return .validityDoubleVote(candidate)
            default:
                continue
            }
        }
        return nil
    }

    /// Adds records of the durable history (at start, before any job signs).
    public func remember(_ records: [SigningRecord]) {
        history.withLock { history in
            for record in records where !(history[record.scope] ?? []).contains(record) {
                history[record.scope, default: []].append(record)
            }
        }
    }

    /// Replaces the whole memory with the durable history (after a storage failure, when the node
    /// rebuilds its state from the database): a record signed but never committed is forgotten, which is
    /// safe because its signature never left the process (nothing carrying it was acknowledged).
    public func reset(to records: [SigningRecord]) {
        history.withLock { $0 = [:] }
        remember(records)
    }

    /// Forgets the records of sessions before `session` (the durable copy is pruned by the same rule).
    public func prune(validator: ValidatorId, belowSession session: SessionIndex) {
        history.withLock { history in
            history = history.filter { $0.key.validator != validator || $0.key.sessionIndex >= session }
        }
    }

    /// Every record, in no particular order (for tests and export).
    public var records: [SigningRecord] { history.withLock { Array($0.values.joined()) } }
}
