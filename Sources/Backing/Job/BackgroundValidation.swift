import Crypto
import ErasureCoding
import Logging
import Primitives

/// The ports and limits a background validation uses; shared by every job.
public struct BackingPorts: Sendable {
    public let validator: any CandidateValidator
    public let povFetcher: any PoVFetcher
    public let availabilityStore: any AvailabilityStore
    public let sink: any OutboundMessageSink

    public init(
        validator: any CandidateValidator, povFetcher: any PoVFetcher, availabilityStore: any AvailabilityStore,
        sink: any OutboundMessageSink
    ) {
        self.validator = validator
        self.povFetcher = povFetcher
        self.availabilityStore = availabilityStore
        self.sink = sink
    }
}

/// One background validation (`validate_and_make_available`): fetch the PoV if needed, validate within
/// the backing timeout, check the commitments hash and the erasure root, store the available data.
///
/// Runs off the job's actor. Returns `nil` when there is nothing to report: validation failed for a
/// reason of ours (error, timeout) or the job was cancelled; ``Outcome/storageFailed`` when the available
/// data could not be stored (the node then rebuilds its jobs from the journal, which runs it again).
struct BackgroundValidation: Sendable {
    let candidate: CandidateReceipt
    let candidateHash: CandidateHash
    let relayParent: Hash
    let source: PoVSource
    let validatorKeys: [ValidatorId]
    let paraState: Leaf.ParaState?
    /// The leaf's rules for today's descriptors, and the core whose group validates (ours).
    let scheduling: LeafScheduling
    let expectedCore: CoreIndex?
    let ports: BackingPorts
    let limiter: ValidationLimiter
    let timeout: Duration
    /// Look in the availability store before fetching (a validation resumed after a restart: the PoV may
    /// have been stored before the crash). Live validations never find theirs there, so they skip it.
    let povMayBeStored: Bool
    let logger: Logger

    enum Outcome: Sendable {
        case noPoV
        case valid(ValidatedCandidate)
        case invalid(InvalidCandidateReport)
        /// The availability store failed: nothing is concluded (nor journaled).
        case storageFailed
    }

    func run() async -> Outcome? {
        let pov: PoV
        switch source {
        case .ready(let given):
            pov = given
        case .fetch(let validator, let povHash):
            if povMayBeStored, let stored = await ports.availabilityStore.availableData(for: candidateHash),
                stored.data.pov.hash == povHash
            {
                pov = stored.data.pov
            } else {
                guard let fetched = await fetch(from: validator, povHash: povHash) else { return .noPoV }
                pov = fetched
            }
        }
        guard await limiter.acquire() else { return nil }
        let verdict = await validate(pov)
        await limiter.release()
        guard !Task.isCancelled else { return nil }
        switch verdict {
        case .failure(let reason):
            logger.info(
                "validation failed, no statement", metadata: ["candidate": "\(candidateHash)", "reason": "\(reason)"])
            return nil
        case .invalid(let reason):
            return .invalid(InvalidCandidateReport(candidate: candidate, reason: reason.description))
        case .valid(let commitments, let validationData):
            guard commitments.hash == candidate.commitmentsHash else {
                return .invalid(InvalidCandidateReport(candidate: candidate, reason: "commitments hash mismatch"))
            }
            do throws(CandidateRuleViolation) {
                // Candidate validation's backing-only checks (session, UMP signals and core), now that the
                // commitments are known.
                try scheduling.check(
                    CommittedCandidateReceipt(descriptor: candidate.descriptor, commitments: commitments),
                    expectedCore: expectedCore)
            } catch {
                return .invalid(InvalidCandidateReport(candidate: candidate, reason: error.description))
            }
            return await makeAvailable(pov: pov, validationData: validationData, commitments: commitments)
        }
    }

    private func fetch(from validator: ValidatorIndex, povHash: Hash) async -> PoV? {
        guard Int(validator.rawValue) < validatorKeys.count else { return nil }
        do {
            let pov = try await ports.povFetcher.fetchPoV(
                relayParent: relayParent, from: validator, validatorKey: validatorKeys[Int(validator.rawValue)],
                candidateHash: candidateHash, povHash: povHash)
            guard pov.hash == povHash else {
                logger.warning("fetched PoV does not match its hash", metadata: ["from": "\(validator)"])
                return nil
            }
            return pov
        } catch {
            logger.info("PoV fetch failed", metadata: ["from": "\(validator)", "error": "\(error)"])
            return nil
        }
    }

    private func validate(_ pov: PoV) async -> ValidationOutcome {
        let request = ValidationRequest(
            candidate: candidate, pov: pov, relayParent: relayParent,
            persistedValidationData: paraState?.persistedValidationData,
            validationCodeHash: paraState?.validationCodeHash, executionTimeout: timeout,
            acceptsV2Descriptors: scheduling.checksDescriptors && scheduling.acceptsV2Descriptors)
        let validator = ports.validator
        return await withDeadline(timeout, onTimeout: .failure("validation exceeded the backing timeout")) {
            await validator.validate(request)
        }
    }

    private func makeAvailable(
        pov: PoV, validationData: PersistedValidationData, commitments: CandidateCommitments
    ) async -> Outcome? {
        let data = AvailableData(pov: pov, validationData: validationData)
        let root: Hash
        do {
            // The whole validator set, not the backing group, as Polkadot does.
            root = try ErasureCoding.erasureRoot(nValidators: validatorKeys.count, availableData: data)
        } catch {
            logger.warning("erasure coding failed", metadata: ["candidate": "\(candidateHash)", "error": "\(error)"])
            return .invalid(InvalidCandidateReport(candidate: candidate, reason: "erasure coding failed: \(error)"))
        }
        guard root == candidate.descriptor.erasureRoot else {
            return .invalid(InvalidCandidateReport(candidate: candidate, reason: "erasure root mismatch"))
        }
        do {
            try await ports.availabilityStore.storeAvailableData(
                candidateHash: candidateHash, nValidators: validatorKeys.count, erasureRoot: root, data: data)
        } catch {
            logger.error(
                "storing available data failed", metadata: ["candidate": "\(candidateHash)", "error": "\(error)"])
            return .storageFailed
        }
        guard !Task.isCancelled else { return nil }
        ports.sink.submit([
            .availabilityStored(candidateHash: candidateHash, nValidators: validatorKeys.count, erasureRoot: root)
        ])
        return .valid(ValidatedCandidate(candidate: candidate, commitments: commitments))
    }
}
