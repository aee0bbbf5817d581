import Logging
import Primitives
import Tracing

extension BackingJob {
    enum ValidationPurpose { case second, attest }

    /// What a background validation needs to start (again, after a restart).
    struct ValidationStart {
        let candidate: CandidateReceipt
        let hash: CandidateHash
        let source: PoVSource
        let purpose: ValidationPurpose
    }

    /// Starts a background validation unless one is already running for the candidate. While replaying
    /// the journal it is only noted: ``replay(_:)`` starts those that did not conclude before the crash.
    /// - Returns: `false` when one was already running.
    @discardableResult
    func startValidation(of candidate: CandidateReceipt, source: PoVSource, purpose: ValidationPurpose) -> Bool {
        let hash = candidate.hash
        guard awaitingValidation.insert(hash).inserted else { return false }
        let start = ValidationStart(candidate: candidate, hash: hash, source: source, purpose: purpose)
        if replaying {
            replayedValidations.append(start)
        } else {
            spawnValidation(start)
        }
        return true
    }

    /// Runs one validation in a background task that reports to ``handle(_:)``.
    /// - Parameter resumed: the validation was in flight at the last stop, so the PoV may be in the
    ///   availability store already.
    func spawnValidation(_ start: ValidationStart, resumed: Bool = false) {
        let hash = start.hash
        let purpose = start.purpose
        let work = BackgroundValidation(
            candidate: start.candidate, candidateHash: hash, relayParent: leaf.hash, source: start.source,
            validatorKeys: leaf.validators, paraState: paraState(for: start.candidate, hash: hash),
            scheduling: context.scheduling, expectedCore: localCore, ports: ports,
            limiter: limiter, timeout: configuration.backingTimeout, povMayBeStored: resumed, logger: logger)
        // The validation runs detached from the job's actor, but in the trace of what asked for it (the
        // request that brought the candidate): its PoV fetch, PVF run and the statement it leads to
        // (web-hooks included) continue that trace.
        let cause = ServiceContext.current ?? .topLevel
        backgroundTasks[hash] = Task.detached { [weak self] in
            await InstrumentationSystem.tracer.withSpan("validate candidate", context: cause) { span in
                if span.isRecording { span.attributes["backingd.candidate"] = hash.description }
                guard let outcome = await work.run() else {
                    await self?.backgroundValidationEnded(hash)
                    return
                }
                let command: ValidatedCandidateCommand
                switch (outcome, purpose) {
                case (.storageFailed, _):
                    await self?.validationLostToStorage(hash)
                    return
                case (.noPoV, _): command = .attestNoPoV(hash)
                case (.valid(let validated), .second): command = .second(hash, .success(validated))
                case (.invalid(let report), .second): command = .second(hash, .failure(report))
                case (.valid(let validated), .attest): command = .attest(hash, .success(validated))
                case (.invalid(let report), .attest): command = .attest(hash, .failure(report))
                }
                await self?.handle(command)
            }
        }
    }

    /// The chain state a candidate is validated against: at an async-backing relay parent the validation
    /// data it came with and the code its descriptor names (prospective parachains checked both against
    /// the para's constraints); at a v0.9.12 leaf the leaf's state for its para.
    func paraState(for candidate: CandidateReceipt, hash: CandidateHash) -> Leaf.ParaState? {
        guard asyncBacking != nil else { return leaf.paras[candidate.descriptor.paraId] }
        return Leaf.ParaState(
            persistedValidationData: persistedValidationData[hash],
            validationCodeHash: candidate.descriptor.validationCodeHash)
    }

    /// A validation ended with nothing to report: the candidate stays "awaiting", as in the seed, so it
    /// is never validated again at this leaf (the journal says so, so a restart does not either).
    func backgroundValidationEnded(_ hash: CandidateHash) {
        defer { commitEffects() }
        backgroundTasks[hash] = nil
        guard !stopped else { return }
        record(.validationConcluded(.ended(hash)))
    }

    /// A validation whose available data could not be stored: it concludes nothing and journals nothing,
    /// so the journal still shows it in flight. The storage failure makes the node rebuild every job from
    /// the journal once the database works again, and the rebuilt job runs it again.
    func validationLostToStorage(_ hash: CandidateHash) {
        backgroundTasks[hash] = nil
    }

    /// Acts on a finished background validation (`handle_validated_candidate_command`): decides what to
    /// sign, journals that conclusion and applies it.
    func handle(_ command: ValidatedCandidateCommand) {
        defer { commitEffects() }
        let hash: CandidateHash
        switch command {
        case .second(let h, _), .attest(let h, _), .attestNoPoV(let h): hash = h
        }
        backgroundTasks[hash] = nil
        guard !stopped else { return }
        let conclusion: ValidationConclusion
        switch command {
        case .second(_, .success(let validated)) where asyncBacking != nil:
            let signed = signSecondedAsync(validated, hash: hash)
            if signed != nil { metrics.candidatesSeconded.increment() }
            conclusion = .seconded(hash, signed)
        case .second(_, .success(let validated)):
            var signed: SignedFullStatement?
            if seconded == nil, !issuedStatements.contains(hash) {
                let receipt = CommittedCandidateReceipt(
                    descriptor: validated.candidate.descriptor, commitments: validated.commitments)
                signed = sign(.seconded(receipt))
                if signed != nil { metrics.candidatesSeconded.increment() }
            }
            conclusion = .seconded(hash, signed)
        case .second(_, .failure(let report)):
            logger.info("candidate invalid", metadata: ["candidate": "\(hash)", "reason": "\(report.reason)"])
            emit(.collatorInvalid(relayParent: leaf.hash, candidate: report.candidate))
            conclusion = .seconded(hash, nil)
        case .attest(_, let result):
            var signed: SignedFullStatement?
            if !issuedStatements.contains(hash) {
                switch result {
                case .success: signed = sign(.valid(hash))
                case .failure(let report):
                    logger.info("candidate invalid", metadata: ["candidate": "\(hash)", "reason": "\(report.reason)"])
                }
            }
            conclusion = .attested(hash, signed)
        case .attestNoPoV:
            conclusion = .noPoV(hash)
        }
        record(.validationConcluded(conclusion))
        apply(conclusion)
    }

    /// The state change of a concluded validation, live and in replay: our statement (signed already)
    /// is imported and shared, the next backer is asked for a missing PoV.
    func apply(_ conclusion: ValidationConclusion) {
        let hash = conclusion.candidateHash
        switch conclusion {
        case .ended:
            return
        case .seconded(_, let signed) where asyncBacking != nil:
            awaitingValidation.remove(hash)
            secondsInFlight.remove(hash)
            if let signed { applySecondedAsync(signed, hash: hash) }
        case .seconded(_, let signed):
            awaitingValidation.remove(hash)
            guard let signed else { return }
            seconded = hash
            issuedStatements.insert(hash)
            importAndShare(signed)
            emit(.collatorSeconded(relayParent: leaf.hash, statement: signed))
        case .attested(_, let signed):
            awaitingValidation.remove(hash)
            fallbacks[hash] = nil
            guard !issuedStatements.contains(hash) else { return }
            if let signed { importAndShare(signed) }
            issuedStatements.insert(hash)
        case .noPoV:
            awaitingValidation.remove(hash)
            guard var attesting = fallbacks[hash] else {
                if !replaying {
                    logger.warning(
                        "PoV fetch failed for a candidate without fallback data", metadata: ["candidate": "\(hash)"])
                }
                return
            }
            guard let next = attesting.backing.popLast() else { return }
            attesting.fromValidator = next
            fallbacks[hash] = attesting
            kickOffValidation(attesting)
        }
    }
}
