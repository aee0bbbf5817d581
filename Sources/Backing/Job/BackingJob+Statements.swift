import Crypto
import Logging
public import Primitives
import StatementTable

extension BackingJob {
    /// Checks an inbound statement before it may touch the job: the validator index is in the set and
    /// the signature is that validator's in this leaf's signing context.
    ///
    /// Nonisolated, so that callers verify signatures in parallel before queueing on the actor.
    /// - Throws: ``StatementRejection``; nothing changes.
    public nonisolated func verify(_ statement: SignedFullStatement) throws(StatementRejection) {
        try checkIndex(statement)
        guard Self.signaturesValid([statement], context: signingContext, keys: keys)[0] else {
            metrics.statementsRejected.increment()
            throw .badSignature(statement.validatorIndex)
        }
    }

    /// ``verify(_:)`` for a statement that arrived on its own while others may be arriving too: its
    /// signature is checked in a batch with theirs (see ``SignatureBatcher``), alone when nothing else
    /// is waiting.
    /// - Throws: ``StatementRejection``; nothing changes.
    public nonisolated func verifyGathered(_ statement: SignedFullStatement) async throws(StatementRejection) {
        try checkIndex(statement)
        guard await signatureBatcher.verify(statement) else {
            metrics.statementsRejected.increment()
            throw .badSignature(statement.validatorIndex)
        }
    }

    /// ``verify(_:)`` for many statements as one batch verification: element `i` is `nil` when
    /// `statements[i]` may be imported, or why it may not. Call it from several tasks on parts of a
    /// large batch to use every core.
    public nonisolated func verify(_ statements: [SignedFullStatement]) -> [StatementRejection?] {
        var answers = [StatementRejection?](repeating: nil, count: statements.count)
        var candidates: [Int] = []
        for (position, statement) in statements.enumerated() {
            do throws(StatementRejection) {
                try checkIndex(statement)
                candidates.append(position)
            } catch {
                answers[position] = error
            }
        }
        let valid = Self.signaturesValid(candidates.map { statements[$0] }, context: signingContext, keys: keys)
        for (position, isValid) in zip(candidates, valid) where !isValid {
            metrics.statementsRejected.increment()
            answers[position] = .badSignature(statements[position].validatorIndex)
        }
        return answers
    }

    /// The checks before the signature's: the validator index, and a seconded candidate's descriptor,
    /// signals and core against the leaf (what collator protocol and statement distribution check
    /// upstream before backing sees a statement).
    private nonisolated func checkIndex(_ statement: SignedFullStatement) throws(StatementRejection) {
        guard Int(statement.validatorIndex.rawValue) < leaf.validators.count else {
            metrics.statementsRejected.increment()
            throw .validatorIndexOutOfBounds(statement.validatorIndex, validatorCount: leaf.validators.count)
        }
        guard context.scheduling.checksDescriptors, case .seconded(let receipt) = statement.payload else { return }
        do throws(CandidateRuleViolation) {
            // A V2 candidate is backed on the core of the group whose member seconds it.
            try context.scheduling.check(
                receipt, expectedCore: context.scheduling.core(of: statement.validatorIndex))
        } catch {
            metrics.statementsRejected.increment()
            throw .candidateRule(error)
        }
    }

    /// Which statements carry their validator's signature in `context` (one batch verification).
    static func signaturesValid(
        _ statements: [SignedFullStatement], context: SigningContext, keys: ValidatorKeys
    ) -> [Bool] {
        guard statements.count != 1 else {
            // One statement (a lone request, the common case) needs its key only, not the whole key table.
            let statement = statements[0]
            guard let key = keys.key(Int(statement.validatorIndex.rawValue)) else { return [false] }
            return [Sr25519.verify(statement.signature, message: statement.signingPayload(context), key: key)]
        }
        guard !statements.isEmpty else { return [] }
        let validatorKeys = keys.keys(for: statements.map { Int($0.validatorIndex.rawValue) })
        return SignedFullStatement.areSignaturesValid(statements, context: context, validatorKeys: validatorKeys)
    }

