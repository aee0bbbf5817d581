import Primitives
public import ProspectiveParachains

/// What an async-backing leaf means for the engine: the ancestors it allows as relay parents, the
/// runtime data at each of them, and what prospective parachains learns of it.
extension Leaf {
    /// The ancestors that may serve as relay parents: at most `allowedAncestryLen`, parent first, and
    /// none across a session change (`uses_ancestry_only_within_session`).
    public var allowedAncestors: [AncestorBlock] {
        guard let asyncBackingParams else { return [] }
        let limit = Int(asyncBackingParams.allowedAncestryLen)
        return Array(ancestry.prefix(limit).prefix { ($0.sessionIndex ?? sessionIndex) == sessionIndex })
    }

    /// The runtime data at ancestor `block` as a leaf of its own: what the ancestor gives, the leaf's
    /// otherwise (same session: same validators, node features and backing votes).
    public func relayParentLeaf(for block: AncestorBlock) -> Leaf {
        let rotation =
            block.groupRotationInfo
            ?? GroupRotationInfo(
                sessionStartBlock: groupRotationInfo.sessionStartBlock,
                groupRotationFrequency: groupRotationInfo.groupRotationFrequency, now: block.number + 1)
        return Leaf(
            hash: block.hash, number: block.number, sessionIndex: block.sessionIndex ?? sessionIndex,
            validators: validators, validatorGroups: block.validatorGroups ?? validatorGroups,
            groupRotationInfo: rotation, availabilityCores: [], minimumBackingVotes: minimumBackingVotes,
            disabledValidators: block.disabledValidators ?? disabledValidators,
            claimQueue: block.claimQueue ?? claimQueue,
            nodeFeatures: nodeFeatures, schedulingLookahead: schedulingLookahead,
            asyncBackingParams: asyncBackingParams,
            parentHash: block.parentHash, stateRoot: block.stateRoot)
    }

    /// The leaf as prospective parachains takes it: its block, its allowed ancestors and each para's
    /// backing state, with chains `maxCandidateDepth` deep.
    public var activatedLeaf: ActivatedLeaf {
        ActivatedLeaf(
            block: RelayChainBlockInfo(hash: hash, number: number, storageRoot: stateRoot ?? .zero),
            parentHash: parentHash ?? .zero,
            ancestors: allowedAncestors.map {
                RelayChainBlockInfo(hash: $0.hash, number: $0.number, storageRoot: $0.stateRoot)
            },
            paras: paraBackingState.mapValues(\.backingState),
            maxDepth: Int(asyncBackingParams?.maxCandidateDepth ?? 0))
    }

    /// The minimum backing votes of today's rules: the runtime's value, `LEGACY_MIN_BACKING_VOTES` = 2
    /// when the leaf gives none.
    public static let legacyMinimumBackingVotes: UInt32 = 2

    /// The checks of an async-backing leaf: a claim queue, the parent's hash, a contiguous ancestry, and
    /// ancestors' groups and claim queues within bounds.
    func validateAsyncBacking() throws(LeafError) {
        guard claimQueue != nil else {
            throw .invalidRuntimeData(
                field: "claimQueue", reason: "an async-backing leaf (asyncBackingParams) needs the claim queue")
        }
        if number > 0, parentHash == nil {
            throw .invalidRuntimeData(field: "parentHash", reason: "an async-backing leaf needs its parent's hash")
        }
        var expected = (hash: parentHash, number: number)
        for (position, block) in ancestry.enumerated() {
            let field = "ancestry[\(position)]"
            guard expected.number > 0, block.number == expected.number - 1 else {
                throw .invalidRuntimeData(
                    field: "\(field).number",
                    reason: "expected \(expected.number == 0 ? "no ancestor of block 0" : "\(expected.number - 1)")")
            }
            guard block.hash == expected.hash else {
                throw .invalidRuntimeData(
                    field: "\(field).hash", reason: "expected the parent of the block before (\(expected.hash!))")
            }
            for (g, group) in (block.validatorGroups ?? []).enumerated() {
                for (i, member) in group.enumerated() where Int(member.rawValue) >= validators.count {
                    throw .invalidRuntimeData(
                        field: "\(field).validatorGroups[\(g)][\(i)]",
                        reason: "validator index \(member) out of bounds for \(validators.count) validators")
                }
            }
            let groupCount = (block.validatorGroups ?? validatorGroups).count
            for core in block.claimQueue?.cores ?? [] where Int(core.rawValue) >= groupCount {
                throw .invalidRuntimeData(
                    field: "\(field).claimQueue.\(core)",
                    reason: "core \(core) out of bounds for \(groupCount) cores (one per validator group)")
            }
            for (i, index) in (block.disabledValidators ?? []).enumerated()
            where Int(index.rawValue) >= validators.count {
                throw .invalidRuntimeData(
                    field: "\(field).disabledValidators[\(i)]",
                    reason: "validator index \(index) out of bounds for \(validators.count) validators")
            }
            expected = (block.parentHash, block.number)
        }
    }
}
