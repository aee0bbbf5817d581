public import Primitives

/// Validates a candidate from the chain state at its relay parent (Polkadot's
/// `CandidateValidationMessage::ValidateFromChainState`).
///
/// Implementations: the embedded PVF executor, or a remote validator over HTTP. The job enforces the
/// backing timeout itself; an implementation may also stop early when `request.executionTimeout` passes.
public protocol CandidateValidator: Sendable {
    func validate(_ request: ValidationRequest) async -> ValidationOutcome
}

/// Everything a validator gets: the candidate, its PoV and the leaf's chain state for its para.
public struct ValidationRequest: Sendable {
    public let candidate: CandidateReceipt
    public let pov: PoV
    public let relayParent: Hash
    /// The para's persisted validation data at the relay parent, when the leaf supplied it.
    public let persistedValidationData: PersistedValidationData?
    /// The para's current validation code hash, when the leaf supplied it.
    public let validationCodeHash: ValidationCodeHash?
    /// The backing execution timeout (2 s in Polkadot).
    public let executionTimeout: Duration
    /// The leaf accepts V2 descriptors (node feature CandidateReceiptV2): a V2 descriptor has no collator
    /// signature to check.
    public let acceptsV2Descriptors: Bool

    public init(
        candidate: CandidateReceipt, pov: PoV, relayParent: Hash, persistedValidationData: PersistedValidationData?,
        validationCodeHash: ValidationCodeHash?, executionTimeout: Duration, acceptsV2Descriptors: Bool = false
    ) {
        self.candidate = candidate
        self.pov = pov
        self.relayParent = relayParent
        self.persistedValidationData = persistedValidationData
        self.validationCodeHash = validationCodeHash
        self.executionTimeout = executionTimeout
        self.acceptsV2Descriptors = acceptsV2Descriptors
    }
}

/// A validator's verdict.
public enum ValidationOutcome: Sendable, Equatable {
    /// The candidate is valid and produced these outputs from this validation data.
    case valid(CandidateCommitments, PersistedValidationData)
    /// The candidate is invalid; backing reports it to the collator when seconding.
    case invalid(InvalidCandidate)
    /// Validation could not be carried out (an internal error of ours, a timeout of the backing
    /// deadline, a transport error): no statement and no report, as in Polkadot.
    case failure(String)
}

/// Why a candidate is invalid (Polkadot's `InvalidCandidate`).
public enum InvalidCandidate: Sendable, Equatable, CustomStringConvertible {
    case executionError(String)
    case invalidOutputs
    case timeout
    case paramsTooLarge(UInt64)
    case codeTooLarge(UInt64)
    case codeDecompressionFailure
    case povDecompressionFailure
    case badReturn
    case badParent
    case povHashMismatch
    case badSignature
    case paraHeadHashMismatch
    case codeHashMismatch
    /// The validation data hash in the descriptor does not match the chain's (later Polkadot names it so).
    case persistedValidationDataMismatch
    /// A reason given by an external validator that none of the cases above names.
    case other(String)

    public var description: String {
        switch self {
        case .executionError(let reason): "execution error: \(reason)"
        case .invalidOutputs: "invalid outputs"
        case .timeout: "timeout"
        case .paramsTooLarge(let size): "parameters too large (\(size) bytes)"
        case .codeTooLarge(let size): "code too large (\(size) bytes)"
        case .codeDecompressionFailure: "code decompression failure"
        case .povDecompressionFailure: "PoV decompression failure"
        case .badReturn: "bad return"
        case .badParent: "bad parent"
        case .povHashMismatch: "PoV hash mismatch"
        case .badSignature: "bad collator signature"
        case .paraHeadHashMismatch: "para head hash mismatch"
        case .codeHashMismatch: "validation code hash mismatch"
        case .persistedValidationDataMismatch: "persisted validation data hash mismatch"
        case .other(let reason): reason
        }
    }
}