    /// Imports a statement from another validator (Polkadot's `CandidateBackingMessage::Statement`),
    /// and starts validation if it is about a candidate of our para.
    ///
    /// - Parameter verified: `true` when the caller already ran ``verify(_:)`` on this statement.
    /// - Throws: ``StatementRejection`` for a bad index or signature; nothing changes.
    /// - Parameter persistedValidationData: for a Seconded at an async-backing relay parent, the
    ///   validation data its candidate builds on (`SignedFullStatementWithPVD`).
    public func receive(
        _ statement: SignedFullStatement, verified: Bool = false,
        persistedValidationData: PersistedValidationData? = nil
    ) throws(StatementRejection) -> StatementOutcome {
        if !verified { try verify(statement) }
        defer { commitEffects() }
        return importChecked(statement, persistedValidationData: persistedValidationData)
    }

    /// Imports statements whose signatures the caller already checked with ``verify(_:)``, in order and in
    /// one turn of the actor (a batch costs one hop, not one per statement, and commits as one unit).
    ///
    /// - Parameter validationData: at an async-backing relay parent, the validation data of the Seconded
    ///   statements by hash (`persistedValidationDataHash`).
    public func receiveVerified(
        _ statements: [SignedFullStatement], validationData: [Hash: PersistedValidationData] = [:]
    ) -> [StatementOutcome] {
        defer { commitEffects() }
        // A record and a dispute notification per statement, at least: grow the turn's arrays once.
        pendingJournal.reserveCapacity(pendingJournal.count + statements.count)
        pendingMessages.reserveCapacity(pendingMessages.count + statements.count + statements.count / 4)
        return statements.map { statement in
            guard !validationData.isEmpty, case .seconded(let receipt) = statement.payload else {
                return importChecked(statement)
            }
            return importChecked(
                statement, persistedValidationData: validationData[receipt.descriptor.persistedValidationDataHash])
        }
    }

    /// The import of a checked statement: ignored for a gone leaf or a disabled validator; otherwise
    /// journaled, into the table, then validation if it is about our para.
    func importChecked(
        _ statement: SignedFullStatement, persistedValidationData: PersistedValidationData? = nil
    ) -> StatementOutcome {
        let start = ContinuousClock.now
        defer { metrics.record(metrics.processStatement, since: start) }
        let subject = StatementSubject(statement)
        let hash = subject.hash
        guard !stopped else {
            return StatementOutcome(candidateHash: hash, summary: nil, ignoredReason: "the leaf is no longer active")
        }
        if disabled.contains(statement.validatorIndex) {
            return StatementOutcome(
                candidateHash: hash, summary: nil, ignoredReason: "validator \(statement.validatorIndex) is disabled")
        }
        if asyncBacking != nil,
            let reason = asyncRefusal(of: statement, subject: subject, persistedValidationData: persistedValidationData)
        {
            return StatementOutcome(candidateHash: hash, summary: nil, ignoredReason: reason)
        }
        if let persistedValidationData, asyncBacking != nil, subject.secondedReceipt != nil {
            record(.secondedWithDataImported(statement, persistedValidationData))
        } else {
            record(.statementImported(statement))
        }
        guard let summary = importStatement(statement, subject: subject) else {
            return StatementOutcome(candidateHash: hash, summary: nil)
        }
        if isOurs(summary.groupId), canIssueStatements {
            considerValidation(after: statement, subject: subject)
        }
        return StatementOutcome(
            candidateHash: hash,
            summary: Summary(
                candidate: summary.candidate, groupId: summary.groupId.paraId, validityVotes: summary.validityVotes))
    }

    /// Whether candidates of `group` are ours to validate: our para, and at a leaf with a claim queue our
    /// core (of a para's several cores, each group validates the candidates of its own).
    func isOurs(_ group: TableGroup) -> Bool {
        if asyncBacking != nil { return group.core == localCore && claimedParas.contains(group.paraId) }
        guard group.paraId == assignment else { return false }
        return !context.scheduling.hasClaimQueue || context.core(of: group) == localCore
    }

