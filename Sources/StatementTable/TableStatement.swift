/// A statement as the table sees it: Seconded carries the candidate, Valid only its digest.
public enum TableStatement<Candidate: Hashable & Sendable, Digest: Hashable & Sendable>: Hashable, Sendable {
    case seconded(Candidate)
    case valid(Digest)
}

/// A statement with its signature and signer.
public struct TableSignedStatement<Context: StatementTableContext>: Hashable, Sendable {
    public var statement: TableStatement<Context.Candidate, Context.Digest>
    public var signature: Context.Signature
    public var sender: Context.AuthorityId

    public init(
        statement: TableStatement<Context.Candidate, Context.Digest>, signature: Context.Signature,
        sender: Context.AuthorityId
    ) {
        self.statement = statement
        self.signature = signature
        self.sender = sender
    }
}

/// A validity vote stored for a candidate: `issued` by its seconder, or an explicit `valid`.
public enum ValidityVote<Signature: Hashable & Sendable>: Hashable, Sendable {
    case issued(Signature)
    case valid(Signature)
}

/// A vote as it leaves the table for an attested candidate.
public enum TableValidityAttestation<Signature: Hashable & Sendable>: Hashable, Sendable {
    /// The voter seconded the candidate.
    case implicit(Signature)
    /// The voter sent a Valid statement.
    case explicit(Signature)
}
