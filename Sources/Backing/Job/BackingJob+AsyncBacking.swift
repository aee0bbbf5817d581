import Logging
public import Primitives
import ProspectiveParachains

/// Today's rules at an async-backing relay parent (a leaf with `asyncBackingParams` or one of the
/// ancestors it allows): the candidate comes with its validation data, prospective parachains must
/// have room for it, a validator may second several candidates, and a statement counts in the group of
/// its signer's core.
extension BackingJob {
    /// `Second` at an async-backing relay parent (§3.5 of today's rules, and the seconding bound of §3.13).
    func secondAsync(
        _ candidate: CandidateReceipt, pov: PoV, persistedValidationData: PersistedValidationData?
    ) -> SecondOutcome {
        let hash = candidate.hash
        let para = candidate.descriptor.paraId
        func refuse(_ reason: String) -> SecondOutcome {
            SecondOutcome(candidateHash: hash, accepted: false, reason: reason)
        }
        guard !stopped else { return refuse("the relay parent is no longer in view") }
        guard let persistedValidationData else {
            return refuse("persistedValidationData is required at an async-backing relay parent")
        }
        guard persistedValidationData.hash == candidate.descriptor.persistedValidationDataHash else {
            return refuse("persistedValidationData does not hash to the descriptor's persistedValidationDataHash")
        }
        guard let local = localValidator else { return refuse("we are not a validator at this relay parent") }
        guard canIssueStatements else { return refuse("our validator is disabled at this relay parent") }
        guard claimedParas.contains(para) else {  // empty when we are in no group
            return refuse(
                "para \(para) is not in the claim queue of our core\(localCore.map { " \($0)" } ?? " (we are in no group)")"
            )
        }
        if let broken = descriptorRuleRefusal(candidate, hash: hash) { return refuse(broken) }
        guard !issuedStatements.contains(hash) else { return refuse("already issued a statement for this candidate") }
        let seconding = (secondedBy[local.index]?.count ?? 0) + secondsInFlight.count
        guard seconding < secondingLimit else {
            return refuse(
                "seconding limit: \(seconding) candidates seconded or being validated for seconding at this relay parent, "
                    + "the most maxCandidateDepth + 1 = \(secondingLimit) allows")
        }
        if let refusal = signingGuard.refusal(
            ofSeconded: hash, validator: local.keypair.publicKey, context: signingContext, allowsMultipleSeconded: true)
        {
            metrics.signingRefused(refusal).increment()
            return refuse("signing guard: \(refusal)")
        }
        self.persistedValidationData[hash] = persistedValidationData
        guard startValidation(of: candidate, source: .ready(pov), purpose: .second) else {
            return refuse("the candidate is already being validated")
        }
        secondsInFlight.insert(hash)
        record(.secondWithDataAccepted(candidate, pov, persistedValidationData))
        return SecondOutcome(candidateHash: hash, accepted: true)
    }

    /// Our Seconded for a valid candidate, if the seconding sanity check passes: some active leaf that
    /// allows this relay parent for the para has a fragment chain that could take the candidate (§3.7).
    func signSecondedAsync(_ validated: ValidatedCandidate, hash: CandidateHash) -> SignedFullStatement? {
        guard !issuedStatements.contains(hash), let asyncBacking else { return nil }
        let receipt = CommittedCandidateReceipt(
            descriptor: validated.candidate.descriptor, commitments: validated.commitments)
        guard let pvd = persistedValidationData[hash],
            let entry = try? CandidateEntry(
                candidateHash: hash, receipt: receipt, persistedValidationData: pvd, state: .seconded)
        else { return nil }
        let para = receipt.descriptor.paraId
        guard !asyncBacking.membership(para: para, relayParent: leaf.hash, candidate: entry).isEmpty else {
            logger.info(
                "seconding sanity check: no active leaf's chain can take the candidate; not seconded",
                metadata: ["candidate": "\(hash)", "para": "\(para)"])
            return nil
        }
        return sign(.seconded(receipt))
    }

