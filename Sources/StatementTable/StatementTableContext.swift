/// What the statement table needs to know about the world: how to identify and group candidates, who
/// belongs to which group, and how many votes a group needs.
///
/// The table itself knows nothing of signatures' meaning, sessions or networking: backing binds it to
/// Polkadot's types (validator indices, candidate hashes, para ids, sr25519 signatures) with one
/// small conformance, and tests bind it to toy types.
public protocol StatementTableContext {
    /// Who makes statements (a validator index).
    associatedtype AuthorityId: Hashable & Sendable
    /// What identifies a candidate (a candidate hash).
    associatedtype Digest: Hashable & Sendable
    /// What a candidate belongs to, and what authorities are grouped by (a para id).
    associatedtype GroupId: Hashable & Sendable
    /// A signature on a statement; compared for equality only.
    associatedtype Signature: Hashable & Sendable
    /// The candidate a Seconded statement carries (a committed candidate receipt).
    associatedtype Candidate: Hashable & Sendable

    func candidateDigest(_ candidate: Candidate) -> Digest
    func candidateGroup(_ candidate: Candidate) -> GroupId
    /// Whether `authority` may vote on candidates of `group`.
    func isMember(_ authority: AuthorityId, of group: GroupId) -> Bool
    /// How many validity votes (the seconder's included) make a candidate of `group` attested;
    /// `Int.max` for a group nobody belongs to.
    func requisiteVotes(for group: GroupId) -> Int
}
