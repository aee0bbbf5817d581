public import Primitives

/// Every message the backing engine sends out, mirroring the seed's outgoing subsystem messages.
///
/// The cases that carry a candidate receipt (about 330 bytes inline) are indirect, so that a message is
/// small to copy whatever it carries: the engine queues one per statement.
public enum OutboundMessage: Sendable, Equatable {
    /// `StatementDistributionMessage::Share`: a statement we signed, for the other validators.
    case statementShare(relayParent: Hash, statement: SignedFullStatement)
    /// `StatementDistributionMessage::Share` at an async-backing relay parent: a statement we signed with,
    /// for a Seconded, the validation data its candidate builds on (`SignedFullStatementWithPVD`).
    case statementShareWithPVD(
        relayParent: Hash, statement: SignedFullStatement, persistedValidationData: PersistedValidationData?)
    /// `StatementDistributionMessage::Backed` (with `ProspectiveParachainsMessage::CandidateBacked`): a
    /// candidate at an async-backing relay parent reached its quorum; the provisioner pulls it with
    /// `GetBackableCandidates`.
    case statementBacked(relayParent: Hash, paraId: ParaId, coreIndex: CoreIndex?, candidateHash: CandidateHash)
    /// `CollatorProtocolMessage::Seconded`: we seconded the collator's candidate.
    case collatorSeconded(relayParent: Hash, statement: SignedFullStatement)
    /// `CollatorProtocolMessage::Invalid`: the collator's candidate is invalid (or from the wrong collator).
    indirect case collatorInvalid(relayParent: Hash, candidate: CandidateReceipt)
    /// `ProvisionableData::BackedCandidate`: the candidate reached its quorum (sent once per candidate).
    indirect case provisionerBacked(relayParent: Hash, candidate: CandidateReceipt)
    /// `ProvisionableData::MisbehaviorReport`.
    indirect case provisionerMisbehavior(relayParent: Hash, validatorIndex: ValidatorIndex, misbehavior: Misbehavior)
    /// `DisputeCoordinatorMessage::ImportStatements`: one imported statement about a known candidate.
    indirect case disputeStatements(DisputeStatementImport)
    /// `AvailabilityStoreMessage::StoreAvailableData` completed.
    case availabilityStored(candidateHash: CandidateHash, nValidators: Int, erasureRoot: Hash)

    /// The web-hook event name of this message.
    public var event: String {
        switch self {
        case .statementShare, .statementShareWithPVD: "statement.share"
        case .statementBacked: "statement.backed"
        case .collatorSeconded: "collator.seconded"
        case .collatorInvalid: "collator.invalid"
        case .provisionerBacked: "provisioner.backed"
        case .provisionerMisbehavior: "provisioner.misbehavior"
        case .disputeStatements: "dispute.statements"
        case .availabilityStored: "availability.stored"
        }
    }
}

/// The dispute coordinator's view of one backing statement.
public struct DisputeStatementImport: Sendable, Equatable {
    public let candidateHash: CandidateHash
    public let candidateReceipt: CandidateReceipt
    public let session: SessionIndex
    public let statements: [SignedDisputeStatement]

    public init(
        candidateHash: CandidateHash, candidateReceipt: CandidateReceipt, session: SessionIndex,
        statements: [SignedDisputeStatement]
    ) {
        self.candidateHash = candidateHash
        self.candidateReceipt = candidateReceipt
        self.session = session
        self.statements = statements
    }
}

/// A dispute statement with its signer (`SignedDisputeStatement` with its validator index).
public struct SignedDisputeStatement: Sendable, Equatable, Codable {
    public let statement: DisputeStatement
    public let validatorIndex: ValidatorIndex
    public let validatorPublic: ValidatorId
    public let signature: ValidatorSignature

    public init(
        statement: DisputeStatement, validatorIndex: ValidatorIndex, validatorPublic: ValidatorId,
        signature: ValidatorSignature
    ) {
        self.statement = statement
        self.validatorIndex = validatorIndex
        self.validatorPublic = validatorPublic
        self.signature = signature
    }
}
