import Logging
import Primitives

extension BackingJob {
    enum ValidationPurpose { case second, attest }

    /// Starts a background validation unless one is already running for the candidate.
    /// - Returns: `false` when one was already running.
    @discardableResult
    func startValidation(of candidate: CandidateReceipt, source: PoVSource, purpose: ValidationPurpose) -> Bool {
        let hash = candidate.hash
        guard awaitingValidation.insert(hash).inserted else { return false }
        let work = BackgroundValidation(
            candidate: candidate, candidateHash: hash, relayParent: leaf.hash, source: source,
            validatorKeys: leaf.validators, paraState: leaf.paras[candidate.descriptor.paraId], ports: ports,
            limiter: limiter, timeout: configuration.backingTimeout, logger: logger)
        backgroundTasks[hash] = Task.detached { [weak self] in
            guard let outcome = await work.run() else {
                await self?.backgroundValidationEnded(hash)
                return
            }
            let command: ValidatedCandidateCommand =
                switch (outcome, purpose) {
                case (.noPoV, _): .attestNoPoV(hash)
                case (.valid(let validated), .second): .second(hash, .success(validated))
                case (.invalid(let report), .second): .second(hash, .failure(report))
                case (.valid(let validated), .attest): .attest(hash, .success(validated))
                case (.invalid(let report), .attest): .attest(hash, .failure(report))
                }
            await self?.handle(command)
        }
        return true
    }

    /// A validation ended with nothing to report: the candidate stays "awaiting", as in the seed, so it
    /// is never validated again at this leaf.
    func backgroundValidationEnded(_ hash: CandidateHash) {
        backgroundTasks[hash] = nil
    }

    /// Acts on a finished background validation (`handle_validated_candidate_command`).
    func handle(_ command: ValidatedCandidateCommand) {
        let hash: CandidateHash
        switch command {
        case .second(let h, _), .attest(let h, _), .attestNoPoV(let h): hash = h
        }
        backgroundTasks[hash] = nil
        guard !stopped else { return }
        awaitingValidation.remove(hash)
        switch command {
        case .second(_, .success(let validated)):
            guard seconded == nil, !issuedStatements.contains(hash) else { return }
            seconded = hash
            issuedStatements.insert(hash)
            metrics.candidatesSeconded.increment()
            let receipt = CommittedCandidateReceipt(
                descriptor: validated.candidate.descriptor, commitments: validated.commitments)
            if let signed = signImportAndShare(.seconded(receipt)) {
                ports.sink.submit([.collatorSeconded(relayParent: leaf.hash, statement: signed)])
            }
        case .second(_, .failure(let report)):
            logger.info("candidate invalid", metadata: ["candidate": "\(hash)", "reason": "\(report.reason)"])
            ports.sink.submit([.collatorInvalid(relayParent: leaf.hash, candidate: report.candidate)])
        case .attest(_, let result):
            fallbacks[hash] = nil
            guard !issuedStatements.contains(hash) else { return }
            if case .success = result {
                _ = signImportAndShare(.valid(hash))
            } else if case .failure(let report) = result {
                logger.info("candidate invalid", metadata: ["candidate": "\(hash)", "reason": "\(report.reason)"])
            }
            issuedStatements.insert(hash)
        case .attestNoPoV:
            guard var attesting = fallbacks[hash] else {
                logger.warning(
                    "PoV fetch failed for a candidate without fallback data", metadata: ["candidate": "\(hash)"])
                return
            }
            guard let next = attesting.backing.popLast() else { return }
            attesting.fromValidator = next
            fallbacks[hash] = attesting
            kickOffValidation(attesting)
        }
    }
}