    /// Our Seconded, once signed: prospective parachains must take it (`IntroduceSecondedCandidate`), or
    /// the collator hears the candidate is invalid and it may be seconded again later.
    func applySecondedAsync(_ signed: SignedFullStatement, hash: CandidateHash) {
        guard let asyncBacking, case .seconded(let receipt) = signed.payload, let local = localValidator else { return }
        guard let pvd = persistedValidationData[hash],
            asyncBacking.introduceSeconded(
                para: receipt.descriptor.paraId, receipt: receipt, persistedValidationData: pvd)
        else {
            if !replaying {
                logger.info(
                    "prospective parachains rejected our seconded candidate", metadata: ["candidate": "\(hash)"])
            }
            emit(.collatorInvalid(relayParent: leaf.hash, candidate: receipt.plainReceipt))
            return
        }
        if seconded == nil { seconded = hash }
        secondedBy[local.index, default: []].insert(hash)
        issuedStatements.insert(hash)
        importAndShare(signed)
        emit(.collatorSeconded(relayParent: leaf.hash, statement: signed))
    }

    /// Why a foreign statement is not imported at an async-backing relay parent, or `nil` when it may be
    /// (§3.8–3.9): a Seconded needs its validation data, stays within its signer's bound, is taken by
    /// prospective parachains, and is for a para its signer's core claims.
    func asyncRefusal(
        of statement: SignedFullStatement, subject: StatementSubject, persistedValidationData: PersistedValidationData?
    ) -> String? {
        guard let asyncBacking, case .seconded(let receipt) = statement.payload else { return nil }
        let hash = subject.hash
        let signer = statement.validatorIndex
        guard let persistedValidationData else {
            return "a Seconded statement at an async-backing relay parent needs its persistedValidationData"
        }
        guard persistedValidationData.hash == receipt.descriptor.persistedValidationDataHash else {
            return "persistedValidationData does not hash to the descriptor's persistedValidationDataHash"
        }
        let earlier = secondedBy[signer] ?? []
        if !earlier.contains(hash), earlier.count >= secondingLimit {
            return
                "validator \(signer) already seconded \(earlier.count) candidates at this relay parent, the most maxCandidateDepth + 1 allows"
        }
        let para = receipt.descriptor.paraId
        // Upstream's order: prospective parachains hears of the candidate before the signer's core is read.
        guard
            asyncBacking.introduceSeconded(
                para: para, receipt: receipt, persistedValidationData: persistedValidationData)
        else {
            return
                "prospective parachains rejected the candidate: no fragment chain of para \(para) in view can take it"
        }
        guard let core = context.scheduling.core(of: signer) else {
            return "validator \(signer) is in no backing group at this relay parent"
        }
        guard context.scheduling.parasOfCore[core]?.contains(para) ?? false else {
            return "para \(para) is not in the claim queue of core \(core), the core of validator \(signer)'s group"
        }
        self.persistedValidationData[hash] = persistedValidationData
        secondedBy[signer, default: []].insert(hash)
        return nil
    }

    /// The table group of a Seconded at an async-backing relay parent: the candidate's para on the core
    /// of its signer's group (`core_index_from_statement`).
    func asyncGroup(of statement: SignedFullStatement) -> TableGroup? {
        guard asyncBacking != nil, case .seconded(let receipt) = statement.payload else { return nil }
        return TableGroup(
            paraId: receipt.descriptor.paraId, core: context.scheduling.core(of: statement.validatorIndex))
    }

    /// The backed form of an attested candidate, `nil` while it is not (one entry of
    /// `GetBackableCandidates`).
    public func backedCandidate(_ hash: CandidateHash) -> BackedCandidate? {
        table.attestedCandidate(hash, context: context).flatMap { BackedCandidates.make(from: $0, context: context) }
    }

    /// What ``state()`` shows of async backing here.
    func asyncBackingState() -> LeafState.AsyncBackingState? {
        guard let asyncBacking, let params = leaf.asyncBackingParams else { return nil }
        let allowed = asyncBacking.allowedRelayParents(under: leaf.hash)
        let paras = Set((leaf.claimQueue?.queues.values).map { Array($0.joined()) } ?? []).sorted()
        let chains =
            allowed == nil
            ? nil
            : Dictionary(
                uniqueKeysWithValues: asyncBacking.chains(at: leaf.hash, paras: paras).map {
                    (
                        String($0.key.rawValue),
                        LeafState.AsyncBackingState.Chain(
                            bestChain: $0.value.bestChain, unconnected: $0.value.unconnected)
                    )
                })
        return LeafState.AsyncBackingState(
            maxCandidateDepth: params.maxCandidateDepth, allowedAncestryLen: params.allowedAncestryLen,
            claimedParas: claimedParas.sorted(), allowedRelayParents: allowed, chains: chains)
    }
}
