/// Provable misbehaviour by one authority, with the conflicting signed statements as evidence.
///
/// This is data, not an error: the table records it and goes on; backing reports it to the provisioner.
public enum TableMisbehavior<Context: StatementTableContext>: Hashable, Sendable {
    /// Seconded a candidate and also voted Valid on it (`IssuedAndValidity`): the Seconded statement's
    /// candidate and signature, then the Valid statement's digest and signature.
    case validityDoubleVote(
        seconded: Context.Candidate, secondedSignature: Context.Signature, valid: Context.Digest,
        validSignature: Context.Signature)
    /// Seconded two different candidates: the first one stored, then the new one.
    case multipleCandidates(
        first: Context.Candidate, firstSignature: Context.Signature, second: Context.Candidate,
        secondSignature: Context.Signature)
    /// Spoke about a candidate of a group it does not belong to.
    case unauthorizedStatement(TableSignedStatement<Context>)
    /// Signed the same Seconded statement twice with different signatures (earlier one first).
    case doubleSignSeconded(Context.Candidate, Context.Signature, Context.Signature)
    /// Signed the same Valid statement twice with different signatures (earlier one first).
    case doubleSignValidity(Context.Digest, Context.Signature, Context.Signature)
}
