public import CoreMetrics
public import Crypto
public import Logging
public import Primitives

/// The candidate-backing engine: one ``BackingJob`` per active leaf.
///
/// Isolation: an actor owning the leaf → job map. Requests for a leaf go to its job; requests for an
/// unknown leaf throw ``LeafError/unknownLeaf(_:)`` (the seed drops them silently; an API answers 404).
public actor BackingSubsystem {
    /// Our validator key; `nil` makes this node an observer (the seed with an empty keystore).
    public nonisolated let keypair: Sr25519Keypair?
    public nonisolated let ports: BackingPorts
    public nonisolated let configuration: BackingConfiguration
    /// Shared by every job, so the bound on concurrent validations is global.
    public nonisolated let limiter: ValidationLimiter
    /// What our validator signed, consulted before every signature (shared by every job).
    public nonisolated let signingGuard: SigningGuard
    private let logger: Logger
    /// The newest session of any leaf activated: the signing history is kept for a window behind it.
    private var latestSession: SessionIndex?
    private var jobs: [Hash: BackingJob] = [:]
    /// Activation order, for listings.
    private var order: [Hash] = []

    private let metrics: BackingMetrics

    /// - Parameters:
    ///   - signingGuard: the signing history (from the durable store); empty by default.
    ///   - metricsFactory: where the engine's metrics go; the process-wide factory by default.
    public init(
        keypair: Sr25519Keypair?, ports: BackingPorts, configuration: BackingConfiguration = BackingConfiguration(),
        signingGuard: SigningGuard = SigningGuard(),
        metricsFactory: any MetricsFactory = MetricsSystem.factory, logger: Logger = Logger(label: "backingd.backing")
    ) {
        self.keypair = keypair
        self.signingGuard = signingGuard
        self.ports = ports
        self.configuration = configuration
        metrics = BackingMetrics(factory: metricsFactory)
        limiter = ValidationLimiter(limit: configuration.validationConcurrency, metrics: metrics)
        self.logger = logger
    }

    /// Activates a leaf and starts its job (`ActiveLeavesUpdate.activated`); activating an active leaf
    /// again with identical runtime data returns its job unchanged.
    /// - Throws: ``LeafError/alreadyActive(_:)`` for different data under an active hash, or
    ///   ``LeafError/invalidRuntimeData(field:reason:)``.
    @discardableResult
    public func activate(_ leaf: Leaf) throws(LeafError) -> BackingJob {
        try activation(of: leaf).job
    }

    /// ``activate(_:)``, saying whether the job is new (`false`: the leaf was active with this data).
    /// The activation is journaled with the leaf's runtime data; callers flush the sink before answering.
    public func activation(of leaf: Leaf) throws(LeafError) -> (job: BackingJob, created: Bool) {
        if let job = jobs[leaf.hash] {
            guard job.leaf == leaf else { throw .alreadyActive(leaf.hash) }
            return (job, false)
        }
        try leaf.validate()
        var journal: [JournalRecord] = [.leafActivated(leaf)]
        journal += noteSession(leaf.sessionIndex)
        ports.sink.submit([], journal: journal)
        let job = start(leaf)
        logger.info(
            "leaf activated",
            metadata: [
                "leaf": "\(leaf.hash)", "number": "\(leaf.number)",
                "validatorIndex": "\(job.localValidator.map { "\($0.index)" } ?? "none")",
                "assignment": "\(job.assignment.map { "\($0)" } ?? "none")",
            ])
        return (job, true)
    }

    /// Rebuilds the job of a leaf that was active at the last stop from its journal, sending nothing
    /// again; validations in flight at the stop start again.
    /// - Throws: ``LeafError/alreadyActive(_:)`` when the leaf is active already.
    @discardableResult
    public func restore(_ journaled: JournaledLeaf) async throws(LeafError) -> BackingJob {
        let leaf = journaled.leaf
        guard jobs[leaf.hash] == nil else { throw .alreadyActive(leaf.hash) }
        latestSession = max(latestSession ?? leaf.sessionIndex, leaf.sessionIndex)
        let job = start(leaf)
        await job.replay(journaled.events)
        logger.info(
            "leaf restored from the journal",
            metadata: ["leaf": "\(leaf.hash)", "number": "\(leaf.number)", "events": "\(journaled.events.count)"])
        return job
    }

    private func start(_ leaf: Leaf) -> BackingJob {
        let job = BackingJob(
            leaf: leaf, keypair: keypair, ports: ports, signingGuard: signingGuard, limiter: limiter,
            configuration: configuration, metrics: metrics, logger: logger)
        jobs[leaf.hash] = job
        order.append(leaf.hash)
        return job
    }

    /// Notes a leaf's session; when it is the newest yet, the signing history of sessions older than
    /// the configured window is pruned (in memory now, on disk with the returned record).
    private func noteSession(_ session: SessionIndex) -> [JournalRecord] {
        guard latestSession.map({ session > $0 }) ?? true else { return [] }
        latestSession = session
        guard let keypair, session > configuration.signingHistorySessions else { return [] }
        let cutoff = session - configuration.signingHistorySessions
        signingGuard.prune(validator: keypair.publicKey, belowSession: cutoff)
        return [.signingHistoryPruned(validator: keypair.publicKey, belowSession: cutoff)]
    }

    /// Deactivates a leaf: its job ends, its background work is cancelled and its journal is dropped.
    /// - Throws: ``LeafError/unknownLeaf(_:)``.
    public func deactivate(_ hash: Hash) async throws(LeafError) {
        guard let job = jobs[hash] else { throw .unknownLeaf(hash) }
        // The job journals the deactivation in its own turn, after everything it journaled before, and
        // the leaf stays listed until then, so that a new activation of the hash cannot come in between.
        await job.stop(deactivating: true)
        guard jobs[hash] === job else { return }
        jobs[hash] = nil
        order.removeAll { $0 == hash }
        logger.info("leaf deactivated", metadata: ["leaf": "\(hash)"])
    }

    /// The job of an active leaf.
    /// - Throws: ``LeafError/unknownLeaf(_:)``.
    public func job(_ hash: Hash) throws(LeafError) -> BackingJob {
        guard let job = jobs[hash] else { throw .unknownLeaf(hash) }
        return job
    }

    /// Active leaves' jobs in activation order.
    public var activeJobs: [BackingJob] { order.compactMap { jobs[$0] } }

    /// Stops every job (the overseer's `Conclude`).
    public func stopAll() async {
        for job in jobs.values { await job.stop() }
        jobs.removeAll()
        order.removeAll()
    }
}
