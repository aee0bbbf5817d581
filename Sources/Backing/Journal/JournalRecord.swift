public import Primitives

/// What the engine makes durable besides its messages, so that a restart rebuilds every job exactly.
///
/// A job's state is a function of its leaf and of the inputs it acted on, in order: the statements it
/// imported, the Second requests it accepted and how each background validation concluded. Replaying
/// those inputs into a fresh job (``BackingJob/replay(_:)``) gives back the same table, summaries, backed
/// set and misbehaviour reports; our own statements come back with their recorded signatures.
public enum JournalRecord: Sendable, Equatable {
    /// A leaf was activated with this runtime data. (Indirect, like the other large payloads, so that a
    /// record is a few words: a job appends one per imported statement.)
    indirect case leafActivated(Leaf)
    /// A leaf was deactivated: its journal can go.
    case leafDeactivated(Hash)
    /// An async-backing leaf allowed an ancestor as a relay parent: that block's state started with
    /// this runtime data (journaled like a leaf's, restored with the leaf that allows it).
    indirect case relayParentStarted(Leaf)
    /// A block whose relay-parent state was started by another leaf became an active leaf itself (its
    /// journal is kept, with this runtime data).
    indirect case relayParentBecameLeaf(Leaf)
    /// An async-backing leaf was deactivated while another leaf still allows it as a relay parent: its
    /// journal is kept as a relay parent's.
    case leafBecameRelayParent(Hash)
    /// An input a leaf's job acted on.
    case event(leaf: Hash, JobEvent)
    /// A statement our validator signed (the signing guard's record; kept beyond the journal).
    indirect case signed(SigningRecord)
    /// The signing history of `validator` before `belowSession` is no longer needed.
    case signingHistoryPruned(validator: ValidatorId, belowSession: SessionIndex)
}

/// One input of a job, in the order the job acted on it.
public enum JobEvent: Sendable, Equatable {
    /// A statement from another validator, after its signature check (a disabled sender's is not kept).
    case statementImported(SignedFullStatement)
    /// A Second request we accepted: validation started with this PoV.
    indirect case secondAccepted(CandidateReceipt, PoV)
    /// A background validation concluded.
    case validationConcluded(ValidationConclusion)
    /// At an async-backing relay parent: a Seconded from another validator with the validation data it
    /// came with.
    indirect case secondedWithDataImported(SignedFullStatement, PersistedValidationData)
    /// At an async-backing relay parent: a Second request we accepted, with its validation data.
    indirect case secondWithDataAccepted(CandidateReceipt, PoV, PersistedValidationData)
}

/// How a background validation ended, as far as the job's state is concerned.
public enum ValidationConclusion: Sendable, Equatable {
    /// A candidate we were asked to second: our Seconded statement, or `nil` when we did not sign
    /// (found invalid, already seconded, or refused by the signing guard).
    case seconded(CandidateHash, SignedFullStatement?)
    /// A candidate someone else seconded: our Valid statement, or `nil` when we did not sign.
    case attested(CandidateHash, SignedFullStatement?)
    /// The PoV could not be fetched: the next backer is asked.
    case noPoV(CandidateHash)
    /// Nothing to report (an error of ours or a timeout): the candidate is not validated again here.
    case ended(CandidateHash)

    public var candidateHash: CandidateHash {
        switch self {
        case .seconded(let hash, _), .attested(let hash, _), .noPoV(let hash), .ended(let hash): hash
        }
    }
}

/// SCALE, for the journal's rows: a tag byte, then the fields in order.
extension JobEvent: ScaleCodable {
    public func encode(to encoder: inout ScaleEncoder) {
        switch self {
        case .statementImported(let statement):
            encoder.append(UInt8(0))
            encoder.append(statement)
        case .secondAccepted(let candidate, let pov):
            encoder.append(UInt8(1))
            encoder.append(candidate)
            encoder.append(pov)
        case .validationConcluded(let conclusion):
            encoder.append(UInt8(2))
            encoder.append(conclusion)
        case .secondedWithDataImported(let statement, let data):
            encoder.append(UInt8(3))
            encoder.append(statement)
            encoder.append(data)
        case .secondWithDataAccepted(let candidate, let pov, let data):
            encoder.append(UInt8(4))
            encoder.append(candidate)
            encoder.append(pov)
            encoder.append(data)
        }
    }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        switch try decoder.readByte() {
        case 0: self = .statementImported(try decoder.read())
        case 1: self = .secondAccepted(try decoder.read(), try decoder.read())
        case 2: self = .validationConcluded(try decoder.read())
        case 3: self = .secondedWithDataImported(try decoder.read(), try decoder.read())
        case 4: self = .secondWithDataAccepted(try decoder.read(), try decoder.read(), try decoder.read())
        case let tag: throw .invalidTag(type: "JobEvent", tag: tag, offset: decoder.offset - 1)
        }
    }
}

extension ValidationConclusion: ScaleCodable {
    /// Tag, candidate hash, then our statement (an `Option`) for the two cases that carry one.
    public func encode(to encoder: inout ScaleEncoder) {
        let (tag, signed): (UInt8, SignedFullStatement??) =
            switch self {
            case .seconded(_, let signed): (0, .some(signed))
            case .attested(_, let signed): (1, .some(signed))
            case .noPoV: (2, nil)
            case .ended: (3, nil)
            }
        encoder.append(tag)
        encoder.append(candidateHash)
        if let signed { encoder.append(signed) }
    }

    public init(from decoder: inout ScaleDecoder) throws(ScaleDecodingError) {
        switch try decoder.readByte() {
        case 0: self = .seconded(try decoder.read(), try decoder.readOptional())
        case 1: self = .attested(try decoder.read(), try decoder.readOptional())
        case 2: self = .noPoV(try decoder.read())
        case 3: self = .ended(try decoder.read())
        case let tag: throw .invalidTag(type: "ValidationConclusion", tag: tag, offset: decoder.offset - 1)
        }
    }
}

/// A leaf's journal as read back at start: its runtime data and its events in order.
public struct JournaledLeaf: Sendable {
    public let leaf: Leaf
    public let events: [JobEvent]
    /// The state of a relay parent an async-backing leaf allowed, not an active leaf itself.
    public let isRelayParentOnly: Bool

    public init(leaf: Leaf, events: [JobEvent], isRelayParentOnly: Bool = false) {
        self.leaf = leaf
        self.events = events
        self.isRelayParentOnly = isRelayParentOnly
    }
}