    /// Starts (or queues a fallback for) validation of our para's candidate after a foreign statement
    /// (the seed's `maybe_validate_and_import` after the import).
    private func considerValidation(after statement: SignedFullStatement, subject: StatementSubject) {
        let hash = subject.hash
        switch statement.payload {
        case .seconded:
            // Safe because: a Seconded statement's subject always carries its receipt.
            let receipt = subject.secondedReceipt!
            let attesting = AttestingData(
                candidate: receipt, povHash: receipt.descriptor.povHash, fromValidator: statement.validatorIndex)
            fallbacks[hash] = attesting
            kickOffValidation(attesting)
        case .valid:
            guard var attesting = fallbacks[hash], statement.validatorIndex != localValidator?.index else { return }
            if awaitingValidation.contains(hash) {
                attesting.backing.append(statement.validatorIndex)
                fallbacks[hash] = attesting
            } else {
                attesting.fromValidator = statement.validatorIndex
                fallbacks[hash] = attesting
                kickOffValidation(attesting)
            }
        }
    }

    /// Validates a candidate someone else seconded, fetching its PoV (`kick_off_validation_work`).
    func kickOffValidation(_ attesting: AttestingData) {
        let hash = attesting.candidate.hash
        guard !issuedStatements.contains(hash) else { return }
        if let required = requiredCollator, required != attesting.candidate.descriptor.collator {
            // The statement stays in the table, but we do not validate: act as though we issued one.
            issuedStatements.insert(hash)
            return
        }
        startValidation(
            of: attesting.candidate, source: .fetch(from: attesting.fromValidator, povHash: attesting.povHash),
            purpose: .attest)
    }

    /// Imports a statement into the table and sends what follows from it, in the seed's order: the
    /// dispute-coordinator notification, the backed candidate (once), then any misbehaviour reports.
    func importStatement(_ statement: SignedFullStatement, subject: StatementSubject) -> Summary<
        CandidateHash, TableGroup
    >? {
        let index = Int(statement.validatorIndex.rawValue)
        guard index < leaf.validators.count else { return nil }
        let hash = subject.hash

        // A replay sends nothing, so it need not build the notification; today's backing sends the dispute
        // coordinator nothing (disputes read backing votes from the chain).
        let receipt =
            replaying || asyncBacking != nil ? nil : subject.secondedReceipt ?? table.candidate(hash)?.plainReceipt
        if let receipt {
            let kind: ValidDisputeStatementKind =
                switch statement.payload {
                case .seconded: .backingSeconded(leaf.hash)
                case .valid: .backingValid(leaf.hash)
                }
            let disputeStatement = SignedDisputeStatement(
                statement: .valid(kind), validatorIndex: statement.validatorIndex,
                validatorPublic: leaf.validators[index],
                signature: statement.signature)
            // Appended in place, not through `emit`: measured 0.6 µs a statement cheaper in the import
            // (nothing is sent while replaying: see `receipt`).
            pendingMessages.append(
                .disputeStatements(
                    DisputeStatementImport(
                        candidateHash: hash, candidateReceipt: receipt, session: leaf.sessionIndex,
                        statements: [disputeStatement])))
        }

        let tableStatement: BackingTable.Statement =
            switch statement.payload {
            case .seconded(let ccr):
                BackingTable.Statement(
                    statement: .seconded(ccr), signature: statement.signature, sender: statement.validatorIndex)
            case .valid(let digest):
                BackingTable.Statement(
                    statement: .valid(digest), signature: statement.signature, sender: statement.validatorIndex)
            }
        let summary = table.importStatement(tableStatement, context: context, group: asyncGroup(of: statement))
        // `backed` is asked first: working out the attested candidate costs more than the set lookup,
        // and once a candidate is backed every later vote for it would repeat that work for nothing.
        if let summary, !backed.contains(summary.candidate),
            let attested = table.attestedCandidate(summary.candidate, context: context)
        {
            backed.insert(summary.candidate)
            if let asyncBacking {
                // Prospective parachains learns of it in a replay too: the chains are rebuilt with the jobs.
                asyncBacking.candidateBacked(para: summary.groupId.paraId, candidateHash: summary.candidate)
                if !replaying {
                    metrics.candidatesBacked.increment()
                    logger.info(
                        "candidate backed",
                        metadata: ["candidate": "\(summary.candidate)", "para": "\(summary.groupId)"])
                    emit(
                        .statementBacked(
                            relayParent: leaf.hash, paraId: summary.groupId.paraId,
                            coreIndex: context.core(of: summary.groupId), candidateHash: summary.candidate))
                }
            } else if BackedCandidates.make(from: attested, context: context) != nil, !replaying {
                metrics.candidatesBacked.increment()
                logger.info(
                    "candidate backed", metadata: ["candidate": "\(summary.candidate)", "para": "\(summary.groupId)"])
                emit(.provisionerBacked(relayParent: leaf.hash, candidate: attested.candidate.plainReceipt))
            }
        }
        for (offender, found) in table.drainMisbehaviors() {
            let misbehavior = Misbehavior(found, offender: offender)
            misbehaviours.append(LeafState.MisbehaviorReport(validatorIndex: offender, misbehavior: misbehavior))
            if !replaying {
                logger.warning("misbehaviour", metadata: ["validator": "\(offender)", "kind": "\(misbehavior.kind)"])
                emit(
                    .provisionerMisbehavior(relayParent: leaf.hash, validatorIndex: offender, misbehavior: misbehavior))
            }
        }
        return summary
    }

