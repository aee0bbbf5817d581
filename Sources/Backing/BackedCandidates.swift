public import Primitives
public import StatementTable

/// Builds the relay chain's `BackedCandidate` from an attested candidate (`table_attested_to_backed`).
public enum BackedCandidates {
    /// Orders the votes by the voters' positions in the candidate's backing group and sets the matching
    /// bits, so that the i-th set bit belongs to the i-th vote. At a leaf with a claim queue the answer
    /// names its core, and with ElasticScalingMVP on the core index follows the group bits.
    ///
    /// - Returns: `nil` when the candidate has no group or a voter is not in it (a logic error upstream).
    public static func make(from attested: AttestedCandidate<TableContext>, context: TableContext) -> BackedCandidate? {
        guard let group = context.members(of: attested.groupId), let core = context.core(of: attested.groupId) else {
            return nil
        }
        var positioned: [(position: Int, vote: ValidityAttestation)] = []
        var bits = BitVec(count: group.count)
        for (authority, attestation) in attested.validityVotes {
            guard let position = group.firstIndex(of: authority) else { return nil }
            bits[position] = true
            let vote: ValidityAttestation =
                switch attestation {
                case .implicit(let signature): .implicit(signature)
                case .explicit(let signature): .explicit(signature)
                }
            positioned.append((position, vote))
        }
        positioned.sort { $0.position < $1.position }
        let scheduling = context.scheduling
        var backed = BackedCandidate(
            candidate: attested.candidate, validityVotes: positioned.map(\.vote), groupBits: bits, coreIndex: core,
            injectingCoreIndex: scheduling.injectsCoreIndex)
        if !scheduling.hasClaimQueue { backed.coreIndex = nil }
        return backed
    }
}
