public import Crypto
import Logging
public import Primitives
import StatementTable

/// The backing work for one active leaf (relay parent), as the seed's `CandidateBackingJob`.
///
/// Isolation: one actor per leaf. Every request runs to completion without suspending, so the job's
/// state changes and its outgoing messages happen atomically and in the seed's order. Validation runs in
/// background tasks off the actor and reports back through ``handle(_:)``; ``stop()`` cancels them.
///
/// Durability: each turn of the actor gathers its journal records (the inputs it acted on, our
/// signing records) and its messages, and submits them together at the end of the turn
/// (``commitEffects()``), so the outbox commits them in one transaction. ``replay(_:)`` rebuilds a job
/// from its journal: the same code runs with the effects switched off.
public actor BackingJob {
    /// The leaf as activated.
    public nonisolated let leaf: Leaf
    public nonisolated let signingContext: SigningContext
    /// Our validator index and key, when our key is in the leaf's validator set.
    public nonisolated let localValidator: (index: ValidatorIndex, keypair: Sr25519Keypair)?
    /// The core whose backing group we are in, its para, and the collator it requires, if any.
    public nonisolated let localCore: CoreIndex?
    public nonisolated let assignment: ParaId?
    public nonisolated let requiredCollator: CollatorId?
    /// Async backing: every para in our core's claim queue, at any depth, is ours to second and validate.
    public nonisolated let claimedParas: Set<ParaId>
    nonisolated let context: TableContext
    nonisolated let disabled: Set<ValidatorIndex>
    /// The validators' keys, decoded once per leaf.
    nonisolated let keys: ValidatorKeys
    /// Concurrent single-statement checks, gathered into batch verifications.
    nonisolated let signatureBatcher: SignatureBatcher<SignedFullStatement>

    let ports: BackingPorts
    let signingGuard: SigningGuard
    let limiter: ValidationLimiter
    let configuration: BackingConfiguration
    let logger: Logger
    let metrics: BackingMetrics

    var table: BackingTable
    var issuedStatements: Set<CandidateHash> = []
    var awaitingValidation: Set<CandidateHash> = []
    var fallbacks: [CandidateHash: AttestingData] = [:]
    var seconded: CandidateHash?
    var backed: Set<CandidateHash> = []
    var misbehaviours: [LeafState.MisbehaviorReport] = []
    var backgroundTasks: [CandidateHash: Task<Void, Never>] = [:]
    var stopped = false

    /// Async backing (a leaf with `asyncBackingParams`, or one of its allowed ancestors): the implicit
    /// view and prospective parachains every relay parent's job shares; `nil` for a v0.9.12 leaf.
    public nonisolated let asyncBacking: AsyncBackingView?
    /// How many candidates one validator may second at this relay parent (`maxCandidateDepth + 1`, the
    /// bound the collator protocol and statement distribution apply upstream); ours included.
    nonisolated let secondingLimit: Int
    /// The validation data of each candidate seconded here (async backing: it comes with the candidate).
    var persistedValidationData: [CandidateHash: PersistedValidationData] = [:]
    /// The candidates each validator seconded here (async backing's per-validator bound).
    var secondedBy: [ValidatorIndex: Set<CandidateHash>] = [:]
    /// Candidates we were asked to second whose validation has not concluded (they count toward our bound).
    var secondsInFlight: Set<CandidateHash> = []

    /// What this turn of the actor journals and sends; submitted as one unit by ``commitEffects()``.
    var pendingJournal: [JournalRecord] = []
    var pendingMessages: [OutboundMessage] = []
    /// While replaying the journal: no effects, and validations are noted instead of started.
    var replaying = false
    /// Validations started during the replay and not concluded in it, in start order: they were in
    /// flight at the crash and run again once the replay ends.
    var replayedValidations: [ValidationStart] = []

    init(
        leaf: Leaf, keypair: Sr25519Keypair?, ports: BackingPorts, signingGuard: SigningGuard,
        limiter: ValidationLimiter, configuration: BackingConfiguration, metrics: BackingMetrics, logger: Logger,
        asyncBacking: AsyncBackingView? = nil
    ) {
        self.leaf = leaf
        self.asyncBacking = leaf.isAsyncBacking ? asyncBacking : nil
        secondingLimit = Int(leaf.asyncBackingParams?.maxCandidateDepth ?? 0) + 1
        // Today's table lets a validator second several candidates at one relay parent.
        table = BackingTable(configuration: .init(allowsMultipleSeconded: leaf.isAsyncBacking))
        let signingContext = SigningContext(sessionIndex: leaf.sessionIndex, parentHash: leaf.hash)
        self.signingContext = signingContext
        let keys = ValidatorKeys(leaf.validators)
        self.keys = keys
        signatureBatcher = SignatureBatcher(runners: configuration.signatureCheckRunners) { statements in
            Self.signaturesValid(statements, context: signingContext, keys: keys)
        }
        if let keypair, let index = leaf.validators.firstIndex(of: keypair.publicKey) {
            localValidator = (ValidatorIndex(UInt32(index)), keypair)
        } else {
            localValidator = nil
        }
        let scheduling = LeafScheduling(leaf)
        let localCore = localValidator.flatMap { local in
            scheduling.groupOfCore.filter { $0.value.contains(local.index) }.keys.max()
        }
        self.localCore = localCore
        assignment = localCore.flatMap { scheduling.paraOfCore[$0] }
        claimedParas = localCore.flatMap { scheduling.parasOfCore[$0] } ?? []
        requiredCollator = localCore.flatMap { scheduling.requiredCollatorOfCore[$0] }
        context = TableContext(scheduling: scheduling, minimumBackingVotes: leaf.minimumBackingVotes)
        disabled = Set(leaf.disabledValidators)
        self.ports = ports
        self.signingGuard = signingGuard
        self.limiter = limiter
        self.configuration = configuration
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: "leaf"] = "\(leaf.hash)"
        self.logger = logger
    }

    /// Whether we are a validator of this leaf that may issue statements.
    nonisolated var canIssueStatements: Bool {
        guard let local = localValidator else { return false }
        return !disabled.contains(local.index)
    }

    /// Ends the job: cancels background validations; their late results are ignored.
    /// - Parameter deactivating: the leaf is deactivated, so its journal is dropped; `false` at shutdown,
    ///   when the leaf is to be restored at the next start.
    public func stop(deactivating: Bool = false) {
        if deactivating && !stopped { ports.sink.submit([], journal: [.leafDeactivated(leaf.hash)]) }
        stopped = true
        for task in backgroundTasks.values { task.cancel() }
        backgroundTasks.removeAll()
    }

    // MARK: Second

    /// Asks us to second `candidate` (Polkadot's `CandidateBackingMessage::Second`).
    ///
    /// Accepted means validation started in the background; the outcome arrives as outgoing messages
    /// (`statement.share` and `collator.seconded`, or `collator.invalid`).
    /// - Parameter persistedValidationData: the validation data the candidate builds on; required at an
    ///   async-backing relay parent (the fragment chain implies it), ignored at a v0.9.12 leaf.
    public func second(
        _ candidate: CandidateReceipt, pov: PoV, persistedValidationData: PersistedValidationData? = nil
    ) -> SecondOutcome {
        defer { commitEffects() }
        if asyncBacking != nil {
            return metrics.time(metrics.processSecond) {
                secondAsync(candidate, pov: pov, persistedValidationData: persistedValidationData)
            }
        }
        return metrics.time(metrics.processSecond) {
            let hash = candidate.hash
            func refuse(_ reason: String) -> SecondOutcome {
                SecondOutcome(candidateHash: hash, accepted: false, reason: reason)
            }
            guard !stopped else { return refuse("the leaf is no longer active") }
            guard let assignment, candidate.descriptor.paraId == assignment else {
                return refuse("para \(candidate.descriptor.paraId) is not our assignment")
            }
            if let broken = descriptorRuleRefusal(candidate, hash: hash) { return refuse(broken) }
            guard canIssueStatements else { return refuse("our validator is disabled at this leaf") }
            guard seconded == nil else { return refuse("already seconded a candidate at this leaf") }
            guard !issuedStatements.contains(hash) else {
                return refuse("already issued a statement for this candidate")
            }
            if let required = requiredCollator, required != candidate.descriptor.collator {
                emit(.collatorInvalid(relayParent: leaf.hash, candidate: candidate))
                return refuse(
                    "collator \(candidate.descriptor.collator) is not the core's required collator \(required)")
            }
            // Safe because: `canIssueStatements` holds only with a local validator.
            if let refusal = signingGuard.refusal(
                ofSeconded: hash, validator: localValidator!.keypair.publicKey, context: signingContext)
            {
                metrics.signingRefused(refusal).increment()
                logger.warning(
                    "signing guard refused a Second", metadata: ["candidate": "\(hash)", "reason": "\(refusal.reason)"])
                return refuse("signing guard: \(refusal)")
            }
            guard startValidation(of: candidate, source: .ready(pov), purpose: .second) else {
                return refuse("the candidate is already being validated")
            }
            record(.secondAccepted(candidate, pov))
            return SecondOutcome(candidateHash: hash, accepted: true)
        }
    }

    /// Why a collated candidate breaks a rule of today's descriptors for our core, reported to the collator
    /// (`collator.invalid`) as the collator protocol rejects such a collation; `nil` when it breaks none.
    func descriptorRuleRefusal(_ candidate: CandidateReceipt, hash: CandidateHash) -> String? {
        do throws(CandidateRuleViolation) {
            try context.scheduling.check(candidate.descriptor, expectedCore: localCore)
            return nil
        } catch {
            logger.info(
                "candidate breaks a descriptor rule", metadata: ["candidate": "\(hash)", "rule": "\(error.rule)"])
            emit(.collatorInvalid(relayParent: leaf.hash, candidate: candidate))
            return error.description
        }
    }

    // MARK: Backed candidates

    /// The backed form of each requested candidate that is attested, in request order
    /// (`GetBackedCandidates`); unknown or unattested hashes are skipped.
    public func backedCandidates(_ hashes: [CandidateHash]) -> [BackedCandidate] {
        metrics.time(metrics.getBackedCandidates) {
            hashes.compactMap { hash in
                table.attestedCandidate(hash, context: context).flatMap {
                    BackedCandidates.make(from: $0, context: context)
                }
            }
        }
    }

    // MARK: State

    /// A snapshot of what the job knows.
    public func state() -> LeafState {
        let scheduling = context.scheduling
        // Core indices are shown at leaves with a claim queue; a v0.9.12 leaf answers as it always did.
        let showsCores = scheduling.hasClaimQueue
        return LeafState(
            hash: leaf.hash, number: leaf.number, sessionIndex: leaf.sessionIndex,
            validatorIndex: localValidator?.index,
            assignment: assignment.map {
                LeafState.Assignment(
                    paraId: $0, requiredCollator: requiredCollator, coreIndex: showsCores ? localCore : nil)
            },
            groups: Dictionary(
                uniqueKeysWithValues: Set(scheduling.paraOfCore.values).compactMap { para in
                    scheduling.defaultCore(of: para).flatMap { scheduling.groupOfCore[$0] }.map {
                        (String(para.rawValue), $0)
                    }
                }),
            cores: showsCores
                ? scheduling.paraOfCore.keys.sorted().compactMap { core in
                    // Safe because: every core of `paraOfCore` has a group.
                    LeafState.Core(
                        coreIndex: core, paraId: scheduling.paraOfCore[core]!, group: scheduling.groupOfCore[core]!)
                } : nil,
            seconded: seconded,
            candidates: table.candidateDigests.map { hash in
                let group = table.group(of: hash)
                return LeafState.Candidate(
                    candidateHash: hash, paraId: group?.paraId ?? 0,
                    coreIndex: showsCores ? group.flatMap(context.core(of:)) : nil,
                    validityVotes: table.validityVoteCount(hash),
                    backed: backed.contains(hash))
            },
            misbehaviours: misbehaviours, asyncBacking: asyncBackingState())
    }

    /// How many background validations this job has running or queued (for tests and metrics).
    public var backgroundValidationCount: Int { backgroundTasks.count }

    // MARK: Effects

    /// Queues an outgoing message for the end of this turn (none while replaying: it was sent).
    func emit(_ message: OutboundMessage) {
        guard !replaying else { return }
        pendingMessages.append(message)
    }

    /// Journals an input of this job for the end of this turn (none while replaying).
    func record(_ event: JobEvent) {
        guard !replaying else { return }
        pendingJournal.append(.event(leaf: leaf.hash, event))
    }

    /// Hands this turn's journal records and messages to the sink as one unit. Every entry point of the
    /// actor calls it before returning.
    func commitEffects() {
        guard !pendingJournal.isEmpty || !pendingMessages.isEmpty else { return }
        ports.sink.submit(pendingMessages, journal: pendingJournal)
        pendingMessages = []
        pendingJournal = []
    }

    // MARK: Replay

    /// Rebuilds this fresh job from its journal: every event is acted on again by the code that acted on
    /// it live, with no message sent, no signature made and no validation started; then the validations
    /// that were in flight at the crash start again.
    public func replay(_ events: [JobEvent]) {
        replaying = true
        for event in events {
            switch event {
            case .statementImported(let statement):
                _ = importChecked(statement)
            case .secondAccepted(let candidate, let pov):
                startValidation(of: candidate, source: .ready(pov), purpose: .second)
            case .validationConcluded(let conclusion):
                replayedValidations.removeAll { $0.hash == conclusion.candidateHash }
                apply(conclusion)
            case .secondedWithDataImported(let statement, let data):
                _ = importChecked(statement, persistedValidationData: data)
            case .secondWithDataAccepted(let candidate, let pov, let data):
                _ = secondAsync(candidate, pov: pov, persistedValidationData: data)
            }
        }
        replaying = false
        let resumed = replayedValidations
        replayedValidations = []
        for start in resumed {
            logger.info("validation in flight at the last stop starts again", metadata: ["candidate": "\(start.hash)"])
            spawnValidation(start, resumed: true)
        }
        commitEffects()
    }
}
