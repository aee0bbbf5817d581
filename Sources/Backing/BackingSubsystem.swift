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
    private let logger: Logger
    private var jobs: [Hash: BackingJob] = [:]
    /// Activation order, for listings.
    private var order: [Hash] = []

    private let metrics: BackingMetrics

    /// - Parameter metricsFactory: where the engine's metrics go; the process-wide factory by default.
    public init(
        keypair: Sr25519Keypair?, ports: BackingPorts, configuration: BackingConfiguration = BackingConfiguration(),
        metricsFactory: any MetricsFactory = MetricsSystem.factory, logger: Logger = Logger(label: "backingd.backing")
    ) {
        self.keypair = keypair
        self.ports = ports
        self.configuration = configuration
        metrics = BackingMetrics(factory: metricsFactory)
        limiter = ValidationLimiter(limit: configuration.validationConcurrency, metrics: metrics)
        self.logger = logger
    }

    /// Activates a leaf and starts its job (`ActiveLeavesUpdate.activated`).
    /// - Throws: ``LeafError/alreadyActive(_:)``, or ``LeafError/invalidRuntimeData(field:reason:)``.
    @discardableResult
    public func activate(_ leaf: Leaf) throws(LeafError) -> BackingJob {
        guard jobs[leaf.hash] == nil else { throw .alreadyActive(leaf.hash) }
        try leaf.validate()
        let job = BackingJob(
            leaf: leaf, keypair: keypair, ports: ports, limiter: limiter, configuration: configuration,
            metrics: metrics,
            logger: logger)
        jobs[leaf.hash] = job
        order.append(leaf.hash)
        logger.info(
            "leaf activated",
            metadata: [
                "leaf": "\(leaf.hash)", "number": "\(leaf.number)",
                "validatorIndex": "\(job.localValidator.map { "\($0.index)" } ?? "none")",
                "assignment": "\(job.assignment.map { "\($0)" } ?? "none")",
            ])
        return job
    }

    /// Deactivates a leaf: its job ends and its background work is cancelled.
    /// - Throws: ``LeafError/unknownLeaf(_:)``.
    public func deactivate(_ hash: Hash) async throws(LeafError) {
        guard let job = jobs.removeValue(forKey: hash) else { throw .unknownLeaf(hash) }
        order.removeAll { $0 == hash }
        await job.stop()
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