    /// Signs `statement` as our validator through the signing guard, whose record goes into this turn's
    /// journal (so it commits with everything that carries the signature).
    /// - Returns: the signed statement (a fresh signature, or the one signed before), or `nil` when we hold
    ///   no key for this leaf or the guard refused.
    func sign(_ statement: Statement) -> SignedFullStatement? {
        guard let local = localValidator else { return nil }
        switch signingGuard.sign(
            statement, validatorIndex: local.index, context: signingContext, keypair: local.keypair,
            allowsMultipleSeconded: asyncBacking != nil)
        {
        case .signed(let signed, let signingRecord):
            metrics.signedStatements.increment()
            pendingJournal.append(.signed(signingRecord))
            return signed
        case .reused(let signed):
            logger.info(
                "statement signed before; its signature is reused", metadata: ["candidate": "\(statement.compact)"])
            return signed
        case .refused(let refusal):
            metrics.signingRefused(refusal).increment()
            logger.warning(
                "signing guard refused a statement",
                metadata: ["statement": "\(statement.compact)", "reason": "\(refusal.reason)", "detail": "\(refusal)"])
            return nil
        }
    }

    /// Imports a statement we signed and shares it (`sign_import_and_distribute_statement` after signing).
    func importAndShare(_ signed: SignedFullStatement) {
        let subject = StatementSubject(signed)
        if asyncBacking != nil {
            // Today's order: the statement is shared before the backing it completes is announced.
            let pvd = subject.secondedReceipt == nil ? nil : persistedValidationData[subject.hash]
            emit(.statementShareWithPVD(relayParent: leaf.hash, statement: signed, persistedValidationData: pvd))
            _ = importStatement(signed, subject: subject)
        } else {
            _ = importStatement(signed, subject: subject)
            emit(.statementShare(relayParent: leaf.hash, statement: signed))
        }
    }
}

/// The candidate a statement is about, worked out once per statement: hashing a receipt encodes its
/// commitments, which may carry a whole new validation code, so the import path must not repeat it.
struct StatementSubject {
    let hash: CandidateHash
    /// The plain receipt of a Seconded statement's candidate; `nil` for Valid.
    let secondedReceipt: CandidateReceipt?

    init(_ statement: SignedFullStatement) {
        switch statement.payload {
        case .seconded(let committed):
            let receipt = committed.plainReceipt
            secondedReceipt = receipt
            hash = receipt.hash
        case .valid(let hash):
            secondedReceipt = nil
            self.hash = hash
        }
    }
}
